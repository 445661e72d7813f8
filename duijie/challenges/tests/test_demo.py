"""The demo holds a challenge in every state, and a 赛马制 challenge with three funded teams of which
one was stopped at the first gate; its releases stay inside the budgets."""

from __future__ import annotations

import pytest

from duijie.challenges import services
from duijie.challenges.choices import BidStatus, ChallengeMode, ChallengeStatus
from duijie.challenges.models import Challenge, Gate
from duijie.demo.generator import Scale, generate

pytestmark = pytest.mark.django_db


def test_demo_challenges_in_every_state():
    generate(seed=7, scale=Scale(enterprises=30, experts=40, achievements=10, patents=10, demands=60, scenarios=5))
    states = set(Challenge.objects.values_list("status", flat=True))
    assert states == set(ChallengeStatus.values)
    assert any(c.solved for c in Challenge.objects.filter(project__isnull=False))
    race = Challenge.objects.get(mode=ChallengeMode.HORSE_RACE, status=ChallengeStatus.IN_DELIVERY)
    teams = list(race.bids.filter(status__in=(BidStatus.WON, BidStatus.STOPPED)).order_by("pk"))
    assert len(teams) == 3 and [t.status for t in teams].count(BidStatus.STOPPED) == 1
    stopped = next(t for t in teams if t.status == BidStatus.STOPPED)
    assert Gate.objects.get(bid=stopped).milestone.order == 1
    for t in teams:
        for g in Gate.objects.filter(bid=t):
            assert g.released == (services.tranches(t)[g.milestone_id] if g.decision == "continue" else 0)
    assert services.released_total(race) <= race.budget
    assert sum(t.budget for t in teams) <= race.budget
    # one decision is in 公示 today, with an objection open; the awarded ones had theirs before the award
    in_publicity = [c for c in Challenge.objects.filter(status=ChallengeStatus.UNDER_REVIEW) if c.in_publicity]
    assert len(in_publicity) == 1 and not in_publicity[0].publicity_over()
    assert in_publicity[0].objections.filter(status="open").exists()
    assert in_publicity[0].bids.filter(status=BidStatus.PROPOSED).count() == 1
    for c in Challenge.objects.filter(project__isnull=False):
        assert c.publicity_end < c.awarded_at.date()
