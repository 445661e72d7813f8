"""Production: PostgreSQL, Redis-backed tasks, secrets from the environment (required)."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.settings import *  # noqa: F403
from config.settings import DEV_FIELD_KEY, DUIJIE_FIELD_KEY, SECRET_KEY

DEBUG = False
if SECRET_KEY.startswith("dev-insecure"):
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY in production.")
if DUIJIE_FIELD_KEY == DEV_FIELD_KEY:
    raise ImproperlyConfigured("Set DUIJIE_FIELD_KEY (base64 of 32 random bytes) in production.")
if "DATABASE_URL" not in os.environ:
    raise ImproperlyConfigured("Set DATABASE_URL (PostgreSQL) in production.")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
