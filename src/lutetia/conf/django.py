"""Turn a `Config` into Django settings (databases, cache, e-mail, storage, tasks, secret)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url

from . import Config, ConfigError

# SQLite, tuned for a web server: WAL lets readers go on while one writer writes; IMMEDIATE
# transactions take the write lock at BEGIN, so two writers queue on busy_timeout instead of
# one failing with "database is locked" when it upgrades a read lock; NORMAL sync is safe in WAL.
SQLITE_TIMEOUT_SECONDS = 20
SQLITE_INIT = (
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "PRAGMA foreign_keys=ON;"
    "PRAGMA temp_store=MEMORY;"
    "PRAGMA cache_size=-20000;"
)


def database(config: Config) -> dict[str, Any]:
    url = config["database_url"] or f"sqlite:///{Path(config['data_dir']) / 'lutetia.sqlite3'}"
    try:
        db = dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
    except ValueError as exc:
        raise ConfigError(f"LUTETIA_DATABASE_URL: {exc}") from None
    if db["ENGINE"] == "django.db.backends.sqlite3":
        if not config["database_url"]:
            # The embedded default: its folder is ours to create, so a fresh clone just works.
            try:
                Path(config["data_dir"]).mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(
                    f"LUTETIA_DATA_DIR: cannot create {config['data_dir']!r} ({exc.strerror})"
                ) from None
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": SQLITE_TIMEOUT_SECONDS,
            "init_command": SQLITE_INIT,
        }
    else:
        if not db.get("NAME"):
            raise ConfigError("LUTETIA_DATABASE_URL: the database name is missing")
    return db


def cache(config: Config) -> dict[str, Any]:
    url = config["cache_url"]
    scheme = urlsplit(url).scheme
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lutetia"}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}


def email(config: Config) -> dict[str, Any]:
    parts = urlsplit(config["email_url"])
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parts.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parts.path,
        }
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", "0") in {"1", "true", "yes"},
        "EMAIL_TIMEOUT": 30,
    }


def storages(config: Config) -> dict[str, Any]:
    static = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    if config["storage"] == "s3":
        try:
            import storages  # noqa: F401
        except ImportError:
            raise ConfigError(
                "LUTETIA_STORAGE: s3 needs the django-storages package (pip install django-storages[s3])"
            ) from None
        return {
            "default": {"BACKEND": "storages.backends.s3.S3Storage"},
            "staticfiles": static,
        }
    return {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": static,
    }


def tasks(config: Config) -> dict[str, Any]:
    if config["task_backend"] == "database":
        return {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def secret_key(config: Config) -> str:
    """The configured key or, in development, one generated once into the data directory."""
    if config["secret_key"]:
        return config["secret_key"]
    path = Path(config["data_dir"]) / "secret_key"
    try:
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key, encoding="utf-8")
        path.chmod(0o600)
        return key
    except OSError as exc:
        raise ConfigError(
            f"LUTETIA_DATA_DIR: cannot keep the generated secret key in {str(path)!r} "
            f"({exc.strerror}); set LUTETIA_SECRET_KEY instead"
        ) from None
