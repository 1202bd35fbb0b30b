"""Django settings for Patron, read from the environment.

Every knob a person installing Patron may turn is an environment variable documented in
docs/configuration.md. Defaults give a working single-machine install on SQLite under ``var/``.
"""

import ipaddress
import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from patron.core import logs

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PATRON_VAR_DIR", BASE_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _env_networks(name: str, default: str) -> list[str]:
    """Addresses or networks (``10.0.0.0/8``), checked as the server starts: a typo would otherwise
    fail every request."""
    items = _env_list(name, default)
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {item!r} is not an address or a network") from None
    return items


def _load_or_create_secret_key() -> str:
    """Generate the secret key once and keep it under var/, readable by its owner only."""
    if os.environ.get("PATRON_SECRET_KEY"):
        return os.environ["PATRON_SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        # Written aside and linked into place: two processes starting at once (the test runs of
        # both engines, a server and its CLI) agree on one key and never read a half-written file.
        draft = VAR_DIR / f"secret_key.{os.getpid()}"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        try:
            os.link(draft, key_file)
        except FileExistsError:
            pass  # another process linked its key first: use that one
        finally:
            draft.unlink()
    return key_file.read_text().strip()


SECRET_KEY = _load_or_create_secret_key()
DEBUG = _env_bool("PATRON_DEBUG", False)
ALLOWED_HOSTS = _env_list("PATRON_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = _env_list("PATRON_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "template_partials",
    "axes",
    "ninja",
    "corsheaders",
    "patron.core",
    "patron.ops",
    "patron.jobs",
    "patron.events",
    "patron.staff",
    "patron.locations",
    "patron.customers",
    "patron.credit",
    "patron.loyalty",
    "patron.sales",
    "patron.lookup",
    "patron.duplicates",
    "patron.marketing",
    "patron.channels",
    "patron.transfer",
    "patron.merging",
    "patron.privacy",
    "patron.api",
    "patron.web",
]

MIDDLEWARE = [
    "patron.ops.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # before the rate limit: a 429 must be readable cross-origin
    "patron.core.middleware.RequestContextMiddleware",
    "patron.api.ratelimit.ApiRateLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "patron.web.middleware.RequestBodyMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "patron.core.replicas.ReadYourWritesMiddleware",  # inside the session's: its save is no client write
    "patron.web.middleware.LanguageMiddleware",
    "patron.web.middleware.StoreTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "patron.core.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "patron.urls"
WSGI_APPLICATION = "patron.wsgi.application"
ASGI_APPLICATION = "patron.asgi.application"

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
                "patron.web.context.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'patron.sqlite3'}"
# A connection is kept for ten minutes between requests: opening one costs more than most requests,
# and on PostgreSQL it holds the lookup's prepared statements, prepared anew on a new connection.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so a
    # transaction never fails half-way with "database is locked"; synchronous=FULL means an
    # acknowledged write survives a power cut (see docs/configuration.md, "Durability"). A
    # connection is kept between requests, like PostgreSQL's: opening one and reading the schema
    # anew costs ~1.7 ms a request (a restore copies into the live file, so kept ones stay valid).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=FULL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=30000;"
        ),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Lookups and ledger writes are short queries from many tills at once: a query that fans out
    # over parallel workers takes cores from the others (and on PostgreSQL's plans for the lookup's
    # joins, a parallel scan of a whole table instead of a few index probes).
    # The statements core.db.hot_cursor prepares (the lookup's, the API token's) run a generic
    # plan, made once per connection: planning them anew took longer than running them. Nothing
    # else is prepared, so nothing else is affected.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "options", "-c max_parallel_workers_per_gather=0 -c plan_cache_mode=force_generic_plan")
# A PostgreSQL streaming replica that the till's lookup, the customer list and the exports may read
# (patron/core/replicas.py; docs/operations.md, "Running a chain"). Same options as the primary,
# and a short connection timeout: a replica that does not answer is skipped for the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs a PostgreSQL primary in DATABASE_URL")
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=600)
    DATABASES["replica"]["OPTIONS"] = {**DATABASES["default"]["OPTIONS"], "connect_timeout": 2}
    # The test run has one test database: the replica's alias reads it too.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["patron.core.replicas.ReplicaRouter"]
if os.environ.get("PATRON_TEST_DB_NAME"):  # lets parallel test runs share one PostgreSQL server
    DATABASES["default"]["TEST"] = {"NAME": os.environ["PATRON_TEST_DB_NAME"]}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The suite's SQLite database is a file, as in production: Django's default in-memory one
    # shares one cache between threads, where a second writer fails at once ("table is locked")
    # instead of waiting its turn, so background imports and concurrent requests could not be tested.
    DATABASES["default"]["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"patron-test-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "staff.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"  # the dashboard for managers, the customers for cashiers
LOGOUT_REDIRECT_URL = "web:login"

# Lock a username out after repeated failures (django-axes keeps attempts in the database).
AXES_FAILURE_LIMIT = int(os.environ.get("PATRON_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = float(os.environ.get("PATRON_LOGIN_COOLOFF_HOURS", "0.25"))
# Locking by account (not by address) is deliberate: the tills of a store share one address, and
# one mistyping cashier must not lock out the others.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("PATRON_SESSION_HOURS", "12")) * 3600
SESSION_COOKIE_SECURE = _env_bool("PATRON_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Localisation ---------------------------------------------------------------------------
# The back office speaks these languages (English is the source); a staff user picks one, or
# follows the browser's Accept-Language. Each is named in its own language, as pickers do.
LANGUAGE_CODE = os.environ.get("PATRON_LANGUAGE", "en")
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("nl", "Nederlands"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "patron" / "locale"]
TIME_ZONE = os.environ.get("PATRON_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"  # filled by `patron serve` (collectstatic) before it starts
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Photos and import files in an S3-compatible object store (django-storages; pip install '.[s3]'),
# so every server and worker of a chain sees them. Private objects, never overwritten.
if os.environ.get("PATRON_S3_BUCKET"):
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": os.environ["PATRON_S3_BUCKET"],
        "endpoint_url": os.environ.get("PATRON_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("PATRON_S3_REGION") or None,
        "access_key": os.environ.get("PATRON_S3_ACCESS_KEY_ID") or None,
        "secret_key": os.environ.get("PATRON_S3_SECRET_ACCESS_KEY") or None,
        "location": os.environ.get("PATRON_S3_PREFIX", ""),
        "default_acl": "private", "file_overwrite": False, "querystring_auth": True,
    }}
WHITENOISE_USE_FINDERS = True  # serve straight from the apps when collectstatic has not run
MEDIA_ROOT = VAR_DIR / "media"  # never served directly: photos go through an authenticated view
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Patron ---------------------------------------------------------------------------------
PATRON_PHONE_REGION = os.environ.get("PATRON_PHONE_REGION", "US").upper()
PATRON_CURRENCY = os.environ.get("PATRON_CURRENCY", "USD").upper()
PATRON_MERGE_UNDO_DAYS = int(os.environ.get("PATRON_MERGE_UNDO_DAYS", "30"))  # how long a merge can be undone
PATRON_PHOTO_MAX_BYTES = int(os.environ.get("PATRON_PHOTO_MAX_BYTES", str(5 * 1024 * 1024)))
PATRON_PHOTO_MAX_PIXELS = int(os.environ.get("PATRON_PHOTO_MAX_PIXELS", "25000000"))
PATRON_PHOTO_SIZE = 512  # stored photos are re-encoded to fit in a square of this many pixels
PATRON_IMPORT_MAX_BYTES = int(os.environ.get("PATRON_IMPORT_MAX_BYTES", str(512 * 1024 * 1024)))
# The job queue (patron/jobs): "worker" leaves queued jobs to `patron worker` processes; "thread"
# runs each in a thread of the process that queued it (a single-process setup, tests).
PATRON_JOBS_RUN = os.environ.get("PATRON_JOBS_RUN", "worker")
PATRON_JOB_HEARTBEAT_SECONDS = float(os.environ.get("PATRON_JOB_HEARTBEAT_SECONDS", "5"))
PATRON_JOB_STALE_SECONDS = float(os.environ.get("PATRON_JOB_STALE_SECONDS", "30"))
PATRON_JOB_QUEUE_STALL_SECONDS = float(os.environ.get("PATRON_JOB_QUEUE_STALL_SECONDS", "300"))
PATRON_JOB_KEEP_DAYS = float(os.environ.get("PATRON_JOB_KEEP_DAYS", "7"))
PATRON_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("PATRON_WEBHOOK_TIMEOUT_SECONDS", "10"))
PATRON_WEBHOOK_PAUSE_AFTER_HOURS = float(os.environ.get("PATRON_WEBHOOK_PAUSE_AFTER_HOURS", "24"))
PATRON_IMPORTS_DIR = VAR_DIR / "imports"
PATRON_API_PAGE_SIZE = 50
PATRON_API_MAX_PAGE_SIZE = 100
PATRON_API_MAX_JSON_BYTES = int(os.environ.get("PATRON_API_MAX_JSON_BYTES", str(1024 * 1024)))
PATRON_API_IDEMPOTENCY_DAYS = int(os.environ.get("PATRON_API_IDEMPOTENCY_DAYS", "7"))
PATRON_API_IDEMPOTENCY_WAIT_SECONDS = float(os.environ.get("PATRON_API_IDEMPOTENCY_WAIT_SECONDS", "10"))
# An erasure waits this long after the customer's last sale (returns, chargebacks); see patron/privacy.
PATRON_PRIVACY_HOLD_DAYS = int(os.environ.get("PATRON_PRIVACY_HOLD_DAYS", "180"))

# --- Operations (docs/operations.md, "Running behind a proxy", "Health, metrics and logs") ----
# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed: see core/proxies.py.
PATRON_TRUSTED_PROXIES = _env_networks("PATRON_TRUSTED_PROXIES", "")
AXES_CLIENT_IP_CALLABLE = "patron.core.proxies.client_address"

# Who may read /metrics: these addresses or networks, or a bearer of the token.
PATRON_METRICS_ALLOWED = _env_networks("PATRON_METRICS_ALLOWED", "127.0.0.1,::1")
PATRON_METRICS_TOKEN = os.environ.get("PATRON_METRICS_TOKEN", "")

# The API's rate limits: requests per window per token and per client address, and failed
# authentications per address (patron/api/ratelimit.py); 0 turns one off.
PATRON_API_RATE_WINDOW_SECONDS = int(os.environ.get("PATRON_API_RATE_WINDOW_SECONDS", "60"))
PATRON_API_RATE_LIMITS = {
    "token": int(os.environ.get("PATRON_API_RATE_LIMIT_TOKEN", "1200")),
    "address": int(os.environ.get("PATRON_API_RATE_LIMIT_ADDRESS", "6000")),
    "failures": int(os.environ.get("PATRON_API_RATE_LIMIT_FAILURES", "20")),
}
# Where the counts are kept: the database (empty), or a Redis server every app server reaches.
PATRON_RATE_LIMIT_CACHE_URL = os.environ.get("PATRON_RATE_LIMIT_CACHE_URL", "")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if PATRON_RATE_LIMIT_CACHE_URL:
    CACHES["rate-limit"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                            "LOCATION": PATRON_RATE_LIMIT_CACHE_URL, "KEY_PREFIX": "patron-rate"}

# CORS (django-cors-headers): off unless origins are listed, and for the API only (the back
# office is for its own pages). Tokens travel in a header, so no credentials (cookies) are allowed.
CORS_ALLOWED_ORIGINS = _env_list("PATRON_CORS_ALLOWED_ORIGINS", "")
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = ("accept", "authorization", "content-type", "idempotency-key", "if-match", "x-request-id")
CORS_EXPOSE_HEADERS = ("etag", "location", "retry-after", "x-request-id")
CORS_PREFLIGHT_MAX_AGE = 3600

PATRON_LOG_FORMAT = os.environ.get("PATRON_LOG_FORMAT", "json").strip().lower()
if PATRON_LOG_FORMAT not in logs.FORMATS:
    raise ImproperlyConfigured(f"PATRON_LOG_FORMAT must be one of {', '.join(logs.FORMATS)}")
LOGGING = logs.logging_config(os.environ.get("PATRON_LOG_LEVEL", "WARNING").upper(), PATRON_LOG_FORMAT)
