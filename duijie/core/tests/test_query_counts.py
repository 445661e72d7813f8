"""No N+1: the number of queries of every registry list page, API list and export does not grow with
the number of rows shown."""

import itertools
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from duijie.core.registry import REGISTRY
from duijie.core.roles import Role
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db

_n = itertools.count(1)


def _region():
    from duijie.core.models import Region

    return Region.objects.get(code="320412")


def _unit():
    from duijie.core.models import AssessmentUnit, Region

    return AssessmentUnit.objects.create(name=f"单元{next(_n)}", code=f"unit-{next(_n)}", kind="district",
                                         city=Region.objects.get(code="3204"))


def _industry():
    from duijie.core.models import Industry

    return Industry.objects.filter(level=4).first()


def build(slug):
    """One record of type ``slug`` with its relations filled, so joins and m2m lists are exercised."""
    from duijie.core.models import Organisation, Park, ReportedValue
    from duijie.experts.models import ExpertRole
    from duijie.orgs.models import EnterpriseMetric, EnterpriseQualification, InstitutionUnit
    from duijie.supply.models import Carrier, Scenario

    i = next(_n)
    if slug == "parks":
        p = Park.objects.create(name=f"园区{i}", region=_region(), directory_years=[2025])
        p.industries.set([_industry()])
        p.assessment_units.set([_unit()])
        return p
    if slug == "assessment-units":
        u = _unit()
        u.regions.set([_region()])
        return u
    if slug == "reported-values":
        v = ReportedValue.objects.create(indicator="rd-gdp-ratio", unit=_unit(), period_start=date(2025, 1, i % 28 + 1),
                                         period_end=date(2025, 12, 31), value=Decimal("2.77"), source="区统计局",
                                         region=_region())
        v.assessment_units.set([_unit()])
        return v
    if slug == "organisations":
        return Organisation.objects.create(name=f"机构{i}", kind="government", region=_region(),
                                           assessment_unit=_unit())
    if slug == "institutions":
        return f.institution(region=_region(), tto_phone="13812345678")
    if slug == "institution-units":
        inst = f.institution()
        parent = InstitutionUnit.objects.create(institution=inst, name=f"学院{i}")
        return InstitutionUnit.objects.create(institution=inst, name=f"实验室{i}", parent=parent)
    if slug == "enterprises":
        e = f.enterprise(region=_region(), industry=_industry(), park=Park.objects.create(name=f"园{i}"),
                         contact_phone="13812345678")
        e.assessment_units.set([_unit()])
        return e
    if slug == "qualifications":
        return EnterpriseQualification.objects.create(enterprise=f.enterprise(), kind="high_tech",
                                                      valid_from="2024-01-01")
    if slug == "metrics":
        return EnterpriseMetric.objects.create(enterprise=f.enterprise(), year=2024, revenue=1000)
    if slug == "experts":
        inst = f.institution()
        e = f.expert(institution=inst, unit=InstitutionUnit.objects.create(institution=inst, name=f"系{i}"),
                     phone="13812345678", email=f"e{i}@example.com")
        e.industries.set([_industry()])
        return e
    if slug == "expert-roles":
        return ExpertRole.objects.create(expert=f.expert(institution=f.institution()), kind="broker", certificate_no=f"JJR{i}",
                                         host=f.organisation())
    if slug == "achievements":
        inst = f.institution()
        a = f.achievement(inst, filing_unit=_unit(), lead_expert=f.expert(institution=inst),
                          unit=InstitutionUnit.objects.create(institution=inst, name=f"院{i}"))
        a.patents.set([f.patent()])
        return a
    if slug == "patents":
        p = f.patent()
        p.applicant_orgs.set([f.organisation()])
        p.inventor_experts.set([f.expert(institution=f.institution())])
        return p
    if slug == "carriers":
        c = Carrier.objects.create(name=f"平台{i}", kind="key_lab", level="provincial", host=f.organisation(),
                                   region=_region())
        c.co_builders.set([f.organisation()])
        c.industries.set([_industry()])
        return c
    if slug == "scenarios":
        return Scenario.objects.create(title=f"场景{i}", domain=_scenario_domain(), provider=f.organisation(),
                                       description="d")
    if slug == "demands":
        d = f.demand(industry=_industry(), region=_region())
        d.assessment_units.set([_unit()])
        return d
    if slug in PAIRINGS:
        return _pairings(slug, i)
    if slug == "users":
        return f.user(organisation=f.organisation(), phone="13812345678")
    if slug in ("events", "intentions"):
        from duijie.events.models import Event, Intention

        event = Event.objects.create(title=f"活动{i}", event_type="face_to_face", starts_at="2026-05-01T09:00+08:00",
                                     organiser=f.organisation(), region=_region(), status="open")
        event.industries.set([_industry()])
        event.assessment_units.set([_unit()])
        if slug == "events":
            return event
        inst = f.institution()
        it = Intention.objects.create(event=event, enterprise=f.enterprise(), institution=inst,
                                      expert=f.expert(institution=inst), subject=f"意向{i}", signed_on="2026-05-01",
                                      region=_region(), visibility="platform")
        it.assessment_units.set([_unit()])
        return it
    if slug in ("projects", "project-outcomes", "tech-contracts"):
        return _cooperation(slug, i)
    if slug in ("programmes", "programme-indicators", "targets", "scoring-rules"):
        return _programmes(slug, i)
    if slug in ("challenges", "challenge-criteria", "declared-interests"):
        return _challenges(slug, i)
    if slug.startswith("award-"):
        from duijie.awards.tests.builders import build as award

        return award(slug, i)
    raise AssertionError(f"no builder for {slug}")


def _programmes(slug, i):
    from duijie.core.models import Region
    from duijie.programmes.models import Programme, ProgrammeIndicator, Target

    programme = Programme.objects.create(code=f"prog-{i}", name=f"方案{i}", period_start="2025-01-01",
                                         period_end="2027-12-31", region=Region.objects.get(code="3204"))
    programme.member_institutions.set([f.institution()])
    programme.key_industries.set([_industry()])
    programme.assessment_units.set([_unit()])
    if slug == "programmes":
        return programme
    pi = ProgrammeIndicator.objects.create(programme=programme, indicator="signed-projects")
    if slug == "programme-indicators":
        return pi
    if slug == "scoring-rules":
        from duijie.programmes.models import ScoringRule

        return ScoringRule.objects.create(programme_indicator=pi, kind="ratio_cap", points=10, cap="1.2",
                                          source="测试")
    target = Target.objects.create(programme_indicator=pi, owner_unit=_unit(), period_kind="year",
                                   period_start="2025-01-01", period_end="2025-12-31", value=5)
    target.assessment_units.set([_unit()])
    return target


def _challenges(slug, i):
    from django.utils import timezone

    from duijie.challenges.models import Challenge, Criterion, InterestDeclaration
    from duijie.cooperation.tests import helpers as h

    if slug == "declared-interests":
        return InterestDeclaration.objects.create(expert=f.expert(institution=f.institution()),
                                                  organisation=f.organisation(), note="持股", declared_on="2026-01-01")
    demand = f.demand(region=_region())
    c = Challenge.objects.create(kind="enterprise", demand=demand, title=f"榜单{i}", problem="难题", indicators="指标",
                                 budget=100000, deadline=timezone.now(), ip_terms="licence", region=_region(),
                                 project=h.project(region=_region()), office=f.organisation(), status="published")
    c.assessment_units.set([_unit()])
    if slug == "challenges":
        return c
    return Criterion.objects.create(challenge=c, name="方案", weight=50)


def _cooperation(slug, i):
    from duijie.cooperation.models import YearlyOutcome
    from duijie.cooperation.tests import helpers as h

    ev = h.event(region=_region())
    p = h.project(source="event", source_event=ev, region=_region(), broker=f.user(role=Role.BROKER))
    p.enterprises.set([f.enterprise()])
    p.assessment_units.set([_unit()])
    if slug == "projects":
        return p
    if slug == "project-outcomes":
        return YearlyOutcome.objects.create(project=p, year=2024, new_sales=1000)
    c = h.contract(project=p, region=_region(), transfer_org=f.organisation())
    c.assessment_units.set([_unit()])
    return c


PAIRINGS = {"pairings", "visits", "placements", "placement-quotas", "student-teams"}


def _pairings(slug, i):
    from duijie.pairings import models as m
    from duijie.supply.models import Carrier

    ent, inst = f.enterprise(region=_region()), f.institution()
    if slug == "pairings":
        return m.Pairing.objects.create(enterprise=ent, expert=f.expert(institution=inst), start_on="2026-01-01",
                                        region=_region())
    if slug == "visits":
        v = m.Visit.objects.create(enterprise=ent, visited_on="2026-03-01", programme="ten_ten", visitors="张三",
                                   visiting_institution=inst, needs="需要一台检测设备", region=_region())
        v.assessment_units.set([_unit()])
        return v
    if slug == "placements":
        return m.Placement.objects.create(scheme="tech_vp_city", year=2026, person_name=f"人{i}",
                                          home_institution=inst, host_enterprise=ent, start_on="2026-01-01")
    if slug == "placement-quotas":
        return m.PlacementQuota.objects.create(scheme="tech_vp_city", year=2000 + i % 90, quota=600,
                                               region=_region() if i % 2 else None)
    incubator = Carrier.objects.create(name=f"孵化器{i}", kind="incubator", level="city")
    return m.StudentTeam.objects.create(name=f"团队{i}", institution=inst, leader_name="李四", members=3,
                                        incubator=incubator, entered_on="2026-02-01", enterprise=ent)


def _scenario_domain():
    from duijie.supply.choices import ScenarioDomain

    return ScenarioDomain.values[0]


WRITABLE = sorted(slug for slug, rt in REGISTRY.items() if not rt.reference_only)


def count_queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def grows(client, slug, url):
    for _ in range(3):
        build(slug)
    client.get(url)  # warm caches (content types, sessions)
    small = count_queries(lambda: client.get(url))
    for _ in range(12):
        build(slug)
    # Warm again: building can take longer than the session's last-seen granularity on a busy
    # machine, and the session write that follows is not a per-row query.
    client.get(url)
    large = count_queries(lambda: client.get(url))
    return small, large


def test_every_writable_type_has_a_builder():
    from duijie.core.tests.test_query_counts import build  # noqa: F401

    assert set(WRITABLE) == {
        "parks", "assessment-units", "reported-values", "organisations", "institutions", "institution-units", "enterprises",
        "qualifications", "metrics", "experts", "expert-roles", "achievements", "patents", "carriers", "scenarios",
        "demands", "users", "events", "intentions", "projects", "project-outcomes", "tech-contracts", *PAIRINGS,
        "programmes", "programme-indicators", "targets", "scoring-rules", "challenges", "challenge-criteria",
        "declared-interests",
        "award-schemes", "award-rule-versions", "award-applications", "award-rounds", "award-payee-accounts"}


@pytest.mark.parametrize("slug", WRITABLE)
def test_list_page_queries_constant(admin_client, slug):
    small, large = grows(admin_client, slug, f"/r/{slug}/")
    assert large == small, f"/r/{slug}/: {small} queries for 3 rows, {large} for 15"


@pytest.mark.parametrize("slug", WRITABLE)
def test_api_list_queries_constant(api_client, slug):
    small, large = grows(api_client, slug, f"/api/{slug}/")
    assert large == small, f"/api/{slug}/: {small} queries for 3 rows, {large} for 15"


@pytest.mark.parametrize("slug", WRITABLE)
def test_export_queries_constant(admin_client, slug):
    small, large = grows(admin_client, slug, f"/r/{slug}/export.xlsx")
    assert large == small, f"/r/{slug}/export.xlsx: {small} queries for 3 rows, {large} for 15"


@pytest.mark.parametrize("slug", WRITABLE)
def test_non_admin_list_queries_constant(enterprise_client, slug):
    small, large = grows(enterprise_client, slug, f"/r/{slug}/")
    assert large == small, f"/r/{slug}/ (enterprise user): {small} queries for 3 rows, {large} for 15"
