"""Forge settings, read from the environment with django-environ.

Every variable is listed with its default in `.env.example`. A `.env` file beside
`manage.py` is read if present; real environment variables win over it.
"""

from pathlib import Path

import environ

from forge.logging import logging_config
from forge.startup import require_provider_keys, require_secret_key, require_storage
from forge.storage_options import s3_storage_options

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# FORGE_ENV_FILE names another env file (tests start processes with one of their own).
ENV_FILE = Path(env.str("FORGE_ENV_FILE", default=str(BASE_DIR / ".env")))
if ENV_FILE.is_file():
    environ.Env.read_env(ENV_FILE, overwrite=False)

DEFAULT_SECRET_KEY = "forge-insecure-development-key-change-me"  # noqa: S105

# GENERAL
# Off unless asked for: DEBUG shows Django's technical pages (every URL pattern, settings,
# tracebacks). `make run` stays off and shows Forge's own error pages; set DEBUG=on in .env
# to develop with the technical pages.
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=DEFAULT_SECRET_KEY)
require_secret_key(debug=DEBUG, secret_key=SECRET_KEY, default=DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# APPS
INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_q",
    "channels",
    "forge",
    "assets",
    "pipelines",
    "errors",
]

MIDDLEWARE = [
    "forge.middleware.RequestIDMiddleware",
    "forge.instrumentation.InstrumentationMiddleware",
    "forge.clientip.TrustedProxyMiddleware",
    "forge.middleware.ApiRequestGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "forge.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "forge.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "forge.urls"
ASGI_APPLICATION = "forge.asgi.application"
WSGI_APPLICATION = None

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
                "errors.context_processors.error_reporting",
            ],
        },
    },
]

# DATABASES
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/forge")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The errors app records through this second connection to the same database when the
# caller is inside a transaction, so the record survives that transaction's rollback.
# It is never migrated on its own (it is the same database; see errors/routers.py).
DATABASES["errors"] = {
    **DATABASES["default"],
    "CONN_MAX_AGE": env.int("FORGE_ERRORS_DB_CONN_MAX_AGE", default=60),
    # Never wait long on a row the caller's own open transaction may hold.
    "OPTIONS": {
        **DATABASES["default"].get("OPTIONS", {}),
        "options": "-c lock_timeout=2000 -c statement_timeout=10000",
    },
}
DATABASE_ROUTERS = ["errors.routers.ErrorsRecordingRouter"]
# A psycopg connection pool for the web process: under ASGI each request's sync code runs
# in a thread of its own, so without a pool every request opens a new PostgreSQL backend.
# Off by default (the worker forks processes, which must not inherit a pool); the Procfile
# turns it on for daphne.
if env.bool("FORGE_DB_POOL", default=False):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        "pool": {
            "min_size": env.int("FORGE_DB_POOL_MIN", default=2),
            "max_size": env.int("FORGE_DB_POOL_MAX", default=20),
            "timeout": 10,
        },
    }

# REDIS: the channel layer, the cache (throttling, qcluster heartbeats)
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            # redis-py 8 times out blocking reads after 5 s by default, which kills
            # idle consumers (channels_redis #422); None keeps BZPOPMIN blocking.
            # redis-py 8 also caps a pool at 100 connections and then raises "Too many
            # connections" instead of waiting: 1,000 watchers leaving at once hit it.
            "hosts": [
                {
                    "address": REDIS_URL,
                    "socket_timeout": None,
                    "max_connections": env.int("FORGE_REDIS_MAX_CONNECTIONS", default=2000),
                }
            ],
            "prefix": env.str("FORGE_CHANNEL_PREFIX", default="forge"),
            "capacity": 1000,
            "expiry": 60,
        },
    }
}
CACHES = {
    "default": {
        # Django's Redis cache: failing open while Redis is away, one client per pool
        # (forge/cache.py).
        "BACKEND": "forge.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("FORGE_CACHE_PREFIX", default="forge"),
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
# After the cache fails to reach Redis, each process stops trying for this long.
FORGE_CACHE_RETRY_SECONDS = env.float("FORGE_CACHE_RETRY_SECONDS", default=5.0)

# AUTH
# Django's ModelBackend with the per-request user lookup compiled once (forge/auth_backend.py).
# Sessions signed in under Django's own backend path are signed out once by this change.
AUTHENTICATION_BACKENDS = ["forge.auth_backend.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed sign-ins and bearer tokens: at most this many failures per client address and
# per account (sign-in username) in a fixed window; further attempts get 429 with
# Retry-After until the window ends (forge/auththrottle.py, docs/api.md).
FORGE_AUTH_FAILURES_PER_ADDRESS = env.int("FORGE_AUTH_FAILURES_PER_ADDRESS", default=20)
FORGE_AUTH_FAILURES_PER_ACCOUNT = env.int("FORGE_AUTH_FAILURES_PER_ACCOUNT", default=10)
FORGE_AUTH_FAILURE_WINDOW_SECONDS = env.int("FORGE_AUTH_FAILURE_WINDOW_SECONDS", default=900)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# Password-reset emails: at most LIMIT per address per WINDOW (further requests send nothing,
# and the page answers the same); a reset link stays valid for PASSWORD_RESET_TIMEOUT seconds.
FORGE_PASSWORD_RESET_LIMIT = env.int("FORGE_PASSWORD_RESET_LIMIT", default=3)
FORGE_PASSWORD_RESET_WINDOW_SECONDS = env.int("FORGE_PASSWORD_RESET_WINDOW_SECONDS", default=3600)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=24 * 3600)

# STATIC AND MEDIA
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Files: the local disk under MEDIA_ROOT (the default), or S3-compatible object storage with
# FORGE_STORAGE=s3 (docs/scaling.md, "Files"). Either way every file goes through the storage
# API and readers reach it through MEDIA_URL's access check (assets.media).
FORGE_STORAGE = env.str("FORGE_STORAGE", default="local")
# Lifetime of the presigned URLs readers are redirected to with FORGE_STORAGE=s3.
FORGE_S3_URL_SECONDS = env.int("FORGE_S3_URL_SECONDS", default=300)
require_storage(storage=FORGE_STORAGE, bucket=env.str("FORGE_S3_BUCKET", default=""))
if FORGE_STORAGE == "s3":
    _default_storage = s3_storage_options(
        bucket=env.str("FORGE_S3_BUCKET", default=""),
        endpoint_url=env.str("FORGE_S3_ENDPOINT_URL", default=""),
        access_key=env.str("FORGE_S3_ACCESS_KEY", default=""),
        secret_key=env.str("FORGE_S3_SECRET_KEY", default=""),
        region=env.str("FORGE_S3_REGION", default="us-east-1"),
        addressing_style=env.str("FORGE_S3_ADDRESSING_STYLE", default="path"),
        prefix=env.str("FORGE_S3_PREFIX", default=""),
    )
else:
    _default_storage = {"BACKEND": "forge.storage.MediaFileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded files above FILE_UPLOAD_MAX_MEMORY_SIZE stream to a temporary file, so a GLB up to
# FORGE_UPLOAD_MAX_BYTES never sits whole in memory twice; DATA_UPLOAD_MAX_MEMORY_SIZE limits
# the rest of a request body (form fields, JSON), which never carries the file itself.
FORGE_UPLOAD_MAX_BYTES = env.int("FORGE_UPLOAD_MAX_BYTES", default=50 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest request body anywhere but the upload endpoints (which take FORGE_UPLOAD_MAX_BYTES
# more); larger bodies get a 413 at the ASGI edge before Django reads them (forge.bodylimit).
FORGE_REQUEST_MAX_BYTES = env.int("FORGE_REQUEST_MAX_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The deepest nesting of arrays and objects an API JSON body may have (deeper is a 400).
FORGE_API_MAX_JSON_DEPTH = env.int("FORGE_API_MAX_JSON_DEPTH", default=32)
# Files under MEDIA_URL are served by the app (assets.media) after the same access check as
# their asset; public assets' files may be cached by browsers and proxies for this long.
# The most work a GLB (uploaded or generated) may ask for; past any limit it is refused with
# a 400 before that work is done (assets.glb.GlbLimits). Vertices and indices count every
# placement of a mesh; the texture size is the longest side of an embedded image.
FORGE_GLB_MAX_JSON_BYTES = env.int("FORGE_GLB_MAX_JSON_BYTES", default=4 * 1024 * 1024)
FORGE_GLB_MAX_NODES = env.int("FORGE_GLB_MAX_NODES", default=5_000)
FORGE_GLB_MAX_NODE_DEPTH = env.int("FORGE_GLB_MAX_NODE_DEPTH", default=64)
FORGE_GLB_MAX_DRAWS = env.int("FORGE_GLB_MAX_DRAWS", default=5_000)
FORGE_GLB_MAX_VERTICES = env.int("FORGE_GLB_MAX_VERTICES", default=1_000_000)
FORGE_GLB_MAX_INDICES = env.int("FORGE_GLB_MAX_INDICES", default=1_500_000)
FORGE_GLB_MAX_TEXTURE_SIZE = env.int("FORGE_GLB_MAX_TEXTURE_SIZE", default=4096)
FORGE_SERVE_MEDIA = env.bool("FORGE_SERVE_MEDIA", default=True)
FORGE_MEDIA_PUBLIC_MAX_AGE = env.int("FORGE_MEDIA_PUBLIC_MAX_AGE", default=24 * 3600)

# SECURITY
# FORGE_HTTPS: the site is served over HTTPS (secure cookies, redirect to HTTPS, HSTS). On by
# default unless DEBUG; a local install on plain http://localhost sets it off (`make run` does,
# in .env). Each setting below may still be set on its own.
FORGE_HTTPS = env.bool("FORGE_HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=FORGE_HTTPS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=FORGE_HTTPS)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=FORGE_HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if FORGE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = FORGE_HTTPS
SECURE_HSTS_PRELOAD = FORGE_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Reverse proxies (addresses or CIDR networks) whose X-Forwarded-Proto / X-Forwarded-For are
# believed; from anyone else those headers are dropped (forge/clientip.py). Empty: none.
FORGE_TRUSTED_PROXIES = env.list("FORGE_TRUSTED_PROXIES", default=[])
# Other origins the pages may load images and model files from (object storage, a CDN);
# everything else comes from Forge's own origin (forge/csp.py).
FORGE_CSP_MEDIA_ORIGINS = env.list("FORGE_CSP_MEDIA_ORIGINS", default=[])
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^metrics$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache (Redis) and written through to the database: a request
# pays one cache GET instead of a query, and a session outlives a cache flush, a restart or
# an outage of Redis (forge/sessions.py falls back to the database).
SESSION_ENGINE = "forge.sessions"

# DRF
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "forge.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["forge.envelope.EnvelopeRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "forge.negotiation.ContentNegotiation",
    "DEFAULT_PARSER_CLASSES": [
        "forge.parsers.SafeJSONParser",
        "forge.parsers.SafeMultiPartParser",
        "forge.parsers.SafeFormParser",
    ],
    "EXCEPTION_HANDLER": "forge.envelope.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "forge.throttling.AnonRateThrottle",
        "forge.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("FORGE_THROTTLE_ANON", default="600/min"),
        "user": env.str("FORGE_THROTTLE_USER", default="2400/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Forge API",
    "DESCRIPTION": (
        "Every response is an envelope: `{data, meta, error}`. `meta` carries `request_id`, "
        "`timestamp` and `duration_ms` (plus `pagination` on lists); on failure `data` is null "
        "and `error` is `{code, message, details, retryable}`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "forge.openapi.envelope_postprocessing_hook",
    ],
    "SECURITY": [{"bearerAuth": []}, {"cookieAuth": []}],
    "COMPONENT_SPLIT_REQUEST": True,
    # Two apps have a `category` field with different choices; name each enum.
    "ENUM_NAME_OVERRIDES": {
        "MaterialCategoryEnum": "assets.models.MaterialPresetCategory",
        "ErrorCategoryEnum": "errors.models.ErrorCategory",
        "PipelineStageNameEnum": "pipelines.models.StageName",
        # Pipelines and exports both have a `quality` field with different choices.
        "PipelineQualityEnum": "pipelines.models.PipelineQuality",
        "ExportQualityEnum": "assets.exports.models.ExportQuality",
        "VisibilityEnum": "assets.models.AssetVisibility",
        "HumanoidClipEnum": "pipelines.stages.character.clips.HUMANOID_CLIPS",
    },
}

# DJANGO-Q2: the ORM broker on PostgreSQL, so a job is enqueued in the same
# transaction that writes its pipeline. `retry` is longer than `timeout` so the
# broker never redelivers a job that is still running; the pipeline lease decides.
Q_CLUSTER = {
    "name": "forge",
    "orm": "default",
    "workers": env.int("FORGE_Q_WORKERS", default=2),
    "timeout": env.int("FORGE_Q_TIMEOUT", default=600),
    "retry": env.int("FORGE_Q_RETRY", default=660),
    "max_attempts": 1,
    "ack_failures": True,
    "save_limit": 1000,
    "poll": env.float("FORGE_Q_POLL", default=0.2),
    "catch_up": False,
    "label": "Task queue",
    "sync": env.bool("FORGE_Q_SYNC", default=False),
}

# FORGE
FORGE_PROVIDER = env.str("FORGE_PROVIDER", default="local")
# Generation providers: name -> dotted class path ("name=path,name=path" in the environment);
# only the enabled ones may be chosen for a pipeline. FORGE_PROVIDER is the default choice.
FORGE_PROVIDERS = env.dict(
    "FORGE_PROVIDERS",
    default={
        "local": "pipelines.providers.local.LocalProvider",
        "meshy": "pipelines.providers.meshy.MeshyProvider",
    },
)
FORGE_ENABLED_PROVIDERS = env.list("FORGE_ENABLED_PROVIDERS", default=["local"])

# MESHY: the Meshy provider (docs/providers.md, "Meshy"). The key is required whenever meshy
# is the default or an enabled provider; Forge refuses to start without it.
MESHY_API_KEY = env.str("MESHY_API_KEY", default="")
MESHY_BASE_URL = env.str("MESHY_BASE_URL", default="https://api.meshy.ai")
MESHY_CONNECT_TIMEOUT_SECONDS = env.float("MESHY_CONNECT_TIMEOUT_SECONDS", default=10.0)
MESHY_READ_TIMEOUT_SECONDS = env.float("MESHY_READ_TIMEOUT_SECONDS", default=60.0)
# Polling (when the task's event stream is unavailable): from MIN, x1.5 per poll, up to MAX.
MESHY_POLL_MIN_SECONDS = env.float("MESHY_POLL_MIN_SECONDS", default=2.0)
MESHY_POLL_MAX_SECONDS = env.float("MESHY_POLL_MAX_SECONDS", default=30.0)
# Follow tasks over Server-Sent Events; a quiet stream is reopened after IDLE seconds (so a
# cancel is noticed within IDLE seconds even when Meshy sends nothing).
MESHY_STREAM = env.bool("MESHY_STREAM", default=True)
MESHY_STREAM_IDLE_SECONDS = env.float("MESHY_STREAM_IDLE_SECONDS", default=10.0)
# A task still running after this long fails retryably (and is resumed by the retry).
MESHY_TASK_TIMEOUT_SECONDS = env.float("MESHY_TASK_TIMEOUT_SECONDS", default=3600.0)
# Retries of one request after a 5xx or a network failure (backoff BASE * 2^n with jitter),
# and how long one request keeps waiting out 429s (honouring Retry-After).
MESHY_HTTP_RETRIES = env.int("MESHY_HTTP_RETRIES", default=4)
MESHY_RETRY_BASE_SECONDS = env.float("MESHY_RETRY_BASE_SECONDS", default=1.0)
MESHY_RATE_LIMIT_WAIT_SECONDS = env.float("MESHY_RATE_LIMIT_WAIT_SECONDS", default=600.0)
# Largest result file downloaded (bytes); every GLB is then checked like an upload.
MESHY_DOWNLOAD_MAX_BYTES = env.int("MESHY_DOWNLOAD_MAX_BYTES", default=100 * 1024 * 1024)
# Remote tasks running at once per worker process and per user (0: no cap), held in Redis;
# a crashed worker's slots lapse after SLOT_TTL seconds. Waiting longer than SLOT_WAIT for a
# slot fails the stage retryably.
MESHY_MAX_TASKS_PER_WORKER = env.int("MESHY_MAX_TASKS_PER_WORKER", default=4)
MESHY_MAX_TASKS_PER_USER = env.int("MESHY_MAX_TASKS_PER_USER", default=2)
MESHY_SLOT_TTL_SECONDS = env.float("MESHY_SLOT_TTL_SECONDS", default=120.0)
MESHY_SLOT_WAIT_SECONDS = env.float("MESHY_SLOT_WAIT_SECONDS", default=900.0)
require_provider_keys(
    default=FORGE_PROVIDER, enabled=FORGE_ENABLED_PROVIDERS, meshy_api_key=MESHY_API_KEY
)

# PIPELINES: leases, retries and retention (see docs/pipelines.md).
FORGE_PIPELINE_MAX_ATTEMPTS = env.int("FORGE_PIPELINE_MAX_ATTEMPTS", default=3)
FORGE_PIPELINE_BACKOFF_BASE_SECONDS = env.float("FORGE_PIPELINE_BACKOFF_BASE_SECONDS", default=10.0)
FORGE_PIPELINE_BACKOFF_CAP_SECONDS = env.float("FORGE_PIPELINE_BACKOFF_CAP_SECONDS", default=300.0)
FORGE_PIPELINE_LEASE_SECONDS = env.float("FORGE_PIPELINE_LEASE_SECONDS", default=30.0)
FORGE_PIPELINE_HEARTBEAT_SECONDS = env.float("FORGE_PIPELINE_HEARTBEAT_SECONDS", default=2.0)
FORGE_PIPELINE_QUEUED_EXPIRY_SECONDS = env.int("FORGE_PIPELINE_QUEUED_EXPIRY_SECONDS", default=3600)
FORGE_PIPELINE_RETENTION_DAYS = env.int("FORGE_PIPELINE_RETENTION_DAYS", default=30)
FORGE_PIPELINE_PROGRESS_INTERVAL_SECONDS = env.float(
    "FORGE_PIPELINE_PROGRESS_INTERVAL_SECONDS", default=0.2
)
# Remote tasks (Meshy): a step follows a running remote task this long, then the run is
# parked (queued, worker released) and looked at again after a poll interval that grows
# from MIN to MAX; a negative wait follows every task to its end in the worker.
FORGE_PIPELINE_REMOTE_WAIT_SECONDS = env.float("FORGE_PIPELINE_REMOTE_WAIT_SECONDS", default=5.0)
FORGE_PIPELINE_REMOTE_POLL_MIN_SECONDS = env.float(
    "FORGE_PIPELINE_REMOTE_POLL_MIN_SECONDS", default=5.0
)
FORGE_PIPELINE_REMOTE_POLL_MAX_SECONDS = env.float(
    "FORGE_PIPELINE_REMOTE_POLL_MAX_SECONDS", default=30.0
)
FORGE_REQUEST_ID_MAX_LENGTH = 128
# Gallery lists (see docs/gallery.md): default page size, one cached page boundary every
# N rows, and how long cached counts and boundaries live (a write replaces them anyway).
FORGE_GALLERY_PAGE_SIZE = env.int("FORGE_GALLERY_PAGE_SIZE", default=24)
FORGE_GALLERY_BOUNDARY_EVERY = env.int("FORGE_GALLERY_BOUNDARY_EVERY", default=1000)
FORGE_GALLERY_CACHE_TTL = env.int("FORGE_GALLERY_CACHE_TTL", default=600)
# Exports (see docs/exports.md): FBX runs Blender (`bpy`) in its own venv, made by
# `make blender` (an optional extra); point at another Python with bpy 5.0.1 here.
FORGE_BLENDER_PYTHON = env.str(
    "FORGE_BLENDER_PYTHON", default=str(BASE_DIR / ".venv-blender" / "bin" / "python")
)
FORGE_BLENDER_TIMEOUT_SECONDS = env.float("FORGE_BLENDER_TIMEOUT_SECONDS", default=120.0)
# Export jobs: how many one user may start per window (staff exempt; counted in Redis), how
# long download links and files live, how long export records are kept, and the health
# check's success-rate floor over its window (only once enough runs finished in it).
FORGE_EXPORT_RATE_LIMIT = env.int("FORGE_EXPORT_RATE_LIMIT", default=5)
FORGE_EXPORT_RATE_WINDOW_SECONDS = env.int("FORGE_EXPORT_RATE_WINDOW_SECONDS", default=3600)
FORGE_EXPORT_LINK_DAYS = env.int("FORGE_EXPORT_LINK_DAYS", default=7)
FORGE_EXPORT_RETENTION_DAYS = env.int("FORGE_EXPORT_RETENTION_DAYS", default=180)
# Saved export presets one user may own (the presets list has no pages).
FORGE_EXPORT_PRESETS_MAX = env.int("FORGE_EXPORT_PRESETS_MAX", default=100)
# Characters one user may own (the characters list has no pages either).
FORGE_CHARACTERS_MAX = env.int("FORGE_CHARACTERS_MAX", default=200)
FORGE_HEALTH_SUCCESS_RATE_MIN = env.float("FORGE_HEALTH_SUCCESS_RATE_MIN", default=0.8)
FORGE_HEALTH_SUCCESS_MIN_RUNS = env.int("FORGE_HEALTH_SUCCESS_MIN_RUNS", default=10)
FORGE_HEALTH_SUCCESS_WINDOW_SECONDS = env.int("FORGE_HEALTH_SUCCESS_WINDOW_SECONDS", default=3600)

# EMAIL: the console in development; e.g. smtp+tls://user:pass@smtp.example.com:587 in production.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="forge@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# ERRORS: capture, scrubbing, retention, alerts (docs/errors.md)
FORGE_HOOK_UNHANDLED_EXCEPTION = "errors.capture.capture_unhandled_exception"
FORGE_HOOK_CLIENT_ERROR = "errors.capture.capture_client_error"
# Fragments: any header, field or key whose name contains one is scrubbed (X-Auth,
# Authentication, X-Api-Key, sessionid, ...), not a fixed list of names.
FORGE_ERRORS_SCRUB_KEYS = env.list(
    "FORGE_ERRORS_SCRUB_KEYS",
    default=[
        "auth", "token", "secret", "key", "password", "passwd", "pwd", "session", "cookie",
        "csrf", "credential", "signature",
    ],
)  # fmt: skip
FORGE_ERRORS_CLIENT_ERROR_CODES = env.list(
    "FORGE_ERRORS_CLIENT_ERROR_CODES", default=["rate_limited", "authentication_failed"]
)
FORGE_ERRORS_CLIENT_ERROR_SEVERITY = env.str(
    "FORGE_ERRORS_CLIENT_ERROR_SEVERITY", default="warning"
)
# Recorded codes whose floods fold into one row per group and hour (errors/services/repeats.py).
FORGE_ERRORS_COALESCE_CODES = env.list(
    "FORGE_ERRORS_COALESCE_CODES", default=["authentication_failed", "rate_limited"]
)
FORGE_ERRORS_FINGERPRINT_FRAMES = env.int("FORGE_ERRORS_FINGERPRINT_FRAMES", default=3)
FORGE_ERRORS_RETENTION_DAYS = env.int("FORGE_ERRORS_RETENTION_DAYS", default=90)
FORGE_ERRORS_RETENTION_BATCH = env.int("FORGE_ERRORS_RETENTION_BATCH", default=5000)
FORGE_ERRORS_ALERT_THRESHOLD = env.int("FORGE_ERRORS_ALERT_THRESHOLD", default=50)
FORGE_ERRORS_ALERT_WINDOW_MINUTES = env.int("FORGE_ERRORS_ALERT_WINDOW_MINUTES", default=10)
FORGE_ERRORS_ALERT_COOLDOWN_MINUTES = env.int("FORGE_ERRORS_ALERT_COOLDOWN_MINUTES", default=60)
FORGE_ERRORS_ALERT_MIN_SEVERITY = env.str("FORGE_ERRORS_ALERT_MIN_SEVERITY", default="error")
FORGE_ERRORS_ALERT_EMAILS = env.list("FORGE_ERRORS_ALERT_EMAILS", default=[])

# ERRORS INGEST: the Sentry-compatible endpoints /api/<project>/envelope/ and /store/
# (errors/ingest/, docs/errors.md "Reporting from other services"). Limits on the body as
# sent (compressed) and after decompression, checked while streaming (413 beyond), and on
# one event item. Key lookups are cached this long in each web process (also "no such key"),
# so a revoked key stops working within that time.
FORGE_INGEST_MAX_BODY_BYTES = env.int("FORGE_INGEST_MAX_BODY_BYTES", default=1024 * 1024)
FORGE_INGEST_MAX_DECOMPRESSED_BYTES = env.int(
    "FORGE_INGEST_MAX_DECOMPRESSED_BYTES", default=10 * 1024 * 1024
)
FORGE_INGEST_MAX_EVENT_BYTES = env.int("FORGE_INGEST_MAX_EVENT_BYTES", default=1024 * 1024)
# Deepest nesting of an event's JSON (SDKs trim variables to about 10 levels).
FORGE_INGEST_MAX_JSON_DEPTH = env.int("FORGE_INGEST_MAX_JSON_DEPTH", default=64)
FORGE_INGEST_KEY_CACHE_SECONDS = env.float("FORGE_INGEST_KEY_CACHE_SECONDS", default=30.0)
# Connections each web process keeps for writing accepted events.
FORGE_INGEST_DB_POOL_MAX = env.int("FORGE_INGEST_DB_POOL_MAX", default=8)
# Workers record accepted events in batches of this many; processed raw events are kept
# this long so an event resent with the same ID is not counted twice.
FORGE_INGEST_BATCH_SIZE = env.int("FORGE_INGEST_BATCH_SIZE", default=500)
FORGE_INGEST_KEEP_PROCESSED_HOURS = env.int("FORGE_INGEST_KEEP_PROCESSED_HOURS", default=24)
# The project Forge's own pages report into with the Sentry browser SDK (created by a
# migration); FORGE_INGEST_BROWSER_SDK=off stops the pages from loading the SDK.
FORGE_INGEST_FRONTEND_PROJECT = env.str("FORGE_INGEST_FRONTEND_PROJECT", default="forge-frontend")
FORGE_INGEST_BROWSER_SDK = env.bool("FORGE_INGEST_BROWSER_SDK", default=True)
# OBSERVABILITY: metrics, traces, SLOs (docs/observability.md)
# Prometheus series per request, pipeline, websocket and provider call. In several processes
# (daphne + qcluster workers) set PROMETHEUS_MULTIPROC_DIR to an empty directory shared by all
# of them (the Procfile does); prometheus-client reads it from the environment.
FORGE_METRICS = env.bool("FORGE_METRICS", default=True)
# Who may read /metrics besides staff: a bearer token, and/or addresses or CIDR networks.
FORGE_METRICS_TOKEN = env.str("FORGE_METRICS_TOKEN", default="")
FORGE_METRICS_ALLOWED_ADDRESSES = env.list("FORGE_METRICS_ALLOWED_ADDRESSES", default=[])
# Per-minute request counts and latency buckets in SQL (the SLOs' source): each process adds
# its buffered counts with one upsert at most this often.
FORGE_ACCESS_AGGREGATE_FLUSH_SECONDS = env.float(
    "FORGE_ACCESS_AGGREGATE_FLUSH_SECONDS", default=10.0
)
FORGE_ACCESS_AGGREGATE_RETENTION_DAYS = env.int("FORGE_ACCESS_AGGREGATE_RETENTION_DAYS", default=35)
# OpenTelemetry traces: off unless an OTLP/HTTP collector is named (e.g. http://127.0.0.1:4318).
FORGE_OTEL_ENDPOINT = env.str("FORGE_OTEL_ENDPOINT", default="")
FORGE_OTEL_SERVICE_NAME = env.str("FORGE_OTEL_SERVICE_NAME", default="forge")
# SLOs, computed over 1 h / 24 h / 30 d on the errors overview from SQL rows. Objectives are
# fractions of good events; the latency SLOs count an event good when it is within the bound.
FORGE_SLO_API_AVAILABILITY = env.float("FORGE_SLO_API_AVAILABILITY", default=0.999)
FORGE_SLO_API_LATENCY_MS = env.int("FORGE_SLO_API_LATENCY_MS", default=200)
FORGE_SLO_API_LATENCY_OBJECTIVE = env.float("FORGE_SLO_API_LATENCY_OBJECTIVE", default=0.95)
FORGE_SLO_PIPELINE_SUCCESS = env.float("FORGE_SLO_PIPELINE_SUCCESS", default=0.99)
FORGE_SLO_DRAFT_PIPELINE_SECONDS = env.float("FORGE_SLO_DRAFT_PIPELINE_SECONDS", default=5.0)
FORGE_SLO_DRAFT_PIPELINE_OBJECTIVE = env.float("FORGE_SLO_DRAFT_PIPELINE_OBJECTIVE", default=0.95)
FORGE_SLO_EXPORT_SUCCESS = env.float("FORGE_SLO_EXPORT_SUCCESS", default=0.99)
# Multi-window burn-rate alerts (Google SRE workbook): fast burn when both the 1 h and 5 min
# burn rates exceed FAST; slow burn when both the 6 h and 30 min exceed SLOW. Each SLO and
# rule emails staff at most once per cool-down, through the errors app's alert channel.
FORGE_SLO_FAST_BURN_RATE = env.float("FORGE_SLO_FAST_BURN_RATE", default=14.4)
FORGE_SLO_SLOW_BURN_RATE = env.float("FORGE_SLO_SLOW_BURN_RATE", default=6.0)
FORGE_SLO_ALERT_COOLDOWN_MINUTES = env.int("FORGE_SLO_ALERT_COOLDOWN_MINUTES", default=60)
# Health: a non-critical check of the oldest queued run's age (seconds).
FORGE_HEALTH_QUEUE_AGE_MAX_SECONDS = env.int("FORGE_HEALTH_QUEUE_AGE_MAX_SECONDS", default=300)

# LOGGING: JSON when DEBUG is off, readable in development.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_JSON = env.bool("LOG_JSON", default=not DEBUG)
LOGGING = logging_config(json=LOG_JSON, level=LOG_LEVEL)
CSRF_FAILURE_VIEW = "forge.views.csrf_failure"
WHITENOISE_USE_FINDERS = DEBUG

# CONNECTION BUDGETS (forge/connections.py, docs/scaling.md): how many web (daphne) and worker
# (qcluster) processes share the database, across all machines. `manage.py services_check`
# prints the budget and fails when it exceeds FORGE_PG_MAX_CONNECTIONS (0: the server's
# max_connections minus FORGE_PG_RESERVED_CONNECTIONS, kept for migrations, psql, monitoring);
# system check forge.E010 does the same when FORGE_PG_MAX_CONNECTIONS is set.
FORGE_WEB_PROCESSES = env.int("FORGE_WEB_PROCESSES", default=1)
FORGE_WORKER_PROCESSES = env.int("FORGE_WORKER_PROCESSES", default=1)
FORGE_PG_MAX_CONNECTIONS = env.int("FORGE_PG_MAX_CONNECTIONS", default=0)
FORGE_PG_RESERVED_CONNECTIONS = env.int("FORGE_PG_RESERVED_CONNECTIONS", default=10)
# The web processes' pool size (FORGE_DB_POOL=on, as the Procfile and scripts/cluster.py run them).
FORGE_DB_POOL_MAX = env.int("FORGE_DB_POOL_MAX", default=20)
# PgBouncer in transaction pooling: a transaction may run on any server connection, so nothing
# may outlive one: no server-side cursors (QuerySet.iterator() WITH HOLD cursors vanish), no
# server-side prepared statements (prepare_threshold None; "prepared statement does not exist"),
# and no Django pool in front of it (PgBouncer is the pool; a second one per process only holds
# client slots idle). FORGE_DB_POOL is ignored when this is on.
FORGE_PGBOUNCER = env.bool("FORGE_PGBOUNCER", default=False)
if FORGE_PGBOUNCER:
    for _alias in ("default", "errors"):
        DATABASES[_alias]["DISABLE_SERVER_SIDE_CURSORS"] = True
        _options = {**DATABASES[_alias].get("OPTIONS", {}), "prepare_threshold": None}
        _options.pop("pool", None)
        DATABASES[_alias]["OPTIONS"] = _options
