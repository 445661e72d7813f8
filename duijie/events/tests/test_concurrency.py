"""Two organisers book the same expert at overlapping times at the same moment, on PostgreSQL with
two real connections (threads): exactly one booking wins, the other is refused."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from duijie.events.models import MeetingSlot
from duijie.events.services import invitations, meetings
from duijie.events.tests.conftest import make_event

pytestmark = [
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                       reason="needs PostgreSQL row locks and two connections"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _race(world, event, bookings):
    barrier = threading.Barrier(len(bookings))
    results: list = [None] * len(bookings)

    def run(i, kwargs):
        try:
            barrier.wait(timeout=10)
            results[i] = meetings.slot_book(event=event, by=world.wujin_admin, **kwargs)
        except ValidationError as exc:
            results[i] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i, kw)) for i, kw in enumerate(bookings)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.parametrize("offset", [0, 10])  # identical start, and overlapping but different starts
def test_concurrent_bookings_of_one_expert_only_one_wins(world, offset):
    event = make_event(world.wujin_admin, status="open")
    invitations.invitation_bulk_add(event=event, by=world.wujin_admin, enterprises=world.ents, experts=world.experts)
    t0 = event.starts_at
    for _ in range(3):  # repeat the race: a lucky interleaving must not hide a missing lock
        MeetingSlot.objects.filter(event=event).delete()
        results = _race(world, event, [
            {"enterprise": world.ents[0], "expert": world.experts[0], "starts_at": t0, "table": "1号桌"},
            {"enterprise": world.ents[1], "expert": world.experts[0], "starts_at": t0 + timedelta(minutes=offset),
             "table": "2号桌"},
        ])
        won = [r for r in results if isinstance(r, MeetingSlot)]
        lost = [r for r in results if isinstance(r, ValidationError)]
        assert len(won) == 1 and len(lost) == 1, results
        assert "王教授0" in " ".join(lost[0].messages)
        assert MeetingSlot.objects.filter(event=event, expert=world.experts[0]).count() == 1
