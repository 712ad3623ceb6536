"""Settings for every environment, driven by environment variables.

``DATABASE_URL`` picks the database (default: an SQLite file in the working directory), ``SECRET_KEY`` and
``ALLOWED_HOSTS`` follow the usual forms. Nothing secret lives in this file: without ``SECRET_KEY`` a key is made
once and kept in ``.tessera-secret`` beside the database, so a demo restarts with its sessions intact.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from tessera.config.caches import cache_settings

PACKAGE_DIR = Path(__file__).resolve().parent.parent
WORK_DIR = Path(os.environ.get("TESSERA_HOME", os.getcwd()))


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    # A local, per-installation key for the embedded demo. Production sets SECRET_KEY (see README).
    path = WORK_DIR / ".tessera-secret"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    try:
        path.write_text(key)
        path.chmod(0o600)
    except OSError:
        pass
    return key


DEBUG = _env_bool("DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "tessera.stores",
    "tessera.access",
    "tessera.programs",
    "tessera.audit",
    "tessera.idempotency",
    "tessera.messaging",
    "tessera.ledger",
    "tessera.members",
    "tessera.tiers",
    "tessera.earning",
    "tessera.points",
    "tessera.coupons",
    "tessera.rewards",
    "tessera.wallet",
    "tessera.blueprints",
    "tessera.checkout",
    "tessera.mall",
    "tessera.settlement",
    "tessera.analytics",
    "tessera.crm",
    "tessera.segments",
    "tessera.console",
    "tessera.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After authentication: sign out idle staff first, then load the store they act as (403 if out of scope).
    "tessera.console.middleware.IdleTimeoutMiddleware",
    "tessera.console.middleware.CurrentStoreMiddleware",
]

# The POS API authenticates with terminal keys, not sessions or cookies: its requests skip the console's
# middleware (tessera.config.wsgi routes /api/ to a handler built with this shorter list).
API_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # errors come back in the request's language
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "tessera.config.urls"
WSGI_APPLICATION = "tessera.config.wsgi.application"
AUTH_USER_MODEL = "access.StaffUser"
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:store-select"  # a staff member first chooses where they work

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Each area keeps its console templates beside its console views (``<area>/console/templates``).
        "DIRS": sorted(PACKAGE_DIR.glob("*/console/templates")),
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tessera.console.context.console_context",
            ]
        },
    }
]

# ---------------------------------------------------------------- database
DEFAULT_SQLITE_URL = f"sqlite:///{WORK_DIR / 'tessera.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", DEFAULT_SQLITE_URL))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so a lock-check-post sequence never fails half-way with
    # "database is locked" on a read-to-write upgrade; WAL keeps readers off the writer's path.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
else:
    # Keep connections between requests: a new PostgreSQL backend per request cost more than the sale itself.
    # (dj_database_url always sets CONN_MAX_AGE, so it is assigned here, not defaulted.)
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "600"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Server-side binding lets psycopg prepare each hot statement after five uses on a connection, so PostgreSQL
    # stops parsing and planning the same dozen statements for every sale. Behind PgBouncer this needs
    # session pooling or PgBouncer >= 1.21 with max_prepared_statements (docs/scaling.md).
    DATABASES["default"].setdefault("OPTIONS", {})
    # Django turns psycopg's statement preparation off unless asked; PG_PREPARE_THRESHOLD=0 disables it again.
    _prepare = int(os.environ.get("PG_PREPARE_THRESHOLD", "5"))
    DATABASES["default"]["OPTIONS"].update(
        {"server_side_binding": _env_bool("PG_SERVER_SIDE_BINDING", True), "prepare_threshold": _prepare or None}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = cache_settings(os.environ)

# ---------------------------------------------------------------- auth and sessions
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = 12 * 60 * 60  # absolute limit for a staff session (ASVS 3.3.2)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LOGOUT_REDIRECT_URL = "console:login"
# Staff are signed out after this long without a request (tessera.console.middleware.IdleTimeoutMiddleware).
TESSERA_SESSION_IDLE_SECONDS = int(os.environ.get("TESSERA_SESSION_IDLE_SECONDS", str(30 * 60)))

# ---------------------------------------------------------------- i18n
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
    ("zh-hant", _("Traditional Chinese")),
    ("ko", _("Korean")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# ---------------------------------------------------------------- static files
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", WORK_DIR / ".static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on a missing root even when serving finders
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG  # the demo serves static files straight from the packages, no collectstatic step
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# ---------------------------------------------------------------- logging
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# ---------------------------------------------------------------- Tessera
# How far in the future a till's clock may be before a document is refused, and how old an offline
# document may be when it finally syncs.
TESSERA_EVENT_FUTURE_SKEW_SECONDS = int(os.environ.get("TESSERA_EVENT_FUTURE_SKEW_SECONDS", "300"))
TESSERA_EVENT_MAX_AGE_DAYS = int(os.environ.get("TESSERA_EVENT_MAX_AGE_DAYS", "400"))
# How long a quote holds the coupons it chose for that checkout before another till may use them.
TESSERA_COUPON_HOLD_SECONDS = int(os.environ.get("TESSERA_COUPON_HOLD_SECONDS", "300"))
