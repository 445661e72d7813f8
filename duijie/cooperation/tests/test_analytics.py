"""The effectiveness funnel equals counts computed independently from the records of a small
scenario; projects count for an event only through their explicit source link; scope applies."""

from datetime import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone

from duijie.cooperation import analytics
from duijie.cooperation.tests import helpers as h
from duijie.core.roles import Role
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


def aware(*args):
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def scenario():
    """Two events in 2025 (May, August) and one in 2026; projects linked by event, by intention,
    and one "guessable" project (same enterprise, no link) that must not count."""
    from duijie.core.models import Region

    district = Region.objects.get(code="320412")
    other_district = Region.objects.get(code="320402")
    org = f.organisation(name="武进区科技局")
    a = h.event(title="高校走进园区·新材料", event_type="uni_to_park", starts_at=aware(2025, 5, 10, 9),
                region=district, organiser=org)
    b = h.event(title="老师老板面对面", event_type="face_to_face", starts_at=aware(2025, 8, 20, 9),
                region=district, organiser=org)
    c = h.event(title="年终成果路演会", event_type="roadshow", starts_at=aware(2026, 1, 5, 9), region=other_district)
    # invitations: a: 5 invited (1 planned, not counted), 3 attended (one by check-in only); b: 2, 1; c: 1, 0
    for status, checked in (("attended", True), ("attended", False), ("registered", True), ("declined", False),
                            ("invited", False), ("planned", False)):
        h.invite(a, status=status, checked_in=checked)
    h.invite(b, status="attended")
    h.invite(b, status="absent", expert=f.expert(institution=f.institution()))
    h.invite(c, status="invited")
    h.slot(a, held=True)
    h.slot(a, held=True, minutes=30)
    h.slot(a, held=False, minutes=60)
    h.slot(b, held=True)
    ia = [h.intention(a) for _ in range(4)]
    ib = [h.intention(b) for _ in range(2)]
    h.intention(None)  # not at an event
    # projects: via intention (a: 2 intentions → 3 projects), via event only (a: 1), b: 1 via intention
    p1 = h.project(source="event", source_intention=ia[0], status="implementing")
    p2 = h.project(source="event", source_intention=ia[0], source_event=a, status="terminated")
    p3 = h.project(source="event", source_intention=ia[1], status="completed")
    p4 = h.project(source="event", source_event=a, status="signed")
    p5 = h.project(source="event", source_intention=ib[0], status="intention")
    guess = h.project(source="other", status="completed")
    guess.enterprises.set([ia[2].enterprise])
    h.contract(project=p1, amount=Decimal("300000"))
    h.contract(project=p4, amount=Decimal("150000.50"))
    h.contract(project=p5, amount=Decimal("80000"))
    h.contract(project=guess, amount=Decimal("999999"))
    h.contract(project=None, amount=Decimal("1000"))
    return {"a": a, "b": b, "c": c, "projects": [p1, p2, p3, p4, p5]}


def independent(ev):
    """The funnel of one event, counted record by record in Python."""
    from duijie.cooperation.models import CooperationProject, TechContract
    from duijie.events.models import Intention, Invitation, MeetingSlot

    invs = [i for i in Invitation.objects.all() if i.event_id == ev.pk]
    projects = [p for p in CooperationProject.objects.all()
                if p.source_event_id == ev.pk or (p.source_event_id is None and p.source_intention_id
                                                  and p.source_intention.event_id == ev.pk)]
    pids = {p.pk for p in projects}
    contracts = [c for c in TechContract.objects.all() if c.project_id in pids]
    intentions = [i for i in Intention.objects.all() if i.event_id == ev.pk]
    return {
        "invited": sum(1 for i in invs if i.status != "planned"),
        "attended": sum(1 for i in invs if i.status != "planned" and (i.status == "attended" or i.checked_in_at)),
        "meetings": sum(1 for s in MeetingSlot.objects.all() if s.event_id == ev.pk and s.held),
        "intentions": len(intentions),
        "projects": len(projects),
        "converted": sum(1 for i in intentions if any(p.source_intention_id == i.pk for p in projects)),
        "contracts": len(contracts),
        "contract_value": sum((c.amount for c in contracts), Decimal("0")),
        "implemented": sum(1 for p in projects if p.status in ("implementing", "completed")),
    }


def test_funnel_per_event_equals_independent_counts(scenario, admin_user):
    data = analytics.report(admin_user)
    rows = {r.event_id: r for r in data["events"]}
    assert set(rows) == {scenario["a"].pk, scenario["b"].pk, scenario["c"].pk}
    for key in ("a", "b", "c"):
        ev = scenario[key]
        expected = independent(ev)
        row = rows[ev.pk]
        assert {k: getattr(row, k) for k in expected} == expected, key
    # The hand-checked figures of event a, so the independent count is itself checked.
    a = rows[scenario["a"].pk]
    assert (a.invited, a.attended, a.meetings, a.intentions, a.projects, a.converted, a.contracts,
            a.implemented) == (5, 3, 2, 4, 4, 2, 2, 2)
    assert a.contract_value == Decimal("450000.50") and a.conversion == 0.5
    t = data["total"]
    assert (t.events, t.invited, t.intentions, t.projects, t.contracts) == (3, 8, 6, 5, 3)


def test_grouping_by_type_organiser_and_period(scenario, admin_user):
    data = analytics.report(admin_user, granularity="quarter")
    periods = {r.key: r for r in data["by_period"]}
    assert list(periods) == ["2025Q2", "2025Q3", "2026Q1"]
    assert periods["2025Q2"].intentions == 4 and periods["2025Q3"].projects == 1
    months = {r.key for r in analytics.report(admin_user)["by_period"]}
    assert months == {"2025-05", "2025-08", "2026-01"}
    organisers = {r.label: r for r in data["by_organiser"]}
    assert organisers[str(scenario["a"].organiser)].events == 2
    types = {r.label: r.events for r in data["by_type"]}
    assert sum(types.values()) == 3


def test_filters_and_district_scope(scenario, client):
    from datetime import date

    from duijie.core.models import AssessmentUnit, Region

    unit = AssessmentUnit.objects.create(name="武进区", code="wujin-test", kind="district",
                                         city=Region.objects.get(code="3204"))
    unit.regions.set([Region.objects.get(code="320412")])
    district_admin = f.user(role=Role.UNIT_ADMIN, organisation=f.organisation(name="武进区科技局"))
    district_admin.organisation.assessment_unit = unit
    district_admin.organisation.save()
    data = analytics.report(district_admin)
    assert {r.event_id for r in data["events"]} == {scenario["a"].pk, scenario["b"].pk}
    data = analytics.report(district_admin, date_from=date(2025, 6, 1))
    assert [r.event_id for r in data["events"]] == [scenario["b"].pk]
    # Not for non-government roles.
    ent_user = f.user(role=Role.ENTERPRISE, organisation=f.enterprise().organisation)
    assert analytics.report(ent_user)["events"] == []
    client.force_login(ent_user)
    assert client.get("/cooperation/effect/").status_code == 403
    client.force_login(district_admin)
    page = client.get("/cooperation/effect/").content.decode()
    assert "高校走进园区·新材料" in page and "年终成果路演会" not in page
    assert 'src="/static/vendor/echarts.min.js"' in page and "effect-data" in page


def test_page_and_xlsx_export(scenario, admin_client):
    from openpyxl import load_workbook

    from duijie.core.models import AuditLog

    page = admin_client.get("/cooperation/effect/?by=quarter&event_type=uni_to_park")
    body = page.content.decode()
    assert page.status_code == 200 and "活动成效分析" in body and "老师老板面对面" not in body
    response = admin_client.get("/cooperation/effect.xlsx?from=bad-date")
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.content))
    assert wb.sheetnames == ["按活动", "按活动类型", "按组织方", "按期间"]
    ws = wb["按活动"]
    header = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    a = rows["高校走进园区·新材料"]
    assert a["已邀请"] == 5 and a["意向"] == 4 and a["已实施"] == 2 and a["合同金额（万元）"] == 45.0
    assert a["意向转项目比例"] == 0.5
    assert AuditLog.objects.filter(action="export", object_type="cooperation.effect").exists()


def test_empty_scope_page_renders(client):
    from duijie.accounts.models import User

    user = User.objects.create_user(username="parkmgr", role=Role.PARK_MANAGER, organisation=f.organisation())
    client.force_login(user)
    page = client.get("/cooperation/effect/")
    assert page.status_code == 200 and "没有符合条件的活动" in page.content.decode()
