"""Settings for the Hangzhou AI Experimental Zone progress tracker.

Every value that differs between machines comes from the environment (or a `.env`
file beside manage.py), read through django-environ. Local defaults are safe: SQLite
in the project folder, no broker (tasks run in-process), DEBUG off. Production
secrets have no default: with DEBUG off the process refuses to start without
SECRET_KEY.
"""

import re
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment or in .env "
            "(`make run` writes a random one there), or set DEBUG=1 for local work."
        )
    SECRET_KEY = "insecure-local-debug-key-never-use-in-production"  # noqa: S105 (DEBUG only: refused above otherwise)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS. In production (DEBUG off) browsers reach the site only over HTTPS, normally through a
# reverse proxy that terminates TLS; `make run` serves plain http on 127.0.0.1 and sets
# USE_HTTPS=0 (Makefile), which turns the four protections below off together. Each can
# still be set on its own.
USE_HTTPS = env.bool("USE_HTTPS", default=not DEBUG)
# Plain-http requests are redirected to https:// (a proxy may do it first; this is the backstop).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=USE_HTTPS)
# Browsers remember for a year to use only HTTPS here, so a tampered http:// link cannot
# downgrade them. Subdomains of the site's own host are covered too. Preloading (into the
# browsers' built-in list) commits the whole registered domain, which is the domain owner's
# decision, not this application's: off unless SECURE_HSTS_PRELOAD says so (and its
# deployment-check warning is silenced below for that reason).
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if USE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=USE_HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Session and CSRF cookies travel only over HTTPS, never in clear text.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=USE_HTTPS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=USE_HTTPS)
# Behind a proxy the app sees plain http; the proxy says "https" in a header. Trust that
# header only when told its name (e.g. HTTP_X_FORWARDED_PROTO): otherwise any client could
# claim to be on HTTPS. The proxy must set (overwrite) it on every request.
_proxy_ssl_header = env.str("SECURE_PROXY_SSL_HEADER", default="")
SECURE_PROXY_SSL_HEADER = (_proxy_ssl_header, "https") if _proxy_ssl_header else None
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "import_export",
    "simple_history",
    "csp",
    "edge",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "access",
    "targets",
    "snapshots",
    "measures",
    "reporting",
    "site_shell",
    "dashboard",
    "operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the body: one over the cap is a 413 from its Content-Length.
    "edge.middleware.BodySizeMiddleware",
    # Early: a database that cannot be reached is a 503 with Retry-After, not a 500.
    "edge.middleware.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # gzip for HTML, JSON and CSV (1.1 MB of overview HTML at 1,000 targets sent as 23 KB); why
    # this is safe against BREACH, and why the admin is left out, is in edge/compression.py.
    # After WhiteNoise, which serves static files already compressed; before everything that
    # writes a body.
    "edge.compression.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the locale (its 400 is in the reader's language), before any view or form.
    "edge.middleware.ControlCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the user is known: the admin asks for the second factor (access.middleware).
    "access.middleware.AdminSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a login refused for lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hangzhou_ai_zone.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Searched before the apps' folders, so that the site shell's admin/base_site.html
        # (the demo-data banner) overrides the admin's own.
        "DIRS": [BASE_DIR / "site_shell" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "site_shell.context_processors.shell",
            ],
        },
    },
]

WSGI_APPLICATION = "hangzhou_ai_zone.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Connections are kept between requests (no connect per request), and each request checks a
# kept connection before its first query: after a database restart the first request opens a
# new one instead of failing on the dead one, so the site heals without being restarted.
# While the database is down, requests get a 503 (edge.middleware). Kept connections matter
# under load too: the overview served 300 requests/s on 2 workers with a new connection per
# request, 1,300 with kept ones.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that has gone (rather than refusing) would hold a request until the
    # kernel gives up on connecting, minutes later, and gunicorn killed the worker first.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Under `make run` two processes write to the one file: gunicorn's workers and the scheduler.
    # WAL lets readers go on while one writes; IMMEDIATE takes the write lock when a transaction
    # begins, so that a second writer waits for it (up to `timeout` seconds) instead of failing
    # at once with "database is locked" when its read turns into a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Officials read Chinese first; English is one click away on every page.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language ("31 Dec 2019", "2019年12月31日") for templates and code alike.
FORMAT_MODULE_PATH = ["hangzhou_ai_zone.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# Plotly's JavaScript comes from the installed plotly package (dashboard.finders), so
# that collectstatic hashes and compresses it like any other static file.
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "dashboard.finders.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# Sign-in. Readers sign in on the site's own page (/accounts/login/), which needs no staff
# status; the admin keeps its own login, open to staff only.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:overview"
LOGOUT_REDIRECT_URL = "dashboard:overview"

# How many proxies stand in front of the application and append to X-Forwarded-For. 0 (the
# default): trust no forwarded header, the client is the connecting address. Used for the
# login lockout (access.client_ip) and the API throttles alike.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

# Login lockout (django-axes), on every login form: the site's and the admin's. After
# LOGIN_FAILURE_LIMIT failed logins for one username, or from one address, further attempts
# are refused until LOGIN_COOLOFF_MINUTES have passed (0: until an administrator unlocks
# them in the admin, Access attempts) or the attempts are deleted there.
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out client is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
_LOGIN_COOLOFF_MINUTES = env.int("LOGIN_COOLOFF_MINUTES", default=30)
AXES_COOLOFF_TIME = timedelta(minutes=_LOGIN_COOLOFF_MINUTES) if _LOGIN_COOLOFF_MINUTES > 0 else None
# Each count locks on its own: a username (one account tried from many addresses) and an
# address (one client trying many usernames).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "access.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "access.views.lockout"
AXES_VERBOSE = False  # no banner in every process's log; lockouts are still logged
# A password alone does not clear the failures of a user who still owes a second factor:
# otherwise signing in again would reset the count of wrong codes (access.axes_handler).
AXES_HANDLER = "access.axes_handler.SecondFactorAxesHandler"

# Second factor for the admin (django-otp): zone administrators and superusers must, data entry
# may, viewers are not asked (access.permissions.second_factor). On everywhere, `make run`
# included; ADMIN_TWO_FACTOR=0 turns it off, for a laptop only.
ADMIN_TWO_FACTOR = env.bool("ADMIN_TWO_FACTOR", default=True)
OTP_TOTP_ISSUER = "Hangzhou AI Zone"
# One limit on guessing codes: django-axes counts a wrong code as a failed sign-in (5, then
# locked for 30 minutes). django-otp's own growing delay would also refuse the right code typed
# within a second of a wrong one, and say nothing of why.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# django-import-export: importing and exporting a model each need their own permission
# (`import_<model>`, `export_<model>`), not merely access to its admin.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"

# Whether the dashboard and the read side of the API are open to anyone on the network
# (the default, for an intranet) or need a login. Writes always need a login.
PUBLIC_READ = env.bool("PUBLIC_READ", default=True)

# Celery. With no broker configured, tasks run in-process (eagerly) so that a
# single `make run` works on a laptop: in the web process when a figure is saved, in
# celery beat when the schedule is due. With CELERY_BROKER_URL set, a worker runs them.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
if CELERY_TASK_ALWAYS_EAGER:
    # Celery still opens a producer for an eager task, and beat connects before it runs one:
    # the in-process transport needs no server (naming a host keeps kombu from warning that
    # it "reverts to localhost").
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Time limits and the visibility timeout, set together. A task is acknowledged only when it
# ends (ACKS_LATE), so while it runs its message waits in Redis's "unacked" set; Redis hands
# it to another worker once it has been there VISIBILITY_TIMEOUT seconds. That must never
# happen to a task that is still running (it would run twice at once) or still waiting for
# its retry's countdown (a retry is a new message, held unacked by the worker until it is
# due: at most `retry_backoff_max`, 5 minutes, in snapshots/tasks.py). So the timeout is the
# longest hard limit (the nightly job's, the default below; a target's recompute has 150 s)
# plus the longest countdown, plus a margin: 15 + 5 + 10 = 30 minutes.
# A task lost with a worker killed outright (SIGKILL, out of memory, a host gone) is not
# waited for that long: its recompute request is still in the outbox, and the sweep (every
# 5 minutes, for requests older than 5 minutes) sends it again within 5 to 10 minutes. The
# redelivery after 30 minutes then only repeats a finished recompute, which is harmless.
# (A pool process killed under a live worker is rejected and redelivered at once:
# REJECT_ON_WORKER_LOST.) tests/operations/test_faults.py kills a worker in the middle of a recompute.
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
_LONGEST_RETRY_COUNTDOWN = 5 * 60  # snapshots.tasks.RETRY["retry_backoff_max"]; a test checks they agree
_VISIBILITY_TIMEOUT = CELERY_TASK_TIME_LIMIT + _LONGEST_RETRY_COUNTDOWN + 10 * 60

# Publishing. A recompute is sent to the broker after the save's transaction commits, while
# the administrator waits for the page (or the API client for its 201). The change and its
# recompute request are committed by then, so a send that fails loses nothing: the request
# stays in the outbox for the sweep. What must not happen is a save that hangs on a broker
# that is down or, worse, frozen (it accepts connections and never answers: a stopped
# process, a full disk, a dead host behind a live proxy). Without a socket timeout redis-py
# waits for that answer forever, and gunicorn kills the web worker after 30 s with a 500.
# - socket_connect_timeout / socket_timeout: give up on connecting, and on each reply, after
#   half a second. Redis answers a push in well under a millisecond here; the worker's long
#   BRPOP waits are read only when data has arrived, so they are not cut short by it.
# - one attempt, no retry (max_retries 0): each retry would wait its own timeout again (three
#   attempts measured 1.7 s on a frozen Redis). A pooled connection left over from a Redis
#   restart does not need a retry: redis-py replaces it when it is taken from the pool.
# - the connection pool is kombu's default (BROKER_POOL_LIMIT 10 connections per process):
#   a sync gunicorn worker publishes one request at a time, so it never waits for one.
# Measured with a frozen Redis (SIGSTOP): a send gives up after 0.5 s, and a save through
# gunicorn returns its 201 or 302 in 0.5–0.8 s (tests/operations/test_faults.py); a push written
# before the timeout may still be executed when Redis wakes up, which only sends a recompute
# twice. BROKER_CONNECTION_TIMEOUT is the same limit for transports other than Redis.
CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 0.5,
    "visibility_timeout": _VISIBILITY_TIMEOUT,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"


def _not_a_task_success(record) -> bool:
    from celery.app.trace import LOG_SUCCESS

    return record.msg != LOG_SUCCESS


# One format for every process — gunicorn's master and workers (gunicorn.conf.py), Celery
# beat and workers (hangzhou_ai_zone/celery.py), commands — with the UTC offset in each time
# stamp. Loading these settings sets the process's time zone to TIME_ZONE, so all log in it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s",
            "datefmt": "%Y-%m-%d %H:%M:%S %z",
        },
    },
    # A line for every task that succeeded (44 for `make demo`) says nothing; failures
    # and retries are still logged.
    "filters": {"no_task_success": {"()": "django.utils.log.CallbackFilter", "callback": _not_a_task_success}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # django-axes logs every login at INFO; its warnings (a lockout) are what matter.
        "axes": {"level": "WARNING"},
        "celery.app.trace": {"filters": ["no_task_success"]},
    },
}

# The cache holds the API's throttle counts (nothing that a restart could not rebuild). Every
# process serving requests (gunicorn's workers, a second host) must share it, or each keeps
# its own count and the limit multiplies by the number of processes. Default: a table in the
# database, which they all share already (`manage.py createcachetable` creates it; the test
# runner too); CACHE_URL=redis://host:6379/1 moves it to Redis. MAX_ENTRIES: the database
# cache culls a third of its rows when it holds more, which would forget clients' counts.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://django_cache?max_entries=20000")}
# The pages' bodies (dashboard.pagecache), keyed by the plan's data version: an entry is never
# stale, only unused, so it simply ages out. Their own alias, so that culling pages never drops
# a client's throttle count: with the database cache a table of its own; with Redis the same
# server under its own key prefix. PAGE_CACHE_URL chooses another place.
_pages_default = (
    "dbcache://django_page_cache?max_entries=2000"
    if CACHES["default"]["BACKEND"].endswith("DatabaseCache") else env.str("CACHE_URL")
)
CACHES["pages"] = env.cache("PAGE_CACHE_URL", default=_pages_default)
if CACHES["pages"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    # The same table, written without waiting for the disk: what it holds can be made again.
    CACHES["pages"]["BACKEND"] = "edge.pagestore.PageDatabaseCache"
CACHES["pages"].setdefault("KEY_PREFIX", "pages")
CACHES["pages"].setdefault("TIMEOUT", 24 * 3600)

# "Download PDF" (dashboard.pdf): the headless Chromium that prints the pages (Debian's, with
# fonts-noto-cjk for Chinese) and how long one PDF may take before the reader gets a 503 —
# under gunicorn's 30 s worker timeout, so that the reader gets the 503, not a killed worker.
PDF_CHROMIUM = env.str("PDF_CHROMIUM", default="/usr/bin/chromium")
PDF_TIMEOUT_SECONDS = env.int("PDF_TIMEOUT_SECONDS", default=20)
if not 0 < PDF_TIMEOUT_SECONDS < 30:
    raise ImproperlyConfigured(f"PDF_TIMEOUT_SECONDS must be between 1 and 29, not {PDF_TIMEOUT_SECONDS}.")

# How many reverse proxies in front of the site append the client's address to
# X-Forwarded-For. 0 (the default): the header is ignored and a client is the address it
# connects from, so nobody can pose as many clients by making the header up. Behind one
# proxy (nginx), 1: the address that proxy appended. Used by the API throttles and the
# login lockout.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
if NUM_PROXIES < 0:
    raise ImproperlyConfigured(f"NUM_PROXIES must be 0 or more, not {NUM_PROXIES}.")


def _throttle_rate(name: str, default: str) -> str | None:
    """A rate "<n>/<second|minute|hour|day>", or None (throttle off) when set empty.
    A malformed rate stops the process here rather than failing every API request."""
    rate = env.str(name, default=default).strip()
    if not rate:
        return None
    if not re.fullmatch(r"[0-9]+/(s|sec|second|m|min|minute|h|hour|d|day)s?", rate):
        raise ImproperlyConfigured(f"{name} must look like 120/minute (or be empty to switch it off), not {rate!r}.")
    return rate


# REST API (/api/v1/). Reading follows PUBLIC_READ; writing needs the model permissions
# of the data-entry role, by session or token. An empty rate switches that throttle off:
# without API_THROTTLE_ANON anonymous clients are not limited at all.
API_THROTTLE_ANON = _throttle_rate("API_THROTTLE_ANON", "120/minute")
API_THROTTLE_USER = _throttle_rate("API_THROTTLE_USER", "1200/minute")
# "Download PDF" per client, counted like the API's (api.throttling, the default cache): a PDF
# not yet printed takes seconds of a core, so the limits are far lower.
PDF_THROTTLE_ANON = _throttle_rate("PDF_THROTTLE_ANON", "20/minute")
PDF_THROTTLE_USER = _throttle_rate("PDF_THROTTLE_USER", "60/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that a client without credentials gets 401 with a
        # WWW-Authenticate header rather than a bare 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ReadPerSettingWriteWithModelPermission"],
    "DEFAULT_THROTTLE_CLASSES": [
        "api.throttling.AnonThrottle",
        "api.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": API_THROTTLE_ANON, "user": API_THROTTLE_USER,
                               "pdf_anon": PDF_THROTTLE_ANON, "pdf_user": PDF_THROTTLE_USER},
    # DRF's default (None) trusts the whole X-Forwarded-For header; 0 ignores it.
    "NUM_PROXIES": NUM_PROXIES,
    # JSON first (the API's own format, refusing absurd nesting); forms for the browsable API.
    "DEFAULT_PARSER_CLASSES": [
        "api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Unknown parameters and values a list cannot use are a 400 (api.query).
    "DEFAULT_FILTER_BACKENDS": [
        "api.query.FilterBackend",
        "api.query.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "api.renderers.CSVRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    # Decimals as JSON numbers, so that pandas reads numeric columns without conversion.
    "COERCE_DECIMAL_TO_STRING": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hangzhou AI Experimental Zone progress tracker API",
    "DESCRIPTION": (
        "The plan, its targets with their latest progress snapshot, progress entries, snapshots "
        "by date, work areas and measures. Every list is also CSV (`?format=csv` or "
        "`Accept: text/csv`). Targets and plans are addressed by id or by their stable code."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and docs follow PUBLIC_READ like the data.
    "SERVE_PERMISSIONS": ["api.permissions.ReadPerSettingWriteWithModelPermission"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status`; each choice set gets a name of its own.
    "ENUM_NAME_OVERRIDES": {
        "SnapshotStatusEnum": "snapshots.models.Snapshot.Status",
        "MeasureStatusEnum": "measures.models.Measure.Status",
        "ItemStatusEnum": "targets.models.TargetItem.Status",
        "QualifierEnum": "targets.models.Observation.Qualifier",
        "ConfidenceEnum": "targets.models.Observation.Confidence",
        "IndicatorKindEnum": "targets.models.Indicator.Kind",
        "TargetKindEnum": "targets.models.Target.Kind",
        "RoundStateEnum": "reporting.models.State",
        "RoundOpenStateEnum": "reporting.models.RoundState",
        "ObservationStatusEnum": "targets.models.Observation.Status",
    },
    # Served from this site's static files: the docs work offline and on an intranet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Content-Security-Policy (django-csp; Django's own arrives only in 6.0). Everything comes from
# this site; no page has an inline script (charts are JSON data blocks drawn by
# site_shell/charts.js, the API docs use drf-spectacular's split view), so no script that an
# attacker slips into a page can run.
# - script-src 'self' alone: the Plotly build served here draws the dashboard's charts without
#   eval (tests/dashboard/test_browser.py checks every page for violations), so no 'unsafe-eval'.
# - style-src also allows inline styles: Plotly injects <style> elements and writes style
#   attributes as it draws, so do the admin's select2 and Swagger UI, and the progress bars
#   position their marks with style attributes. Inline CSS cannot run code; what it could
#   leak needs injected markup, which autoescaping keeps out.
# - data: images: the blank favicon, Plotly's image export and Swagger UI's icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Bodies above this size are refused with 413 from their Content-Length, before they are read
# (edge.middleware.BodySizeMiddleware; the upload addresses take REPORTING_UPLOAD_MAX_BYTES
# instead). Entries and measure updates are a few hundred bytes; 1 MiB leaves room for long
# quotes and notes.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)

# Reporting rounds' uploads (reporting.uploads) and the admin's import of measures: a filled-in
# template is a few dozen KB; a request above this (plus 64 KiB for the form around the file)
# is refused with 413 before it is read, and a file above it before it is opened. Files above
# FILE_UPLOAD_MAX_MEMORY_SIZE are streamed to a temporary file rather than held in memory while
# the request is read.
REPORTING_UPLOAD_MAX_BYTES = env.int("REPORTING_UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)

# Mail (the reporting rounds' reminders): printed to the console unless an SMTP server is
# configured, so `make run` needs no mail server.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="progress-tracker@localhost")
# The site's address as the reminder mails link to it (no request to read it from).
SITE_ADDRESS = env.str("SITE_ADDRESS", default="http://127.0.0.1:8000")
