"""Production: PostgreSQL, Redis-backed tasks, secrets from the environment (required).

With DJANGO_SECRET_KEY, DATABASE_URL, DJANGO_ALLOWED_HOSTS and DUIJIE_FIELD_KEY set,
`manage.py check --deploy --settings=config.settings.prod` reports no issue (tested).
TLS is terminated by the reverse proxy, which must set X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from config.settings import *  # noqa: F403
from config.settings import DEV_FIELD_KEY, DUIJIE_FIELD_KEY, SECRET_KEY, env_bool

DEBUG = False
if SECRET_KEY.startswith("dev-insecure"):
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY in production.")
if DUIJIE_FIELD_KEY == DEV_FIELD_KEY:
    raise ImproperlyConfigured("Set DUIJIE_FIELD_KEY (base64 of 32 random bytes) in production.")
if "DATABASE_URL" not in os.environ:
    raise ImproperlyConfigured("Set DATABASE_URL (PostgreSQL) in production.")

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# The API takes personal tokens and sessions; HTTP Basic only where DUIJIE_API_BASIC_AUTH=1 is set (as in
# every settings), and never for accounts that need a second factor. Several hosts: set REDIS_URL so the
# login and Basic-failure counters are shared (config/settings, CACHES).
