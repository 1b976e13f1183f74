"""Every deploy-time setting Lutetia reads, with its type, default and documentation.

This list is the configuration reference: `lutetia config show` prints it, the README's
configuration table is written from it, and nothing outside `lutetia.conf` reads the
environment. Each setting can come from, in increasing precedence:

1. its default below;
2. ``lutetia.toml`` (the key in lower case, e.g. ``database_url = "..."``);
3. the environment variable ``LUTETIA_<NAME>`` (``DATABASE_URL`` is also accepted);
4. for secrets, a file named by ``LUTETIA_<NAME>_FILE`` (its content, stripped).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


class ConfigError(Exception):
    """A configuration value is missing or wrong; the message names the variable."""


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"expected a whole number, got {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"expected a whole number, got {value!r}") from None


def parse_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(item).strip() for item in value if str(item).strip()]
    return [item.strip() for item in str(value).split(",") if item.strip()]


def parse_str(value: Any) -> str:
    if isinstance(value, dict | list):
        raise ValueError(f"expected a text value, got {type(value).__name__}")
    return str(value)


_SIZE_UNITS = {
    "": 1,
    **dict.fromkeys(("k", "kb", "kib"), 1024),
    **dict.fromkeys(("m", "mb", "mib"), 1024**2),
    **dict.fromkeys(("g", "gb", "gib"), 1024**3),
}
_SIZE = re.compile(r"^\s*(\d+)\s*([a-z]*)\s*$")


def parse_size(value: Any) -> int:
    """A number of bytes, written plainly (``20971520``) or with a unit of 1024 (``20MB``)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = _SIZE.match(str(value).lower())
    if not match or match.group(2) not in _SIZE_UNITS:
        raise ValueError(f"expected a size in bytes, or with a unit (512KB, 20MB), got {value!r}")
    return int(match.group(1)) * _SIZE_UNITS[match.group(2)]


def parse_json_list(value: Any) -> list[dict[str, Any]]:
    """A list of tables: TOML's ``[[name]]`` arrays, or the same as JSON in the environment."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return []
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"expected a JSON list of objects ({exc.msg})") from None
    if not isinstance(value, list | tuple) or not all(isinstance(item, dict) for item in value):
        raise ValueError("expected a list of objects")
    return [dict(item) for item in value]


def choices(*allowed: str) -> Callable[[Any], list[str]]:
    def parse(value: Any) -> list[str]:
        items = [item.lower() for item in parse_list(value)]
        unknown = [item for item in items if item not in allowed]
        if unknown:
            raise ValueError(f"unknown {', '.join(unknown)}; expected some of {', '.join(allowed)}")
        return items

    return parse


def choice(*allowed: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}, got {value!r}")
        return text

    return parse


def parse_url(*schemes: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip()
        scheme = urlsplit(text).scheme
        if scheme not in schemes:
            raise ValueError(
                f"unsupported scheme {scheme or '(none)'!r} in {mask_url(text)!r}; "
                f"expected one of {', '.join(s + '://' for s in schemes)}"
            )
        return text

    return parse


def optional(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``parse``, except that an empty value stays empty (a setting that may be left unset)."""

    def parse_optional(value: Any) -> Any:
        return "" if str(value).strip() == "" else parse(value)

    return parse_optional


def mask_url(url: str) -> str:
    """Hide the password of a URL (``postgres://u:secret@h/db`` → ``postgres://u:***@h/db``)."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return parts._replace(netloc=netloc).geturl()
    return url


@dataclass(frozen=True)
class Setting:
    name: str
    parse: Callable[[Any], Any]
    default: Any
    help: str
    secret: bool = False
    # URL-valued settings show their password masked; other secrets are masked whole.
    url: bool = False

    @property
    def env(self) -> str:
        return f"LUTETIA_{self.name.upper()}"


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "mode",
        choice("development", "production"),
        "development",
        "development: a generated secret key and plain-HTTP cookies are allowed; production: "
        "a secret key is required, cookies are secure, HSTS is sent.",
    ),
    Setting(
        "debug",
        parse_bool,
        False,
        "Django's DEBUG: tracebacks in the browser. Never in production.",
    ),
    Setting(
        "secret_key",
        parse_str,
        "",
        "Signs sessions and tokens. Required in production mode (use LUTETIA_SECRET_KEY_FILE); "
        "in development one is generated into the data directory.",
        secret=True,
    ),
    Setting(
        "data_dir",
        parse_str,
        "var",
        "Folder for the SQLite database, generated secret, uploaded files and collected static "
        "files, relative to the working directory unless absolute.",
    ),
    Setting(
        "database_url",
        parse_url("sqlite", "postgres", "postgresql"),
        "",
        "sqlite:///path/to/db.sqlite3 or postgres://user:password@host:5432/name. Empty: SQLite "
        "in the data directory. DATABASE_URL is read too.",
        secret=True,
        url=True,
    ),
    Setting(
        "cache_url",
        parse_url("locmem", "redis", "rediss", "dummy"),
        "locmem://",
        "locmem:// (one process), redis://host:6379/0 (shared by all app servers), dummy://.",
        secret=True,
        url=True,
    ),
    Setting(
        "email_url",
        parse_url("console", "smtp", "smtps", "memory", "file"),
        "console://",
        "console:// (print), smtp://user:password@host:25 (STARTTLS with ?tls=1), "
        "smtps://... (implicit TLS), file:///folder.",
        secret=True,
        url=True,
    ),
    Setting("default_from_email", parse_str, "Lutetia <no-reply@localhost>", "Sender of e-mails."),
    Setting(
        "storage",
        choice("filesystem", "s3"),
        "filesystem",
        "Where uploaded files live: filesystem (the data directory) or s3 (django-storages, "
        "configured by the AWS_* variables it documents).",
    ),
    Setting(
        "task_backend",
        choice("immediate", "database"),
        "immediate",
        "immediate: background work runs in the request (demo, tests); database: queued in the "
        "database and run by `lutetia worker`.",
    ),
    Setting(
        "allowed_hosts",
        parse_list,
        ["127.0.0.1", "localhost"],
        "Host names this server answers for, comma-separated.",
    ),
    Setting(
        "csrf_trusted_origins",
        parse_list,
        [],
        "Origins allowed to POST behind a proxy, e.g. https://demarches.example.org.",
    ),
    Setting(
        "base_url",
        parse_str,
        "http://127.0.0.1:8000",
        "Public address, used in e-mails and sitemaps.",
    ),
    Setting("time_zone", parse_str, "Europe/Paris", "Default time zone of sites."),
    Setting("language_code", choice("fr", "en", "hu"), "fr", "Default language."),
    Setting(
        "log_format",
        choice("json", "text"),
        "json",
        "json: one JSON object a line (for a log collector); text: for people.",
    ),
    Setting(
        "log_level", choice("debug", "info", "warning", "error"), "info", "Minimum level logged."
    ),
    Setting("workers", parse_int, 0, "Production server processes; 0: two per core plus one."),
    Setting("threads", parse_int, 4, "Threads of each production server process (at least 1)."),
    Setting("bind", parse_str, "127.0.0.1:8000", "Address and port `lutetia run` listens on."),
    Setting(
        "page_cache_seconds",
        parse_int,
        600,
        "How long an anonymous page stays in the cache (it is dropped as soon as any page or "
        "site setting is published); 0 turns the page cache off.",
    ),
    Setting(
        "scheduler_interval",
        parse_int,
        30,
        "Seconds between two looks for due periodic jobs by `lutetia scheduler`.",
    ),
    Setting(
        "trusted_proxy_count",
        parse_int,
        0,
        "How many reverse proxies stand in front of Lutetia and append to X-Forwarded-For; the "
        "citizen's address (rate limits, access log) is read that many hops from the right. "
        "0: the address of the connection.",
    ),
    Setting(
        "mfa_required_for_agents",
        parse_bool,
        False,
        "Agents must set up a second factor (authenticator app, recovery codes) before they can "
        "use the back office.",
    ),
    Setting(
        "oidc_providers",
        parse_json_list,
        [],
        "OpenID Connect providers citizens can sign in with (FranceConnect, the city's own): a "
        'JSON list of {"id", "name", "server_url", "client_id", "client_secret"} (in '
        "lutetia.toml: [[oidc_providers]] tables), each optionally with scope (default "
        '"openid profile email"), token_auth_method (client_secret_basic, client_secret_post), '
        "pkce (default true), auth_params (e.g. acr_values), fetch_userinfo (default true) and "
        "uid_field (default sub). Keep it in LUTETIA_OIDC_PROVIDERS_FILE; see docs/accounts-oidc.md.",
        secret=True,
    ),
    Setting(
        "theme",
        parse_str,
        "bootstrap",
        "The front office's default theme (a theme plugin's id: bootstrap, dsfr); each site "
        "may choose another in Settings → Theme. An id no installed plugin provides stops "
        "the start with the list of installed themes.",
    ),
    Setting(
        "breached_passwords",
        parse_str,
        "",
        "A file of passwords seen in breaches that nobody may choose (one per line, lower case, "
        "optionally gzipped), read offline; empty: the 20,000 that Django ships. A city may "
        "point it at a larger list, e.g. the most common passwords of Have I Been Pwned.",
    ),
    Setting(
        "notify_max_attempts",
        parse_int,
        6,
        "How many times a notification (e-mail, SMS, in-app, webhook) is tried before it is "
        "given up as failed; the waits between attempts grow: 1 minute, 5, 30, 2 hours, then "
        "12 hours. See docs/notify.md.",
    ),
    Setting(
        "sms_backend",
        parse_str,
        "log",
        "How SMS leave: log (nothing is sent, a line is logged: development), locmem (kept in "
        "memory: tests), http (POSTed to sms_http_url), or the dotted path of your own "
        "backend class.",
    ),
    Setting(
        "sms_http_url",
        optional(parse_url("http", "https")),
        "",
        'With sms_backend = http: the address each SMS is POSTed to as JSON {"to", "body"} '
        "(to in E.164); a 2xx answer means sent.",
        secret=True,
        url=True,
    ),
    Setting(
        "sms_http_token",
        parse_str,
        "",
        "With sms_backend = http: sent as Authorization: Bearer <token>; empty: no header.",
        secret=True,
    ),
    Setting(
        "upload_max_size",
        parse_size,
        20 * 1024**2,
        "The largest file a citizen may upload (lutetia.files), in bytes or with a unit of 1024 "
        "(512KB, 20MB); a form may set a lower limit, never a higher one. Default: 20MB. Give "
        "the proxy in front a slightly higher body limit, and clamd a StreamMaxLength at least "
        "as high. See docs/files.md.",
    ),
    Setting(
        "clamav_url",
        optional(parse_url("tcp", "unix")),
        "",
        "The ClamAV daemon that scans every uploaded file: tcp://host:3310 or "
        "unix:///run/clamav/clamd.ctl. Empty: no virus scan. When set, a file is refused "
        "while clamd cannot be reached (fail closed).",
    ),
    Setting(
        "clamav_timeout",
        parse_int,
        10,
        "Seconds to wait for clamd, to connect and then for its verdict, before the upload is "
        "refused as not checked.",
    ),
    Setting(
        "audit_categories",
        choices("auth", "admin", "personal_data", "front", "system"),
        ["auth", "admin", "personal_data", "front", "system"],
        "What the access log records: auth (sign-in, sign-out, failures, MFA), admin (back-office "
        "changes), personal_data (back-office views of a citizen's data), front (citizens' "
        "actions), system (commands and jobs). All by default.",
    ),
)

BY_NAME = {setting.name: setting for setting in SETTINGS}
