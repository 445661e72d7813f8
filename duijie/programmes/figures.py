"""Programme figures kept between requests: the values :func:`indicators.batch_values` gives, cached
per reader and per figure (indicator, window), until the next announced write.

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
import time
import uuid
from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from duijie.core.plugins import Indicator, Window, batch_values

GENERATION_KEY = "programmes:figures:generation"
READERS_KEY = "programmes:figures:readers"
READERS_KEPT = 50  # the readers a write's warm-up computes figures for (the most recent)
READER_NOTED_SECONDS = 600  # a reader seen again within this is not written down again


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


def _reader(user) -> tuple:
    return (user.pk, getattr(user, "role", ""), getattr(user, "organisation_id", None))


def _key(token: str, reader: tuple, item: tuple[Indicator, Window]) -> str:
    ind, w = item
    what = (ind.slug, w.start.isoformat(), w.end.isoformat(), w.owner, w.owner_pk)
    digest = hashlib.sha256(repr((token, reader, what)).encode()).hexdigest()
    return f"programmes:figures:{digest}"


def values(user, items: Sequence[tuple[Indicator, Window]]) -> tuple[list, datetime]:
    """(``batch_values(user, items)``, when the oldest of them was computed): each figure from the
    cache when nothing was written since it was computed, the others computed together (one query
    per record type) and kept. Cached per figure, so a page for one period, one unit or one
    programme reads what :func:`progress.recompute` (every programme at once) computed."""
    if not items:
        return [], timezone.now()
    token, reader = generation(), _reader(user)
    keys = [_key(token, reader, item) for item in items]
    hits = cache.get_many(keys)
    missing = [i for i, k in enumerate(keys) if k not in hits]
    if missing:
        now = timezone.now()
        computed = batch_values(user, [items[i] for i in missing])
        fresh = {keys[i]: (v, now) for i, v in zip(missing, computed, strict=True)}
        cache.set_many(fresh, timeout=settings.DUIJIE_FIGURE_CACHE_SECONDS)
        hits.update(fresh)
    got = [hits[k] for k in keys]
    return [v for v, _at in got], min(at for _v, at in got)


def note_reader(user) -> None:
    """Remember that ``user`` reads programme figures (a progress page), so the warm-up after a write
    computes theirs before they ask (``programmes.tasks``); the most recent :data:`READERS_KEPT`
    readers of the last :setting:`DUIJIE_FIGURE_WARMUP_DAYS` days are kept."""
    now = time.time()
    readers = _readers(now)
    if readers.get(user.pk, 0) > now - READER_NOTED_SECONDS:
        return
    readers[user.pk] = now
    kept = sorted(readers, key=readers.__getitem__, reverse=True)[:READERS_KEPT]
    cache.set(READERS_KEY, {pk: readers[pk] for pk in kept}, timeout=None)


def recent_readers() -> list[int]:
    """The user ids :func:`note_reader` kept, most recent first."""
    readers = _readers(time.time())
    return sorted(readers, key=readers.__getitem__, reverse=True)


def _readers(now: float) -> dict[int, float]:
    """Reader id → when last noted, for the readers noted within ``DUIJIE_FIGURE_WARMUP_DAYS``."""
    since = now - settings.DUIJIE_FIGURE_WARMUP_DAYS * 86400
    return {pk: at for pk, at in (cache.get(READERS_KEY) or {}).items() if at > since}
