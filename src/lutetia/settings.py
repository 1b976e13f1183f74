"""Django settings, computed from Lutetia's configuration (see `lutetia.conf.spec`).

Nothing here reads the environment: `lutetia.conf.load()` does, and stops with a message naming
the variable at fault. Plugins found through entry points join INSTALLED_APPS.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from lutetia import conf
from lutetia.conf import django as from_conf
from lutetia.plugins.discovery import installable_apps

try:
    CONFIG = conf.load()
except conf.ConfigError as exc:
    raise ImproperlyConfigured(f"Lutetia configuration: {exc}") from None

DATA_DIR = Path(CONFIG["data_dir"])
PRODUCTION = CONFIG["mode"] == "production"
DEBUG = CONFIG["debug"]
SECRET_KEY = from_conf.secret_key(CONFIG)
ALLOWED_HOSTS = CONFIG["allowed_hosts"]
CSRF_TRUSTED_ORIGINS = CONFIG["csrf_trusted_origins"]

INSTALLED_APPS = [
    # Lutetia's core first: its templates override Wagtail's (404, 500, search).
    "lutetia.accounts",
    "lutetia.audit",
    "lutetia.ui",
    "lutetia.site",
    "lutetia.plugins",
    "lutetia.jobs",
    "lutetia.notify",
    "lutetia.ops",
    "wagtail.contrib.settings",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "lutetia.audit.wagtail_users.AuditedWagtailUsersConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    *installable_apps(),
]

MIDDLEWARE = [
    "lutetia.ops.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "lutetia.ops.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The site and its settings from the cache, read once per request.
    "lutetia.site.current.CurrentSiteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's, but addresses outside the content routes speak the language chosen (cookie).
    "lutetia.site.middleware.LocaleMiddleware",
    "lutetia.ui.middleware.ThemeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "lutetia.accounts.middleware.AgentMFAMiddleware",
    "lutetia.site.middleware.UserLanguageMiddleware",
    "lutetia.site.middleware.TimeZoneMiddleware",
    "lutetia.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lutetia.plugins.middleware.PluginGateMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "lutetia.urls"
WSGI_APPLICATION = "lutetia.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "lutetia.site.context_processors.site_chrome",
                "lutetia.ui.context_processors.theme",
            ],
        },
    },
]

DATABASES = {"default": from_conf.database(CONFIG)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = {"default": from_conf.cache(CONFIG)}
TASKS = from_conf.tasks(CONFIG)
STORAGES = from_conf.storages(CONFIG)
globals().update(from_conf.email(CONFIG))
DEFAULT_FROM_EMAIL = SERVER_EMAIL = CONFIG["default_from_email"]

AUTH_USER_MODEL = "lutetia_accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = from_conf.password_validators(CONFIG)
# Accounts (django-allauth): one sign-in for citizens and agents, at /account/.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "account_profile"
WAGTAILADMIN_LOGIN_URL = "account_login"
ACCOUNT_ADAPTER = "lutetia.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# A reset asked for an unknown address sends a "no account here" e-mail: the page says the
# same thing either way, the owner of the address still learns the truth.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# Throttles (per address and per account) and the lock-out after repeated failed sign-ins.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/15m/key",
    "signup": "10/h/ip",
    "reset_password": "10/h/ip,3/h/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "3/h/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
ALLAUTH_TRUSTED_PROXY_COUNT = CONFIG["trusted_proxy_count"]
SOCIALACCOUNT_ADAPTER = "lutetia.accounts.oidc.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = from_conf.oidc_providers(CONFIG)
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_LOGIN_ON_GET = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Lutetia"
# One 30-second step either way: a phone whose clock drifts a little still signs in.
MFA_TOTP_TOLERANCE = 1
LUTETIA_MFA_REQUIRED_FOR_AGENTS = CONFIG["mfa_required_for_agents"]
LUTETIA_TRUSTED_PROXY_COUNT = CONFIG["trusted_proxy_count"]
LUTETIA_AUDIT_CATEGORIES = frozenset(CONFIG["audit_categories"])

# Languages and time: French first; stored times are UTC.
LANGUAGE_CODE = CONFIG["language_code"]
LANGUAGES = [("fr", "Français"), ("en", "English"), ("hu", "Magyar")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = True
# One catalogue for the whole core (its apps share it); plugins ship their own in <package>/locale.
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = CONFIG["time_zone"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Outside production the files are served straight from the apps, no collectstatic needed.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
if not PRODUCTION:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# Security: what does not depend on the mode, then what production adds.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"  # the Wagtail preview is a same-origin frame
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A refused form gets a themed, translated 403 and an access-log entry.
CSRF_FAILURE_VIEW = "lutetia.site.views.csrf_failure"
SESSION_COOKIE_AGE = 60 * 60 * 8
# Content-Security-Policy (lutetia.ops.security): no inline script anywhere; the back office's
# few inline scripts are replaced by data blocks read by one static script. OpenID providers'
# origins join form-action so the sign-in redirect is allowed.
LUTETIA_CSP_FORM_ACTION = from_conf.oidc_origins(CONFIG)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(self), payment=(), usb=()"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Wagtail
WAGTAIL_SITE_NAME = "Lutetia"
WAGTAILADMIN_BASE_URL = CONFIG["base_url"]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "ods", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No Gravatar: it would send a hash of every agent's e-mail to a third party (and the CSP
# blocks foreign images anyway). Agents upload an avatar if they want one.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# Password resets go through allauth (/account/password/reset/), rate-limited and audited.
WAGTAIL_PASSWORD_RESET_ENABLED = False
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

LUTETIA_PAGE_CACHE_SECONDS = CONFIG["page_cache_seconds"]
# The front office's default theme (a site may choose another in Settings → Theme).
LUTETIA_THEME = CONFIG["theme"]
# A component called against its contract raises outside production (the tests fail, not the
# visitor); in production it is logged and renders nothing.
LUTETIA_UI_STRICT = CONFIG["mode"] != "production"
LUTETIA_SCHEDULER_INTERVAL = CONFIG["scheduler_interval"]
# Notifications (lutetia.notify): attempts before giving up, and where SMS go.
LUTETIA_NOTIFY_MAX_ATTEMPTS = CONFIG["notify_max_attempts"]
LUTETIA_SMS_BACKEND = from_conf.sms_backend(CONFIG)
LUTETIA_SMS_HTTP_URL = CONFIG["sms_http_url"]
LUTETIA_SMS_HTTP_TOKEN = CONFIG["sms_http_token"]
# Citizens' uploads (lutetia.files): the hard size cap, and the ClamAV daemon (empty: no scan).
LUTETIA_UPLOAD_MAX_SIZE = CONFIG["upload_max_size"]
LUTETIA_CLAMAV_URL = CONFIG["clamav_url"]
LUTETIA_CLAMAV_TIMEOUT = CONFIG["clamav_timeout"]
LUTETIA_BIND = CONFIG["bind"]
LUTETIA_WORKERS = CONFIG["workers"]
LUTETIA_THREADS = CONFIG["threads"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "lutetia.ops.logging.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "lutetia.ops.logging.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": CONFIG["log_format"],
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": CONFIG["log_level"].upper()},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.request": {"level": "ERROR"},
        # One line per task state change and per page edit drowns what matters; raise
        # LUTETIA_LOG_LEVEL to debug to see them again.
        "django_tasks": {"level": "DEBUG" if CONFIG["log_level"] == "debug" else "WARNING"},
        "wagtail": {"level": "DEBUG" if CONFIG["log_level"] == "debug" else "WARNING"},
        # The access log: one JSON line per entry, for a SIEM, whatever the log level.
        "lutetia.audit": {"level": "INFO"},
    },
}

# Kept for `lutetia config show` and the back office's view of the configuration.
LUTETIA_CONFIG = CONFIG
