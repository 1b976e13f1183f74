"""Settings for test suites: the real settings, made fast and isolated.

The database still comes from the configuration, so ``DATABASE_URL=postgres://…`` runs the
same suite on PostgreSQL.
"""

import tempfile
from pathlib import Path

from lutetia.settings import *  # noqa: F403
from lutetia.settings import CONFIG

_tmp = Path(tempfile.mkdtemp(prefix="lutetia-test-"))

DATA_DIR = _tmp  # demo credentials and other generated files stay out of the work tree
SECRET_KEY = "tests-only-not-a-secret-" + "x" * 32
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# SMS stay in memory: lutetia.notify.sms_backends.outbox, as e-mails stay in django.core.mail.outbox.
LUTETIA_SMS_BACKEND = "lutetia.notify.sms_backends.LocmemBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
}
MEDIA_ROOT = _tmp / "media"
if CONFIG["storage"] == "filesystem":
    # Citizens' uploads (lutetia.files) too: the private storage's folder is fixed in STORAGES.
    _private = {**STORAGES["private"]["OPTIONS"], "location": str(_tmp / "private")}  # noqa: F405
    STORAGES = {**STORAGES, "private": {**STORAGES["private"], "OPTIONS": _private}}  # noqa: F405
STATIC_ROOT = _tmp / "static"
STATIC_ROOT.mkdir()  # whitenoise warns about a missing folder
ALLOWED_HOSTS = ["*"]
LOGGING_CONFIG = None  # keep pytest's own log capture

if not CONFIG["database_url"]:
    DATABASES = {
        "default": {
            **DATABASES["default"],  # noqa: F405
            "NAME": str(_tmp / "test.sqlite3"),
            "TEST": {"NAME": str(_tmp / "test.sqlite3")},
        }
    }
