"""Writes of the matching app: marking records dirty, refreshing and rebuilding the index,
logging impressions and feedback.

Lanes: an interactive edit marks its record on the ``interactive`` lane and enqueues the refresh on
the ``match-interactive`` queue; imports and rebuilds use the ``bulk`` lane and the ``match-bulk``
queue. A worker on each queue (README, "Matching") means a 100k-row backfill never sits in front
of a single edit: the interactive refresh only takes interactive rows. Both lanes write through
``store.writing()`` (one writer at a time, each holding the lock for one batch).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import os
import secrets
import socket
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from typing import Any

import numpy as np
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Model
from django.utils import timezone
from django_tasks import task

from duijie.matching import declarations, documents, qvectors, store, visibility
from duijie.matching.models import (
    DirtyRecord,
    Feedback,
    Impression,
    IrrelevantReason,
    Lane,
    VectorClaim,
    Verdict,
)
from matchkit import Index, lead_text

log = logging.getLogger(__name__)

QUEUES = {Lane.INTERACTIVE: "match-interactive", Lane.BULK: "match-bulk"}


def batch_size() -> int:
    return int(getattr(settings, "DUIJIE_MATCH_BATCH", 500))


# ------------------------------------------------------------------ marking dirty
def _schedule(lane: str) -> None:
    """Enqueue a refresh for ``lane`` after the current transaction commits. Not de-duplicated: the
    task takes whatever is dirty, so extra ones find nothing and return at once."""
    if not getattr(settings, "DUIJIE_MATCH_AUTO_REFRESH", True):
        return

    def enqueue() -> None:
        (refresh_interactive if lane == Lane.INTERACTIVE else refresh_bulk).enqueue()

    transaction.on_commit(enqueue)


def mark_dirty(model: type[Model], pks: Iterable[Any], *, lane: str = Lane.INTERACTIVE) -> int:
    """Mark records of ``model`` for the index. Interactive marks win over bulk ones."""
    if declarations.for_model(model) is None:
        return 0
    label = model._meta.label
    rows = [DirtyRecord(model=label, object_id=str(pk), lane=lane, marked_at=timezone.now()) for pk in pks]
    if not rows:
        return 0
    for s in range(0, len(rows), 2000):
        chunk = rows[s:s + 2000]
        if lane == Lane.INTERACTIVE:
            DirtyRecord.objects.bulk_create(chunk, update_conflicts=True, unique_fields=["model", "object_id"],
                                            update_fields=["lane", "marked_at"])
        else:
            DirtyRecord.objects.bulk_create(chunk, ignore_conflicts=True)
    _schedule(lane)
    return len(rows)


def drop_now(model: type[Model], pks: Iterable[Any]) -> int:
    """Remove records of ``model`` from the stored index at once, in this process (an expert's
    opt-out or erasure: the page promises it, so it does not wait for a worker). Returns how many
    were in the index."""
    decl = declarations.for_model(model)
    if decl is None or store.current_version() is None:
        return 0
    ids = [documents.record_id(decl.kind, pk) for pk in pks]
    with store.writing() as idx:
        present = [i for i in ids if i in idx]
        if present:
            idx.remove(present)
            store.publish(idx)
    return len(present)


# ------------------------------------------------------------------ refreshing
def refresh(*, lane: str | None = Lane.INTERACTIVE, limit: int | None = None) -> dict[str, int]:
    """Apply up to ``limit`` (default one batch) dirty rows of ``lane`` (None: any lane) to the index
    and publish a new version. Records are searchable lexically at once; their vectors come from
    :func:`encode_pending`. Returns counts; ``left`` > 0 means another call has work."""
    limit = limit or batch_size()
    qs = DirtyRecord.objects.all() if lane is None else DirtyRecord.objects.filter(lane=lane)
    rows = list(qs.order_by("marked_at", "pk")[:limit])
    if not rows:
        return {"added": 0, "removed": 0, "left": 0}
    by_model: dict[str, list[DirtyRecord]] = defaultdict(list)
    for r in rows:
        by_model[r.model].append(r)
    added, removed = [], []
    for label, items in by_model.items():
        decl = declarations.for_model(apps.get_model(label))
        if decl is None:
            continue
        recs, gone = documents.build_many(decl, [r.object_id for r in items])
        added += recs
        removed += gone
    with store.writing() as idx:
        if removed:
            idx.remove(removed)
        if added:
            idx.add(added, encode=False)
        store.publish(idx)
        pending = len(idx.pending()) if idx.encoder is not None else 0
    # Delete what was applied, unless it was marked again meanwhile (a newer stamp stays dirty).
    for r in rows:
        DirtyRecord.objects.filter(pk=r.pk, marked_at=r.marked_at).delete()
    left = qs.count()
    enqueue_encoding(pending)
    return {"added": len(added), "removed": len(removed), "left": left}


def encode_jobs() -> int:
    """How many encoding jobs to keep queued (``DUIJIE_MATCH_ENCODE_JOBS``, default 2): one per bulk
    worker that should encode in parallel."""
    return max(1, int(getattr(settings, "DUIJIE_MATCH_ENCODE_JOBS", 2)))


def encode_chunk() -> int:
    """Records one encoding job takes (``DUIJIE_MATCH_ENCODE_CHUNK``, default 256: ~25 s of encoding)."""
    return max(1, int(getattr(settings, "DUIJIE_MATCH_ENCODE_CHUNK", 256)))


def enqueue_encoding(pending: int, *, limit: int | None = None) -> int:
    """Enqueue jobs for ``pending`` records without a vector: one per chunk of ``limit`` (default
    :func:`encode_chunk`), at most :func:`encode_jobs` (each job re-enqueues itself while unclaimed
    rows are left). Returns how many."""
    limit = limit or encode_chunk()
    if not pending or not getattr(settings, "DUIJIE_MATCH_AUTO_REFRESH", True):
        return 0
    n = min(encode_jobs(), -(-pending // limit))
    for _ in range(n):
        encode_pending_task.enqueue()
    return n


def _claim_key(record_id: str, lead: str) -> str:
    return hashlib.sha1(f"{record_id}\x00{lead}".encode(), usedforsecurity=False).hexdigest()


def _worker_name() -> str:
    """host:parent pid>pid:random — an RQ worker runs each job in a forked child, so the parent names the
    worker and the child the job."""
    return f"{socket.gethostname()[:40]}:{os.getppid()}>{os.getpid()}:{secrets.token_hex(4)}"


def claim(candidates: Iterable[tuple[str, str]], *, limit: int, worker: str) -> list[str]:
    """Claim up to ``limit`` of ``candidates`` ((record id, claim key), in order; read a window at a
    time) that no worker holds a live claim on; returns the record ids this worker now holds. Safe
    between processes and hosts (the key is unique in the database: of two workers inserting one key,
    one gets it)."""
    ttl = float(getattr(settings, "DUIJIE_MATCH_CLAIM_SECONDS", 900))
    now = timezone.now()
    VectorClaim.objects.filter(claimed_at__lt=now - timedelta(seconds=ttl)).delete()  # crashed or done long ago
    mine: list[str] = []
    it = iter(candidates)
    while window := list(itertools.islice(it, 4 * limit)):
        held = set(VectorClaim.objects.filter(key__in=[k for _, k in window]).values_list("key", flat=True))
        free = [(rid, k) for rid, k in window if k not in held][: limit - len(mine)]
        if not free:
            continue
        VectorClaim.objects.bulk_create([VectorClaim(key=k, worker=worker, claimed_at=now) for _, k in free],
                                        ignore_conflicts=True)
        got = set(VectorClaim.objects.filter(key__in=[k for _, k in free], worker=worker).values_list("key", flat=True))
        mine += [rid for rid, k in free if k in got]
        if len(mine) >= limit:
            break
    return mine


def encode_pending(*, limit: int | None = None) -> int:
    """Compute passage vectors for up to ``limit`` records that have none and that no other worker
    claimed (:class:`VectorClaim`), outside the writer lock (encoding is slow: ~0.1 s per record
    here), then store those whose text is unchanged. Several workers can run it at once: each encodes
    its own chunk (``limit``, default :func:`encode_chunk`). Re-enqueues itself while unclaimed rows are
    left; returns how many vectors it wrote."""
    limit = limit or encode_chunk()
    idx = store.get_index() if store.current_version() else None
    enc = store.encoder()
    if idx is None or enc is None:
        return 0
    if idx.encoder is None or getattr(idx.encoder, "name", None) != enc.name:
        # built lexical-only or by another encoder: the writer carries the records over first
        with store.writing() as widx:
            store.publish(widx)
        idx = store.get_index()
    pending = store_pending(idx)
    if not pending:
        return 0
    leads: dict[str, str] = {}

    def candidates() -> Iterator[tuple[str, str]]:  # keyed by the text encoded, computed window by window
        for rid in pending:
            r = idx.get(rid)
            leads[rid] = lead_text(r.title, r.text, idx.lead_chars)
            yield rid, _claim_key(rid, leads[rid])

    ids = claim(candidates(), limit=limit, worker=_worker_name())
    if not ids:
        return 0
    if len(pending) > len(ids):  # rows are left: another job takes the next chunk (others may too)
        enqueue_encoding(1, limit=limit)
    records = [idx.get(i) for i in ids]
    texts = [leads[i] for i in ids]
    vectors = enc.encode_passages(texts)
    # The query side too, for records that are queries (their pages' panels then never encode).
    asking = [t for r, t in zip(records, texts, strict=True) if r.kind in qvectors.QUERY_KINDS
              and qvectors.get(enc.name, t) is None]
    for text, vector in zip(asking, enc.encode_queries(asking) if asking else [], strict=True):
        qvectors.put(enc.name, text, vector)
    with store.writing() as widx:
        keep, vecs = [], []
        waiting = set(widx.pending())
        for r, v in zip(records, vectors, strict=True):
            if r.id in waiting and widx.get(r.id) == r:
                keep.append(r)
                vecs.append(v)
        if keep:
            widx.add(keep, vectors=np.asarray(vecs, dtype=np.float16))
            store.publish(widx)
    return len(keep)


def store_pending(idx) -> list[str]:
    return idx.pending() if idx.encoder is not None else []


def rebuild(*, encode: bool = False, progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Build a fresh index from every declared model, in batches, and publish it. Dirty rows marked
    before the start are cleared; later ones stay for the next refresh."""
    started = timezone.now()
    idx = Index(store.encoder())
    qvectors.clear()  # kept query vectors are re-made with the passages (bounded by the records' texts)
    total = 0
    for kind, decl in sorted(declarations.by_kind().items()):
        qs = decl.queryset().order_by("pk")
        n = qs.count()
        done = 0
        pks = list(qs.values_list("pk", flat=True))
        for s in range(0, len(pks), batch_size()):
            recs, _gone = documents.build_many(decl, pks[s:s + batch_size()])
            idx.add(recs, encode=False)
            done += len(pks[s:s + batch_size()])
            total += len(recs)
            if progress:
                progress(kind, done, n)
    if encode and idx.encoder is not None:
        todo = len(idx.pending())
        done = 0
        while idx.pending():
            done += idx.encode_pending(limit=64)
            if progress:
                progress("vectors", done, todo)
    with store.writing(load=False):
        store.publish(idx, rules=visibility.RULES_STAMP)
    DirtyRecord.objects.filter(marked_at__lt=started).delete()
    if not encode and idx.encoder is not None:
        enqueue_encoding(len(idx.pending()))
    return {"records": total, "pending_vectors": len(idx.pending()) if idx.encoder is not None else 0}


def status() -> dict[str, Any]:
    idx = store.get_index()
    dirty = dict(DirtyRecord.objects.values("lane").annotate(n=Count("pk")).values_list("lane", "n"))
    return {"version": store.current_version(), "records": len(idx), "dir": str(store.index_dir()),
            "pending_vectors": len(store_pending(idx)),
            "dirty": dirty}


# ------------------------------------------------------------------ impressions and feedback
def impressions_log(*, user, source: str, matches: list) -> None:
    """One row per shown recommendation (user id, ids, rank, score features; nothing personal), in one insert."""
    if not matches:
        return
    skind = documents.parse_id(source)[0]
    Impression.objects.bulk_create([
        Impression(user=user, source=source, target=m.id, source_kind=skind, target_kind=m.kind, rank=m.rank,
                   bm25=m.parts_norm["bm25"], dense=m.parts_norm["dense"], structured=m.parts_norm["structured"],
                   features=getattr(m, "features", None) or {})
        for m in matches])


def feedback_record(*, user, source: str, target: str, verdict: str, reason: str = "") -> Feedback:
    """Store one verdict on a shown recommendation (the last impression gives its score parts)."""
    if verdict not in Verdict.values:
        raise ValueError(verdict)
    if verdict != Verdict.IRRELEVANT:
        reason = ""
    elif reason and reason not in IrrelevantReason.values:
        raise ValueError(reason)
    imp = Impression.objects.filter(user=user, source=source, target=target).order_by("-pk").first()
    with transaction.atomic():
        fb = Feedback.objects.create(
            user=user, source=source, target=target, source_kind=documents.parse_id(source)[0],
            target_kind=documents.parse_id(target)[0], verdict=verdict, reason=reason,
            rank=imp.rank if imp else None, bm25=imp.bm25 if imp else 0.0, dense=imp.dense if imp else None,
            structured=imp.structured if imp else 0.0, features=imp.features if imp else {})
    return fb


# ------------------------------------------------------------------ background tasks
# django-tasks, thin and idempotent (each reads the dirty table). Declared here, beside the services
# they run and that enqueue them, so that services and tasks do not import each other (``tasks.py``
# names them for the worker's readers). Queues: ``match-interactive`` (edits; run a worker on it alone
# or with ``default``) and ``match-bulk`` (imports, rebuilds, vector encoding). See README, "Matching".
@task(queue_name="match-interactive")
def refresh_interactive() -> dict:
    out = refresh(lane=Lane.INTERACTIVE)
    if out["left"]:
        refresh_interactive.enqueue()
    return out


@task(queue_name="match-bulk")
def refresh_bulk() -> dict:
    out = refresh(lane=Lane.BULK)
    if out["left"]:
        refresh_bulk.enqueue()  # one batch per task: an interactive refresh can take the lock between
    return out


@task(queue_name="match-bulk")
def encode_pending_task() -> int:
    return encode_pending()
