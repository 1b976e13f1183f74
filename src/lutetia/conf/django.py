"""Turn a `Config` into Django settings (databases, cache, e-mail, storage, tasks, secret)."""

from __future__ import annotations

import re
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


#: Where citizens' uploads are kept (`lutetia.files.storage`), inside the data directory and
#: beside MEDIA_ROOT, never under it: nothing serves this folder, files leave only through a
#: view that checks who asks.
PRIVATE_FOLDER = "private"


def storages(config: Config) -> dict[str, Any]:
    """Django's STORAGES: ``default`` (content images and documents, public), ``private``
    (citizens' uploads, served only by `lutetia.files.file_response`), ``staticfiles``."""
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
            "private": {
                "BACKEND": "storages.backends.s3.S3Storage",
                # Private objects in their own prefix; any URL made for one is signed and
                # expires. Never overwrite: a name is a random token, a clash is a bug.
                "OPTIONS": {
                    "default_acl": "private",
                    "querystring_auth": True,
                    "location": PRIVATE_FOLDER,
                    "file_overwrite": False,
                },
            },
            "staticfiles": static,
        }
    return {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "lutetia.files.storage.PrivateFileSystemStorage",
            "OPTIONS": {
                "location": str(Path(config["data_dir"]) / PRIVATE_FOLDER),
                "base_url": None,
                # Readable by the service (and its group, for backups), by nobody else.
                "file_permissions_mode": 0o640,
                "directory_permissions_mode": 0o750,
            },
        },
        "staticfiles": static,
    }


def tasks(config: Config) -> dict[str, Any]:
    if config["task_backend"] == "database":
        return {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


#: Short names of the SMS backends Lutetia ships (lutetia.notify.sms_backends).
SMS_BACKENDS = {
    "log": "lutetia.notify.sms_backends.LogBackend",
    "locmem": "lutetia.notify.sms_backends.LocmemBackend",
    "http": "lutetia.notify.sms_backends.HttpBackend",
}


def sms_backend(config: Config) -> str:
    """The dotted path of the SMS backend: a short name of ours, or a class of the city's."""
    name = config["sms_backend"].strip()
    if name in SMS_BACKENDS:
        return SMS_BACKENDS[name]
    if "." not in name:
        raise ConfigError(
            f"LUTETIA_SMS_BACKEND: {name!r} is neither {', '.join(SMS_BACKENDS)} nor the "
            "dotted path of a backend class"
        )
    return name


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


# What a provider table of ``oidc_providers`` may hold; anything else is a typo and stops the
# start. allauth reads the discovery document at ``server_url`` (the issuer: it appends
# /.well-known/openid-configuration) and authenticates at the token endpoint with
# client_secret_basic or client_secret_post, the only two methods it implements.
OIDC_PROVIDER_KEYS = frozenset(
    {
        "id",
        "name",
        "server_url",
        "client_id",
        "client_secret",
        "scope",
        "token_auth_method",
        "pkce",
        "auth_params",
        "fetch_userinfo",
        "uid_field",
    }
)
OIDC_TOKEN_AUTH_METHODS = ("client_secret_basic", "client_secret_post")
OIDC_DEFAULT_SCOPE = ["openid", "profile", "email"]
_OIDC_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def password_validators(config: Config) -> list[dict[str, Any]]:
    """The password policy: long (length beats composition rules), not close to the person's
    name or e-mail, not in the list of passwords seen in breaches (read offline: Django's, or
    ``breached_passwords``), not all digits."""
    breached: dict[str, Any] = {
        "NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"
    }
    if config["breached_passwords"]:
        breached["OPTIONS"] = {"password_list_path": config["breached_passwords"]}
    return [
        {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 12},
        },
        breached,
        {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    ]


def oidc_providers(config: Config) -> dict[str, Any]:
    """allauth's SOCIALACCOUNT_PROVIDERS from ``oidc_providers``: one ``openid_connect`` app per
    provider, its callback at /account/oidc/<id>/login/callback/.

    A provider's e-mail address is never trusted by configuration (no ``verified_email``): it
    counts as verified only when the provider's ``email_verified`` claim says so (see
    `lutetia.accounts.oidc`).
    """
    apps = []
    seen: set[str] = set()
    for index, provider in enumerate(config["oidc_providers"]):
        where = f"LUTETIA_OIDC_PROVIDERS: provider #{index + 1}"
        unknown = sorted(set(provider) - OIDC_PROVIDER_KEYS)
        if unknown:
            raise ConfigError(
                f"{where} has unknown keys {', '.join(unknown)}; "
                f"expected some of {', '.join(sorted(OIDC_PROVIDER_KEYS))}"
            )
        missing = [
            key for key in ("id", "name", "server_url", "client_id") if not provider.get(key)
        ]
        if missing:
            raise ConfigError(f"{where} lacks {', '.join(missing)}")
        provider_id = str(provider["id"])
        if not _OIDC_ID.match(provider_id) or provider_id == "openid_connect":
            raise ConfigError(
                f"{where}: id {provider_id!r} must be a short lower-case slug (it is part of "
                "the callback URL and is stored with each linked account)"
            )
        if provider_id in seen:
            raise ConfigError(f"{where}: id {provider_id!r} is used twice")
        seen.add(provider_id)
        server_url = str(provider["server_url"]).strip()
        parts = urlsplit(server_url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ConfigError(f"{where}: server_url {server_url!r} is not an http(s) URL")
        if "/.well-known/" not in server_url:
            # allauth appends /.well-known/openid-configuration: an issuer written with a
            # trailing slash would give "//.well-known".
            server_url = server_url.rstrip("/")
        token_auth_method = str(provider.get("token_auth_method", "client_secret_basic"))
        if token_auth_method not in OIDC_TOKEN_AUTH_METHODS:
            raise ConfigError(
                f"{where}: token_auth_method {token_auth_method!r} is not supported; "
                f"expected one of {', '.join(OIDC_TOKEN_AUTH_METHODS)}"
            )
        scope = provider.get("scope", OIDC_DEFAULT_SCOPE)
        if isinstance(scope, str):
            scope = scope.replace(",", " ").split()
        scope = [str(item) for item in scope]
        if "openid" not in scope:
            scope.insert(0, "openid")
        auth_params = provider.get("auth_params", {})
        if not isinstance(auth_params, dict):
            raise ConfigError(f"{where}: auth_params must be a table of parameters")
        apps.append(
            {
                "provider_id": provider_id,
                "name": str(provider["name"]),
                "client_id": str(provider["client_id"]),
                "secret": str(provider.get("client_secret", "")),
                "settings": {
                    "server_url": server_url,
                    "token_auth_method": token_auth_method,
                    "scope": scope,
                    # allauth's key; PKCE (S256) is on unless a provider refuses it.
                    "oauth_pkce_enabled": bool(provider.get("pkce", True)),
                    "auth_params": {str(k): str(v) for k, v in auth_params.items()},
                    "fetch_userinfo": bool(provider.get("fetch_userinfo", True)),
                    "uid_field": str(provider.get("uid_field", "sub")),
                },
            }
        )
    return {"openid_connect": {"APPS": apps, "OAUTH_PKCE_ENABLED": True}}


def oidc_origins(config: Config) -> list[str]:
    """Origins of the providers, for the Content-Security-Policy's form-action: the sign-in
    button posts to Lutetia, which redirects to the provider's authorization endpoint (on the
    issuer's origin for every provider we know)."""
    origins = []
    for provider in config["oidc_providers"]:
        parts = urlsplit(str(provider.get("server_url", "")))
        if parts.scheme and parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in origins:
                origins.append(origin)
    return origins
