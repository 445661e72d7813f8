"""One record of each writable award type with its relations filled (core's query-count tests)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from duijie.core.models import AssessmentUnit, Region
from duijie.core.tests import factories as f


def build(slug: str, i: int):
    from duijie.awards.models import Application, PayeeAccount, Round, RuleVersion, Scheme
    from duijie.programmes.models import Programme

    city = Region.objects.get(code="3204")
    unit = AssessmentUnit.objects.create(name=f"奖励板块{i}", code=f"award-unit-{i}", kind="district", city=city)
    programme = Programme.objects.create(code=f"award-prog-{i}", name=f"方案{i}", period_start="2025-01-01",
                                         period_end="2027-12-31", region=city)
    scheme = Scheme.objects.create(programme=programme, code=f"award-{i}", name=f"奖励{i}", basis_clause="条款",
                                   year=2025, budget=Decimal("100000"), purpose="excellent-teacher",
                                   candidate_source="applications", approving_body="联席会议",
                                   review_chain=[], region=city)
    scheme.assessment_units.set([unit])
    if slug == "award-schemes":
        return scheme
    if slug == "award-rule-versions":
        return RuleVersion.objects.create(scheme=scheme, number=1, kind="per_person",
                                          parameters={"amount": "5000.00", "max_count": 100},
                                          valid_from=date(2025, 1, 1), source_clause="条款")
    expert = f.expert(institution=f.institution())
    if slug == "award-applications":
        app = Application.objects.create(scheme=scheme, expert=expert, basis_type="experts", basis_ids=[expert.pk],
                                         region=city, visibility="platform")
        app.assessment_units.set([unit])
        return app
    if slug == "award-rounds":
        r = Round.objects.create(scheme=scheme, year=2025, region=city)
        r.assessment_units.set([unit])
        return r
    if slug == "award-payee-accounts":
        acc = PayeeAccount.objects.create(expert=expert, account_name=expert.name, bank_name="银行",
                                          account_number=f"62220210011234{i:05d}", region=city)
        acc.assessment_units.set([unit])
        return acc
    raise AssertionError(f"no builder for {slug}")
