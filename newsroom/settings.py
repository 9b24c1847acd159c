"""Settings for Newsroom Explainers, read from the environment.

Development defaults are safe and need nothing set (SQLite in the project folder,
local-memory cache). With DJANGO_DEBUG=0 the project refuses to start without a real
secret key and allowed hosts.
"""

import datetime
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from newsroom.client_address import trusted_networks
from newsroom.env import content_languages, env_bool, env_list, env_str
from newsroom.media_storage import media_storage
from newsroom.release import code_release

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = env_str("DJANGO_SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)

if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set to a long random value.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must name the hosts this site serves.")

# Production is secure by default: with DEBUG off, HTTPS only, secure cookies and HSTS.
# DJANGO_SECURE_SSL_REDIRECT=0 serves plain HTTP (loopback runs such as `make bench`).
# Behind a proxy that terminates TLS, DJANGO_SECURE_PROXY_SSL_HEADER names the header it
# sets and its value, e.g. "HTTP_X_FORWARDED_PROTO,https" (only if the proxy overwrites
# that header on every request).
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers check over plain HTTP
_PROXY_SSL_HEADER = env_list("DJANGO_SECURE_PROXY_SSL_HEADER", default=[])
if _PROXY_SSL_HEADER:
    if len(_PROXY_SSL_HEADER) != 2 or not _PROXY_SSL_HEADER[0].startswith("HTTP_"):
        raise ImproperlyConfigured(
            "DJANGO_SECURE_PROXY_SSL_HEADER must be 'HTTP_<HEADER>,<value>', "
            "e.g. 'HTTP_X_FORWARDED_PROTO,https'."
        )
    SECURE_PROXY_SSL_HEADER = tuple(_PROXY_SSL_HEADER)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = int(
    env_str("DJANGO_SECURE_HSTS_SECONDS", default="0" if DEBUG else str(365 * 24 * 3600))
)
# includeSubDomains and preload bind every subdomain and the browsers' built-in lists for
# a long time and are hard to undo, so a deployment opts in; the two check warnings that
# they are off (security.W005, security.W021) are silenced for that reason.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# No inline script anywhere (reader pages carry JSON-LD, a data block, not a script).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "newsroom.apps.LegalPagesConfig",  # django.contrib.flatpages, with German names
    "django.contrib.sitemaps",
    "csp",
    "axes",
    "reversion",
    "adminsortable2",
    "django_htmx",  # htmx for the change page's live preview, served from static files
    "rest_framework",  # the read API (explainers/api/, docs/api.md)
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files for /api/docs/, served from static files
    "corsheaders",
    "explainers",
    "explainers.reader",  # the reader side's subscriptions to the domain's signals
    "explainers.bake",  # optional: the static copy (manage.py bake) and its re-bakes
]

# Held reader pages are answered by newsroom.held_pages, inside the request log, the HTTPS
# redirect, HSTS and the CSP; anonymous readers skip the desk's sessions, logins and
# messages (newsroom/desk_layers.py).
MIDDLEWARE = [
    "newsroom.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "newsroom.csp.ConstantCSPMiddleware",
    "newsroom.held_pages.HeldPagesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "newsroom.desk_layers.DeskSessionMiddleware",
    "newsroom.reader_locale.ReaderLocaleMiddleware",
    "newsroom.nul_guard.RefuseNulMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # /api/ only (CORS_URLS_REGEX)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "newsroom.desk_layers.DeskAuthenticationMiddleware",
    "explainers.desk.admin_language.AdminLanguageMiddleware",
    "newsroom.desk_layers.DeskMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.media",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "explainers.reader.context_processors.site",
            ],
        },
    },
]

# SQLite is set up for a server with several workers: WAL lets readers go on while one
# writer writes, IMMEDIATE takes the write lock at BEGIN (no upgrade deadlock), and the
# timeout makes a second writer wait instead of failing with "database is locked".
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env_str("DJANGO_CONN_MAX_AGE", default="60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

_REDIS_URL = env_str("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _REDIS_URL}
        if _REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            # two rendered fragments per explainer page and language
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]  # of the interface (UI), translated
# Languages explainers are written in, apart from the interface's: a translation of an
# explainer may be in any of them (NEWSROOM_CONTENT_LANGUAGES, codes Django knows).
CONTENT_LANGUAGES = content_languages(
    env_list("NEWSROOM_CONTENT_LANGUAGES", default=["de", "en"]), LANGUAGE_CODE
)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
FORMAT_MODULE_PATH = ["newsroom.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Lead images (explainers/domain/images.py): larger files or more pixels are refused at upload.
IMAGE_MAX_BYTES = int(env_str("IMAGE_MAX_BYTES", default=str(10_000_000)))
IMAGE_MAX_PIXELS = int(env_str("IMAGE_MAX_PIXELS", default=str(40_000_000)))
# MEDIA_STORAGE=s3 keeps media in S3-compatible object storage (newsroom/media_storage.py).
STORAGES = {
    "default": media_storage(),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1

# An explainer with 100 questions and their sources posts a few thousand fields.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

LOGIN_URL = "admin:login"

# Guessing passwords: after 5 failed logins for one user name from one address, that
# pair is locked out for an hour (django-axes); a successful login resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False  # its start-up banner would end up in commands' output
# The client is REMOTE_ADDR, unless that is one of these proxy networks (CIDRs, e.g. nginx
# on this host: 127.0.0.1/32): then the rightmost X-Forwarded-For address not among them.
# Only these proxies may also pass on an X-Request-ID. Empty: trust no proxy.
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES", default=[])
trusted_networks(TRUSTED_PROXIES)  # an invalid network stops the start
AXES_CLIENT_IP_CALLABLE = "newsroom.client_address.client_address"
# The old knob counted proxies and trusted whatever stood that far left; it is refused by
# a system check (newsroom/checks.py) instead of being silently ignored.
LEGACY_PROXY_COUNT = env_str("DJANGO_PROXY_COUNT")

# The demo desk login written by `load_demo` (development database only).
DEMO_LOGIN_FILE = BASE_DIR / "demo-login.txt"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # One line per event on stdout, each with the id of the request it belongs to.
    "filters": {"request_id": {"()": "newsroom.request_log.RequestIdFilter"}},
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # our own line per request replaces Django's warnings for 4xx
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}

RELEASE = code_release(BASE_DIR)

# The publisher, for page furniture and structured data (schema.org NewsArticle).
PUBLISHER_NAME = env_str("PUBLISHER_NAME", default="Newsroom Erklärstücke")
PUBLISHER_LOGO = env_str("PUBLISHER_LOGO", default="explainers/logo.png")  # a static path

# Who may show a question card (/explainers/<slug>/frage/<key>/) in a frame: the sources of
# its `frame-ancestors` (space-separated; newsroom/csp.py). Every other page refuses frames.
EMBED_FRAME_ANCESTORS = env_str("EMBED_FRAME_ANCESTORS", default="*").split()
if not EMBED_FRAME_ANCESTORS or any(
    char in source for source in EMBED_FRAME_ANCESTORS for char in ';,"\\'
):
    raise ImproperlyConfigured(
        'EMBED_FRAME_ANCESTORS: space-separated CSP sources, e.g. "https://partner.example"'
    )

# Reader pages may be served from a CDN cache for this long, and stale while it renews.
READER_CACHE_SECONDS = int(env_str("READER_CACHE_SECONDS", default="60"))
# ... and this long while the app answers errors (the database is down): caches in front
# (stale-if-error, Varnish's grace) and each worker's held pages (newsroom/held_pages.py).
_stale_if_error = env_str("READER_STALE_IF_ERROR_SECONDS", default="86400").strip()
if not (_stale_if_error.isascii() and _stale_if_error.isdigit()):
    raise ImproperlyConfigured("READER_STALE_IF_ERROR_SECONDS must be whole seconds, 0 or more.")
READER_STALE_IF_ERROR_SECONDS = int(_stale_if_error)
# Each worker holds whole reader pages this long (readers are promised a new publication
# within two seconds); publishing, withdrawing and redacting drop them at once through
# the reader signal: a file on one host (READER_SIGNAL_FILE, default in the temp folder
# named after the database), the shared cache when REDIS_URL is set.
# NEWSROOM_READER_CACHE=0 switches page caching off (the benchmark's cold measurement).
READER_CACHE = env_bool("NEWSROOM_READER_CACHE", default=True)
# Unsaved change forms kept by autosave this many days (explainers/domain/drafts.py).
NEWSROOM_DRAFT_DAYS = int(env_str("NEWSROOM_DRAFT_DAYS", default="14"))
if NEWSROOM_DRAFT_DAYS < 1:
    raise ImproperlyConfigured("NEWSROOM_DRAFT_DAYS must be at least 1.")
READER_HOLD_SECONDS = float(env_str("READER_HOLD_SECONDS", default="1"))
if not 0 <= READER_HOLD_SECONDS <= 2:
    raise ImproperlyConfigured("READER_HOLD_SECONDS must be between 0 and 2 (the promise).")
# At most this many bytes of held pages per worker (least recently used go first).
READER_HOLD_BYTES = int(env_str("READER_HOLD_BYTES", default=str(64 * 1024 * 1024)))
READER_SIGNAL_FILE = env_str("READER_SIGNAL_FILE", default="")
READER_SIGNAL_SHARED = bool(_REDIS_URL)
# Caches in front (Varnish, a CDN) that accept bans (deploy/varnish/newsroom.vcl): after
# every change readers may see, each gets a BAN for the changed pages (explainers/reader/purge.py).
CACHE_PURGE_URLS = env_list("CACHE_PURGE_URLS", default=[])
for _endpoint in CACHE_PURGE_URLS:
    if not _endpoint.startswith(("http://", "https://")):
        raise ImproperlyConfigured(
            f"CACHE_PURGE_URLS: {_endpoint!r} is not an http:// or https:// address."
        )
CACHE_PURGE_TIMEOUT = float(env_str("CACHE_PURGE_TIMEOUT", default="2"))
# The ban is sent again this many seconds later (0: once), for a page a cache began to
# fetch before the change and stored after the first ban.
CACHE_PURGE_REPEAT_SECONDS = float(env_str("CACHE_PURGE_REPEAT_SECONDS", default="10"))
# A folder baked by `manage.py bake`: publishing, withdrawing and redacting re-bake it.
BAKE_DIR = env_str("BAKE_DIR", default="")

# The public read API (explainers/api/, docs/api.md): anonymous, read-only, JSON.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "explainers.api.problems.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom Explainers API",
    "DESCRIPTION": "Published explainers, their versions and diffs (read-only). See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Origins (scheme://host[:port], comma-separated) whose scripts may read the API; empty: none.
CORS_ALLOWED_ORIGINS = env_list("API_CORS_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_EXPOSE_HEADERS = ("ETag", "Last-Modified")

# Benchmarks only (bench/): serve the benchmark's URLconf, which adds the trivial "floor"
# view the reader pages are measured against. Off unless set.
if env_bool("NEWSROOM_BENCH_FLOOR", default=False):
    ROOT_URLCONF = "bench.urls"

# The public address (scheme://host[:port]) of every absolute URL: canonical links, feeds,
# sitemap, JSON-LD, "view on site", purge, publish_due. Required with DEBUG off (system
# check explainers.E001); in development the request's host is used.
from explainers.domain.public_urls import clean_base_url, clean_tag_authority  # noqa: E402

PUBLIC_BASE_URL = clean_base_url(_raw) if (_raw := env_str("PUBLIC_BASE_URL")) else ""
# The authority of the feeds' `tag:` ids (RFC 4151: a domain and a date it was yours).
# Set it once and never change it: every entry id changes with it. It does not follow
# PUBLIC_BASE_URL, so moving the site keeps the ids.
FEED_TAG_AUTHORITY = clean_tag_authority(
    env_str("FEED_TAG_AUTHORITY", default="newsroom-explainers.invalid,2026")
)
