"""Targets of every owner kind compute (#13 item 2): a park's target counts the records in the park,
an institution's the records it is a party to, a city department's its region (else the
programme's); each actual equals a count written in plain Python over the created records, and a
target whose indicator means nothing for an institution is listed not computed with the reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from duijie.cooperation.tests import helpers as h
from duijie.core import plugins
from duijie.core.models import Organisation, Park, Region
from duijie.core.tests import factories as f
from duijie.orgs.models import EnterpriseQualification
from duijie.programmes import progress
from duijie.programmes.choices import Status
from duijie.programmes.models import Programme, ProgrammeIndicator, Target

pytestmark = pytest.mark.django_db

START, END = date(2025, 1, 1), date(2025, 12, 31)
SIGNED = (date(2024, 12, 31), START, date(2025, 6, 1), END, date(2026, 1, 1))


@pytest.fixture
def world():
    r = {c: Region.objects.get(code=c) for c in ("3204", "320412", "320411")}
    bureau = Organisation.objects.create(kind="government", name="常州市科技局", region=r["3204"])
    city = f.user(role="city_admin", organisation=bureau)
    park = Park.objects.create(name="武进高新区", region=r["320412"])
    uni, other = f.institution(name="常州大学"), f.institution(name="河海大学")
    projects = []
    for i, day in enumerate(SIGNED * 2):
        p = h.project(region=r["320412" if i % 2 else "320411"], park=park if i % 3 == 0 else None,
                      status="signed", signed_on=day, visibility="classified")
        p.institutions.set([uni] if i % 4 == 0 else [other] if i % 4 == 1 else [uni, other] if i % 4 == 2 else [])
        projects.append(p)
    h.project(region=Region.objects.exclude(code__startswith="3204").filter(level=3).first(),
              status="signed", signed_on=START)  # outside the city
    programme = Programme.objects.create(code="t-owners", name="三年行动计划", period_start=START, period_end=END,
                                         region=r["3204"], thresholds_source="测试")
    pi = {slug: ProgrammeIndicator.objects.create(programme=programme, indicator=slug, order=n)
          for n, slug in enumerate(("signed-projects", "high-tech-enterprises"))}
    return {"r": r, "bureau": bureau, "city": city, "park": park, "uni": uni, "projects": projects,
            "programme": programme, "pi": pi}


def _target(world, slug="signed-projects", **owner):
    return Target.objects.create(programme_indicator=world["pi"][slug], period_kind="year", period_start=START,
                                 period_end=END, value=Decimal(5), **owner)


def _signed(projects, keep) -> list[int]:
    return sorted(p.pk for p in projects if p.signed_on and START <= p.signed_on <= END and keep(p))


def _row(world, target):
    return next(r for r in progress.progress(world["city"], world["programme"], today=END) if r.target == target)


def test_a_park_target_counts_the_records_in_the_park(world):
    target = _target(world, owner_park=world["park"])
    expected = _signed(world["projects"], lambda p: p.park_id == world["park"].pk)
    row = _row(world, target)
    assert row.actual == len(expected) > 0 and row.record_ids == expected and row.status != Status.NOT_COMPUTED
    assert sorted(progress.figure_records(world["city"], target).values_list("pk", flat=True)) == expected


def test_an_institution_target_counts_the_records_it_is_a_party_to(world):
    target = _target(world, owner_institution=world["uni"])
    expected = _signed(world["projects"], lambda p: world["uni"] in p.institutions.all())
    row = _row(world, target)
    assert row.actual == len(expected) > 0 and row.record_ids == expected


def test_a_department_target_counts_its_region_else_the_programmes(world):
    target = _target(world, owner_department=world["bureau"])
    expected = _signed(world["projects"], lambda p: p.region.code.startswith("3204"))
    row = _row(world, target)
    assert row.actual == len(expected) > 0 and row.record_ids == expected
    # a department without a region of its own counts the programme's region (the city)
    office = Organisation.objects.create(kind="government", name="市科技创新服务中心")
    row = _row(world, _target(world, owner_department=office))
    assert row.actual == len(expected) and row.record_ids == expected


def test_an_indicator_without_an_institution_meaning_is_not_computed_with_its_reason(world):
    ent = f.enterprise(region=world["r"]["320412"])
    EnterpriseQualification.objects.create(enterprise=ent, kind="high_tech", valid_from=START)
    target = _target(world, "high-tech-enterprises", owner_institution=world["uni"])
    row = _row(world, target)
    reason = plugins.indicator("high-tech-enterprises").no_institution
    assert row.actual is None and row.status == Status.NOT_COMPUTED and row.note == reason and row.record_ids == []
    assert progress.figure_records(world["city"], target) is None
    c = Client()
    c.force_login(world["city"])
    page = c.get(reverse("programmes:target", args=[target.pk]) + "?on=2025-12-31")
    assert page.status_code == 200 and str(reason) in page.content.decode()
    # the same indicator for the park does compute (the enterprise is not in the park: 0)
    assert _row(world, _target(world, "high-tech-enterprises", owner_park=world["park"])).actual == 0


def test_a_department_target_on_a_reported_figure_shows_the_citys_filed_value(world):
    from duijie.core.models import ReportedValue

    pi = ProgrammeIndicator.objects.create(programme=world["programme"], indicator="rd-gdp-ratio", order=9)
    target = Target.objects.create(programme_indicator=pi, period_kind="year", period_start=START, period_end=END,
                                   value=Decimal("2.80"), owner_department=world["bureau"])
    row = _row(world, target)
    assert row.actual is None and row.status == Status.NOT_COMPUTED and row.note  # nothing filed yet
    filed = ReportedValue.objects.create(indicator="rd-gdp-ratio", period_start=START, period_end=END,
                                         value=Decimal("2.77"), source="市统计局", region=world["r"]["3204"])
    row = _row(world, target)
    assert row.actual == Decimal("2.77") and row.record_ids == [filed.pk]
    # a park files no statistics: not computed, with the reason
    park_row = _row(world, Target.objects.create(programme_indicator=pi, period_kind="year", period_start=START,
                                                 period_end=END, value=Decimal(1), owner_park=world["park"]))
    assert park_row.actual is None and park_row.note == plugins.indicator("rd-gdp-ratio").refusal(
        progress.window_for(park_row.target))
