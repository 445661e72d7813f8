"""Programmes, targets and progress: the owner rule, indicator slugs, progress equal to the
indicator's figure with the same record ids, thresholds read from the programme, and the drill-down
page and progress API scoped to the reader (a district sees its own units only)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from duijie.cooperation.tests import helpers as h
from duijie.core import plugins
from duijie.core.models import AssessmentUnit, Organisation, Park, Region
from duijie.core.plugins import Window
from duijie.core.tests import factories as f
from duijie.programmes import progress
from duijie.programmes.choices import Status
from duijie.programmes.models import Programme, ProgrammeIndicator, Target

pytestmark = pytest.mark.django_db

SECRET = "classified"  # scope alone decides who sees what
START, END = date(2025, 1, 1), date(2025, 12, 31)


@pytest.fixture
def world():
    r = {c: Region.objects.get(code=c) for c in ("3204", "320412", "320411")}
    wujin = AssessmentUnit.objects.create(name="武进区", code="t-wujin", kind="district", city=r["3204"])
    wujin.regions.set([r["320412"]])
    xinbei = AssessmentUnit.objects.create(name="新北区", code="t-xinbei", kind="district", city=r["3204"])
    xinbei.regions.set([r["320411"]])
    bureau = Organisation.objects.create(kind="government", name="常州市科技局", region=r["3204"])
    city = f.user(role="city_admin", organisation=bureau)
    district = f.user(role="unit_admin", organisation=Organisation.objects.create(
        kind="government", name="武进区科技局", region=r["320412"], assessment_unit=wujin))
    programme = Programme.objects.create(code="t-prog", name="三年行动计划", period_start=START, period_end=END,
                                         region=r["3204"], thresholds_source="测试：方案第五条")
    pi = ProgrammeIndicator.objects.create(programme=programme, indicator="signed-projects", order=1)
    targets = {u.code: Target.objects.create(programme_indicator=pi, owner_unit=u, period_kind="year",
                                             period_start=START, period_end=END, value=Decimal(4))
               for u in (wujin, xinbei)}
    wujin_projects = [h.project(region=r["320412"], visibility=SECRET, status="signed", signed_on=date(2025, m, 1))
                      for m in (2, 5, 9)]
    xinbei_projects = [h.project(region=r["320411"], visibility=SECRET, status="signed", signed_on=date(2025, 3, 3))]
    h.project(region=r["320412"], visibility=SECRET, status="signed", signed_on=date(2024, 12, 31))  # before
    return {"r": r, "wujin": wujin, "xinbei": xinbei, "city": city, "district": district, "bureau": bureau,
            "programme": programme, "pi": pi, "targets": targets, "wujin_projects": wujin_projects,
            "xinbei_projects": xinbei_projects}


def _target(world, **owners):
    return Target(programme_indicator=world["pi"], period_kind="year", period_start=START, period_end=END,
                  value=Decimal(3), **owners)


def test_target_needs_exactly_one_owner(world):
    park = Park.objects.create(name="测试园区")
    with pytest.raises(ValidationError) as none:
        _target(world).full_clean()
    assert "owner_unit" in none.value.message_dict
    with pytest.raises(ValidationError) as two:
        _target(world, owner_unit=world["wujin"], owner_park=park).full_clean()
    assert "owner_park" in two.value.message_dict
    _target(world, owner_park=park).full_clean()  # one owner: fine
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        _target(world, owner_unit=world["wujin"], owner_department=world["bureau"]).save()


def test_unknown_indicator_slug_is_refused_by_name(world, api_client):
    pi = ProgrammeIndicator(programme=world["programme"], indicator="no-such-figure")
    with pytest.raises(ValidationError) as e:
        pi.full_clean()
    assert "no-such-figure" in str(e.value.message_dict["indicator"])
    api = APIClient()
    api.force_authenticate(world["city"])
    response = api.post("/api/programme-indicators/", {"programme": world["programme"].pk,
                                                       "indicator": "no-such-figure"}, format="json")
    assert response.status_code == 400
    assert "no-such-figure" in str(response.json())


def test_progress_actual_is_the_indicator_figure_with_its_record_ids(world):
    indicator = plugins.indicator("signed-projects")
    for user in (world["city"], world["district"]):
        rows = progress.progress(user, world["programme"], today=END)
        for row in rows:
            figure = indicator.compute(user, Window(START, END, unit=row.target.owner_unit))
            assert row.actual == figure.value
            assert row.record_ids == sorted(figure.records.values_list("pk", flat=True))
    rows = {r.target.owner_unit.code: r for r in progress.progress(world["city"], world["programme"], today=END)}
    assert rows["t-wujin"].record_ids == sorted(p.pk for p in world["wujin_projects"])
    assert rows["t-xinbei"].record_ids == [world["xinbei_projects"][0].pk]
    assert rows["t-wujin"].needs == 1 and rows["t-xinbei"].needs == 3
    # the district reads only its own unit's target
    assert [r.target.owner_unit.code for r in progress.progress(world["district"], world["programme"], today=END)] \
        == ["t-wujin"]


def test_pace_and_status_come_from_the_programme_thresholds(world):
    programme = world["programme"]
    mid = date(2025, 7, 2)  # 183 of 365 days: expected ≈ 2.01 of 4
    rows = {r.target.owner_unit.code: r for r in progress.progress(world["city"], programme, today=mid)}
    assert rows["t-wujin"].expected == (Decimal(4) * Decimal(183) / Decimal(365)).quantize(Decimal("0.01"))
    assert rows["t-wujin"].status == Status.AHEAD  # 3 ÷ 2.01 ≥ 1.10
    assert rows["t-xinbei"].status == Status.AT_RISK  # 1 ÷ 2.01 = 0.50 < 0.60
    programme.ahead_from, programme.lagging_below, programme.at_risk_below = Decimal("2"), Decimal("0.9"), Decimal("0.4")
    programme.save()
    rows = {r.target.owner_unit.code: r for r in progress.progress(world["city"], programme, today=mid)}
    assert rows["t-wujin"].status == Status.ON_TRACK  # 1.49: below 2, not below 0.9
    assert rows["t-xinbei"].status == Status.LAGGING  # 0.50: below 0.9, not below 0.4
    # at the end of the period the whole target is expected; a target met is never lagging
    rows = {r.target.owner_unit.code: r for r in progress.progress(world["city"], programme, today=END)}
    assert rows["t-wujin"].expected == Decimal(4) and rows["t-wujin"].status == Status.LAGGING  # 0.75
    with pytest.raises(ValidationError):
        Programme(code="bad", name="x", period_start=START, period_end=END, ahead_from=Decimal("0.5"),
                  lagging_below=Decimal("0.9"), at_risk_below=Decimal("0.6")).full_clean()


def test_a_department_target_with_no_region_anywhere_is_listed_not_computed(world):
    world["programme"].region = None
    world["programme"].save()
    target = _target(world, owner_department=Organisation.objects.create(kind="government", name="某中心"))
    target.save()
    department = progress.row_for(world["city"], target, END)
    assert department.actual is None and department.status == Status.NOT_COMPUTED and department.note


def _client(user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def test_drill_down_lists_the_counted_records_within_the_readers_scope(world):
    wujin_target, xinbei_target = world["targets"]["t-wujin"], world["targets"]["t-xinbei"]
    city, district = _client(world["city"]), _client(world["district"])
    page = district.get(reverse("programmes:target", args=[wujin_target.pk]) + "?on=2025-12-31")
    assert page.status_code == 200
    body = page.content.decode()
    for p in world["wujin_projects"]:
        assert reverse("registry:detail", args=["projects", p.pk]) in body
    assert reverse("registry:detail", args=["projects", world["xinbei_projects"][0].pk]) not in body
    # another district's unit: not found, on the drill-down and on the unit page
    assert district.get(reverse("programmes:target", args=[xinbei_target.pk])).status_code == 404
    url = reverse("programmes:progress", args=[world["programme"].code])
    assert district.get(url, {"unit": world["xinbei"].pk}).status_code == 404
    grid = district.get(url, {"on": "2025-12-31"}).content.decode()
    assert "武进区" in grid and "新北区" not in grid
    city_grid = city.get(url, {"on": "2025-12-31"}).content.decode()
    assert "武进区" in city_grid and "新北区" in city_grid
    assert city.get(reverse("programmes:target", args=[xinbei_target.pk])).status_code == 200
    assert city.get(reverse("programmes:index")).status_code == 200
    detail = city.get(reverse("registry:detail", args=["programmes", world["programme"].pk])).content.decode()
    assert url in detail  # the programme's page links to its progress
    # not for enterprises
    ent = f.user(role="enterprise", organisation=f.enterprise(name="某企业有限公司").organisation)
    assert _client(ent).get(url).status_code == 403


def test_progress_api_returns_record_ids_scoped_to_the_caller(world):
    url = f"/api/programmes/{world['programme'].code}/progress/"
    api = APIClient()
    api.force_authenticate(world["district"])
    data = api.get(url, {"on": "2025-12-31"}).json()
    assert [(d["owner"], d["actual"], d["record_ids"]) for d in data] == \
        [("武进区", 3, sorted(p.pk for p in world["wujin_projects"]))]
    assert data[0]["record_type"] == "projects" and data[0]["needs"] == 1
    assert api.get(url, {"unit": world["xinbei"].pk}).status_code == 404
    api.force_authenticate(world["city"])
    data = api.get(url, {"on": "2025-12-31"}).json()
    assert {d["owner"]: d["actual"] for d in data} == {"武进区": 3, "新北区": 1}
    ent = f.user(role="enterprise", organisation=f.enterprise(name="某企业有限公司").organisation)
    api.force_authenticate(ent)
    assert api.get(url).status_code == 404
    schema = APIClient()
    schema.force_authenticate(world["city"])
    assert "/api/programmes/{code}/progress/" in schema.get("/api/openapi.json").json()["paths"]


def test_unit_administrator_reads_its_own_targets_only(world):
    from duijie.core import selectors
    from duijie.core.registry import REGISTRY

    visible = selectors.record_list(record_type=REGISTRY["targets"], user=world["district"])
    assert list(visible) == [world["targets"]["t-wujin"]]
    assert selectors.record_list(record_type=REGISTRY["programmes"], user=world["district"]).count() == 1
    assert selectors.can_edit(world["city"], world["programme"])
    assert not selectors.can_edit(world["district"], world["programme"])


def test_refinements_below_their_parent_are_a_warning_not_an_error(world):
    parent = world["targets"]["t-wujin"]
    town = AssessmentUnit.objects.create(name="湖塘镇", code="t-hutang", kind="town", city=world["r"]["3204"],
                                         parent=world["wujin"])
    child = _target(world, owner_unit=town, parent=parent)
    child.full_clean()  # 3 < 4: allowed
    child.save()
    row = next(r for r in progress.progress(world["city"], world["programme"], today=END) if r.target == parent)
    assert row.children_shortfall == Decimal(1)
    page = _client(world["city"]).get(reverse("programmes:progress", args=[world["programme"].code]))
    assert page.status_code == 200 and 'data-shortfall="1"' in page.content.decode()


def test_demo_creates_the_programmes_with_mixed_progress(db):
    from duijie.accounts.models import User
    from duijie.demo.generator import Scale, generate

    generate(seed=7, scale=Scale(enterprises=40, experts=10, achievements=5, patents=5, demands=10, scenarios=2))
    kunshan = Programme.objects.get(code="kunshan-2017")
    assert kunshan.document_number == "昆政办发〔2017〕163号"
    changzhou = Programme.objects.get(code="changzhou-2019")
    year = Target.objects.filter(programme_indicator__programme=kunshan, period_kind="year")
    assert year.count() == 22
    assert sum(t.value for t in year.filter(programme_indicator__indicator="signed-projects")) == 98
    assert sum(t.value for t in year.filter(programme_indicator__indicator="events-held")) == 79
    whole = Target.objects.filter(programme_indicator__programme=kunshan, period_kind="whole", owner_unit__isnull=False)
    assert sum(t.value for t in whole.filter(programme_indicator__indicator="signed-projects")) == 300
    assert Target.objects.get(programme_indicator__programme=changzhou,
                              programme_indicator__indicator="implemented-projects").value == 300
    for t in Target.objects.all():
        t.full_clean()
    user = User.objects.get(username="kunshan")
    rows = progress.progress(user, kunshan, start=date(2017, 1, 1), end=date(2017, 12, 31), today=date(2026, 5, 31))
    assert {Status.AHEAD, Status.AT_RISK} <= {r.status for r in rows}  # neither all green nor empty
    assert any(r.actual for r in rows)


def test_a_unit_administrator_names_only_owners_in_its_scope(world):
    town = AssessmentUnit.objects.create(name="湖塘镇", code="t-hutang", kind="town", city=world["r"]["3204"],
                                         parent=world["wujin"])
    api = APIClient()
    api.force_authenticate(world["district"])
    body = {"programme_indicator": world["pi"].pk, "period_kind": "year", "period_start": "2025-01-01",
            "period_end": "2025-12-31", "value": "2", "parent": world["targets"]["t-wujin"].pk}
    refused = api.post("/api/targets/", {**body, "owner_unit": world["xinbei"].pk}, format="json")
    assert refused.status_code == 400 and "owner_unit" in refused.json()
    created = api.post("/api/targets/", {**body, "owner_unit": town.pk}, format="json")
    assert created.status_code == 201, created.json()
    target = Target.objects.get(pk=created.json()["id"])
    assert target.region_id is None and target.visibility == "restricted"
    # moving its own target to another district is refused too
    moved = api.patch(f"/api/targets/{target.pk}/", {"owner_unit": world["xinbei"].pk}, format="json",
                      **f.if_match(target))
    assert moved.status_code == 400 and "owner_unit" in moved.json()
    # the city reads it; a department's target lies in the department's region
    assert progress.targets(world["city"], world["programme"]).filter(pk=target.pk).exists()
    dept = _target(world, owner_department=world["bureau"])
    dept.save()
    assert dept.region_id == world["r"]["3204"].pk


def test_a_county_level_city_administrator_reaches_its_towns_units(world):
    """昆山's bureau (320583) sets targets for and opens the pages of its towns' units, which are
    placed in 苏州 (3205): the units it may name are the units it reads."""
    from duijie.core import scope

    r = {c: Region.objects.get(code=c) for c in ("3205", "320583", "320583106")}
    zhangpu = AssessmentUnit.objects.create(name="张浦", code="t-zhangpu", kind="town", city=r["3205"])
    zhangpu.regions.set([r["320583106"]])
    kunshan = f.user(role="city_admin", organisation=Organisation.objects.create(
        kind="government", name="昆山市科技局", region=r["320583"]))
    assert list(scope.units_in_scope(kunshan)) == [zhangpu]
    programme = Programme.objects.create(code="t-ks", name="工作意见", period_start=START, period_end=END,
                                         region=r["320583"])
    pi = ProgrammeIndicator.objects.create(programme=programme, indicator="events-held")
    api = APIClient()
    api.force_authenticate(kunshan)
    created = api.post("/api/targets/", {"programme_indicator": pi.pk, "period_kind": "year", "owner_unit": zhangpu.pk,
                                         "period_start": "2025-01-01", "period_end": "2025-12-31", "value": "6"},
                       format="json")
    assert created.status_code == 201, created.json()
    page = _client(kunshan).get(reverse("programmes:progress", args=["t-ks"]), {"unit": zhangpu.pk})
    assert page.status_code == 200 and "张浦" in page.content.decode()
