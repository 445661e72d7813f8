"""A per-IP rate limit on login attempts (in front of django-axes' per-account lockout)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from duijie.core.audit import client_ip


def login_allowed(request) -> bool:
    """At most DUIJIE_LOGIN_RATE_PER_MINUTE login POSTs per client IP and minute (0: no limit)."""
    limit = settings.DUIJIE_LOGIN_RATE_PER_MINUTE
    if not limit:
        return True
    window = int(timezone.now().timestamp() // 60)
    key = f"duijie-login-rate:{client_ip(request)}:{window}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count <= limit
