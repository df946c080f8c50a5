"""ZEUES settings, driven by environment variables.

Development defaults are safe and self-contained: a SQLite file, in-process locks and events.
Production (DEBUG=false) refuses to start without SECRET_KEY and ALLOWED_HOSTS.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable ("1", "true", "yes", "on" are true)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    """Read an integer environment variable, failing loudly on garbage."""
    value = os.environ.get(name, "")
    if value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is false")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105 - DEBUG only, refused above otherwise

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is false")
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]

CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    # daphne first gives `runserver` an ASGI server (server-sent events need ASGI).
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_eventstream",
    "zeues",
    "spools",
    "occupation",
    "metrologia",
    "reparacion",
    "zeues.front",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the database: NUL in the path, query or form → 400, a body over
    # DATA_UPLOAD_MAX_MEMORY_SIZE → 413 (zeues/edge.py).
    "zeues.edge.EdgeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # No LocaleMiddleware: the language is LANGUAGE_CODE for everyone (see LANGUAGE_CODE below).
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "zeues.front.kiosk.middleware.KioskConfinementMiddleware",
]

ROOT_URLCONF = "zeues.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                # LANGUAGE_CODE for <html lang>: the language the page is served in.
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # {{ csp_nonce }} for the few inline tags that need one (settings: "Transport, cookies").
                "django.template.context_processors.csp",
            ],
        },
    },
]

ASGI_APPLICATION = "zeues.asgi.application"
WSGI_APPLICATION = "zeues.wsgi.application"

# Database: DATABASE_URL, default a SQLite file in var/.
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        # Persistent connections leak one idle connection per concurrent request under ASGI.
        conn_max_age=0,
        # The pool checks a connection before lending it (an empty query): after a database
        # restart, a failover or pg_terminate_backend() the first request gets a live one, not
        # an error (psycopg_pool's check_connection; Django passes it when this is on).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A small pool per server process; size it to the server's thread count (ASGI_THREADS).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env_int("DATABASE_POOL_MAX", 20),
        "timeout": 10,
    }
    # Tests and the end-to-end server subprocesses must agree on the test database's name.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("DATABASE_TEST_NAME", "test_zeues")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Waiting on a write lock beats failing with "database is locked" under a few threads.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: unset means in-process locks, cache and events, valid for ONE server process only.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("ZEUES_REDIS_PREFIX", "zeues"),
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Spool locks around TOMAR: expiry and how long a competing request waits before a 409.
ZEUES_REDIS_PREFIX = os.environ.get("ZEUES_REDIS_PREFIX", "zeues")
# An API POST with an `Idempotency-Key` header is answered once and replayed (zeues/idempotency.py).
ZEUES_API_IDEMPOTENCY = "zeues.idempotency.api_once"
# Per-spool take locks live this long unless renewed; the holder renews them while it runs.
ZEUES_LOCK_TTL_MS = env_int("ZEUES_LOCK_TTL_MS", 2_000)
ZEUES_LOCK_WAIT_MS = env_int("ZEUES_LOCK_WAIT_MS", 2_000)
ZEUES_BATCH_MAX = 50
# Consecutive metrología rejections that block a spool (BLOQUEADO); 0 means never block.
ZEUES_MAX_CICLOS = env_int("ZEUES_MAX_CICLOS", 3)
# Occupations older than this are flagged as stale on the board and in admin (hours).
ZEUES_STALE_HOURS = env_int("ZEUES_STALE_HOURS", 12)
# Supervisor alerts also go out by e-mail (Django's mail settings) and/or to a webhook (JSON
# POST) when these are set; the live alert on the board and /alertas/ needs nothing.
ZEUES_ALERT_EMAILS = [a.strip() for a in os.environ.get("ZEUES_ALERT_EMAILS", "").split(",") if a.strip()]
ZEUES_ALERT_WEBHOOK = os.environ.get("ZEUES_ALERT_WEBHOOK", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "zeues@localhost")
# Django's mailers (6.1+): one "default", SMTP unless EMAIL_BACKEND names another backend; the
# server comes from EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS.
_MAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
_SMTP_OPTIONS = {
    "host": os.environ.get("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25),
    "username": os.environ.get("EMAIL_HOST_USER") or None,
    "password": os.environ.get("EMAIL_HOST_PASSWORD") or None,
    "use_tls": env_bool("EMAIL_USE_TLS", False),
    "timeout": 10,
}
MAILERS = {
    "default": {
        "BACKEND": _MAIL_BACKEND,
        "OPTIONS": _SMTP_OPTIONS if _MAIL_BACKEND.endswith(".smtp.EmailBackend") else {},
    }
}
# Photos of rejections (and other uploads) go through Django's storage API, here a folder.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
ZEUES_PHOTO_MAX_BYTES = env_int("ZEUES_PHOTO_MAX_BYTES", 8 * 1024 * 1024)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

# Spanish for everyone, kiosk, pages and admin alike: no LocaleMiddleware, so a browser set to
# English gets the same Spanish page (docs/decisions.md, "Language"). Django's own Spanish
# catalogue translates admin; locale/es adds the few strings it lacks.
LANGUAGE_CODE = "es"
LANGUAGES = [("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The 403 of a failed CSRF check (a form left open too long): a Spanish page with a way back.
CSRF_FAILURE_VIEW = "zeues.front.errors.csrf_failure"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Santiago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", "") or BASE_DIR / "staticfiles")
WHITENOISE_USE_FINDERS = DEBUG or env_bool("WHITENOISE_USE_FINDERS", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGIN_URL = "login"
# Who owns a bearer token of the JSON API: zeues.lib.api asks this function (it needs no model).
ZEUES_API_TOKEN_USER = "zeues.auth.token_user"  # noqa: S105 - a dotted path, not a secret
LOGIN_REDIRECT_URL = "index"
LOGOUT_REDIRECT_URL = "login"

# Kiosk tablets: a tablet account (group "Kioscos") logs in once and stays logged in; the worker
# identified on it is forgotten after this many idle seconds.
ZEUES_KIOSK_IDLE_SECONDS = env_int("ZEUES_KIOSK_IDLE_SECONDS", 60)
ZEUES_KIOSK_SESSION_DAYS = env_int("ZEUES_KIOSK_SESSION_DAYS", 365)
# Kiosk PIN lock (zeues/front/kiosk/pins.py over zeues/lib/lockout.py): the Nth wrong PIN in a
# row locks that worker's PIN for ZEUES_PIN_LOCK_SECONDS, doubled for each further lock before a
# right PIN or a supervisor's unlock, capped at ZEUES_PIN_LOCK_MAX_SECONDS; wrong tries and the
# doubling are forgotten after ZEUES_PIN_MEMORY_SECONDS. Stored in the cache (Redis in production).
ZEUES_PIN_MAX_TRIES = env_int("ZEUES_PIN_MAX_TRIES", 5)
ZEUES_PIN_LOCK_SECONDS = env_int("ZEUES_PIN_LOCK_SECONDS", 300)
ZEUES_PIN_LOCK_MAX_SECONDS = env_int("ZEUES_PIN_LOCK_MAX_SECONDS", 86_400)
ZEUES_PIN_MEMORY_SECONDS = env_int("ZEUES_PIN_MEMORY_SECONDS", 86_400)
ZEUES_KIOSK_GROUP = "Kioscos"
# Seconds a result screen stays before returning to the start screen.
ZEUES_KIOSK_RESULT_SECONDS = env_int("ZEUES_KIOSK_RESULT_SECONDS", 5)

# --- Access and password logins (hardening issue; docs/architecture.md, "Who sees what") -------
# Deny by default: every page names who may open it (zeues/front/permissions.py), the rest is a
# 403. Last, so anonymous visitors and kiosk accounts were already sent on their way.
MIDDLEWARE = [*MIDDLEWARE, "zeues.front.permissions.AccessMiddleware"]
# Password logins (/login/, /admin/login/, any authenticate()) through the lock of
# zeues/front/logins.py over zeues/lib/lockout.py, like the kiosk PIN: the Nth wrong password in
# a row for one username (case-insensitive, known or not) locks it for ZEUES_LOGIN_LOCK_SECONDS,
# doubled for each further lock before a right password or a supervisor's unlock, capped at
# ZEUES_LOGIN_LOCK_MAX_SECONDS; forgotten after ZEUES_LOGIN_MEMORY_SECONDS. In the cache (Redis).
AUTHENTICATION_BACKENDS = ["zeues.front.logins.LockoutBackend"]
ZEUES_LOGIN_MAX_TRIES = env_int("ZEUES_LOGIN_MAX_TRIES", 5)
ZEUES_LOGIN_LOCK_SECONDS = env_int("ZEUES_LOGIN_LOCK_SECONDS", 300)
ZEUES_LOGIN_LOCK_MAX_SECONDS = env_int("ZEUES_LOGIN_LOCK_MAX_SECONDS", 86_400)
ZEUES_LOGIN_MEMORY_SECONDS = env_int("ZEUES_LOGIN_MEMORY_SECONDS", 86_400)
# --- end access and password logins ---------------------------------------------------------

# Server-sent events: cross-process fan-out through Redis when it is configured.
if REDIS_URL:
    from urllib.parse import urlparse

    _redis = urlparse(REDIS_URL)
    EVENTSTREAM_REDIS = {
        "host": _redis.hostname or "127.0.0.1",
        "port": _redis.port or 6379,
        "db": int((_redis.path or "/0").strip("/") or 0),
    }
    # Event ids and replay (Last-Event-ID) from Redis; no database involved while streaming.
    EVENTSTREAM_STORAGE_CLASS = "django_eventstream.storage.RedisStorage"
    EVENTSTREAM_STORAGE_CONNECTION = {**EVENTSTREAM_REDIS, "socket_timeout": 2, "socket_connect_timeout": 2}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Google Sheets mirror (issue #6, docs/sheets.md) ------------------------------------------
# Unset GOOGLE_SHEET_ID: the mirror is off (changes still queue in the outbox, nothing is sent).
GOOGLE_SHEET_ID = os.environ.get("GOOGLE_SHEET_ID", "")
# Service-account JSON with access to the spreadsheet (shared with its client_email).
GOOGLE_CREDENTIALS_FILE = os.environ.get("GOOGLE_CREDENTIALS_FILE", "")
ZEUES_SHEET_OPERACIONES = os.environ.get("ZEUES_SHEET_OPERACIONES", "Operaciones")
ZEUES_SHEET_TRABAJADORES = os.environ.get("ZEUES_SHEET_TRABAJADORES", "Trabajadores")
ZEUES_SHEET_ROLES = os.environ.get("ZEUES_SHEET_ROLES", "Roles")
ZEUES_SHEET_METADATA = os.environ.get("ZEUES_SHEET_METADATA", "Metadata")
ZEUES_SHEET_UNIONES = os.environ.get("ZEUES_SHEET_UNIONES", "Uniones")
# Base URL replacing https://sheets.googleapis.com (proxy, emulator); without credentials the
# requests go unauthenticated.
ZEUES_SHEETS_ENDPOINT = os.environ.get("ZEUES_SHEETS_ENDPOINT", "")
# Seconds between sync cycles; each cycle makes about 3 requests (Google allows ~60 per minute).
ZEUES_SHEETS_INTERVAL = float(os.environ.get("ZEUES_SHEETS_INTERVAL", "5"))
# Most spools and events sent per cycle (the rest follow in the next cycles).
ZEUES_SHEETS_BATCH_SPOOLS = env_int("ZEUES_SHEETS_BATCH_SPOOLS", 1000)
ZEUES_SHEETS_BATCH_EVENTS = env_int("ZEUES_SHEETS_BATCH_EVENTS", 2000)
ZEUES_SHEETS_BATCH_UNIONES = env_int("ZEUES_SHEETS_BATCH_UNIONES", 5000)
# Client-side ceiling on requests per minute, below Google's per-user quota.
ZEUES_SHEETS_MAX_PER_MINUTE = env_int("ZEUES_SHEETS_MAX_PER_MINUTE", 55)
# Bounded retries of one request on 408/429/5xx and connection errors (exponential backoff with
# jitter, Retry-After honoured up to RETRY_MAX_WAIT); after that the cycle fails and the next one
# tries again.
ZEUES_SHEETS_RETRIES = env_int("ZEUES_SHEETS_RETRIES", 4)
ZEUES_SHEETS_RETRY_BASE = float(os.environ.get("ZEUES_SHEETS_RETRY_BASE", "1"))
ZEUES_SHEETS_RETRY_MAX_WAIT = float(os.environ.get("ZEUES_SHEETS_RETRY_MAX_WAIT", "30"))
ZEUES_SHEETS_TIMEOUT = float(os.environ.get("ZEUES_SHEETS_TIMEOUT", "30"))
# Without REDIS_URL (one server process) the server runs the sync loop in a thread.
ZEUES_SHEETS_EMBEDDED = env_bool("ZEUES_SHEETS_EMBEDDED", True)
# --- end Google Sheets mirror ------------------------------------------------------------------

# --- Transport, cookies and Content-Security-Policy (hardening; docs/deployment.md, "HTTPS") ----
# Secure by default when DEBUG is false; each default has a variable to relax it (a plain-HTTP
# test rig: ZEUES_SSL_REDIRECT=false ZEUES_SECURE_COOKIES=false). TLS ends at the reverse proxy,
# which must set X-Forwarded-Proto on every request (overwriting what the client sent): Django
# takes a request as HTTPS when that header says so. ZEUES_PROXY_SSL_HEADER= (empty) trusts none.
_HTTPS = not DEBUG
_PROXY_SSL_HEADER = os.environ.get("ZEUES_PROXY_SSL_HEADER", "X-Forwarded-Proto" if _HTTPS else "").strip()
if _PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = env_bool("ZEUES_SSL_REDIRECT", _HTTPS)
# The load balancer's probe may call a process directly, in plain HTTP, past the proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("ZEUES_HSTS_SECONDS", 365 * 24 * 3600 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("ZEUES_HSTS_INCLUDE_SUBDOMAINS", True)
# Joining the browsers' preload list is the domain owner's decision (and only an apex domain can
# join): off unless asked, and its deploy-check reminder (W021) silenced.
SECURE_HSTS_PRELOAD = env_bool("ZEUES_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_SECURE = env_bool("ZEUES_SECURE_COOKIES", _HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Content-Security-Policy (Django's own middleware): only our own files, no inline script or style
# without the page's nonce, no eval (htmx's allowEval is off, templates/base.html). ZEUES_CSP is
# "enforce" (default when DEBUG is false), "report-only" (default with DEBUG: the browser's
# console lists violations and Django's debug pages still work) or "off".
ZEUES_CSP = os.environ.get("ZEUES_CSP", "enforce" if _HTTPS else "report-only").strip().lower()
if ZEUES_CSP not in {"enforce", "report-only", "off"}:
    raise ImproperlyConfigured(f"ZEUES_CSP must be enforce, report-only or off, got {ZEUES_CSP!r}")
ZEUES_CSP_POLICY = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    # data: for the kiosk's check-box tick, an SVG in kiosk.css.
    "img-src": [CSP.SELF, "data:"],
    # The live stream (server-sent events) and htmx's requests.
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CSP = ZEUES_CSP_POLICY if ZEUES_CSP == "enforce" else {}
SECURE_CSP_REPORT_ONLY = ZEUES_CSP_POLICY if ZEUES_CSP == "report-only" else {}
_AT = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE = [*MIDDLEWARE[:_AT], "django.middleware.csp.ContentSecurityPolicyMiddleware", *MIDDLEWARE[_AT:]]
# Kiosk tablets: each session's last request, noted at most once a minute, so admin can show it
# and end a lost tablet's sessions (zeues/front/kiosk/tablets.py).
MIDDLEWARE = [*MIDDLEWARE, "zeues.front.kiosk.tablets.TabletActivityMiddleware"]
# --- end transport, cookies and Content-Security-Policy ------------------------------------------
