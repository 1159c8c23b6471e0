"""Podium's settings: every knob comes from an environment variable (cookiecutter-django style).

With no variables set, Podium runs embedded on one machine: SQLite in WAL mode, Celery over a
broker in a local folder (no server), files in ``var/``. ``DATABASE_URL``, ``CELERY_BROKER_URL``,
``REDIS_URL`` and ``PODIUM_S3_BUCKET`` switch to PostgreSQL, Redis and S3-compatible storage.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from botocore.config import Config as BotoConfig

from podium.config import paths
from podium.config.env import env, env_bool, env_int, env_list
from podium.config.secret_key import key_file_path, load_secret_key
from podium.core import private
from podium.core.mail import email_backend
from podium.ops.logs import logging_config

ROOT_DIR, PLATFORM_DIR, DATA_DIR = paths.ROOT_DIR, paths.PLATFORM_DIR, paths.DATA_DIR
# 0711: others may pass through (the sandbox's uid, to its staging folder), never list it; the
# database, answer keys and secret key inside are Podium's user's only (podium/core/private.py).
private.folder(DATA_DIR, private.SEARCHABLE_FOLDER)

DEBUG = env_bool("DJANGO_DEBUG", False)
# Never a key written here (podium/config/secret_key.py): DJANGO_SECRET_KEY, else this install's
# key file (`make run` makes it), made now with DJANGO_DEBUG=1; else Podium refuses to start.
SECRET_KEY_FILE = key_file_path(DATA_DIR)
SECRET_KEY = load_secret_key(env("DJANGO_SECRET_KEY"), key_file=SECRET_KEY_FILE, debug=DEBUG)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "podium.core",
    "podium.accounts",
    "podium.notifications",
    "podium.competitions",
    "podium.teams",
    "podium.submissions",
    "podium.leaderboards",
    "podium.kernels",
    "podium.discussion",
    "podium.progression",
    "podium.workflows",
    "podium.web",
    "podium.api",
    "podium.kaggle_compat",
    "podium.ops",
    "podium.demo",
    "podium.devserver",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "podium.ops.middleware.RequestContextMiddleware",  # request id, route, latency (first)
    "podium.core.unavailable.DependencyUnavailableMiddleware",  # database/broker away: 503
    "django.middleware.security.SecurityMiddleware",
    "podium.core.csp.ContentSecurityPolicyMiddleware",  # only Podium's own files (core/csp.py)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "podium.accounts.last_seen.LastSeenMiddleware",  # at most one write per user per 5 minutes
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "podium.config.urls"
WSGI_APPLICATION = "podium.config.wsgi.application"

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
            ],
        },
    },
]

# -- database -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'podium.sqlite3'}")
# Health checks: a persistent connection is pinged before a request reuses it, so a restarted
# PostgreSQL costs no failed request on a connection that was idle through the restart.
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web and the worker read while one writes; IMMEDIATE takes the write lock
        # at BEGIN, so a count-then-insert inside atomic() cannot interleave with another one.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# -- cache (throttles, cached boards): shared across processes, never per process --------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# The public boards' cache (leaderboards/cache.py): entries live BOARD_CACHE_SECONDS; after a
# change a board is read again once its cached read is BOARD_CACHE_FRESH_SECONDS old (0: at
# once), so scorings arriving dozens a second do not make every board read a miss.
BOARD_CACHE_SECONDS = env_int("PODIUM_BOARD_CACHE_SECONDS", 60)
BOARD_CACHE_FRESH_SECONDS = env_int("PODIUM_BOARD_CACHE_FRESH_SECONDS", 2)

# -- files ------------------------------------------------------------------------------------
MEDIA_ROOT = Path(env("PODIUM_MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("PODIUM_STATIC_ROOT", str(DATA_DIR / "static")))
# gunicorn serves STATIC_ROOT itself (no extra dependency, works air-gapped); a deployment with a
# proxy in front can serve it there and set PODIUM_SERVE_STATIC=0.
SERVE_STATIC = env_bool("PODIUM_SERVE_STATIC", True)
# Stored files: a local disk by default; PODIUM_S3_BUCKET puts uploads, data files, submissions
# and kernel code and outputs in an S3-compatible store (MinIO, Ceph, AWS) through
# django-storages, and PODIUM_S3_ANSWER_KEY_BUCKET the answer keys in a bucket of their own.
# Every object is private (no ACL: the bucket's policy, which should deny anonymous reads);
# downloads are 302s to presigned URLs valid 5 minutes (core/files.py).
S3_BUCKET = env("PODIUM_S3_BUCKET")
S3_ANSWER_KEY_BUCKET = env("PODIUM_S3_ANSWER_KEY_BUCKET")
S3_OPTIONS = {
    "endpoint_url": env("PODIUM_S3_ENDPOINT_URL") or None,
    "region_name": env("PODIUM_S3_REGION") or None,
    "access_key": env("PODIUM_S3_ACCESS_KEY") or None,
    "secret_key": env("PODIUM_S3_SECRET_KEY") or None,
    "addressing_style": env("PODIUM_S3_ADDRESSING_STYLE", "path"),  # MinIO's default
    "signature_version": "s3v4",
    "default_acl": None,  # never public-read: the object inherits the bucket's (private)
    "querystring_auth": True,  # url() is always presigned
    "querystring_expire": 300,  # as core.files.PRESIGNED_SECONDS: followed at once
    "file_overwrite": False,  # a new name for each upload, as on a local disk
    # Every wait on a stored file is bounded (a kernel's inputs and outputs, an answer key, a
    # download): an S3 that stops answering fails the call after these, and the lease or the
    # reconciler retries it, rather than a worker thread hanging for good.
    # (Given a client_config, django-storages reads no addressing style or signature version
    # of its own: they are said here again.)
    "client_config": BotoConfig(
        s3={"addressing_style": env("PODIUM_S3_ADDRESSING_STYLE", "path")},
        signature_version="s3v4",
        connect_timeout=env_int("PODIUM_S3_CONNECT_TIMEOUT", 5),
        read_timeout=env_int("PODIUM_S3_READ_TIMEOUT", 60),
        retries={"max_attempts": 3, "mode": "standard"},
    ),
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Answer keys and metric code: never under MEDIA and never given a URL.
    "answer_keys": {"BACKEND": "podium.competitions.models.SolutionsStorage"},
}
if (S3_BUCKET or S3_ANSWER_KEY_BUCKET) and bool(S3_OPTIONS["access_key"]) != bool(
    S3_OPTIONS["secret_key"]
):  # half a key pair (compose's default access key, an empty secret) is never right
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "Set both PODIUM_S3_ACCESS_KEY and PODIUM_S3_SECRET_KEY, or neither (the host's role)."
    )
if S3_BUCKET:
    # Downloads are signed for PODIUM_S3_PUBLIC_ENDPOINT_URL, what browsers reach (core/public_s3).
    STORAGES["default"] = {
        "BACKEND": "podium.core.public_s3.PublicEndpointS3Storage",
        "OPTIONS": {
            **S3_OPTIONS,
            "bucket_name": S3_BUCKET,
            "public_endpoint_url": env("PODIUM_S3_PUBLIC_ENDPOINT_URL") or None,
        },
    }
if S3_ANSWER_KEY_BUCKET:
    if S3_ANSWER_KEY_BUCKET == S3_BUCKET:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "PODIUM_S3_ANSWER_KEY_BUCKET must be a bucket of its own, not PODIUM_S3_BUCKET."
        )
    STORAGES["answer_keys"] = {
        "BACKEND": "podium.core.private_s3.PrivateS3Storage",
        "OPTIONS": {**S3_OPTIONS, "bucket_name": S3_ANSWER_KEY_BUCKET},
    }
# The answer keys' folder on a local disk; with PODIUM_S3_ANSWER_KEY_BUCKET, this host's cache
# of the keys it fetched and their prepared (memory-mapped) form (competitions/answer_keys.py).
SOLUTIONS_ROOT = private.folder(Path(env("PODIUM_SOLUTIONS_ROOT", str(DATA_DIR / "solutions"))))
ANSWER_KEY_CACHE_KEEP = env_int("PODIUM_ANSWER_KEY_CACHE_KEEP", 20)  # versions kept per host
# podium_restore refuses an archive that unpacks to more bytes or members than these
# (ops/archive.py; the command's --max-bytes / --max-members): a hostile archive must not fill
# the disk.
RESTORE_MAX_BYTES = env_int("PODIUM_RESTORE_MAX_BYTES", 256 * 1024**3)
RESTORE_MAX_MEMBERS = env_int("PODIUM_RESTORE_MAX_MEMBERS", 2_000_000)
# Stored files (uploads, data files, answer keys, outputs) and their folders: Podium's user only.
FILE_UPLOAD_PERMISSIONS = private.PRIVATE_FILE
FILE_UPLOAD_DIRECTORY_PERMISSIONS = private.PRIVATE_FOLDER
FILE_UPLOAD_HANDLERS = [
    "podium.core.uploads.SizeCappedUploadHandler",  # refuses an oversized upload as it streams
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger uploads stream to a temporary file
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
SUBMISSION_MAX_BYTES = env_int("PODIUM_SUBMISSION_MAX_BYTES", 512 * 1024 * 1024)

# -- auth -------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "web:login"
# API keys a user may hold at once (one per machine or script; each can be rotated or revoked).
API_TOKENS_PER_USER = env_int("PODIUM_API_TOKENS_PER_USER", 10)
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# -- the REST API (podium/api) ------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "podium.api.authentication.ApiTokenAuthentication",  # first: 401s name this scheme
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_THROTTLE_CLASSES": ["podium.api.throttling.PerUserAndAddress"],
    "DEFAULT_PAGINATION_CLASS": "podium.api.pagination.Pagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "EXCEPTION_HANDLER": "podium.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "podium.api.schema.AutoSchema",
    # Throttles count by podium.core.addresses.client_address (PODIUM_PROXIES, below); DRF's own
    # reading of X-Forwarded-For is kept in step for anything else that asks it.
    "NUM_PROXIES": env_int("PODIUM_PROXIES", 0),
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Requests per user and per address (scope -> "N/second|minute|hour|day"); "login" is the
# password-for-key exchange of `podium login`.
API_RATES = {
    "user": env("PODIUM_API_RATE_USER", "1200/minute"),
    "address": env("PODIUM_API_RATE_ADDRESS", "2400/minute"),
    "login": env("PODIUM_API_RATE_LOGIN", "20/minute"),
}
# How many proxies of ours stand before Podium: X-Forwarded-For is believed only that far
# (podium.core.addresses). 0: the socket's address, the header ignored (anyone can write it).
PODIUM_PROXIES = env_int("PODIUM_PROXIES", 0)
# How long a `kaggle competitions submit` upload URL works (kaggle_compat/upload_tokens.py).
KAGGLE_UPLOAD_SECONDS = env_int("PODIUM_KAGGLE_UPLOAD_SECONDS", 3600)
# Guessing limits of credentials (podium.core.limits, podium.accounts.guards): scope -> "N/window"
# (window: second|minute|hour|day or e.g. 10m, 15m, 2h); an empty value switches a scope off.
RATE_LIMITS = {
    # failed sign-ins (web, admin, `podium login`) per address, and per account (a short window:
    # a burst of wrong passwords keeps the real user out for minutes at most)
    "login_address": env("PODIUM_RATE_LOGIN_ADDRESS", "30/10m"),
    "login_account": env("PODIUM_RATE_LOGIN_ACCOUNT", "10/5m"),
    # password-reset requests (each sends mail) per address and per email
    "reset_address": env("PODIUM_RATE_RESET_ADDRESS", "10/hour"),
    "reset_email": env("PODIUM_RATE_RESET_EMAIL", "3/hour"),
    # verification and invitation links that did not work, per address
    "link_address": env("PODIUM_RATE_LINK_ADDRESS", "20/10m"),
    # every kaggle-protocol request per address, and API keys refused there per address
    "kaggle_address": env("PODIUM_RATE_KAGGLE_ADDRESS", "1200/minute"),
    "key_address": env("PODIUM_RATE_KEY_ADDRESS", "30/10m"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Podium API",
    "DESCRIPTION": (
        "Competitions, teams, submissions and leaderboards of a Podium server. Authenticate with "
        "`Authorization: Token <key>` (`Bearer <key>` also works), a key from your profile page "
        "or `podium login`. Every "
        'error is `{"error": {"code", "message", "details"}}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger's groups, in this order (podium.api.schema.TAGS: a view's module names its tag).
    "TAGS": [
        {"name": "competitions", "description": "Competitions, their data files, joining"},
        {"name": "submissions", "description": "Uploading predictions, scores, final selection"},
        {"name": "teams", "description": "Your team: invitations, join and merge requests"},
        {"name": "leaderboards", "description": "The public and private leaderboards"},
        {"name": "kernels", "description": "Runs of code on the server, their logs and files"},
        {"name": "account", "description": "Who you are, signing in, your API keys"},
    ],
    "SWAGGER_UI_DIST": "SIDECAR",  # served from our static files: works air-gapped
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "podium.api.schema.document_errors",
    ],
    # A kernel run's statuses and a submission's are both "status": name them apart.
    "ENUM_NAME_OVERRIDES": {"KernelRunStatusEnum": "podium.api.views.kernels.STATUSES"},
}

# -- email: verification links (and any other mail) go through Django's backend ----------------
# SMTP when DJANGO_EMAIL_HOST (and _PORT, _HOST_USER, _HOST_PASSWORD, _USE_TLS) is set; without
# it the console only with DJANGO_DEBUG=1, else nothing is sent and the log says mail is not
# configured, never a message's link (podium/core/mail.py). DJANGO_EMAIL_BACKEND overrides.
# PODIUM_EMAIL_FILE_DIR (set by `make run`): without SMTP, one file per message there.
EMAIL_FILE_PATH = env("PODIUM_EMAIL_FILE_DIR")
EMAIL_BACKEND = email_backend(
    explicit=env("DJANGO_EMAIL_BACKEND"),
    host=env("DJANGO_EMAIL_HOST"),
    debug=DEBUG,
    file_dir=EMAIL_FILE_PATH,
)
EMAIL_HOST = env("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", "podium@localhost")
# Where users reach Podium, for the links of mail the worker sends without a request to read the
# host from (notifications, the daily digest): e.g. https://podium.example.com.
SITE_URL = env("PODIUM_SITE_URL", "http://localhost:8000").rstrip("/")
# How long an email verification link works (signed and timestamped; nothing is stored).
EMAIL_VERIFICATION_MAX_AGE_SECONDS = env_int(
    "PODIUM_EMAIL_VERIFICATION_MAX_AGE_SECONDS", 3 * 24 * 3600
)

# -- the workers: Celery, scoring, organizer metrics, kernels, the sandbox, beat ----------------
from podium.config.worker_settings import *  # noqa: E402, F403

# -- i18n / time ------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# -- logging: one line per event, to stderr; PODIUM_LOG_FORMAT=json: one JSON object per line,
# with what the line is about (submission_id, request_id, route, task) as fields (ops/logs.py).
LOG_FORMAT = env("PODIUM_LOG_FORMAT", "plain").strip().lower()
LOGGING = logging_config(kind=LOG_FORMAT, level=env("PODIUM_LOG_LEVEL", "INFO"))

# -- operators (podium/ops): /metrics only for these networks (default: loopback), or with
# `Authorization: Bearer <PODIUM_METRICS_TOKEN>`; its counts tell competition activity.
METRICS_ALLOW = env_list("PODIUM_METRICS_ALLOW", "127.0.0.0/8,::1/128")
METRICS_TOKEN = env("PODIUM_METRICS_TOKEN")

SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("PODIUM_BEHIND_PROXY") else None
)

# -- HTTPS: PODIUM_HTTPS=1 where users reach Podium over https (with TLS ended at a proxy, also
# PODIUM_BEHIND_PROXY=1). Plain http is redirected (not /healthz: compose's health check asks
# over http from inside), cookies travel over https only, and HSTS tells browsers to use https
# alone for PODIUM_HSTS_SECONDS. What `manage.py check --deploy` asks for.
HTTPS = env_bool("PODIUM_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]  # probes and scrapes
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("PODIUM_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("PODIUM_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("PODIUM_HSTS_PRELOAD", False)
# security.W021 (no HSTS preload): preloading is asked of browsers for a whole registrable domain
# (the company's, not only Podium's host) by submitting it to hstspreload.org; the domain's owner
# decides that, not Podium's defaults. PODIUM_HSTS_PRELOAD=1 sends the header when they have.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# -- the web UI: sign-up, password reset ---------------------------------------------------------
# Sign-up limited to these email domains (comma separated; a subdomain of one counts); empty:
# anyone may sign up. PODIUM_SIGNUP_OPEN=0 turns sign-up off (accounts made by an admin only).
SIGNUP_EMAIL_DOMAINS = env_list("PODIUM_SIGNUP_EMAIL_DOMAINS")
SIGNUP_OPEN = env_bool("PODIUM_SIGNUP_OPEN", True)
# Competition pages (organizers' Markdown) may show images from and link to these hosts only
# (comma separated, e.g. "wiki.example.com,cdn.example.com"); anything else is dropped. The
# Content-Security-Policy (podium/core/csp.py) lets pages load images from them too.
MARKDOWN_ALLOWED_HOSTS = [host.lower() for host in env_list("PODIUM_MARKDOWN_ALLOWED_HOSTS")]
CONTENT_SECURITY_POLICY_IMG_HOSTS = MARKDOWN_ALLOWED_HOSTS
# Password reset links (Django's auth views) work this long.
PASSWORD_RESET_TIMEOUT = env_int("PODIUM_PASSWORD_RESET_TIMEOUT_SECONDS", 3 * 24 * 3600)

# -- progression (issue 17): Kaggle's numbers; a site may set its own -------------------------
# Tiers from competition medals, best first: the least of each medal a tier needs (a better
# medal counts toward a lesser one's). Below them: Contributor (a scored submission), Novice.
PODIUM_TIERS = {
    "grandmaster": {"gold": 5, "solo_gold": 1},
    "master": {"gold": 1, "silver": 2},
    "expert": {"bronze": 2},
}
# Votes a discussion post or a published kernel needs for each medal.
PODIUM_DISCUSSION_MEDAL_VOTES = {"gold": 10, "silver": 5, "bronze": 1}
PODIUM_KERNEL_MEDAL_VOTES = {"gold": 50, "silver": 20, "bronze": 5}
