"""Regions and assessment units (city administrators only) and many-to-many columns (several
names or codes in one cell)."""

import pytest
from django.urls import reverse

from duijie.core.models import AssessmentUnit, Park, Region
from duijie.core.tests import factories as f
from duijie.imports import engine
from duijie.imports.kinds import KINDS
from duijie.imports.tests.helpers import xlsx
from duijie.imports.tests.test_views import upload

pytestmark = pytest.mark.django_db

UNIT_HEAD = ["代码", "名称", "类型", "所属城市", "地区", "园区"]


def run(kind, rows, user, commit=True):
    return engine.run(KINDS[kind], xlsx(rows), "f.xlsx", user, commit=commit)


def test_regions_import_by_code_with_the_level_from_the_code(admin_user):
    rows = [["代码", "名称", "上级"], ["320412998", "示例新街道", "320412"], ["320412", "武进区", "3204"],
            ["32041", "坏代码", "3204"], ["320412997", "另一街道", "火星区"]]
    result = run("region", rows, admin_user, commit=False)
    assert [r.outcome for r in result.rows] == ["new", "unchanged", "error", "error"]
    assert result.errors() == [(4, "代码", "“32041”不是区划代码：应为 2、4、6、9 或 12 位数字（32、3204、320412、320412001）。"),
                               (5, "上级", "库中没有地区“火星区”。")]
    result = run("region", rows[:3], admin_user)
    town = Region.objects.get(code="320412998")
    assert result.committed and town.level == 4 and town.parent.code == "320412"
    assert town.history.count() == 1
    again = run("region", rows[:3], admin_user)
    assert again.counts == {"new": 0, "updated": 0, "unchanged": 2, "errors": 0}


def test_only_city_administrators_import_regions_and_units(admin_user, enterprise_client):
    from django.test import Client

    admin_client = Client()
    admin_client.force_login(admin_user)
    for slug in ("regions", "assessment-units"):
        assert enterprise_client.get(reverse("imports:upload", args=[slug])).status_code == 403
        assert enterprise_client.get(reverse("imports:template", args=[slug])).status_code == 403
        assert admin_client.get(reverse("imports:upload", args=[slug])).status_code == 200
    page = admin_client.get(reverse("registry:list", args=["regions"])).content.decode()
    assert reverse("imports:upload", args=["regions"]) in page
    response = upload(admin_client, "区划.xlsx", xlsx([["代码", "名称", "上级"], ["320412996", "网页街道", "320412"]]),
                      slug="regions")
    assert response.status_code == 302


def test_units_with_regions_and_parks_in_one_cell(admin_user):
    park = Park.objects.create(name="武进国家高新区", short_name="武高新", region=Region.objects.get(code="320412"))
    rows = [UNIT_HEAD, ["demo-2026", "示例板块", "区（县）", "常州市", "320412、320411", "武高新"]]
    result = run("assessment_unit", rows, admin_user)
    unit = AssessmentUnit.objects.get(code="demo-2026")
    assert result.committed and unit.city.code == "3204"
    assert sorted(unit.regions.values_list("code", flat=True)) == ["320411", "320412"]
    assert list(unit.parks.all()) == [park]
    # the links are in the history row too
    assert sorted(unit.history.first().regions.values_list("region__code", flat=True)) == ["320411", "320412"]

    # the same links in another order and with other separators: unchanged
    same = run("assessment_unit", [UNIT_HEAD, ["demo-2026", "示例板块", "区（县）", "3204", "新北区，武进区", "武进国家高新区"]],
               admin_user)
    assert same.counts == {"new": 0, "updated": 0, "unchanged": 1, "errors": 0}

    changed = run("assessment_unit", [UNIT_HEAD, ["demo-2026", "示例板块", "区（县）", "3204", "320412", None]], admin_user)
    assert changed.counts["updated"] == 1 and changed.rows[0].changes == ["地区"]
    assert list(unit.regions.values_list("code", flat=True)) == ["320412"]
    assert list(unit.parks.all()) == [park]  # an empty cell keeps the stored links
    assert unit.history.count() == 2 and list(unit.history.first().regions.values_list("region__code", flat=True)) \
        == ["320412"]


def test_unknown_values_in_a_many_to_many_cell_are_named(admin_user):
    rows = [UNIT_HEAD, ["demo-2026", "示例板块", "区（县）", "3204", "320412、火星区、月球区", None]]
    result = run("assessment_unit", rows, admin_user)
    assert not result.committed and not AssessmentUnit.objects.filter(code="demo-2026").exists()
    assert result.errors() == [(2, "地区", "库中没有地区“火星区”。库中没有地区“月球区”。")]


def test_enterprises_with_their_assessment_units_in_one_cell(admin_user):
    city = Region.objects.get(code="3204")
    wujin = AssessmentUnit.objects.create(name="武进区", code="wujin-2026", kind="district", city=city)
    zone = AssessmentUnit.objects.create(name="常州经开区", code="jkq-2026", kind="zone", city=city)
    AssessmentUnit.objects.create(name="常州经开区", code="jkq-2016", kind="zone", city=city)  # same name, older
    uscc = f.uscc()
    head = ["统一社会信用代码", "企业名称", "考核板块"]
    result = run("enterprise", [head, [uscc, "常州板块测试有限公司", "武进区、jkq-2026"]], admin_user)
    assert result.committed
    from duijie.orgs.models import Enterprise

    ent = Enterprise.objects.get(uscc=uscc)
    assert set(ent.assessment_units.all()) == {wujin, zone}
    assert run("enterprise", [head, [uscc, "常州板块测试有限公司", "jkq-2026、wujin-2026"]], admin_user).counts["unchanged"] == 1
    ambiguous = run("enterprise", [head, [uscc, "常州板块测试有限公司", "常州经开区"]], admin_user)
    assert ambiguous.errors() == [(2, "考核板块", "“常州经开区”对应多个考核板块，请改填代码。")]
