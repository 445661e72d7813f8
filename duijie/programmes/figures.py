"""Programme figures kept between requests: the values :func:`indicators.batch_values` gives, cached
per reader and per set of (indicator, window), until the next announced write.

A progress page over a city of a million records reads each counted table in full (one query per
record type); the figures only change when records do. Every write service announces what changed
(``core.changes``); any announcement, of any record, replaces the cache's generation token, so the
next read computes afresh — nothing written through a service is ever shown stale. A write that
bypasses the services (a migration, a shell) shows after ``DUIJIE_FIGURE_CACHE_SECONDS`` at the
latest. The drill-down, the API's record ids and issued reports are always computed live.

The token is a fresh random value per announcement rather than a counter, so two processes bumping
at once (the file cache has no atomic increment) can never land on a value a reader already used."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from duijie.core.plugins import Indicator, Window, batch_values

GENERATION_KEY = "programmes:figures:generation"


def generation() -> str:
    """The current generation token (a fresh one if the cache lost it)."""
    token = cache.get(GENERATION_KEY)
    if token is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        token = cache.get(GENERATION_KEY) or ""
    return token


def on_change(change) -> None:
    """``core.changes`` subscriber: any announced write starts a new generation."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def _key(token: str, user, items: Sequence[tuple[Indicator, Window]]) -> str:
    reader = (user.pk, getattr(user, "role", ""), getattr(user, "organisation_id", None))
    what = [(ind.slug, w.start.isoformat(), w.end.isoformat(), w.owner, w.owner_pk) for ind, w in items]
    digest = hashlib.sha256(repr((token, reader, what)).encode()).hexdigest()
    return f"programmes:figures:{digest}"


def values(user, items: Sequence[tuple[Indicator, Window]]) -> tuple[list, datetime]:
    """(``batch_values(user, items)``, when they were computed), from the cache when nothing was
    written since."""
    if not items:
        return [], timezone.now()
    key = _key(generation(), user, items)
    hit = cache.get(key)
    if hit is not None:
        return hit
    got = (batch_values(user, items), timezone.now())
    cache.set(key, got, timeout=settings.DUIJIE_FIGURE_CACHE_SECONDS)
    return got
