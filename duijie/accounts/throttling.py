"""Counters of login attempts and failures, in the shared cache (config/settings: Redis when REDIS_URL
is set, else a file cache every web process of the host shares): a per-process counter would let each
gunicorn worker grant its own quota (the review saw the 37th attempt refused instead of the 21st).

- ``login_allowed``: at most DUIJIE_LOGIN_RATE_PER_MINUTE login POSTs per client IP and minute, in
  front of django-axes' per-account lockout (its counts are database rows, shared too);
- ``basic_refused`` / ``basic_failed``: HTTP Basic on the API (when enabled) — failures per client IP
  and minute (the same rate) and per username (DUIJIE_LOCKOUT_FAILURES per DUIJIE_LOCKOUT_MINUTES),
  checked before any password is.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from duijie.core.audit import client_ip


@contextmanager
def _host_lock():
    """Serialises read-modify-write of counters between the processes of one host, for cache
    backends without an atomic increment that keeps the expiry (file, database)."""
    # One lock file whatever has happened yet: choosing the temp directory while the cache directory
    # did not exist gave the first process a different lock than the next (CI saw 21 of 20 allowed).
    conf = settings.CACHES["default"]
    directory = conf.get("LOCATION") if conf["BACKEND"].endswith("FileBasedCache") else None
    directory = directory or tempfile.gettempdir()
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, ".duijie-counters.lock"), "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _native(backend) -> bool:
    return isinstance(backend, (RedisCache, LocMemCache))  # atomic incr that keeps the expiry


def hit(key: str, timeout: int) -> int:
    """Add one to the counter ``key`` (created expiring after ``timeout`` seconds); the new count.
    Atomic across processes sharing the cache."""
    if _native(cache):
        cache.add(key, 0, timeout=timeout)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=timeout)
            return 1
    with _host_lock():
        now = time.time()
        count, expires = cache.get(key) or (0, 0.0)
        if expires <= now:
            count, expires = 0, now + timeout
        count += 1
        cache.set(key, (count, expires), timeout=max(1, int(expires - now + 1)))
        return count


def count(key: str) -> int:
    value = cache.get(key)
    if value is None:
        return 0
    if _native(cache):
        return int(value)
    c, expires = value
    return c if expires > time.time() else 0


def _minute(now: float | None) -> int:
    return int((time.time() if now is None else now) // 60)


def login_allowed(request, now: float | None = None) -> bool:
    """At most DUIJIE_LOGIN_RATE_PER_MINUTE login POSTs per client IP and minute (0: no limit)."""
    limit = settings.DUIJIE_LOGIN_RATE_PER_MINUTE
    if not limit:
        return True
    return hit(f"duijie-login-rate:{client_ip(request)}:{_minute(now)}", timeout=120) <= limit


def _basic_keys(request, username: str) -> tuple[str, str]:
    return (f"duijie-basic-fail-ip:{client_ip(request)}:{_minute(None)}",
            f"duijie-basic-fail-user:{username.lower()}")


def basic_refused(request, username: str) -> bool:
    """Too many recent Basic failures from this address, or for this username."""
    ip_key, user_key = _basic_keys(request, username)
    ip_limit, user_limit = settings.DUIJIE_LOGIN_RATE_PER_MINUTE, settings.DUIJIE_LOCKOUT_FAILURES
    return bool((ip_limit and count(ip_key) >= ip_limit) or (user_limit and count(user_key) >= user_limit))


def basic_failed(request, username: str) -> None:
    ip_key, user_key = _basic_keys(request, username)
    hit(ip_key, timeout=120)
    hit(user_key, timeout=settings.DUIJIE_LOCKOUT_MINUTES * 60)
