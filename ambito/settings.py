"""Settings of Zonale, read from the environment.

DEBUG on (the default for a first local run) enables development defaults: a fixed
SECRET_KEY, localhost hosts and the embedded SQLite database. With DEBUG off every
secret must come from the environment.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "zonale-dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])

INSTALLED_APPS = [
    "ambito.apps.ZonaleAdminConfig",  # Django's admin; its changes renew the cache
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "bootstrap_italia_template",
    "ambito.apps.AxesConfig",  # django-axes, named in Italian in the admin
    "csp",
    "django_celery_beat",  # the schedule of the periodic tasks, in the database
    "rules.apps.AutodiscoverRulesConfig",  # imports every app's rules.py
    # Zonale apps, in dependency order (carica_dati loads their data in this order).
    "ambito",
    "fondi",
    "servizi",
    "programmi",
    "indicatori",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files served by the application itself (compressed, cached forever when
    # hashed), so a production install needs no separate web server for them.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # After the session and the user (read from the primary): the views that declare
    # `usa_replica` read from the replica, when there is one (ambito/platform/replica.py).
    "ambito.platform.replica.ReplicaMiddleware",
    # Last, as django-axes requires: turns a lockout into the login page with a message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ambito.urls"
WSGI_APPLICATION = "ambito.wsgi.application"
ASGI_APPLICATION = "ambito.asgi.application"

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
                "ambito.context_processors.ambito_corrente",
            ],
        },
    },
]
# Django's renderer, with inputs, selects and options written in Python: same markup.
FORM_RENDERER = "ambito.platform.renderers.FormRenderer"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # In production a worker keeps its connection (opening one costs more than
        # most of our queries); in development each request opens its own.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0" if DEBUG else "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Planner costs for a database that sits in RAM or on SSD (PostgreSQL's default 4
    # assumes spinning disks): with 4 the values list joined its 800 rows to the 24.000
    # indicators by hashing the whole table (~30 ms) instead of 800 index probes (~6 ms).
    # PG_RANDOM_PAGE_COST="" keeps the server's own setting.
    _page_cost = os.environ.get("PG_RANDOM_PAGE_COST", "1.1")
    if _page_cost:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            f"-c random_page_cost={float(_page_cost)}"
        )
    # Form choice lists iterate their querysets: with server-side cursors each list
    # costs three round trips (DECLARE, FETCH, CLOSE) instead of one; our lists are
    # small, and this also keeps the app usable behind PgBouncer's transaction pooling.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# A PostgreSQL read replica for the dashboards, the regional views and the reports
# (ambito/platform/replica.py): same options as the primary; never migrated.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = {
        **DATABASES["default"],
        **dj_database_url.parse(
            os.environ["DATABASE_REPLICA_URL"],
            conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
            conn_health_checks=True,
        ),
        "OPTIONS": DATABASES["default"].get("OPTIONS", {}),
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["ambito.platform.replica.ReplicaRouter"]
# After a request that wrote, the same browser reads from the primary for this long
# (longer than the replica's usual lag), so that nobody misses what he has just saved.
REPLICA_PRIMARIO_SECONDI = int(os.environ.get("REPLICA_PRIMARIO_SECONDI", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cached aggregates and dashboards (ambito/platform/cache.py). With REDIS_URL one
# Redis shared by every process, so a value approved in one gunicorn worker is never
# stale in another; without it the memory of each process (`make run`, the tests).
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "ambito.platform.redis_cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "zonale"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 1000},  # dashboards (with their charts): ~50 MB at most
        }
    }

# Background jobs (Celery, ambito/celery.py) and e-mail. With REDIS_URL the broker and
# the results live in Redis and workers run the tasks (README, "Lavori in background");
# without it every task runs inline in the request and e-mail goes to the console, so
# `make run` works with SQLite alone.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_EXPIRES = timedelta(days=1)
# A job is acknowledged after it ran: a worker killed mid-job leaves it in the queue.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/Rome"
# The periodic tasks (deadline reminders, daily digest) are rows of django-celery-beat,
# created by a migration (ambito/migrations) and editable in the admin; beat reads them.
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

if REDIS_URL:
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Zonale <noreply@localhost>")
# The address of the site in e-mail links (no request to take it from in a worker).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Generated PDFs, kept for download again (gitignored in development).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"

AUTHENTICATION_BACKENDS = [
    # Refuses the login of a locked-out username+address before any password check.
    # It has no get_user(), so the test client's force_login() uses ModelBackend.
    "ambito.platform.accesso.AxesBackend",
    # Action permissions (approve, close, create...): the predicates of each app's
    # rules.py, asked through user.has_perm(name, obj).
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend (users, sessions, the admin's model permissions), which
    # leaves the rules' names to the backend above.
    "ambito.platform.accesso.ModelPermissionBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "ambito.platform.accesso.LunghezzaMinimaValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "it"
LANGUAGES = [("it", "Italiano")]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # In production file names carry a hash of their content (cached forever by the
    # browser) and need `manage.py collectstatic`; in development files are served as is.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Fixed at start-up from the environment (the test runner turns settings.DEBUG off):
# in development WhiteNoise serves the apps' static directories directly.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

REST_FRAMEWORK = {
    # The token first: its `WWW-Authenticate` makes a missing or wrong credential a
    # 401 (ambito/platform/api/authentication.py).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ambito.platform.api.authentication.TokenAPIAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "ambito.platform.api.throttling.UtenteThrottle",
        "ambito.platform.api.throttling.TokenThrottle",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "ambito.platform.api.filters.FiltriBackend",
        "ambito.platform.api.filters.OrdinamentoBackend",
    ],
    # Our JSON parser answers 400 in Italian to any body it cannot use (DRF's own lets
    # a deeply nested body raise RecursionError, a 500).
    # JSON only: a generated client sends JSON, never form or multipart (the pages are
    # Django views and do not use these parsers).
    "DEFAULT_PARSER_CLASSES": ["ambito.platform.api.parsers.JSONParser"],
    # One error format for the whole API (RFC 9457 problem details, in Italian).
    "EXCEPTION_HANDLER": "ambito.platform.api.errors.exception_handler",
    # JSON and CSV only: the browsable API's templates use inline styles that the
    # Content-Security-Policy forbids; /api/docs/ documents and tries the API instead.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "ambito.platform.api.renderers.CSVRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "ambito.platform.api.pagination.Paginazione",
    "DEFAULT_SCHEMA_CLASS": "ambito.platform.api.schema.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Zonale API",
    "DESCRIPTION": "API di monitoraggio del Piano di Zona (Ambiti territoriali sociali).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies have their own components (no read-only fields to invent).
    "COMPONENT_SPLIT_REQUEST": True,
    "GET_LIB_DOC_EXCLUDES": "ambito.platform.api.schema.lib_doc_excludes",
    # Error responses, If-Match/ETag and the CSV variant, documented on every operation.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ambito.platform.api.schema.postprocess_schema",
        # `?format=csv`, `sep` and `tabella` described on every operation that has them.
        "ambito.platform.api.schema.parametri_csv",
    ],
    # Several apps have a "stato", "tipo" or "livello": one enum name per choice set.
    "ENUM_NAME_OVERRIDES": {
        "LivelloFonteEnum": "fondi.choices.LivelloFonte",
        "LivelloIndicatoreEnum": "indicatori.choices.Livello",
        "StatoProgettoEnum": "fondi.choices.StatoProgetto",
        "StatoRendicontazioneEnum": "fondi.choices.StatoRendicontazione",
        "StatoPeriodoEnum": "indicatori.choices.StatoPeriodo",
        "StatoValoreEnum": "indicatori.choices.StatoValore",
        "StatoAvanzamentoEnum": "indicatori.choices.StatoAvanzamento",
        "StatoPianoEnum": "programmi.choices.StatoPiano",
        "TipoEnteEnum": "ambito.choices.TipoEnte",
        "TipoIndicatoreEnum": "indicatori.choices.TipoIndicatore",
        "TipoServizioEnum": "servizi.choices.TipoServizio",
        "PeriodicitaEnum": "indicatori.choices.Periodicita",
    },
    # Swagger UI served from our own static files (no CDN), so the CSP stays 'self'.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No deep links: Swagger UI puts them as links inside the operation's button
    # (nested interactive elements, an accessibility failure); no syntax colours, whose
    # red and blue on dark grey fail the contrast check.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "syntaxHighlight": False},
}

# Security. See the README, section "Sicurezza".
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day; then log in again
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Content-Security-Policy (django-csp): everything from our own origin, no inline
# script and no inline style anywhere (templates put JS and CSS in static files; the
# server-side SVG charts carry presentation attributes, see ambito/platform/charts.py), no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Bootstrap Italia's CSS draws some icons as data: SVG images and embeds one
        # icon font (video.js) as a data: URL.
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Login lockout (django-axes): after AXES_FAILURE_LIMIT failed attempts for the same
# username from the same address, that pair is refused for AXES_COOLOFF_TIME; a
# successful login resets the count. Locking the pair, not the address alone, keeps
# a whole office behind one NAT address from being locked out by one person.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ambito.platform.accesso.accesso_bloccato"
AXES_CLIENT_IP_CALLABLE = "ambito.platform.accesso.indirizzo_client"
# How many reverse proxies in front of the app append to X-Forwarded-For (0: none, the
# address is REMOTE_ADDR). Never trust the header without a proxy: clients can forge it.
PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))

# The audit trail is read-only in the admin too: no "revert" button (the POST is
# refused as well, see ambito.platform.audit.admin.admin_storico_in_sola_lettura).
SIMPLE_HISTORY_REVERT_DISABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Deadline reminders to the Operatori of Comuni that have not submitted: this many days
# before a period's deadline, on the day, and this many days after it.
PROMEMORIA_GIORNI_PRIMA = int(os.environ.get("PROMEMORIA_GIORNI_PRIMA", "7"))
PROMEMORIA_GIORNI_DOPO = int(os.environ.get("PROMEMORIA_GIORNI_DOPO", "3"))

# Personal API tokens (ambito.models.TokenAPI, pages under /profilo/token/): validity
# chosen by the user up to the maximum, and how many active tokens a user may hold.
API_TOKEN_GIORNI_DEFAULT = int(os.environ.get("API_TOKEN_GIORNI_DEFAULT", "90"))
API_TOKEN_GIORNI_MASSIMI = int(os.environ.get("API_TOKEN_GIORNI_MASSIMI", "365"))
API_TOKEN_MASSIMI_PER_UTENTE = int(os.environ.get("API_TOKEN_MASSIMI_PER_UTENTE", "10"))

# API rate limits ("number/s|m|h|d", see ambito/platform/api/throttling.py): per user
# (session and all his tokens together), per token, and invalid tokens per address.
# Past a limit the API answers 429 with Retry-After.
API_LIMITI = {
    "utente": os.environ.get("API_LIMITE_UTENTE", "10000/hour"),
    "token": os.environ.get("API_LIMITE_TOKEN", "5000/hour"),
    "token_non_valido": os.environ.get("API_LIMITE_TOKEN_NON_VALIDO", "20/hour"),
}
