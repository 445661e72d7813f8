"""The demo events have the shapes the funnel needs, and nobody is double-booked."""

import pytest

from duijie.demo.generator import Scale, generate
from duijie.events.models import Event, FollowUpTask, Intention, Invitation, MeetingRecord, MeetingSlot

pytestmark = pytest.mark.django_db


def test_demo_events_shapes():
    counts = generate(seed=7, scale=Scale(enterprises=60, experts=40, achievements=10, patents=10, demands=66,
                                          scenarios=5))
    # the events area's 12 (with agendas and invitations); the programmes' archival events come on top
    assert counts["events.Event"] == Event.objects.count() and Event.objects.exclude(agenda="").count() == 12
    assert set(Event.objects.values_list("status", flat=True)) == {"held", "open"}
    held_inv = Invitation.objects.filter(event__status="held")
    assert held_inv.filter(status="attended").count() > held_inv.count() / 2
    assert not held_inv.filter(status="attended", checked_in_at=None).exists()
    assert Intention.objects.count() == max(12, round(237 * 60 / 1600)) and MeetingRecord.objects.count() == 2
    assert FollowUpTask.objects.filter(meeting_record__isnull=False).count() == 5
    slots = list(MeetingSlot.objects.all())
    assert slots
    for a in slots:
        for b in slots:
            if a.pk != b.pk and a.event_id == b.event_id and a.starts_at < b.ends_at and b.starts_at < a.ends_at:
                assert a.enterprise_id != b.enterprise_id and a.expert_id != b.expert_id and a.table != b.table
    for it in Intention.objects.exclude(meeting_slot=None).select_related("meeting_slot"):
        assert (it.meeting_slot.enterprise_id, it.meeting_slot.expert_id) == (it.enterprise_id, it.expert_id)
