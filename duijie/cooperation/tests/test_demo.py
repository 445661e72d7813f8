"""The demo generator's cooperation part: valid projects with stage histories, registered contracts
and outcomes — and event-sourced projects only through an explicit link to the event."""

import pytest

from duijie.cooperation.models import CooperationProject, TechContract, YearlyOutcome
from duijie.demo.generator import Scale, generate

pytestmark = pytest.mark.django_db


def test_demo_cooperation_records_are_valid():
    counts = generate(seed=5, scale=Scale(enterprises=25, experts=20, achievements=10, patents=10, demands=70,
                                          scenarios=3))
    projects = list(CooperationProject.objects.all())
    assert counts["cooperation.CooperationProject"] == len(projects) >= 10
    for p in projects:
        p.full_clean()
        stages = list(p.history.order_by("history_date", "history_id").values_list("status", flat=True))
        assert stages[0] == "intention" and stages[-1] == p.status
        assert p.enterprises.exists() or p.source == "challenge"  # a 政府榜 award: office and institution
    assert {p.source for p in projects} >= {"demand"}
    # An event-sourced project always links the event, and an intention signed at that event if any.
    for p in CooperationProject.objects.filter(source="event"):
        assert p.source_event_id is not None
        assert p.source_intention_id is None or p.source_intention.event_id == p.source_event_id
    contracts = list(TechContract.objects.select_related("project"))
    assert contracts
    for c in contracts:
        c.full_clean()
        assert c.project is None or c.project.status in ("signed", "implementing", "completed", "terminated")
    numbers = [c.registration_number for c in contracts if c.registration_number]
    assert numbers and len(numbers) == len(set(numbers))
    for o in YearlyOutcome.objects.select_related("project"):
        o.full_clean()
        assert o.project.implementation_on and o.year >= o.project.implementation_on.year
