"""Lutetia's configuration: defaults → ``lutetia.toml`` → ``LUTETIA_*`` → ``LUTETIA_*_FILE``.

`load()` is the only place that reads the environment. It returns a `Config` holding every
effective value and where it came from, or raises `ConfigError` with a message that names the
variable at fault.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .spec import BY_NAME, SETTINGS, ConfigError, Setting, mask_url

__all__ = ["Config", "ConfigError", "load"]

# Environment variables that steer loading itself rather than name a setting.
CONFIG_FILE_ENV = "LUTETIA_CONFIG"
RESERVED_ENV = {CONFIG_FILE_ENV, "LUTETIA_TEST_BROWSER"}


@dataclass
class Config:
    values: dict[str, Any]
    sources: dict[str, str]
    config_file: Path | None = None
    notes: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def display_value(self, name: str) -> str:
        """The value as `config show` prints it: secrets masked."""
        setting = BY_NAME[name]
        value = self.values[name]
        if isinstance(value, list):
            value = (
                ",".join(value)
                if all(isinstance(item, str) for item in value)
                else json.dumps(value)
            )
        value = str(value)
        if setting.secret and value:
            return mask_url(value) if setting.url else "********"
        return value

    def rows(self) -> list[tuple[str, str, str]]:
        return [(s.name, self.display_value(s.name), self.sources[s.name]) for s in SETTINGS]


def _parse(setting: Setting, raw: Any, where: str) -> Any:
    try:
        return setting.parse(raw)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    unknown = sorted(set(data) - set(BY_NAME))
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting {', '.join(repr(k) for k in unknown)}; "
            "`lutetia config show` lists the known ones"
        )
    return data


def load(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Config:
    """Compute every setting's effective value and its source."""
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd

    config_file: Path | None = None
    toml: dict[str, Any] = {}
    if environ.get(CONFIG_FILE_ENV):
        config_file = Path(environ[CONFIG_FILE_ENV])
        if not config_file.is_file():
            raise ConfigError(f"{CONFIG_FILE_ENV}: no such file {str(config_file)!r}")
    elif (cwd / "lutetia.toml").is_file():
        config_file = cwd / "lutetia.toml"
    if config_file is not None:
        toml = _read_toml(config_file)

    known_env = {s.env for s in SETTINGS} | {s.env + "_FILE" for s in SETTINGS} | RESERVED_ENV
    unknown_env = sorted(k for k in environ if k.startswith("LUTETIA_") and k not in known_env)
    if unknown_env:
        raise ConfigError(
            f"unknown environment variable {', '.join(unknown_env)}; "
            "`lutetia config show` lists the known settings"
        )

    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for setting in SETTINGS:
        value, source = setting.default, "default"
        if setting.name in toml:
            value = _parse(setting, toml[setting.name], f"{config_file}: {setting.name}")
            source = str(config_file)
        aliases = [setting.env] + (["DATABASE_URL"] if setting.name == "database_url" else [])
        for env_name in reversed(aliases):
            if env_name in environ:
                value = _parse(setting, environ[env_name], env_name)
                source = f"environment {env_name}"
        file_env = setting.env + "_FILE"
        if file_env in environ:
            path = Path(environ[file_env])
            try:
                raw = path.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(
                    f"{file_env}: cannot read {str(path)!r} ({exc.strerror})"
                ) from None
            value = _parse(setting, raw, file_env)
            source = f"file {path} ({file_env})"
        values[setting.name] = value
        sources[setting.name] = source

    data_dir = Path(values["data_dir"])
    values["data_dir"] = str(data_dir if data_dir.is_absolute() else (cwd / data_dir))

    config = Config(values=values, sources=sources, config_file=config_file)
    _check_consistency(config)
    return config


def _check_consistency(config: Config) -> None:
    if config["mode"] == "production":
        if not config["secret_key"]:
            raise ConfigError(
                "LUTETIA_SECRET_KEY: required in production mode "
                "(set it, or LUTETIA_SECRET_KEY_FILE, to a long random value)"
            )
        if len(config["secret_key"]) < 32:
            raise ConfigError(
                "LUTETIA_SECRET_KEY: too short for production (32 characters at least)"
            )
        if config["debug"]:
            raise ConfigError("LUTETIA_DEBUG: cannot be true in production mode")
    if config["breached_passwords"] and not Path(config["breached_passwords"]).is_file():
        raise ConfigError(
            f"LUTETIA_BREACHED_PASSWORDS: no file at {config['breached_passwords']!r}"
        )
    if config["workers"] < 0:
        raise ConfigError("LUTETIA_WORKERS: must be 0 or more")
    if config["threads"] < 1:
        raise ConfigError("LUTETIA_THREADS: must be 1 or more")
    if config["page_cache_seconds"] < 0:
        raise ConfigError("LUTETIA_PAGE_CACHE_SECONDS: must be 0 or more")
    if config["scheduler_interval"] < 1:
        raise ConfigError("LUTETIA_SCHEDULER_INTERVAL: must be 1 or more")
    if config["notify_max_attempts"] < 1:
        raise ConfigError("LUTETIA_NOTIFY_MAX_ATTEMPTS: must be 1 or more")
    if config["upload_max_size"] < 1:
        raise ConfigError("LUTETIA_UPLOAD_MAX_SIZE: must be 1 byte or more")
    _check_clamav(config)
    if config["sms_backend"] == "http" and not config["sms_http_url"]:
        raise ConfigError("LUTETIA_SMS_HTTP_URL: required when LUTETIA_SMS_BACKEND is http")
    try:
        import zoneinfo

        zoneinfo.ZoneInfo(config["time_zone"])
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"LUTETIA_TIME_ZONE: unknown time zone {config['time_zone']!r}") from None


def _check_clamav(config: Config) -> None:
    """The scheme is checked as the value is read; a clamd address also needs its host or
    socket path, or every upload would be refused as "not checked" at run time."""
    if config["clamav_timeout"] < 1:
        raise ConfigError("LUTETIA_CLAMAV_TIMEOUT: must be 1 second or more")
    url = config["clamav_url"]
    if not url:
        return
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"LUTETIA_CLAMAV_URL: the port of {url!r} is not a number") from None
    if parts.scheme == "tcp" and not parts.hostname:
        raise ConfigError(f"LUTETIA_CLAMAV_URL: no host in {url!r} (tcp://host:3310)")
    if parts.scheme == "tcp" and port == 0:
        raise ConfigError(f"LUTETIA_CLAMAV_URL: port 0 in {url!r}")
    if parts.scheme == "unix" and (parts.netloc or not parts.path):
        raise ConfigError(
            f"LUTETIA_CLAMAV_URL: {url!r} is not a socket path (unix:///run/clamav/clamd.ctl)"
        )
