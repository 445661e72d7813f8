"""科技副总 / 产业教授 / 双岗互聘 have one record, the placement (issue #13 item 6): the old expert roles
move into placements (migration 0003), the role kinds are no longer offered, and matching's conflict
and load rules read the placements."""

import importlib
from datetime import date, timedelta

from django.apps import apps
from django.utils import timezone

from duijie.core.models import AssessmentUnit, Region
from duijie.core.tests import factories as f
from duijie.experts.choices import ExpertRoleKind
from duijie.experts.models import ExpertRole
from duijie.matching import policy
from duijie.pairings.models import Placement

move = importlib.import_module("duijie.pairings.migrations.0003_placements_from_expert_roles").forward


def test_roles_of_placement_kinds_move_into_placements_once(db):
    ent, uni = f.enterprise(name="常州迁移测试有限公司"), f.institution(name="常州迁移测试大学")
    unit = AssessmentUnit.objects.create(name="迁移测试区", code="t-move", kind="district", city=ent.region)
    ent.assessment_units.set([unit])
    x = f.expert(name="钱迁移", institution=uni)
    ExpertRole.objects.create(expert=x, kind="tech_vp", host=ent.organisation, start=date(2025, 3, 1),
                              end=date(2026, 2, 28))
    ExpertRole.objects.create(expert=x, kind="dual_post", host=ent.organisation, start=date(2025, 7, 1))
    ExpertRole.objects.create(expert=x, kind="industry_professor", host=ent.organisation, start=date(2024, 9, 1))
    ExpertRole.objects.create(expert=x, kind="tech_vp", host=uni.organisation, start=date(2023, 3, 1))
    broker = ExpertRole.objects.create(expert=x, kind="broker", certificate_no="JSJJR2024001", start=date(2024, 1, 1))
    # The 双岗互聘 placement is already filed: the role is dropped, not copied a second time.
    Placement.objects.create(scheme="tech_vp_city", year=2025, person_name=x.name, expert=x, host_enterprise=ent,
                             start_on=date(2025, 7, 1))

    move(apps, None)

    assert list(ExpertRole.objects.filter(expert=x)) == [broker]
    got = {(p.scheme, p.host_enterprise_id, p.home_enterprise_id, p.host_institution_id, p.start_on, p.end_on)
           for p in Placement.objects.filter(expert=x)}
    assert got == {
        ("tech_vp_provincial", ent.pk, None, None, date(2025, 3, 1), date(2026, 2, 28)),
        ("tech_vp_city", ent.pk, None, None, date(2025, 7, 1), None),
        ("industry_professor", None, ent.pk, uni.pk, date(2024, 9, 1), None),
        ("tech_vp_provincial", None, None, None, date(2023, 3, 1), None),  # host was no enterprise: to complete
    }
    orphan = Placement.objects.get(expert=x, start_on=date(2023, 3, 1))
    assert "请补全" in orphan.duties and orphan.home_institution == uni
    moved = Placement.objects.get(expert=x, start_on=date(2025, 3, 1))
    assert moved.region_id == ent.region_id and moved.year == 2025 and moved.person_name == "钱迁移"
    assert set(moved.assessment_units.all()) == set(ent.assessment_units.all())
    assert Placement.history.filter(history_change_reason__startswith="由专家角色").count() == 3
    assert ExpertRole.history.filter(history_type="-", expert_id=x.pk,
                                     history_change_reason__startswith="迁移为派驻记录").count() == 4
    move(apps, None)  # running it again changes nothing
    assert Placement.objects.filter(expert=x).count() == 4


def test_placement_kinds_are_no_longer_expert_roles():
    assert {"tech_vp", "industry_professor", "dual_post"}.isdisjoint(ExpertRoleKind.values)
    assert {"broker", "tech_manager", "academician"} <= set(ExpertRoleKind.values)


def test_matching_flags_a_tech_vp_placement_in_term_and_counts_it_as_load(db):
    ent, other = f.enterprise(name="常州冲突测试有限公司"), f.enterprise(name="常州无关测试有限公司")
    x, y = f.expert(name="钱在任"), f.expert(name="李期满")
    today = timezone.localdate()
    Placement.objects.create(scheme="tech_vp_city", year=today.year, person_name=x.name, expert=x,
                             host_enterprise=ent, start_on=today - timedelta(days=10))
    Placement.objects.create(scheme="tech_vp_provincial", year=2020, person_name=y.name, expert=y,
                             host_enterprise=ent, start_on=date(2020, 3, 1), end_on=date(2021, 2, 28))
    Placement.objects.create(scheme="industry_professor", year=today.year, person_name=y.name, expert=y,
                             home_enterprise=other, host_institution=f.institution(), start_on=today)

    flagged = policy.conflicts([x, y], ent)
    assert flagged[x.pk][0] == policy.FLAG and "科技副总" in str(flagged[x.pk][1])
    assert y.pk not in flagged  # the term ended
    assert policy.conflicts([y], other)[y.pk][0] == policy.FLAG  # an industry professor from that enterprise
    assert policy.expert_load([x.pk, y.pk]) == {x.pk: 1, y.pk: 1}


def test_ten_ten_targets_are_the_programme_targets_of_the_year(admin_user, client):
    from duijie.pairings import selectors
    from duijie.programmes.models import Programme, ProgrammeIndicator, Target

    city = Region.objects.get(code="3204")
    unit = AssessmentUnit.objects.create(name="常州市", code="t-cz-city", kind="city", city=city)
    unit.regions.set([city])
    assert selectors.ten_ten_summary(user=admin_user, year=2020).targets == {}  # no constant behind it
    programme = Programme.objects.create(code="t-cz-2019", name="三年行动计划", period_start=date(2019, 1, 1),
                                         period_end=date(2021, 12, 31), region=city)
    for slug, value in (("ten-ten-universities", 10), ("ten-ten-institutes", 10), ("ten-ten-enterprises", 1000)):
        pi = ProgrammeIndicator.objects.create(programme=programme, indicator=slug)
        Target.objects.create(programme_indicator=pi, owner_unit=unit, period_kind="whole", period_start=date(2019, 1, 1),
                              period_end=date(2021, 12, 31), value=value, source="三、（三）4")
    got = selectors.ten_ten_summary(user=admin_user, year=2020).targets
    assert {k: t.value for k, t in got.items()} == {"universities": 10, "institutes": 10, "enterprises": 1000}
    assert selectors.ten_ten_summary(user=admin_user, year=2022).targets == {}  # the targets' years only
    client.force_login(admin_user)
    page = client.get("/pairings/?year=2020").content.decode()
    assert "/1000" in page.replace(" ", "") or ">1000<" in page
