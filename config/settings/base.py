import os
from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
DEBUG = env.bool("DJANGO_DEBUG", default=DJANGO_ENV != "production")


def _dev_secret_key() -> str:
    """A per-checkout generated secret, kept out of git, so dev never ships a shared key."""
    from django.core.management.utils import get_random_secret_key

    path = BASE_DIR / ".dev-secret-key"
    if not path.exists():
        # Written aside, then linked in place: processes starting at once (parallel test workers, a Celery worker
        # beside runserver) all end up with the first key written, never a half-written file or a key of their own.
        draft = path.with_name(f"{path.name}.{os.getpid()}")
        draft.write_text(get_random_secret_key())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or _dev_secret_key()
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.apps.StarboardAdminConfig",  # django.contrib.admin with our site (core/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files: /api/docs/ works offline
    "django_celery_beat",
    "axes",  # login lockouts per account and per client address (core/lockout.py)
    # Bottom to top (pyproject's import-linter contract holds the order; docs/architecture.md).
    "core",
    "traders",
    "regime",
    "campaigns",
    "leaderboard",
    "rewards",
    "web",
    "demo",  # seeding and simulation: production settings leave it out
    "results",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A control character anywhere in a request is a 400 in the visitor's language, before any view or query runs.
    "core.request_guard.ControlCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.CacheUnavailableMiddleware",  # a limit that cannot count: 503 "try again shortly"
    # Last, as django-axes asks: turns a locked-out sign-in into its lockout page (429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# Database: SQLite file by default, PostgreSQL (or anything) from DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the writer instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: the Celery broker (queues, results) and the cache are kept apart, so nothing a visitor does to the cache can
# crowd out or evict a queued task, and flushing the cache never drops one. REDIS_URL is the broker; REDIS_CACHE_URL
# the cache, by default the next database number on the same server (.../0 -> .../1; REDIS_URL must then not use
# the server's last database). In production give the cache its own instance, bounded with maxmemory and
# allkeys-lru, and the broker its own with noeviction (docs/redis.md). Without REDIS_URL: in-process.
REDIS_URL = env.str("REDIS_URL", default="")


def _next_database(url: str) -> str:
    """The same Redis server, the next database number (redis://h:6379/7 -> redis://h:6379/8)."""
    from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if parts.scheme == "unix" or "db" in query:  # unix sockets name the database in the query string
        query["db"] = [str(int(query.get("db", ["0"])[0]) + 1)]
        return urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
    database = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{database + 1}"))


# A parallel test run (pytest-xdist) shares these Redis databases between its worker processes: each keeps its cache
# keys and its broker keys (so its queues and control channel) under a prefix of its own, and so do the Celery workers
# and commands its tests start, which inherit PYTEST_XDIST_WORKER. (Each gets its own PostgreSQL test database.)
TEST_WORKER = env.str("PYTEST_XDIST_WORKER", default="")
REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default="") or (_next_database(REDIS_URL) if REDIS_URL else "")
if REDIS_CACHE_URL and env.str("CELERY_BROKER_URL", default=REDIS_URL) == REDIS_CACHE_URL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("REDIS_CACHE_URL must name another Redis database (or instance) than the broker's.")
# Every cache call goes through core.cache: a server that does not answer within this many seconds counts as down,
# and the process then leaves it alone for CACHE_RETRY_SECONDS (pages read the database meanwhile, rate-limited
# actions answer 503 "try again shortly"); the outage is logged once per CACHE_OUTAGE_LOG_SECONDS.
CACHE_SOCKET_TIMEOUT = env.float("CACHE_SOCKET_TIMEOUT", default=1.0)
CACHE_RETRY_SECONDS = env.float("CACHE_RETRY_SECONDS", default=5.0)
CACHE_OUTAGE_LOG_SECONDS = env.float("CACHE_OUTAGE_LOG_SECONDS", default=60.0)
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="starboard") + (f"-{TEST_WORKER}" if TEST_WORKER else ""),
            "TIMEOUT": 3600,
            "OPTIONS": {"socket_connect_timeout": CACHE_SOCKET_TIMEOUT, "socket_timeout": CACHE_SOCKET_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "starboard"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
# The longest any task may run (the hard limit kills it); the broker's visibility timeout is derived from it below.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=CELERY_TASK_TIME_LIMIT * 5 // 6)
CELERY_RESULT_EXPIRES = env.int("CELERY_RESULT_EXPIRES", default=3600)  # nothing reads results later; bounds memory
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Every password check goes through django-axes first: a locked-out account or address is refused before the
# password is even looked at (the right password too).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/me/"
LOGOUT_REDIRECT_URL = "/"

# Stored in UTC; each Campaign shows times in its own zone.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Starboard <noreply@starboard.local>")
# Only for django.core.mail.backends.filebased.EmailBackend (one file per message in this directory).
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "artifacts" / "mail"))
# SMTP (used when EMAIL_BACKEND is django.core.mail.backends.smtp.EmailBackend). Mail is sent by a Celery task
# (campaigns.tasks.send_email) from the outbox, so the timeout bounds a worker, never a request.
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# A password-reset link works once and only this long (seconds); it must outlast the send task's retries (~1.5 h).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=24 * 3600)
# The email outbox (core.services.outbox): a queued email the broker never delivered is enqueued again by the
# sweeper (beat, every minute) once it has waited this long; a failed send is tried again after 1, 2, 4, ... minutes
# (at most OUTBOX_RETRY_MAX_SECONDS apart), and after OUTBOX_MAX_ATTEMPTS failed sends the email is marked failed
# (8 attempts: about 1.5 h in all) for an operator to retry from the admin.
OUTBOX_REQUEUE_AFTER_SECONDS = env.int("OUTBOX_REQUEUE_AFTER_SECONDS", default=5 * 60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=30 * 60)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
# A queued email older than this is given up even with attempts left (e.g. its sender was killed mid-send every
# time, which counts no attempt); a day, like a password-reset link's life.
OUTBOX_MAX_AGE_SECONDS = env.int("OUTBOX_MAX_AGE_SECONDS", default=24 * 3600)

# Exchange API secrets are encrypted at rest with this Fernet key (or keys, newest first, for rotation).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # The API is public and read-only: it takes no passwords (no Basic auth to guess them through), only the
    # session of someone signed in on the site.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["core.api.AnonRateThrottle"],  # counts in the cache, refuses (503) when it is down
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": env.str("API_ANON_RATE", default="600/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Starboard API",
    "DESCRIPTION": "Read-only API of Starboard lead-trader campaigns.",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # ccxt's DEBUG lines carry every request's headers, API key included: never below INFO, whatever LOG_LEVEL.
        "ccxt": {"level": "INFO"},
    },
}

# Real public data. The small files whose licences allow it ship in the repo (data/, each with its source and licence
# in data/README.md): the demo and the tests need nothing else. The larger shared folder (optional) is read in place,
# never copied: the demo prefers it, and the tests that need it skip, saying so, when it is absent.
SNAPSHOT_DATA_DIR = BASE_DIR / "data"
SHARED_DATA_DIR = Path(env.str("SHARED_DATA_DIR", default=str(BASE_DIR.parent / "shared" / "data")))

# Abuse limits per client IP (password resets also per email address), counted in the cache (Redis in production):
# (attempts, seconds).
SIGNUP_RATE_LIMIT = (
    env.int("SIGNUP_RATE_LIMIT_ATTEMPTS", default=10),
    env.int("SIGNUP_RATE_LIMIT_SECONDS", default=3600),
)
ENROL_RATE_LIMIT = (env.int("ENROL_RATE_LIMIT_ATTEMPTS", default=20), env.int("ENROL_RATE_LIMIT_SECONDS", default=3600))
LOGIN_RATE_LIMIT = (env.int("LOGIN_RATE_LIMIT_ATTEMPTS", default=20), env.int("LOGIN_RATE_LIMIT_SECONDS", default=900))
PASSWORD_RESET_RATE_LIMIT = (
    env.int("PASSWORD_RESET_RATE_LIMIT_ATTEMPTS", default=10),
    env.int("PASSWORD_RESET_RATE_LIMIT_SECONDS", default=3600),
)
# Per email address asked about (registered or not): a mailbox is not flooded with reset links.
# Password-reset links opened or submitted per IP (a link's token is an HMAC nobody guesses; this bounds trying).
PASSWORD_RESET_CONFIRM_RATE_LIMIT = (
    env.int("PASSWORD_RESET_CONFIRM_RATE_LIMIT_ATTEMPTS", default=20),
    env.int("PASSWORD_RESET_CONFIRM_RATE_LIMIT_SECONDS", default=3600),
)
PASSWORD_RESET_EMAIL_RATE_LIMIT = (
    env.int("PASSWORD_RESET_EMAIL_RATE_LIMIT_ATTEMPTS", default=3),
    env.int("PASSWORD_RESET_EMAIL_RATE_LIMIT_SECONDS", default=3600),
)
# How many reverse proxies in front of the app append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Leaderboard pages shared through the cache (web.page_cache): without a search, the first N pages of each
# column in its first-click order, per campaign, window and language, so their number is bounded by data; every other
# variant stays in a small per-process LRU. Entries live an hour (runs are published every 30 minutes).
LEADERBOARD_SHARED_PAGES = env.int("LEADERBOARD_SHARED_PAGES", default=3)
LEADERBOARD_PAGE_CACHE_SECONDS = env.int("LEADERBOARD_PAGE_CACHE_SECONDS", default=3600)
# Login lockouts (django-axes) on every password check: the admin's and the site's sign-in alike. After
# LOGIN_LOCKOUT_FAILURES failed attempts on one account (from anywhere) or from one client address (on any accounts),
# that account or address is refused, right password or not, until LOGIN_LOCKOUT_MINUTES pass without a failure, an
# operator unlocks it in the admin (Login lockouts), or, for an account, its owner resets the password. Counted in
# the database (PostgreSQL), so lockouts hold across every web process, survive a Redis flush or outage, and the
# admin can list and release them. The client address is core.ratelimit.client_ip's (TRUSTED_PROXY_COUNT).
AXES_FAILURE_LIMIT = env.int("LOGIN_LOCKOUT_FAILURES", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks
AXES_HANDLER = "core.lockout.LockoutDatabaseHandler"  # axes' database handler, NUL-safe
AXES_CLIENT_IP_CALLABLE = "core.lockout.lockout_client_ip"
AXES_USERNAME_CALLABLE = "core.lockout.lockout_username"
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = False  # signing in to one's own account must not wipe an address's failures on others
AXES_DISABLE_ACCESS_LOG = True  # no table of every successful sign-in: nothing here reads it
AXES_ENABLE_ADMIN = False  # core/admin_lockouts.py: read-only, unlocking is an audited action
# Stored with each failed attempt: never a password, nor the CSRF token of the form it came from.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "csrfmiddlewaretoken"]

# Ingestion through ccxt.
INGEST_LOOKBACK_DAYS = env.int("INGEST_LOOKBACK_DAYS", default=180)  # first pull of a new account
INGEST_MAX_WINDOW_DAYS = env.int("INGEST_MAX_WINDOW_DAYS", default=30)  # widest time window asked at once
INGEST_SETTLE_SECONDS = env.int("INGEST_SETTLE_SECONDS", default=60)  # leave the newest seconds for the next run
# One worker per account at a time; the lock is extended after every page, so this only bounds how long a worker
# killed mid-account (kill -9, lost machine) keeps the account from the redelivered task.
INGEST_LOCK_SECONDS = env.int("INGEST_LOCK_SECONDS", default=120)
EXCHANGE_TIMEOUT_MS = env.int("EXCHANGE_TIMEOUT_MS", default=20000)
# Checking a new API key's account (UID verification) happens while the trader waits: a shorter bound. Unanswered
# in time, the key is kept and its UID stays "not verified" until the hourly check (leaderboard.tasks.verify_uids).
EXCHANGE_VERIFY_TIMEOUT_MS = env.int("EXCHANGE_VERIFY_TIMEOUT_MS", default=8000)
# "replay:<exchange>" accounts answer HTTP from recorded responses (tests and demos only; never in production).
EXCHANGE_REPLAY_ENABLED = env.bool("EXCHANGE_REPLAY_ENABLED", default=DJANGO_ENV != "production")
EXCHANGE_REPLAY_LATENCY_MS = env.int("EXCHANGE_REPLAY_LATENCY_MS", default=0)  # a recorded answer's network delay
EXCHANGE_REPLAY_DIR = Path(env.str("EXCHANGE_REPLAY_DIR", default=str(BASE_DIR / "tests" / "fixtures" / "exchange")))

# Celery's Redis transport redelivers a task whose worker died without acknowledging it (kill -9, a lost machine) once
# the message has been unacknowledged for the visibility timeout; a clean shutdown requeues at once. Kombu's default
# is an hour. It must outlast the longest a healthy worker holds a message unacknowledged, or a running task is
# delivered twice: its countdown (the longest retry backoff, CELERY_RETRY_MAX_COUNTDOWN, or the ingest lock's retry)
# plus the hard time limit, plus a minute. Workers sweep for such messages every CELERY_BROKER_RESTORE_INTERVAL
# seconds (kombu's default sweep is every 100 s), so a killed worker's task runs again within about
# visibility + interval once any worker is up.
CELERY_RETRY_MAX_COUNTDOWN = env.int("CELERY_RETRY_MAX_COUNTDOWN", default=5 * 60)  # tasks' retry_backoff_max
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int(
    "CELERY_BROKER_VISIBILITY_TIMEOUT",
    default=CELERY_TASK_TIME_LIMIT + max(CELERY_RETRY_MAX_COUNTDOWN, INGEST_LOCK_SECONDS + 1) + 60,
)
CELERY_BROKER_RESTORE_INTERVAL = env.int("CELERY_BROKER_RESTORE_INTERVAL", default=10)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": CELERY_BROKER_RESTORE_INTERVAL,
    "unacked_restore_throttle": 1,  # every sweep looks (kombu's default looks every 10th)
    # A worker killed inside a sweep holds the sweep's mutex until it expires (kombu's default: 5 minutes, added to
    # the redelivery time). A sweep takes milliseconds, and two at once still restore each message once.
    "unacked_mutex_expire": 30,
}
# Several deployments (or test runs, or parallel test workers) in one Redis database.
CELERY_BROKER_KEY_PREFIX = env.str("CELERY_BROKER_KEY_PREFIX", default="") + (f"{TEST_WORKER}:" if TEST_WORKER else "")
if CELERY_BROKER_KEY_PREFIX:
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = CELERY_BROKER_KEY_PREFIX
# Celery's documentation asks for the same value on the result backend and the app.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_VISIBILITY_TIMEOUT = CELERY_BROKER_VISIBILITY_TIMEOUT
