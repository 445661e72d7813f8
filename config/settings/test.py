"""Test settings. TEST_DB=sqlite (default) or TEST_DB=postgres.

The PostgreSQL database name derives from the checkout path, so two checkouts can run the
suite at once on one server. TEST_DATABASE_URL overrides the server/credentials.
"""

import hashlib
import os
import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR

CHECKOUT_ID = hashlib.sha1(str(BASE_DIR).encode(), usedforsecurity=False).hexdigest()[:8]

if os.environ.get("TEST_DB", "sqlite") == "postgres":
    import dj_database_url

    _url = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    DATABASES = {"default": dj_database_url.parse(_url)}
    DATABASES["default"]["TEST"] = {"NAME": f"test_duijie_{CHECKOUT_ID}"}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Matching: lexical-only by default (tests that need vectors switch the encoder on); a private index
# directory per test process (matching tests use their own tmp_path).
DUIJIE_MATCH_ENCODER = "none"
DUIJIE_MATCH_DIR = Path(os.environ.get("DUIJIE_MATCH_DIR") or tempfile.mkdtemp(prefix="duijie-match-test-"))
DUIJIE_FIELD_KEY = "dGVzdC1maWVsZC1rZXktZm9yLWR1aWppZS10ZXN0cyE="  # fixed test key
DEBUG = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
REDIS_PREFIX = f"duijie-test-{CHECKOUT_ID}"
# One process per test run: the in-memory cache (cleared before each test). The shared caches of the
# real settings are exercised by accounts/tests/test_shared_counters.py in separate processes.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Background tasks run at once in tests; the tests that start a real worker switch TASKS and use a
# queue of their own (an RQ queue is a Redis list by name: checkouts sharing a Redis must not share it).
DUIJIE_TASKS_QUEUE = f"duijie-test-{CHECKOUT_ID}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
TASK_QUEUES = list(dict.fromkeys(["default", DUIJIE_TASKS_QUEUE, "match-interactive", "match-bulk"]))
RQ_QUEUES = {name: {"URL": REDIS_URL} for name in TASK_QUEUES}  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": TASK_QUEUES}}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# The live server (browser tests) serves static files through WhiteNoise straight from the finders,
# whatever DEBUG is and without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The whole authentication policy stays on in tests (lockout, second factor, rotation); only the
# rates are raised so that the API fuzzing and the many logins of the suite are not throttled.
# Client.force_login (no password, no second factor) is a test shortcut: conftest marks such
# sessions as having passed the second factor too.
AXES_ENABLED = True
DUIJIE_LOGIN_RATE_PER_MINUTE = 10000
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"}}  # noqa: F405
