"""Settings for the Hangzhou AI Experimental Zone progress tracker.

Every value that differs between machines comes from the environment (or a `.env`
file beside manage.py), read through django-environ. Local defaults are safe: SQLite
in the project folder, no broker (tasks run in-process), DEBUG off. Production
secrets have no default: with DEBUG off the process refuses to start without
SECRET_KEY.
"""

from pathlib import Path

import environ
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
    SECRET_KEY = "insecure-local-debug-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "targets",
    "measures",
    "dashboard",
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
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "hangzhou_ai_zone.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Searched before the apps' folders, so that dashboard's admin/base_site.html
        # (the demo-data banner) overrides the admin's own.
        "DIRS": [BASE_DIR / "dashboard" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.context_processors.dashboard",
            ],
        },
    },
]

WSGI_APPLICATION = "hangzhou_ai_zone.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
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

LOGIN_URL = "admin:login"

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
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Tasks are queued while an administrator waits for the save to return: with the broker
# down, give up within about two seconds (the entry is saved and its snapshots are marked
# outdated for the nightly run) rather than hang the request.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
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
        "celery.app.trace": {"filters": ["no_task_success"]},
    },
}

# REST API (/api/v1/). Reading follows PUBLIC_READ; writing needs the model permissions
# of the data-entry role, by session or token. Throttle rates are "<n>/<second|minute|hour|day>";
# an empty rate switches that throttle off.
API_THROTTLE_ANON = env.str("API_THROTTLE_ANON", default="120/minute")
API_THROTTLE_USER = env.str("API_THROTTLE_USER", default="1200/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that a client without credentials gets 401 with a
        # WWW-Authenticate header rather than a bare 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["targets.api.permissions.ReadPerSettingWriteWithModelPermission"],
    "DEFAULT_THROTTLE_CLASSES": [
        "targets.api.throttling.AnonThrottle",
        "targets.api.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": API_THROTTLE_ANON or None, "user": API_THROTTLE_USER or None},
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "targets.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "targets.api.renderers.CSVRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "targets.api.errors.exception_handler",
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
    "SERVE_PERMISSIONS": ["targets.api.permissions.ReadPerSettingWriteWithModelPermission"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status`; each choice set gets a name of its own.
    "ENUM_NAME_OVERRIDES": {
        "SnapshotStatusEnum": "targets.models.Snapshot.Status",
        "MeasureStatusEnum": "measures.models.Measure.Status",
        "ItemStatusEnum": "targets.models.TargetItem.Status",
        "QualifierEnum": "targets.models.ProgressEntry.Qualifier",
    },
    # Served from this site's static files: the docs work offline and on an intranet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Bodies above this size are refused with 413 before parsing. Entries and measure updates are
# a few hundred bytes; 1 MiB leaves room for long quotes and notes.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
