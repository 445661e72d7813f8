"""The demo shows a real innovation score: Changzhou's own published set, the 2025 run computed from
the demo's records, published and verifying, every point backed by records."""

from __future__ import annotations

from decimal import Decimal

import pytest

from duijie.demo.generator import Scale, generate
from duijie.innovation import services
from duijie.innovation.models import IndicatorSet, ScoreRun

SMALL = Scale(enterprises=40, experts=25, achievements=20, patents=25, demands=80, scenarios=10)


@pytest.mark.django_db
def test_demo_has_a_published_set_and_a_frozen_run_for_2025():
    generate(seed=7, scale=SMALL)
    own = IndicatorSet.objects.get(code="national-3204")
    assert own.is_published and own.derived_from.code == "national"
    run = ScoreRun.objects.get(indicator_set=own, year=2025)
    assert run.status == "published" and run.scores.exists()
    assert services.verify(run) == []
    for score in run.scores.all():
        assert Decimal(0) <= score.total <= score.maximum
        for b in score.breakdown:
            if Decimal(b["points"]) > 0:
                assert b["records"], (score.enterprise_id, b["code"])
