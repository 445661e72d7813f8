"""Every declared indicator against an independent count: a generated world of records (hypothesis
draws the random source: dates on and around the window's edges, two districts, amounts), and for each indicator the expected
value written in plain Python over the created objects — not with the indicator's queryset — for a
city and a district administrator, and for the city narrowed to the district by the window's unit
or region (a city department's window).
Then the unit rules on records crafted so that assessment unit, location and party location differ,
and the ratio and display scale."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duijie.challenges.models import Challenge
from duijie.cooperation.models import YearlyOutcome
from duijie.cooperation.tests import helpers as h
from duijie.core import plugins
from duijie.core.indicators import ASSESSMENT_UNIT, LOCATION, RECORD, Figure, party_location, ratio
from duijie.core.models import AssessmentUnit, Organisation, Park, Region
from duijie.core.plugins import Window, batch_values
from duijie.core.tests import factories as f
from duijie.events.choices import EventType
from duijie.experts.models import ExpertRole
from duijie.orgs.models import EnterpriseQualification
from duijie.pairings.models import Pairing, Placement, StudentTeam, Visit
from duijie.supply.choices import CarrierKind
from duijie.supply.models import Carrier

pytestmark = pytest.mark.django_db

SECRET = "classified"  # scope alone decides who sees what
START, END = date(2025, 1, 1), date(2025, 12, 31)
YEAR = Window(START, END)
# Dates on and around the window's edges, and inside it.
DAYS = (date(2024, 12, 31), START, date(2025, 6, 15), END, date(2026, 1, 1))
WUJIN, XINBEI = "320412", "320411"


def _in(d) -> bool:
    return d is not None and START <= d <= END


def _in_force(start, end) -> bool:
    return start is not None and start <= END and (end is None or end >= END)


def _readers():
    r = {c: Region.objects.get(code=c) for c in ("3204", WUJIN, XINBEI)}
    wujin = AssessmentUnit.objects.create(name="武进区", code="t-wujin", kind="district", city=r["3204"])
    wujin.regions.set([r[WUJIN]])
    city = f.user(role="city_admin", organisation=Organisation.objects.create(
        kind="government", name="常州市科技局", region=r["3204"]))
    district = f.user(role="unit_admin", organisation=Organisation.objects.create(
        kind="government", name="武进区科技局", region=r[WUJIN], assessment_unit=wujin))
    return r, wujin, city, district


def _world(rnd: random.Random, r):
    """Records of every counted kind, each placed in one of the two districts; party records lie in
    the same district as their party (the unit-rule tests below craft records where they differ)."""
    pick = lambda: rnd.choice((WUJIN, XINBEI))  # noqa: E731
    day = lambda: rnd.choice(DAYS)  # noqa: E731
    maybe = lambda: rnd.choice((*DAYS, None))  # noqa: E731
    w: dict[str, list] = {}
    ents = [f.enterprise(region=r[pick()], visibility=SECRET) for _ in range(5)]
    insts = [f.institution(region=r[pick()], kind=rnd.choice(("university", "institute"))) for _ in range(3)]
    experts = [f.expert(region=r[pick()], visibility=SECRET) for _ in range(4)]
    w["projects"] = []
    for _ in range(8):
        p = h.project(region=r[pick()], visibility=SECRET, status="signed", signed_on=maybe(),
                      implementation_on=maybe())
        p.institutions.set(rnd.sample(insts, rnd.randint(0, 2)))
        p.enterprises.set([e for e in ents if e.region_id == p.region_id][:rnd.randint(0, 1)])  # or none on file
        w["projects"].append(p)
    w["outcomes"] = [YearlyOutcome.objects.create(
        project=p, year=year, new_investment=Decimal(rnd.randint(0, 10**7)),
        new_sales=rnd.choice((None, Decimal(rnd.randint(0, 10**8)))), profit_tax=Decimal(rnd.randint(0, 10**6)))
        for p in w["projects"] for year in rnd.sample((2024, 2025, 2026), rnd.randint(0, 2))]
    w["contracts"] = [h.contract(region=r[pick()], visibility=SECRET, signed_on=day(),
                                 amount=Decimal(rnd.randint(1, 10**7)) / 100) for _ in range(6)]
    w["events"] = [h.event(region=r[pick()], visibility=SECRET, status=rnd.choice(("held", "planned")),
                           event_type=rnd.choice(EventType.values),
                           starts_at=timezone.make_aware(datetime.combine(day(), datetime.min.time()))
                           + timedelta(hours=rnd.choice((0, 23))))
                   for _ in range(10)]
    w["intentions"] = []
    for _ in range(4):
        e = rnd.choice(ents)
        w["intentions"].append(h.intention(region=e.region, enterprise=e, visibility=SECRET, signed_on=day()))
    w["pairings"] = []
    liaison = f.user(role="city_admin")
    for _ in range(8):
        e, kind = rnd.choice(ents), rnd.choice(("expert", "adviser", "liaison"))
        party = {"liaison": liaison} if kind == "liaison" else {"expert": rnd.choice(experts)}
        w["pairings"].append(Pairing.objects.create(kind=kind, enterprise=e, start_on=day(), end_on=maybe(),
                                                    region_id=e.region_id, **party))
    w["visits"] = []
    for _ in range(8):
        e = rnd.choice(ents)
        ten_ten = rnd.random() < 0.6  # 十校十所进千企 visits name the visiting university or institute
        w["visits"].append(Visit.objects.create(
            enterprise=e, visited_on=day(), visitors="张三", region_id=e.region_id,
            programme="ten_ten" if ten_ten else "survey", visiting_institution=rnd.choice(insts) if ten_ten else None))
    w["placements"] = []
    for _ in range(8):
        e = rnd.choice(ents)
        w["placements"].append(Placement.objects.create(
            scheme=rnd.choice(("tech_vp_provincial", "tech_vp_city", "industry_professor", "adjunct_professor")),
            year=2025, person_name="李四", host_enterprise=e, start_on=day(), region_id=e.region_id))
    w["carriers"] = [Carrier.objects.create(name=f"载体{i}", kind=rnd.choice(CarrierKind.values),
                                            level=rnd.choice(("national", "provincial", "city")),
                                            approval_date=maybe(), region=r[pick()], visibility=SECRET)
                     for i in range(12)]
    w["teams"] = [StudentTeam.objects.create(name=f"团队{i}", institution=rnd.choice(insts), leader_name="王五",
                                             members=rnd.randint(1, 9), incubator=rnd.choice(w["carriers"]),
                                             entered_on=day(), region=r[pick()], visibility=SECRET) for i in range(5)]
    w["qualifications"] = [EnterpriseQualification.objects.get_or_create(
        enterprise=rnd.choice(ents), kind=rnd.choice(("high_tech", "high_tech", "tech_sme")), valid_from=day(),
        defaults={"valid_to": maybe()})[0] for _ in range(8)]
    w["roles"] = [ExpertRole.objects.create(expert=rnd.choice(experts), kind=rnd.choice(("broker", "tech_vp")),
                                            start=maybe(), end=maybe()) for _ in range(8)]
    w["qualifications"] = list({q.pk: q for q in w["qualifications"]}.values())
    office = Organisation.objects.create(kind="government", name="发榜机关", region=r["3204"])
    w["challenges"] = []
    for i in range(6):
        done = rnd.choice((True, False))
        project = h.project(region=r[pick()], visibility=SECRET, status="completed" if done else "implementing",
                            completed_on=maybe() if done else None)
        w["challenges"].append(Challenge.objects.create(
            kind="government", office=office, title=f"榜单{i}", problem="难题", indicators="指标", ip_terms="licence",
            budget=Decimal(100000), deadline=timezone.now(), status="in_delivery", project=project,
            region=r[pick()], visibility=SECRET))
    return w


def _region(obj) -> str:
    return obj.region.code


def _expected(w, prefix: str) -> dict[str, object]:
    """Each indicator's value for a reader whose records lie under region code ``prefix``, in plain Python."""
    mine = lambda objs, where=_region: [o for o in objs if where(o).startswith(prefix)]  # noqa: E731
    projects, outcomes = mine(w["projects"]), mine(w["outcomes"], lambda o: o.project.region.code)
    contracts, events = mine(w["contracts"]), mine(w["events"])
    pairings = [p for p in mine(w["pairings"]) if p.kind in ("expert", "adviser") and _in_force(p.start_on, p.end_on)]
    placements = [p for p in mine(w["placements"]) if _in(p.start_on)]
    teams = [t for t in mine(w["teams"]) if _in(t.entered_on)]
    high_tech = [q for q in mine(w["qualifications"], lambda q: q.enterprise.region.code) if q.kind == "high_tech"]
    brokers = [x for x in mine(w["roles"], lambda x: x.expert.region.code)
               if x.kind == "broker" and _in_force(x.start, x.end)]
    signed = [p for p in projects if _in(p.signed_on)]
    held = [e for e in events if e.status == "held" and _in(timezone.localdate(e.starts_at))]
    touched = [o for o in outcomes if 2025 <= o.year <= 2025]
    ten_ten = [v for v in mine(w["visits"]) if v.programme == "ten_ten" and _in(v.visited_on)]
    quals = mine(w["qualifications"], lambda q: q.enterprise.region.code)

    def top(eid, day):  # the shipped tier ladder's order (innovation migration 0004): tech SME 1, high-tech 2
        return max(({"tech_sme": 1, "high_tech": 2}[q.kind] for q in quals if q.enterprise_id == eid
                    and q.valid_from <= day and (q.valid_to is None or q.valid_to >= day)), default=0)

    out: dict[str, object] = {
        "tech-sme-to-high-tech": len({q.enterprise_id for q in quals
                                      if top(q.enterprise_id, date(2024, 12, 31)) == 1 and top(q.enterprise_id, END) == 2}),
        "signed-projects": len(signed),
        "implemented-projects": sum(_in(p.implementation_on) for p in projects),
        "partner-institutions": len({i.pk for p in signed for i in p.institutions.all()}),
        "project-new-investment": sum((o.new_investment or 0 for o in touched), Decimal(0)),
        "project-new-sales": sum((o.new_sales or 0 for o in touched), Decimal(0)),
        "project-profit-tax": sum((o.profit_tax or 0 for o in touched), Decimal(0)),
        "tech-contracts-signed": sum(_in(c.signed_on) for c in contracts),
        "tech-contract-amount": sum((c.amount for c in contracts if _in(c.signed_on)), Decimal(0)),
        "tech-contracts-registered": sum((c.amount for c in contracts if c.registration_number
                                          and c.registered_on and _in(c.registered_on)), Decimal(0)),
        "events-held": len(held),
        "intentions-signed": sum(_in(i.signed_on) for i in mine(w["intentions"])),
        "paired-enterprises": len({p.enterprise_id for p in pairings}),
        "paired-experts": len({p.expert_id for p in pairings}),
        "visited-enterprises": len({v.enterprise_id for v in mine(w["visits"]) if _in(v.visited_on)}),
        "ten-ten-enterprises": len({v.enterprise_id for v in ten_ten}),
        "ten-ten-universities": len({v.visiting_institution_id for v in ten_ten
                                     if v.visiting_institution.kind == "university"}),
        "ten-ten-institutes": len({v.visiting_institution_id for v in ten_ten
                                   if v.visiting_institution.kind != "university"}),
        "tech-vp-placements": sum(p.scheme.startswith("tech_vp") for p in placements),
        "industry-professor-placements": sum(p.scheme == "industry_professor" for p in placements),
        "student-teams": len(teams),
        "students": sum(t.members for t in teams),
        "carriers-approved": sum(_in(c.approval_date) for c in mine(w["carriers"])),
        "high-tech-enterprises": len({q.enterprise_id for q in high_tech if _in_force(q.valid_from, q.valid_to)}),
        "high-tech-certified": len({q.enterprise_id for q in high_tech if _in(q.valid_from)}),
        "certified-brokers": len({x.expert_id for x in brokers}),
        "solved-challenges": sum(c.project.status == "completed" and _in(c.project.completed_on)
                                 for c in mine(w["challenges"])),
    }
    for kind in EventType.values:
        out[f"events-held-{kind.replace('_', '-')}"] = sum(e.event_type == kind for e in held)
    for kind in CarrierKind.values:
        out[f"carriers-approved-{kind.replace('_', '-')}"] = sum(
            c.kind == kind and _in(c.approval_date) for c in mine(w["carriers"]))
    return out


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rnd=st.randoms(use_true_random=False))
def test_every_indicator_equals_an_independent_count(rnd):
    with transaction.atomic():  # each generated world is rolled back before the next
        _check_every_indicator(rnd)
        transaction.set_rollback(True)


def _check_every_indicator(rnd):
    r, wujin, city, district = _readers()
    w = _world(rnd, r)
    city_expected, district_expected = _expected(w, "3204"), _expected(w, WUJIN)
    computed = {slug: i for slug, i in plugins.indicators().items() if not i.is_reported}
    assert set(city_expected) == set(computed), "every computed indicator has an independent count"
    for slug, indicator in computed.items():
        for user, window, expected in ((city, YEAR, city_expected), (district, YEAR, district_expected),
                                       (city, Window(START, END, unit=wujin), district_expected),
                                       (city, Window(START, END, region=r[WUJIN]), district_expected),
                                       (city, Window(START, END, region=r["3204"]), city_expected)):
            figure = indicator.compute(user, window)
            assert figure.value == expected[slug], (slug, user.role, window.owner)
            if indicator.kind == "count":
                assert figure.records.count() == figure.value
            assert isinstance(figure.value, Decimal if indicator.kind == "sum" else int), slug
        # the progress page's batch: every owner of one period in one query gives the same values
        if indicator.batches:
            owners = [Window(START, END, unit=wujin), Window(START, END, region=r[WUJIN]),
                      Window(START, END, region=r["3204"]), Window(START, END)]
            assert indicator.values(city, owners) == [district_expected[slug], district_expected[slug],
                                                      city_expected[slug], city_expected[slug]], slug
    # A whole programme's batch: every batching indicator and owner at once, one query per record type
    # (the owners' conditions and a reach's guard computed once, shared by the figures that test them).
    items = [(ind, Window(START, END, **owner)) for ind in computed.values() if ind.batches
             for owner in ({"unit": wujin}, {"region": r[WUJIN]}, {"region": r["3204"]}, {})]
    expected = [(district_expected if w.unit is not None or w.region == r[WUJIN] else city_expected)[ind.slug]
                for ind, w in items]
    assert batch_values(city, items) == expected


def test_a_district_sees_only_its_own_records_in_the_drill_down():
    r, _wujin, city, district = _readers()
    mine = h.contract(region=r[WUJIN], visibility=SECRET, signed_on=START, amount=Decimal("120000"))
    theirs = h.contract(region=r[XINBEI], visibility=SECRET, signed_on=END, amount=Decimal("80000"))
    h.contract(region=r[WUJIN], visibility=SECRET, signed_on=date(2026, 1, 1), amount=Decimal("1"))
    amount = plugins.indicator("tech-contract-amount")
    assert set(amount.compute(city, YEAR).records) == {mine, theirs}
    figure = amount.compute(district, YEAR)
    assert list(figure.records) == [mine] and figure.ids() == [mine.pk]
    assert figure.value == Decimal("120000") and amount.shown(figure) == Decimal(12)  # 12 万元


def test_unit_rules_give_their_documented_answers_on_a_record_where_they_differ():
    """A tech vice-president placement filed in Xinbei, tagged to the Wujin assessment unit's sibling,
    hosted by a Wujin enterprise: by party location it counts for Wujin; by location for Xinbei; by
    assessment unit for the unit it is tagged to."""
    r, wujin, city, _district = _readers()
    xinbei = AssessmentUnit.objects.create(name="新北区", code="t-xinbei", kind="district", city=r["3204"])
    xinbei.regions.set([r[XINBEI]])
    tagged = AssessmentUnit.objects.create(name="常州高新区", code="t-hitech", kind="park", city=r["3204"])
    host = f.enterprise(region=r[WUJIN])
    placement = Placement.objects.create(scheme="tech_vp_city", year=2025, person_name="赵六", host_enterprise=host,
                                         start_on=date(2025, 3, 1), region=r[XINBEI])
    placement.assessment_units.set([tagged])
    qs = Placement.objects.all()
    reached = {
        (name, unit.code): qs.filter(pk__in=Placement.objects.filter(rule.q(Placement, unit)).values("pk")).exists()
        for name, rule in (("assessment", ASSESSMENT_UNIT), ("location", LOCATION), ("record", RECORD),
                           ("party", party_location("host_enterprise")))
        for unit in (wujin, xinbei, tagged)}
    assert {k for k, v in reached.items() if v} == {
        ("assessment", "t-hitech"), ("location", "t-xinbei"), ("record", "t-xinbei"), ("record", "t-hitech"),
        ("party", "t-wujin")}
    # The declared indicator uses the host enterprise's location: Wujin's figure counts it, Xinbei's not.
    vp = plugins.indicator("tech-vp-placements")
    assert list(vp.compute(city, Window(START, END, unit=wujin)).records) == [placement]
    assert vp.compute(city, Window(START, END, unit=xinbei)).value == 0
    # The industry-professor rule is the record's location: the same record moved to that scheme counts for Xinbei.
    Placement.objects.filter(pk=placement.pk).update(scheme="industry_professor")
    prof = plugins.indicator("industry-professor-placements")
    assert prof.compute(city, Window(START, END, unit=xinbei)).value == 1
    assert prof.compute(city, Window(START, END, unit=wujin)).value == 0


def test_window_edges_are_included_for_datetimes_too():
    r, _unit, city, _district = _readers()
    first = h.event(region=r[WUJIN], status="held", starts_at=timezone.make_aware(datetime(2025, 1, 1, 0, 0)))
    last = h.event(region=r[WUJIN], status="held", starts_at=timezone.make_aware(datetime(2025, 12, 31, 23, 59)))
    h.event(region=r[WUJIN], status="held", starts_at=timezone.make_aware(datetime(2026, 1, 1, 0, 0)))
    h.event(region=r[WUJIN], status="held", starts_at=timezone.make_aware(datetime(2024, 12, 31, 23, 59)))
    assert set(plugins.indicator("events-held").compute(city, YEAR).records) == {first, last}


def test_ratio_keeps_its_parts_and_has_no_value_over_zero():
    r, _unit, city, _district = _readers()
    h.project(region=r[WUJIN], signed_on=START, implementation_on=END)
    h.project(region=r[WUJIN], signed_on=START)
    signed = plugins.indicator("signed-projects").compute(city, YEAR)
    started = plugins.indicator("implemented-projects").compute(city, YEAR)
    share = ratio(started, signed)
    assert share.value == Decimal("0.5") and share.parts == {"numerator": started, "denominator": signed}
    empty = Figure(value=0, records=signed.records.none())
    assert ratio(started, empty).value is None


def test_every_indicator_is_documented_in_chinese_with_a_kind_a_reach_and_a_source():
    from django.utils import translation

    with translation.override("zh-hans"):
        for slug, indicator in plugins.indicators().items():
            label, doc, unit = str(indicator.label), str(indicator.documentation), str(indicator.unit)
            assert all(any("\u4e00" <= c <= "\u9fff" for c in t) for t in (label, doc, unit)) or unit == "%", slug
            # The documentation says where a record counts (计入…所在地) or that the value is reported (上报).
            assert ("计入" in doc) != indicator.is_reported and ("上报" in doc) == indicator.is_reported, slug
            assert indicator.source.startswith("seed "), slug


def _reported(unit, start, end, value, **kw):
    from duijie.core.models import ReportedValue

    return ReportedValue.objects.create(indicator="rd-gdp-ratio", unit=unit, period_start=start, period_end=end,
                                        value=Decimal(value), source="区统计局", **kw)


def test_a_reported_indicator_shows_the_filed_value_for_exactly_the_unit_and_the_latest_period():
    r, wujin, city, district = _readers()
    _reported(None, START, date(2025, 6, 30), "2.70", region=r["3204"])  # the city's half-year figure
    city_year = _reported(None, START, END, "2.77", region=r["3204"], document="2025年统计公报")
    _reported(None, date(2026, 1, 1), date(2026, 12, 31), "2.85", region=r["3204"])  # outside the window
    wujin_year = _reported(wujin, START, END, "3.10", region=r[WUJIN], visibility=SECRET)
    rd = plugins.indicator("rd-gdp-ratio")
    assert rd.is_reported and rd.kind == "reported" and rd.record_type == "reported-values"

    figure = rd.compute(city, YEAR)
    assert figure.reported and figure.value == Decimal("2.77") and list(figure.records) == [city_year]
    assert rd.compute(city, Window(START, date(2025, 6, 30))).value == Decimal("2.70")
    assert rd.compute(city, Window(START, END, unit=wujin)).value == Decimal("3.10")
    assert list(rd.compute(district, Window(START, END, unit=wujin)).records) == [wujin_year]
    nothing = plugins.indicator("high-tech-output").compute(city, YEAR)
    assert nothing.value is None and nothing.reported and not nothing.records.exists()
    # Computed indicators are never flagged reported.
    assert not plugins.indicator("signed-projects").compute(city, YEAR).reported


def test_a_reported_value_is_filed_through_the_registry_form_and_a_duplicate_is_refused(client):
    from duijie.core.models import ReportedValue

    r, wujin, city, _district = _readers()
    client.force_login(city)
    data = {"indicator": "invention-patents-per-10k", "period_start": "2025-01-01", "period_end": "2025-12-31",
            "value": "30.52", "source": "区市场监管局", "document": "2016年工作总结", "region": r["3204"].pk,
            "visibility": "platform"}
    response = client.post("/r/reported-values/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    filed = ReportedValue.objects.get()
    assert filed.value == Decimal("30.52") and filed.filed_by == city
    assert plugins.indicator("invention-patents-per-10k").compute(city, YEAR).value == Decimal("30.52")
    again = client.post("/r/reported-values/add/", data)
    assert again.status_code == 200 and ReportedValue.objects.count() == 1
    backwards = client.post("/r/reported-values/add/", data | {"period_start": "2026-01-01", "unit": wujin.pk})
    assert backwards.status_code == 200 and ReportedValue.objects.count() == 1


def test_park_and_institution_windows_follow_each_indicators_declared_path():
    """A 科技副总 filed in park A, hosted by an enterprise in park B, sent by university U and appointed
    as industry professor by university V: the host's park and the sending university count it as a
    科技副总; as an industry professor the record's park and the appointing university do. An
    indicator without an institution meaning refuses an institution window with its reason."""
    from duijie.core.indicators import NotComputed

    r, _wujin, city, _district = _readers()
    park_a, park_b = (Park.objects.create(name=n, region=r[WUJIN]) for n in ("园区甲", "园区乙"))
    sender, appointer = f.institution(name="大学甲"), f.institution(name="大学乙")
    placement = Placement.objects.create(
        scheme="tech_vp_city", year=2025, person_name="赵六", start_on=date(2025, 3, 1), region=r[WUJIN],
        park=park_a, host_enterprise=f.enterprise(region=r[WUJIN], park=park_b), home_institution=sender,
        host_institution=appointer)
    vp, prof = plugins.indicator("tech-vp-placements"), plugins.indicator("industry-professor-placements")

    def counted(ind, **owner):
        return list(ind.compute(city, Window(START, END, **owner)).records)
    assert counted(vp, park=park_b) == [placement] and counted(vp, park=park_a) == []
    assert counted(vp, institution=sender) == [placement] and counted(vp, institution=appointer) == []
    Placement.objects.filter(pk=placement.pk).update(scheme="industry_professor")
    assert counted(prof, park=park_a) == [placement] and counted(prof, park=park_b) == []
    assert counted(prof, institution=appointer) == [placement] and counted(prof, institution=sender) == []
    for slug, ind in plugins.indicators().items():
        window = Window(START, END, institution=sender)
        if ind.refusal(window) is None:
            ind.compute(city, window)
            continue
        with pytest.raises(NotComputed) as refused:
            ind.compute(city, window)
        assert refused.value.reason == ind.refusal(window) and str(refused.value.reason), slug
    with pytest.raises(ValueError, match="at most one owner"):
        Window(START, END, park=park_a, institution=sender)


def test_a_project_counts_where_its_enterprise_is_and_an_event_for_its_organising_unit():
    """Seed 001 附件3 counts 校企合作项目数 and 对接活动次数 per 区镇: a project filed in Xinbei whose
    enterprise is in Wujin counts for Wujin; one with no enterprise on file where it is filed. An
    event held in Xinbei but filed for the Wujin unit (Wujin organised it) counts for both."""
    r, wujin, city, _district = _readers()
    xinbei = AssessmentUnit.objects.create(name="新北区", code="t-xinbei", kind="district", city=r["3204"])
    xinbei.regions.set([r[XINBEI]])
    with_enterprise = h.project(region=r[XINBEI], signed_on=START)
    with_enterprise.enterprises.set([f.enterprise(region=r[WUJIN])])
    without = h.project(region=r[XINBEI], signed_on=START)
    signed = plugins.indicator("signed-projects")
    assert list(signed.compute(city, Window(START, END, unit=wujin)).records) == [with_enterprise]
    assert list(signed.compute(city, Window(START, END, unit=xinbei)).records) == [without]
    assert list(signed.compute(city, Window(START, END, region=r[WUJIN])).records) == [with_enterprise]
    event = h.event(region=r[XINBEI], status="held", starts_at=timezone.make_aware(datetime(2025, 5, 1, 9)))
    event.assessment_units.set([wujin])
    held = plugins.indicator("events-held")
    assert list(held.compute(city, Window(START, END, unit=wujin)).records) == [event]
    assert list(held.compute(city, Window(START, END, unit=xinbei)).records) == [event]


def test_a_declared_ratio_divides_its_parts_and_a_broken_declaration_is_refused():
    from duijie.core.indicators import RATIO, Indicator

    r, wujin, city, _district = _readers()
    h.project(region=r[WUJIN], signed_on=START, implementation_on=END)
    h.project(region=r[WUJIN], signed_on=START)
    h.project(region=r[XINBEI], signed_on=START)
    started, signed = plugins.indicator("implemented-projects"), plugins.indicator("signed-projects")
    share = Indicator(slug="t-share", label="x", documentation="x", unit="%", record_type="projects", kind=RATIO,
                      numerator=started, denominator=signed)
    assert share.compute(city, YEAR).value == Decimal(1) / Decimal(3)
    figure = share.compute(city, Window(START, END, unit=wujin))
    assert figure.value == Decimal("0.5") and figure.parts["denominator"].value == 2
    base = {"slug": "t-bad", "label": "x", "documentation": "x", "unit": "x", "record_type": "projects",
            "institution": "institutions"}
    for broken, why in (({}, "exactly one of"), ({"date_field": "signed_on", "year_field": "year"}, "exactly one of"),
                        ({"date_field": "signed_on", "kind": "sum"}, "names the field"),
                        ({"kind": RATIO}, "numerator and denominator"),
                        ({"date_field": "signed_on", "no_institution": "x"}, "institution path")):
        with pytest.raises(ValueError, match=why):
            Indicator(**base | broken)
