"""One settings module, read from the environment.

Runs with no configuration on SQLite (a file in PORTAL_DATA_DIR); DATABASE_URL switches
to PostgreSQL.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from portal import netaddr, secretkey

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in ("1", "true", "yes", "on")


DATA_DIR = Path(os.environ.get("PORTAL_DATA_DIR", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
# A development setup (`make` sets PORTAL_DEV=1; a test run, which pytest marks with
# PYTEST_VERSION, is one too): it may generate its own secret key and load the demo data.
# Production is neither DEBUG nor PORTAL_DEV.
PORTAL_DEV = DEBUG or env_bool("PORTAL_DEV", False) or "PYTEST_VERSION" in os.environ
# SECRET_KEY, else PORTAL_SECRET_KEY_FILE, else PORTAL_DATA_DIR/secret_key; generated there on
# a development setup only; otherwise the portal refuses to start and says why (secretkey.py).
SECRET_KEY = secretkey.load(os.environ, DATA_DIR, development=PORTAL_DEV)
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "portal.accounts.backoffice.PortalAdminConfig",  # django.contrib.admin, our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "portal.accounts",
    "portal.directory",
    "portal.calls",
    "portal.inbox",
    "portal.oncall",
    "portal.billing",
    "portal.stats",
    "portal.api",
    "ninja",  # the API docs page's Swagger UI from our own static files (not a CDN: the CSP)
    "portal.ops",  # health, readiness, metrics, JSON logs (make serve)
    "portal.exports",  # long exports made in the background (progress, download)
    "portal.webhooks",  # webhooks out: the portal tells the platform (signed, retried)
]

MIDDLEWARE = [
    # /healthz, /readyz, /metrics first (no host check, redirect or session); request ids,
    # metrics and the JSON request lines of everything else.
    "portal.ops.middleware.OpsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.nostore.NoStoreMiddleware",  # Cache-Control: no-store on all but static files
    "portal.compression.CompressPagesMiddleware",
    "portal.accounts.middleware.NulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.accounts.middleware.IdleSessionMiddleware",
    "portal.accounts.middleware.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.accounts.twofactor_middleware.TwoFactorMiddleware",  # staff, required accounts
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.accounts.middleware.PortalCSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.accounts.middleware.TenantMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.accounts.context_processors.portal",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'portal.sqlite3'}"),
        conn_max_age=60,
        # A connection kept from an earlier request is tested before it is reused, so the
        # first request after a database restart reconnects instead of failing.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django leaves psycopg's prepared statements off (its cursors bind on the client and are
    # never prepared); the on-call look-up's own cursor prepares its one statement
    # (oncall.services._prepared_cursor), which psycopg allows only with a threshold set.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
# Statement timeout (PostgreSQL; portal/ops/dbtimeout.py): a query running longer is cancelled
# and the request answers 503. PORTAL_POOL names the gunicorn pool of the process (bin/serve
# sets "web" or "dispatch"); the dispatch pool's is shorter. Commands (migrate, purge, backup)
# run without one unless PORTAL_STATEMENT_TIMEOUT_MS says.
PORTAL_POOL = os.environ.get("PORTAL_POOL", "")
if PORTAL_POOL == "dispatch":
    # The look-up's workers keep their connection (and its prepared statement) for good
    # rather than a new one each minute; a broken one is still replaced (health checks).
    DATABASES["default"]["CONN_MAX_AGE"] = None
PORTAL_STATEMENT_TIMEOUT_MS = int(
    os.environ.get("PORTAL_STATEMENT_TIMEOUT_MS", 30_000 if PORTAL_POOL else 0)
)
PORTAL_DISPATCH_STATEMENT_TIMEOUT_MS = int(
    os.environ.get("PORTAL_DISPATCH_STATEMENT_TIMEOUT_MS", 2_000)
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    from portal.ops import dbtimeout  # noqa: E402

    DATABASES["default"]["OPTIONS"] = dbtimeout.connection_options(
        DATABASES["default"]["OPTIONS"],
        dbtimeout.timeout_for(
            PORTAL_POOL, PORTAL_STATEMENT_TIMEOUT_MS, PORTAL_DISPATCH_STATEMENT_TIMEOUT_MS
        ),
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "portal.accounts.passwords.BreachedPasswordValidator"},  # bundled list (+ HIBP)
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The Have I Been Pwned range API (e.g. https://api.pwnedpasswords.com/range/), asked besides
# the bundled list of breached passwords when set (accounts.passwords).
PORTAL_PWNED_PASSWORDS_URL = os.environ.get("PORTAL_PWNED_PASSWORDS_URL", "")
PORTAL_PWNED_PASSWORDS_TIMEOUT = float(os.environ.get("PORTAL_PWNED_PASSWORDS_TIMEOUT", 3))
# Password reset by e-mail (accounts.reset): a link valid one hour, usable once.
PASSWORD_RESET_TIMEOUT = 3600
PORTAL_PASSWORD_RESET_PER_HOUR = int(os.environ.get("PORTAL_PASSWORD_RESET_PER_HOUR", 5))
PORTAL_PASSWORD_RESET_MAILS_PER_HOUR = 3  # e-mails to one login per hour
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "root"
LOGOUT_REDIRECT_URL = "login"

# A session ends after 15 minutes without activity.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", 15 * 60))
SESSION_SAVE_EVERY_REQUEST = False  # see accounts.middleware.IdleSessionMiddleware
# Pages warn this long before the idle logoff, with a button to stay signed in.
SESSION_WARNING_SECONDS = int(os.environ.get("SESSION_WARNING_SECONDS", 60))
# However active, a session ends this long after signing in (accounts.middleware).
PORTAL_SESSION_MAX_SECONDS = int(os.environ.get("PORTAL_SESSION_MAX_SECONDS", 12 * 3600))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Production behind TLS (PORTAL_HTTPS=1; the contract's "Production"): HSTS for a year on the
# portal's host and its subdomains, plain HTTP redirected to HTTPS, cookies sent over HTTPS
# only, and the proxy's X-Forwarded-Proto believed (the proxy must set it, overwriting the
# client's). It replaces SECURE_COOKIES (secure cookies only), which is no longer read.
PORTAL_HTTPS = env_bool("PORTAL_HTTPS", False)
SESSION_COOKIE_SECURE = PORTAL_HTTPS
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
if PORTAL_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Load balancers and scrapers ask over plain HTTP (portal.ops.middleware answers first).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# Whose X-Forwarded-For gives the client's address (audit trail, sign-in throttling):
# comma-separated addresses or networks (10.0.0.5, 10.0.0.0/8, 2001:db8::/32). portal.netaddr.
PORTAL_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("PORTAL_TRUSTED_PROXIES", "").split(",") if p.strip()
]
netaddr.parse_networks(PORTAL_TRUSTED_PROXIES)  # a wrong entry stops the start, saying which

# django-axes: repeated failures slow the one who fails (portal/accounts/throttle.py says how):
# counted by (user name, address) and by address, never by user name alone, with growing delays
# and a global ceiling against spraying from many addresses.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))  # one user name, one address
PORTAL_LOGIN_ADDRESS_LIMIT = int(os.environ.get("PORTAL_LOGIN_ADDRESS_LIMIT", 20))  # one address
PORTAL_LOGIN_COOLOFF_MINUTES = float(os.environ.get("AXES_COOLOFF_MINUTES", 15))  # first lock
PORTAL_LOGIN_MAX_COOLOFF_MINUTES = float(os.environ.get("PORTAL_LOGIN_MAX_COOLOFF_MINUTES", 240))
PORTAL_LOGIN_MEMORY_HOURS = float(os.environ.get("PORTAL_LOGIN_MEMORY_HOURS", 24))
PORTAL_LOGIN_GLOBAL_CEILING = int(os.environ.get("PORTAL_LOGIN_GLOBAL_CEILING", 200))
PORTAL_LOGIN_GLOBAL_WINDOW_MINUTES = float(os.environ.get("PORTAL_LOGIN_GLOBAL_WINDOW_MINUTES", 10))
AXES_HANDLER = "portal.accounts.throttle.ThrottleHandler"
AXES_COOLOFF_TIME = "portal.accounts.throttle.cool_off"
AXES_USERNAME_CALLABLE = "portal.accounts.throttle.username"
AXES_CLIENT_IP_CALLABLE = "portal.accounts.audit.client_ip"  # the audit trail's address too
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # attempts while locked do not extend it
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # each failure, for the global ceiling
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.accounts.views.lockout"
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "portal" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_ACCOUNT_TIMEZONE = "America/Toronto"

STATIC_URL = "/static/"
# Built from the code by collectstatic (not data): beside the code unless PORTAL_STATIC_ROOT says.
STATIC_ROOT = Path(os.environ.get("PORTAL_STATIC_ROOT", BASE_DIR / "var" / "static")).resolve()
STATICFILES_DIRS = [BASE_DIR / "portal" / "static"]  # the portal's own look (not an app)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Static files: `make` runs collectstatic, which writes each file under a name holding its
# hash, with gzip and brotli copies beside it; WhiteNoise serves those with a cache lifetime of
# ten years (the name changes when the content does). In DEBUG, files are read straight from
# the apps, unhashed, so an edit shows at once.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    # Recordings: written to a temporary name and linked into place (never a partial file).
    "default": {"BACKEND": "portal.storage.AtomicFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
if os.environ.get("S3_BUCKET"):
    # S3-compatible storage for recordings and exports (django-storages' S3Storage, streamed
    # and never overwriting: portal/s3.py). Shared by every machine of the portal.
    STORAGES["default"] = {
        "BACKEND": "portal.s3.S3RecordingStorage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("S3_SECRET_KEY") or None,
            "region_name": os.environ.get("S3_REGION") or None,
        },
    }

# E-mail: EMAIL_URL = smtp://host:port, smtp+tls:// or submission:// (STARTTLS, port 587),
# smtps:// (TLS, port 465), with user:password@ URL-encoded; console backend when unset
# (portal/emailurl.py).
from portal import emailurl  # noqa: E402

globals().update(emailurl.parse(os.environ.get("EMAIL_URL", "")))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@answering.example")
REDIS_URL = os.environ.get("REDIS_URL", "")
# The shared cache: Redis when REDIS_URL is set (every worker and machine sees the same
# entries: the API's tokens and accounts, portal.api.auth), else this process's memory.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("PORTAL_CACHE_URL", REDIS_URL),
            "KEY_PREFIX": os.environ.get("PORTAL_CACHE_PREFIX", "portal"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
# /metrics (portal.ops.metrics): from these addresses or networks, or with
# "Authorization: Bearer PORTAL_METRICS_TOKEN".
PORTAL_METRICS_ALLOWED = [
    a.strip() for a in os.environ.get("PORTAL_METRICS_ALLOWED", "127.0.0.1,::1").split(",")
    if a.strip()
]  # fmt: skip
netaddr.parse_networks(PORTAL_METRICS_ALLOWED)
PORTAL_METRICS_TOKEN = os.environ.get("PORTAL_METRICS_TOKEN", "")

# The task queue (portal/celery.py, portal/tasks.py): Celery with Redis as broker and result
# backend when REDIS_URL is set; without it tasks run in-process in the caller, their errors
# raised there (make run needs nothing more).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# PORTAL_TASKS_IN_PROCESS=0 or 1 decides either way. (A test run sets its own queue and worker
# on Redis, or runs in-process when it has none: tests/taskqueue.py.)
CELERY_TASK_ALWAYS_EAGER = env_bool("PORTAL_TASKS_IN_PROCESS", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("PORTAL_TASK_QUEUE", "portal")
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# A task is acknowledged when it has run, not when it is received: a worker killed mid-task
# leaves it to the next worker (after the visibility timeout), never lost.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("PORTAL_TASK_TIME_LIMIT", 1800))
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
_TASK_VISIBILITY = int(os.environ.get("PORTAL_TASK_VISIBILITY_TIMEOUT", 3600))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Longer than any task may run (the time limit), so that none is handed out twice.
    "visibility_timeout": max(_TASK_VISIBILITY, 1),
    # How often a worker looks for tasks a dead worker left unacknowledged.
    "unacked_restore_interval": min(10, max(_TASK_VISIBILITY, 1)),
    "unacked_restore_throttle": 1 if _TASK_VISIBILITY < 60 else 10,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {}
if os.environ.get("PORTAL_TASK_PREFIX"):
    # Several portals (or test runs) may share one Redis: each its own keys.
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = os.environ["PORTAL_TASK_PREFIX"]
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS["global_keyprefix"] = os.environ["PORTAL_TASK_PREFIX"]
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# A task that failed on the mail server is tried again after this many seconds, doubled each
# time (portal/tasks.py).
PORTAL_TASK_RETRY_SECONDS = int(os.environ.get("PORTAL_TASK_RETRY_SECONDS", 30))

# Webhooks out (portal.webhooks): each POST waits this many seconds at most; a failed one is
# tried again after PORTAL_WEBHOOK_RETRY_SECONDS, doubled each time up to an hour, for 24 hours.
PORTAL_WEBHOOK_TIMEOUT = float(os.environ.get("PORTAL_WEBHOOK_TIMEOUT", 5))
PORTAL_WEBHOOK_RETRY_SECONDS = int(os.environ.get("PORTAL_WEBHOOK_RETRY_SECONDS", 30))
# Without a task queue (tasks in-process) the serving process's own thread makes the later
# tries (portal/webhooks/retrier.py); 0 leaves them to `manage.py send_webhooks` (cron). A test
# run starts it only where a test asks.
PORTAL_WEBHOOK_RETRY_IN_PROCESS = env_bool(
    "PORTAL_WEBHOOK_RETRY_IN_PROCESS", "PYTEST_VERSION" not in os.environ
)

# Long exports (portal.exports): above these a workbook or zip is made in the background, the
# page showing its progress, then Download; the file is kept this many hours.
PORTAL_EXPORT_INLINE_ROWS = int(os.environ.get("PORTAL_EXPORT_INLINE_ROWS", 5000))
PORTAL_EXPORT_INLINE_RECORDINGS = int(os.environ.get("PORTAL_EXPORT_INLINE_RECORDINGS", 20))
PORTAL_EXPORT_INLINE_BYTES = int(os.environ.get("PORTAL_EXPORT_INLINE_BYTES", 50 * 1024 * 1024))
PORTAL_EXPORT_KEEP_HOURS = float(os.environ.get("PORTAL_EXPORT_KEEP_HOURS", 24))
PORTAL_EXPORT_PROGRESS_EVERY = int(os.environ.get("PORTAL_EXPORT_PROGRESS_EVERY", 500))
# The worker logs through Django's LOGGING (the JSON lines of make serve), not its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Content Security Policy (django-csp 4).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": ["'self'"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"  # the portal frames none of its own pages

# Portal settings.
PORTAL = {
    # Where clients send directory / information page change requests.
    "SERVICE_EMAIL": os.environ.get("PORTAL_SERVICE_EMAIL", "service@i24image.com"),
    "SERVICE_NAME": os.environ.get("PORTAL_SERVICE_NAME", "i24"),
    # How a client reaches the service by telephone (named in the lockout message and by the
    # password note in Settings); the WebPortal manual's only published numbers.
    "SERVICE_PHONE": os.environ.get("PORTAL_SERVICE_PHONE", "(514) 736-6767 – (800) 667-6767"),
    "AR_PHONES": os.environ.get("PORTAL_AR_PHONES", "(514) 736-6767 – (800) 667-6767"),
    "AR_HOURS_EN": os.environ.get("PORTAL_AR_HOURS_EN", "Monday to Friday 8:30am to 5:00pm"),
    "AR_HOURS_FR": os.environ.get("PORTAL_AR_HOURS_FR", "du lundi au vendredi de 8h30 à 17h00"),
    "RETENTION_DAYS": int(os.environ.get("PORTAL_RETENTION_DAYS", 60)),
    "RECORDING_MAX_BYTES": int(os.environ.get("PORTAL_RECORDING_MAX_BYTES", 50 * 1024 * 1024)),
    "API_MAX_BODY_BYTES": int(os.environ.get("PORTAL_API_MAX_BODY_BYTES", 10 * 1024 * 1024)),
    "API_MAX_BATCH": 1000,
    # Staff "view as client" (accounts.viewas): how long a grant lasts.
    "VIEW_AS_MINUTES": int(os.environ.get("PORTAL_VIEW_AS_MINUTES", 60)),
    # Reports one login may e-mail from the pages in any hour (0: no limit).
    "REPORT_EMAILS_PER_HOUR": int(os.environ.get("PORTAL_REPORT_EMAILS_PER_HOUR", 20)),
    # The dispatch's "who is on call" reads are written to the audit trail together, at the
    # latest this long after the first (accounts.auditbatch); 0 writes each at once (tests).
    "AUDIT_BATCH_SECONDS": float(
        os.environ.get("PORTAL_AUDIT_BATCH_SECONDS", 0 if "PYTEST_VERSION" in os.environ else 1)
    ),
    "AUDIT_BATCH_ROWS": int(os.environ.get("PORTAL_AUDIT_BATCH_ROWS", 5000)),
}
DATA_UPLOAD_MAX_MEMORY_SIZE = PORTAL["API_MAX_BODY_BYTES"]
# Where the portal is reached from outside: e-mails (gap alerts) link to its pages with it.
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# PORTAL_LOG_FORMAT=json (make serve): one JSON object per line, and a line per request
# (portal/ops/jsonlog.py).
from portal.ops import jsonlog  # noqa: E402

LOGGING = jsonlog.logging_config(
    os.environ.get("PORTAL_LOG_FORMAT", "") == "json", os.environ.get("LOG_LEVEL", "WARNING")
)
