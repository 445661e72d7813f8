"""Pairings, visits (→ draft demands), placements against quota, student teams."""
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from duijie.core.models import AssessmentUnit, AuditLog, Organisation, Region
from duijie.core.roles import Role
from duijie.core.selectors import editable_queryset, visible_queryset
from duijie.core.services import record_save
from duijie.core.tests import factories as f
from duijie.demands.models import Demand
from duijie.pairings import selectors
from duijie.pairings.models import Pairing, Placement, PlacementQuota, StudentTeam, Visit
from duijie.pairings.services import visit_draft_demand

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    wj = Region.objects.get(code="320412")
    unit = AssessmentUnit.objects.create(name="武进区", code="t-wj", kind="district", city=Region.objects.get(code="3204"))
    unit.regions.set([wj])
    gov = Organisation.objects.create(kind="government", name="武进区科技局", region=wj, assessment_unit=unit)
    ent = f.enterprise(name="常州测试电机有限公司", region=wj)
    other = f.enterprise(uscc=f.uscc("320583"), name="昆山某公司", region=Region.objects.get(code="320583"))
    uni = f.institution(name="常州测试大学", region=wj)
    inst = f.institution(name="测试研究所", kind="institute", region=wj)
    return {
        "ent": ent, "other": other, "uni": uni, "inst": inst,
        "district": f.user(role=Role.UNIT_ADMIN, organisation=gov),
        "ent_user": f.user(role=Role.ENTERPRISE, organisation=ent.organisation),
        "teacher": f.user(role=Role.INSTITUTION, organisation=uni.organisation),
    }


def _visit(w, by, **kw):
    kw = {"enterprise": w["ent"], "visited_on": date(2026, 3, 5), "programme": "ten_ten", "visitors": "王老师、李老师",
          "visiting_institution": w["uni"], "findings": "产线换型慢", "region": w["ent"].region,
          "needs": "1. 伺服电机温升控制\n- 需要一名机器视觉工程师\n\n"} | kw
    return record_save(instance=Visit(**kw), by=by)


def test_visit_need_becomes_draft_demand_once(world):
    visit = _visit(world, world["district"])
    assert visit.need_lines == ["1. 伺服电机温升控制", "需要一名机器视觉工程师"]
    demand = visit_draft_demand(visit=visit, line_no=2, by=world["district"])
    assert (demand.status, demand.enterprise, demand.title) == ("draft", world["ent"], "需要一名机器视觉工程师")
    assert "产线换型慢" in demand.description and demand.filed_by == world["district"]
    assert list(visit.draft_demands.all()) == [demand]
    # a second click returns the same draft
    assert visit_draft_demand(visit=visit, line_no=2, by=world["district"]) == demand
    assert Demand.objects.count() == 1
    assert AuditLog.objects.filter(object_type="pairings.visit", object_id=str(visit.pk), action="update").exists()


def test_visit_need_out_of_range_and_not_in_scope(world):
    visit = _visit(world, world["teacher"])
    with pytest.raises(ValidationError, match="没有第 3 条需求"):
        visit_draft_demand(visit=visit, line_no=3, by=world["district"])
    # the visiting teacher may not file a demand for the enterprise: refused, nothing stored
    with pytest.raises(PermissionDenied):
        visit_draft_demand(visit=visit, line_no=1, by=world["teacher"])
    assert Demand.objects.count() == 0 and visit.draft_demands.count() == 0


def test_draft_demand_button_through_the_ui(client, world):
    visit = _visit(world, world["district"])
    client.force_login(world["district"])
    page = client.get(f"/r/visits/{visit.pk}/").content.decode()
    assert "转为需求草稿" in page and "伺服电机温升控制" in page
    response = client.post(f"/pairings/visits/{visit.pk}/needs/1/draft-demand/")
    demand = Demand.objects.get()
    assert response.status_code == 302 and response.url == f"/r/demands/{demand.pk}/"
    page = client.get(f"/r/visits/{visit.pk}/").content.decode()
    assert f"/r/demands/{demand.pk}/" in page
    client.force_login(world["teacher"])  # cannot even read the bureau's visit
    assert client.post(f"/pairings/visits/{visit.pk}/needs/2/draft-demand/").status_code == 404
    own = _visit(world, world["teacher"])  # reads its own, but may not file for the enterprise
    page = client.get(f"/r/visits/{own.pk}/").content.decode()
    assert "由科技局工作人员将需求转为需求草稿" in page and "转为需求草稿</button>" not in page
    assert client.post(f"/pairings/visits/{own.pk}/needs/2/draft-demand/").status_code == 403
    assert Demand.objects.count() == 1


def test_enterprise_cannot_edit_or_read_the_bureau_visit_log(world):
    visit = _visit(world, world["district"])
    assert not editable_queryset(Visit, world["ent_user"]).filter(pk=visit.pk).exists()
    assert not visible_queryset(Visit, world["ent_user"]).filter(pk=visit.pk).exists()
    assert editable_queryset(Visit, world["district"]).filter(pk=visit.pk).exists()
    # the visiting university may edit the visits it filed
    own = _visit(world, world["teacher"])
    assert editable_queryset(Visit, world["teacher"]).filter(pk=own.pk).exists()


def test_ten_ten_visit_needs_the_visiting_institution(world):
    with pytest.raises(ValidationError) as exc:
        _visit(world, world["district"], visiting_institution=None)
    assert "visiting_institution" in exc.value.message_dict
    assert Visit.objects.count() == 0


def test_ten_ten_summary_counts_match_the_records(world, admin_user):
    _visit(world, world["district"])
    _visit(world, world["district"], visited_on=date(2026, 4, 1), needs="")
    _visit(world, world["district"], visiting_institution=world["inst"], needs="检测服务")
    kunshan = f.user(role=Role.CITY_ADMIN, organisation=f.city_bureau("320583", "昆山市科技局"))
    _visit(world, kunshan, enterprise=world["other"], region=world["other"].region)
    _visit(world, world["district"], programme="survey", visiting_institution=None)
    _visit(world, world["district"], visited_on=date(2025, 3, 1))
    s = selectors.ten_ten_summary(user=admin_user, year=2026)  # 常州: the 昆山 visit is not in its scope
    rows = Visit.objects.filter(programme="ten_ten", visited_on__year=2026, region__code__startswith="3204")
    assert s.visits == rows.count() == 3
    assert s.enterprises == len({v.enterprise_id for v in rows}) == 1
    assert (s.universities, s.institutes) == (1, 1)
    assert s.needs == sum(len(v.need_lines) for v in rows) == 3
    assert selectors.ten_ten_summary(user=kunshan, year=2026).visits == 1
    # a district admin sees only the visits in its scope (昆山 is not)
    assert selectors.ten_ten_summary(user=world["district"], year=2026).enterprises == 1


def test_placement_rules_and_quota(world, admin_user):
    with pytest.raises(ValidationError) as exc:
        record_save(instance=Placement(scheme="tech_vp_city", year=2026, person_name="赵教授", home_institution=world["uni"],
                                       start_on=date(2026, 1, 1)), by=admin_user)
    assert "host_enterprise" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        record_save(instance=Placement(scheme="industry_professor", year=2026, person_name="钱工",
                                       host_institution=world["uni"], start_on=date(2026, 1, 1)), by=admin_user)
    assert "home_enterprise" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        record_save(instance=Placement(scheme="tech_vp_city", year=2026, person_name="孙教授", home_institution=world["uni"],
                                       host_enterprise=world["ent"], start_on=date(2026, 1, 1), end_on=date(2025, 1, 1)),
                    by=admin_user)
    assert "end_on" in exc.value.message_dict
    for i in range(3):
        record_save(instance=Placement(scheme="tech_vp_city", year=2026, person_name=f"教授{i}", home_institution=world["uni"],
                                       host_enterprise=world["ent"], start_on=date(2026, 1, 1)), by=admin_user)
    record_save(instance=PlacementQuota(scheme="tech_vp_city", year=2026, quota=600, basis="名城名园名校名院融合发展"),
                by=admin_user)
    row = next(r for r in selectors.placement_summary(user=admin_user, year=2026) if r["scheme"] == "tech_vp_city")
    assert (row["placed"], row["quota"], row["pct"]) == (3, 600, 0)
    row = next(r for r in selectors.placement_summary(user=admin_user, year=2026) if r["scheme"] == "industry_professor")
    assert (row["placed"], row["quota"], row["pct"]) == (0, None, None)


def test_liaison_pairing_rules(world, admin_user):
    staff = world["district"]
    base = {"kind": "liaison", "enterprise": world["ent"], "liaison": staff, "start_on": date(2026, 1, 1)}
    with pytest.raises(ValidationError, match="高新技术企业"):
        record_save(instance=Pairing(**base), by=admin_user)
    world["ent"].qualifications.create(kind="high_tech", valid_from=date(2025, 1, 1))
    record_save(instance=Pairing(**base), by=admin_user)
    # one liaison at a time per enterprise
    with pytest.raises(ValidationError):
        record_save(instance=Pairing(**(base | {"liaison": admin_user, "start_on": date(2026, 6, 1)})), by=admin_user)
    with pytest.raises(ValidationError) as exc:
        record_save(instance=Pairing(**(base | {"liaison": world["ent_user"], "start_on": date(2030, 1, 1)})),
                    by=admin_user)
    assert "liaison" in exc.value.message_dict
    assert Pairing.objects.count() == 1


def test_expert_pairing_overlap_and_party_edit(world, admin_user):
    expert = f.expert(institution=world["uni"])
    p = record_save(instance=Pairing(enterprise=world["ent"], expert=expert, start_on=date(2026, 1, 1),
                                     end_on=date(2026, 12, 31)), by=admin_user)
    with pytest.raises(ValidationError, match="重叠"):
        record_save(instance=Pairing(enterprise=world["ent"], expert=expert, start_on=date(2026, 6, 1)), by=admin_user)
    record_save(instance=Pairing(enterprise=world["ent"], expert=expert, start_on=date(2027, 1, 1)), by=admin_user)
    assert not editable_queryset(Pairing, world["ent_user"]).filter(pk=p.pk).exists()
    assert visible_queryset(Pairing, world["ent_user"]).filter(pk=p.pk).exists()  # platform visibility


def test_student_team_needs_an_incubator_and_its_company(world, admin_user):
    from duijie.supply.models import Carrier

    lab = Carrier.objects.create(name="某重点实验室", kind="key_lab", level="provincial")
    inc = Carrier.objects.create(name="武进科技孵化器", kind="incubator", level="city")
    team = StudentTeam(name="智能分拣小车", institution=world["uni"], leader_name="周同学", members=4, incubator=lab,
                       entered_on=date(2026, 3, 1))
    with pytest.raises(ValidationError) as exc:
        record_save(instance=team, by=admin_user)
    assert "incubator" in exc.value.message_dict
    team.incubator, team.status = inc, "registered"
    with pytest.raises(ValidationError) as exc:
        record_save(instance=team, by=admin_user)
    assert "enterprise" in exc.value.message_dict
    team.status = "incubating"
    record_save(instance=team, by=world["teacher"])
    assert editable_queryset(StudentTeam, world["teacher"]).filter(pk=team.pk).exists()


def test_create_roles(client, world):
    client.force_login(world["ent_user"])
    assert client.get("/r/visits/add/").status_code == 403
    assert client.get("/r/placements/add/").status_code == 403
    client.force_login(world["teacher"])
    assert client.get("/r/visits/add/").status_code == 200
    assert client.get("/r/placements/add/").status_code == 403


def test_overview_page(client, world, admin_user):
    _visit(world, world["district"])
    client.force_login(world["ent_user"])
    assert client.get("/pairings/").status_code == 403
    client.force_login(admin_user)
    page = client.get("/pairings/?year=2026").content.decode()
    assert "十校十所进千企" in page and "常州测试大学" in page
    assert client.get("/pairings/?year=abc").status_code == 200


def test_navigation_hides_lists_a_role_cannot_have(client, world, admin_user):
    client.force_login(world["ent_user"])
    page = client.get("/").content.decode()
    assert "/r/audit-log/" not in page and 'href="/pairings/"' not in page and "/r/pairings/" in page
    client.force_login(admin_user)
    assert 'href="/pairings/"' in client.get("/").content.decode()
    client.force_login(f.user(role=Role.AUDIT_ADMIN, organisation=admin_user.organisation))
    page = client.get("/").content.decode()
    assert "/r/audit-log/" in page and "/r/pairings/" not in page and "/r/demands/" not in page
