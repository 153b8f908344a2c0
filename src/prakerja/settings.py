"""Settings, read from the environment at start-up.

Development defaults are safe to run on a laptop (SQLite under ``var/``,
outgoing mail and SMS written to ``var/outbox/``); ``PRAKERJA_ENV=production``
refuses to start without a real ``SECRET_KEY`` and turns on the secure-cookie
and HSTS settings that ``manage.py check --deploy`` asks for.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import csp.constants as csp
import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("PRAKERJA_HOME", Path.cwd())).resolve()
VAR_DIR = BASE_DIR / "var"

PRAKERJA_ENV = os.environ.get("PRAKERJA_ENV", "dev")
if PRAKERJA_ENV not in {"dev", "test", "production"}:
    raise ImproperlyConfigured("PRAKERJA_ENV must be dev, test or production")
PRODUCTION = PRAKERJA_ENV == "production"

_DEV_SECRET = "dev-only-not-secret-0b6c1f2e9a"
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET)
if PRODUCTION and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 40):
    raise ImproperlyConfigured("SECRET_KEY must be set (40+ characters) in production")

DEBUG = os.environ.get("DEBUG", "0" if PRODUCTION else "1") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost").split(",")
    if h.strip()
]
if not PRODUCTION:
    ALLOWED_HOSTS += ["testserver", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before staticfiles: its ``runserver`` keeps the partner API's underscore headers.
    "prakerja.integrations",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs' Swagger UI from our static files, not a CDN
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "prakerja.core",
    "prakerja.regions",
    "prakerja.accounts",
    "prakerja.registry",
    "prakerja.aptitude",
    "prakerja.batches",
    "prakerja.payments",
    "prakerja.catalog",
    "prakerja.learning",
    "prakerja.surveys",
    "prakerja.complaints",
    "prakerja.helpdesk",
    "prakerja.reports",
    "prakerja.ops",
]

MIDDLEWARE = [
    # Probes and the metrics scrape are answered first: no host check, session, rate limit, CSRF or staff
    # two-factor redirect stands between a load balancer and /healthz (ops.middleware).
    "prakerja.ops.middleware.OpsEndpointsMiddleware",
    "prakerja.ops.request_ids.RequestIdMiddleware",
    "prakerja.ops.metrics.RequestMetricsMiddleware",
    "prakerja.integrations.middleware.LeadingSlashesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from memory-mapped, pre-compressed copies, before any session or database work.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "prakerja.ops.csp_cache.CSPMiddleware",  # django-csp's, the settings' own policy built once
    # Session, user, second-factor wrapper and messages stand aside for bearer-token API requests
    # (ops.api_path); every other request goes through Django's own. CSRF stays Django's own, by the exact
    # name the deployment check looks for: the API's views are csrf_exempt, so it reads nothing there.
    "prakerja.ops.api_path.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "prakerja.ops.api_path.AuthenticationMiddleware",
    "prakerja.core.rate_limits.RateLimitMiddleware",
    "prakerja.core.rate_limits.BodySizeLimitMiddleware",
    # Password-hashing endpoints: a short bounded queue per process; past it 429 + Retry-After (core/surge.py).
    "prakerja.core.surge.SurgeMiddleware",
    "prakerja.ops.api_path.OTPMiddleware",
    "prakerja.accounts.two_factor.StaffTwoFactorMiddleware",
    "prakerja.ops.api_path.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "prakerja.urls"
WSGI_APPLICATION = "prakerja.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# --- database -------------------------------------------------------------
_default_sqlite = f"sqlite:///{VAR_DIR / 'prakerja.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a command writes; the busy timeout
    # turns short write contention into waiting instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif (
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") == "1"
):
    # The few fixed hot queries (core.rows: a bearer token's account, GET /api/v1/me's journey) are prepared
    # once per connection, so PostgreSQL does not plan them again on every request. The ORM's queries are
    # never prepared (Django binds their parameters on the client). Off (0) behind a connection pooler
    # that cannot keep prepared statements (PgBouncer before 1.21, or without max_prepared_statements).
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Background work: the database queue (run `prakerja db_worker`) in production; in development and
# tests tasks run at once, so a laptop needs no worker to see its emails and SMS in the outbox.
# TASKS_BACKEND=rq puts the queue in Redis (REDIS_URL) for `prakerja rqworker` (docs/operations.md);
# a dotted backend path is taken as it is.
TASK_BACKEND_ALIASES = {
    "db": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
}
_tasks_backend = os.environ.get("TASKS_BACKEND", "db" if PRODUCTION else "immediate")
TASKS: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": TASK_BACKEND_ALIASES.get(_tasks_backend, _tasks_backend)},
}
REDIS_URL = os.environ.get("REDIS_URL", "")
if TASKS["default"]["BACKEND"] == TASK_BACKEND_ALIASES["rq"]:
    if not REDIS_URL:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL (e.g. redis://127.0.0.1:6379/0)")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS["default"]["QUEUES"] = ["default"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": int(os.environ.get("RQ_JOB_TIMEOUT", "900"))}}

# --- passwords ------------------------------------------------------------
PASSWORD_HASHERS = [
    "prakerja.accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if os.environ.get("PRAKERJA_FAST_HASHER") == "1" and not PRODUCTION:
    # Tests only: hashing cost is not what they measure.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- language and time ----------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"
USE_TZ = True

# --- static files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Production serves what `prakerja collectstatic` wrote: names carrying a content hash (cached for a year,
# "immutable") with gzip and Brotli copies beside them. Elsewhere WhiteNoise reads the source folders
# directly, so development and tests need no collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# --- request limits ---------------------------------------------------------
# A participant's JSON bodies are small; anything larger is refused early (413).
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
# Uploads (ID photos, complaint attachments, statements): no body above this; files readable by us only.
MAX_REQUEST_BYTES = int(os.environ.get("MAX_REQUEST_BYTES", str(8 * 1024 * 1024)))
# Except a bank's daily statement, uploaded by finance officers (payments.reconciliation.MAX_BYTES).
LARGE_BODY_PATHS = [("/pmo/rekonsiliasi/", 50 * 1024 * 1024 + 64 * 1024)]
FILE_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- outgoing messages ------------------------------------------------------
OUTBOX_DIR = Path(os.environ.get("PRAKERJA_OUTBOX", VAR_DIR / "outbox"))
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "prakerja.core.outbox.OutboxEmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@prakerja.example")
# Seconds before a mail server that stopped answering is given up on: without it Django waits forever,
# and a task worker would hang with it (the messages are sent by tasks: accounts/sending.py).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
SMS_BACKEND = os.environ.get("SMS_BACKEND", "prakerja.accounts.sms.OutboxSmsBackend")
SITE_URL = os.environ.get("SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")

# --- civil registry (Dukcapil) ----------------------------------------------
CIVIL_REGISTRY_ADAPTER = os.environ.get(
    "CIVIL_REGISTRY_ADAPTER", "prakerja.registry.civil_registry.LocalRegistryAdapter"
)
CIVIL_REGISTRY_URL = os.environ.get("CIVIL_REGISTRY_URL", "http://127.0.0.1:8090/verify")
CIVIL_REGISTRY_TIMEOUT = float(os.environ.get("CIVIL_REGISTRY_TIMEOUT", "5"))

# The disbursement gateway (banks and e-wallets). Development and tests point at the simulator
# (`prakerja gateway-simulator`); production at the real gateway with its key and callback secret.
# Personal data at rest (core.pii): NIK and KK numbers are encrypted with AES-256-GCM and found by a keyed
# blind index (HMAC-SHA256), each with its own key (32 bytes, base64). Development derives both from
# SECRET_KEY; production refuses to start without them. PII_OLD_ENCRYPTION_KEYS (comma-separated) still
# decrypt during a key rotation.
PII_ENCRYPTION_KEY = os.environ.get("PII_ENCRYPTION_KEY", "")
PII_INDEX_KEY = os.environ.get("PII_INDEX_KEY", "")
PII_OLD_ENCRYPTION_KEYS = [k for k in os.environ.get("PII_OLD_ENCRYPTION_KEYS", "").split(",") if k]
if PRODUCTION and not (PII_ENCRYPTION_KEY and PII_INDEX_KEY):
    raise ImproperlyConfigured("PII_ENCRYPTION_KEY and PII_INDEX_KEY must be set in production")

PAYMENT_GATEWAY_URL = os.environ.get("PAYMENT_GATEWAY_URL", "http://127.0.0.1:8770")
PAYMENT_GATEWAY_KEY = os.environ.get("PAYMENT_GATEWAY_KEY", "sim-key")
PAYMENT_GATEWAY_CALLBACK_SECRET = os.environ.get("PAYMENT_GATEWAY_CALLBACK_SECRET", "sim-callback-secret")
PAYMENT_GATEWAY_TIMEOUT = float(os.environ.get("PAYMENT_GATEWAY_TIMEOUT", "10"))
# Where the gateway should post status callbacks (this site's public base URL); empty: poll only.
# In development the simulator calls back to this dev server, so a payout confirms within a second.
PAYMENT_CALLBACK_BASE_URL = os.environ.get("PAYMENT_CALLBACK_BASE_URL", SITE_URL if PRAKERJA_ENV == "dev" else "")

# --- log-in throttling ------------------------------------------------------
LOGIN_THROTTLE = {
    "per_ip": (int(os.environ.get("LOGIN_MAX_PER_IP", "30")), 15 * 60),
    "per_account": (int(os.environ.get("LOGIN_MAX_PER_ACCOUNT", "5")), 15 * 60),
}

# --- security ---------------------------------------------------------------
SESSION_COOKIE_AGE = 8 * 60 * 60
# Staff sessions also end after 30 idle minutes (accounts.two_factor); a participant's after 8 hours.
STAFF_SESSION_IDLE_SECONDS = int(os.environ.get("STAFF_SESSION_IDLE_SECONDS", str(30 * 60)))
OTP_TOTP_ISSUER = "Prakerja"
SESSION_COOKIE_HTTPONLY = True
# Public endpoints: (methods, path pattern, requests per address, window in seconds). Generous, because
# many phones share one address behind mobile carriers' NAT; they stop floods, not people.
RATE_LIMITS = {
    "register": ("POST", r"^/(api/v1/auth/register|akun/daftar/)$", 60, 600),
    "login": ("POST", r"^/(api/v1/auth/token|akun/masuk/)$", 120, 600),
    "verify": ("POST", r"^/api/v1/auth/verify-(email|phone)$", 120, 600),
    "password_reset": ("POST", r"^/akun/lupa-sandi/$", 20, 3600),
    "identity": ("PUT,POST", r"^/(api/v1/me/identity|peserta/identitas/)$", 30, 3600),
    "activation": ("POST", r"^/akun/aktivasi/", 30, 3600),
    "complaint": ("POST", r"^/(api/v1/complaints|pengaduan/baru/)$", 30, 3600),
    "public_read": ("GET", r"^/api/v1/(trainings|batches|regions|help-desks|payout-providers|coverage)", 600, 60),
    "certificate": ("GET", r"^/sertifikat/", 120, 60),
}
RATE_LIMIT_SCALE = float(os.environ.get("RATE_LIMIT_SCALE", "1"))
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere: a script injected into a page cannot run, and pages load nothing
# from other sites (a participant's slow phone fetches only what we serve).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- operations: probes, metrics, logs ---------------------------------------------------------------
# /metrics answers loopback callers (a Prometheus agent on the same machine) and callers presenting
# `Authorization: Bearer METRICS_TOKEN`. Production opens neither by default: set METRICS_TOKEN, or
# METRICS_ALLOW_LOOPBACK=1 where no proxy on this machine forwards public requests to /metrics.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOW_LOOPBACK = os.environ.get("METRICS_ALLOW_LOOPBACK", "0" if PRODUCTION else "1") == "1"
# One JSON object a line (time, level, logger, message, request_id) for log collectors; text for people.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("LOG_FORMAT must be json or text")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every handler masks personal data (core.log_privacy): NIK/KK, emails and phone numbers.
    "filters": {"personal_data": {"()": "prakerja.core.log_privacy.PersonalDataFilter"}},
    "formatters": {"json": {"()": "prakerja.ops.json_logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["personal_data"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "django_tasks": {"level": "WARNING"}},
}
