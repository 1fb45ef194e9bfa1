"""Settings for the MSC-diabetes trial catalogue. Everything that differs by machine comes from the environment."""

from __future__ import annotations

import os
from pathlib import Path

import pgtrigger
from django.core.exceptions import ImproperlyConfigured

from .database import database_settings
from .env import envbool, envfloat, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DJANGO_DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if not ALLOWED_HOSTS and not DEBUG:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_DEBUG is off")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "corsheaders",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    # Each app imports only those listed above it: desk -> ingest -> classification -> catalogue.
    "catalogue",
    "classification",
    "ingest",
    "desk",
]
# Change history is written by statement-level triggers: one INSERT ... SELECT per statement
# from its transition table, so a COPY of thousands of rows records their history at the
# cost of one statement, and every writer (ORM or COPY) records the same events.
PGHISTORY_LEVEL = pgtrigger.Statement
# How the classifier's evaluation reads a labelled file into a record (classification
# knows no file formats; ingest does).
RECORD_READER = "ingest.detect.read_record"

MIDDLEWARE = [
    "config.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything that may answer on its own (CommonMiddleware), as django-cors-headers asks.
    "corsheaders.middleware.CorsMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "config.middleware.AdminNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Attaches the user and URL of each request to the change-history events it causes.
    "pghistory.middleware.HistoryMiddleware",
    # Last, as django-axes asks: it turns repeated failed logins into a lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Brute-force protection for the admin login: 5 failures for a username from one address
# lock that pair out for an hour.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5", minimum=1)
AXES_COOLOFF_TIME = envfloat("AXES_COOLOFF_HOURS", "1")
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = envint("AXES_PROXY_COUNT", "0") or None

# Readers' error reports ("Report an error" on every trial page): at most this many from
# one client address per window (seconds), counted in the default cache (per process
# unless CACHES says otherwise, so N gunicorn workers allow up to N times as many).
ERROR_REPORT_LIMIT = envint("ERROR_REPORT_LIMIT", "5")
ERROR_REPORT_WINDOW = envint("ERROR_REPORT_WINDOW", "3600")

# The admin can live somewhere less guessable than /admin/.
ADMIN_URL = os.environ.get("ADMIN_URL", "admin/").strip("/") + "/"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "catalogue.seo.site",
            ],
        },
    }
]

DATABASES = {"default": database_settings(BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The list page's search index (catalogue.search_index): one folder per database below this.
# Derived from the database and rebuilt when missing, so it needs no backup.
SEARCH_INDEX_DIR = Path(
    os.environ.get("SEARCH_INDEX_DIR", "").strip() or BASE_DIR / ".search-index"
)
# Off: every list query goes to Postgres alone (slower at scale, same answers); bench.web
# measures both ways.
SEARCH_INDEX = envbool("SEARCH_INDEX", "1")

# Where the bundled sample sources live (loaded by `make run`).
BUNDLED_SOURCES = BASE_DIR / "data" / "sources"

# ClinicalTrials.gov API v2, pulled by `manage.py ingest --ctgov QUERY`: seconds between
# requests (the registry asks for about 50 a minute), per-request timeout, and retries on
# 429/5xx with exponential backoff from CTGOV_API_BACKOFF seconds. Tests use a loopback server.
CTGOV_API_URL = os.environ.get("CTGOV_API_URL", "https://clinicaltrials.gov/api/v2").rstrip("/")
CTGOV_API_DELAY = envfloat("CTGOV_API_DELAY", "1.5")
CTGOV_API_TIMEOUT = envfloat("CTGOV_API_TIMEOUT", "30")
CTGOV_API_BACKOFF = envfloat("CTGOV_API_BACKOFF", "2")
CTGOV_API_ATTEMPTS = envint("CTGOV_API_ATTEMPTS", "5", minimum=1)
# The catalogue's own registry search, which `manage.py sync` keeps up to date. Broad on
# purpose: trials that call their cells only "stem cells" or "stromal cells" are found too,
# and the classifier marks what is not MSC-for-diabetes as out of scope.
CTGOV_QUERY = os.environ.get(
    "CTGOV_QUERY",
    '(mesenchymal OR "stromal cells" OR "stem cell" OR "stem cells") AND (diabetes OR diabetic)',
).strip()
if not CTGOV_QUERY:
    raise ImproperlyConfigured("CTGOV_QUERY must not be empty (it would pull every study)")
# How often the `sync` service (docker-compose.yml) runs `sync` and `refresh_flags`, and how
# old the last successful sync may be before GET /healthz/sync answers 503 for a monitor.
SYNC_INTERVAL_HOURS = envfloat("SYNC_INTERVAL_HOURS", "24")
SYNC_MAX_AGE_HOURS = envfloat("SYNC_MAX_AGE_HOURS", "48")
if not SYNC_INTERVAL_HOURS > 0:
    raise ImproperlyConfigured("SYNC_INTERVAL_HOURS must be more than 0")

# The open-data API (/api/v1/, catalogue/api/): read-only, anonymous, JSON only. Each client
# address gets API_RATE_LIMIT requests ("120/min", "2000/hour"), counted in the default cache
# (per process unless CACHES says otherwise). Behind N proxies that append X-Forwarded-For,
# API_PROXY_COUNT=N counts the client's address rather than the proxy's.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "120/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["catalogue.api.limits.PerAddress"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "catalogue.api.errors.handle",
    "NUM_PROXIES": envint("API_PROXY_COUNT", "0"),
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MSC–Diabetes Trial Catalogue API",
    "VERSION": "1",
    # 3.1: its schemas are JSON Schema 2020-12, which tests validate responses with as they are.
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SORT_OPERATIONS": False,  # as the URLs list them: trials first
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "catalogue.api.schema.finish",
    ],
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
}
# CORS: any origin may read the API from a browser; nothing else on the site is shared.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]

# Citable snapshots (`manage.py export_trials --snapshot`), offered on the Data page. The terms
# of the catalogue's own derived fields; registry data stays under ClinicalTrials.gov's terms.
SNAPSHOT_DIR = Path(os.environ.get("SNAPSHOT_DIR", BASE_DIR / "data" / "snapshots"))
DATA_LICENSE = os.environ.get("DATA_LICENSE", "CC-BY-4.0")
# The public address (https://catalogue.example.org), for links written into files that
# outlive a request, such as a snapshot's CITATION.cff; pages use the request's own host.
SITE_URL = os.environ.get("SITE_URL", "")

# Production hardening; `manage.py check --deploy` must pass with DJANGO_DEBUG off.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Nothing remote, no inline script or style: every asset is served from this site.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# Structured logs (one JSON object per line) in production; readable lines in development.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'text' or 'json'")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "catalogue.requests": {"level": os.environ.get("REQUEST_LOG_LEVEL", "INFO")},
        "ingest": {"level": os.environ.get("INGEST_LOG_LEVEL", "INFO")},
        "django.request": {"level": "ERROR"},
    },
}
