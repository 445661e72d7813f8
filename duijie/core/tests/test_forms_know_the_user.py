"""Forms that know the user (issue 16, item 2): the user's own organisation preselected and fixed,
government-only fields hidden from other roles, dropdowns limited to the user's scope — and the same
refusal on the server: a POST naming another organisation gets a field error and writes nothing."""

import re

import pytest
from rest_framework.test import APIClient

from duijie.core.models import AssessmentUnit, Region
from duijie.core.roles import Role
from duijie.core.tests import factories as f
from duijie.demands.models import Demand
from duijie.supply.models import Achievement

pytestmark = pytest.mark.django_db


def _options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no dropdown {name}"
    return [v for v in re.findall(r'<option value="([^"]*)"', select.group(1)) if v]


def _demand_post(enterprise, **extra) -> dict:
    return {"enterprise": enterprise.pk, "demand_type": "tech_challenge", "title": "新材料需求",
            "description": "需要新材料", "visibility": "public", **extra}


def test_enterprise_files_demands_for_its_own_enterprise_only(client, enterprise_user):
    own = enterprise_user.organisation.enterprise
    other = f.enterprise(name="别家企业有限公司", visibility="public")
    client.force_login(enterprise_user)
    page = client.get("/r/demands/add/").content.decode()
    assert _options(page, "enterprise") == [str(own.pk)]  # preselected, alone
    assert 'selected>本企业有限公司' in page or f'value="{own.pk}" selected' in page
    for hidden in ("region", "park", "assessment_units"):  # the bureau's fields: not shown at all
        assert f'name="{hidden}"' not in page

    before = Demand.objects.count()
    r = client.post("/r/demands/add/", _demand_post(other))
    assert r.status_code == 200 and Demand.objects.count() == before  # refused, nothing written
    assert "enterprise" in r.context["form"].errors
    assert "别家企业有限公司" not in r.content.decode().split('name="enterprise"')[1].split("</select>")[0]

    # Government-only fields sent anyway are ignored; the place comes from the enterprise.
    elsewhere = Region.objects.get(code="320583")
    r = client.post("/r/demands/add/", _demand_post(own, region=elsewhere.pk))
    assert r.status_code == 302
    demand = Demand.objects.get(title="新材料需求")
    assert demand.enterprise == own and demand.region_id == own.region_id


def test_api_refuses_a_demand_for_another_enterprise_with_a_field_error(enterprise_user):
    other = f.enterprise(name="别家企业有限公司", visibility="public")
    api = APIClient()
    api.force_authenticate(enterprise_user)
    before = Demand.objects.count()
    r = api.post("/api/demands/", _demand_post(other), format="json")
    assert r.status_code == 400 and "enterprise" in r.json()
    assert Demand.objects.count() == before


def test_institution_office_files_achievements_for_its_own_institution(client):
    own = f.institution(name="本大学")
    f.institution(name="别的大学", visibility="public")
    office = f.user(role=Role.INSTITUTION, organisation=own.organisation)
    client.force_login(office)
    page = client.get("/r/achievements/add/").content.decode()
    assert _options(page, "institution") == [str(own.pk)]
    assert 'name="filing_unit"' not in page  # 填报区镇 is the district office's


def test_district_office_gets_its_own_unit_and_only_its_scope(client):
    city = Region.objects.get(code="3204")
    wujin = AssessmentUnit.objects.create(name="武进区", code="t-wujin", kind="district", city=city)
    wujin.regions.set([Region.objects.get(code="320412")])
    xinbei = AssessmentUnit.objects.create(name="新北区", code="t-xinbei", kind="district", city=city)
    xinbei.regions.set([Region.objects.get(code="320411")])
    office = f.organisation("武进区科技局")
    office.assessment_unit, office.region = wujin, Region.objects.get(code="320412")
    office.save()
    ours = f.institution(region=Region.objects.get(code="320412"))
    theirs = f.institution(region=Region.objects.get(code="320411"))
    user = f.user(role=Role.UNIT_ADMIN, organisation=office)
    client.force_login(user)
    page = client.get("/r/achievements/add/").content.decode()
    assert _options(page, "filing_unit") == [str(wujin.pk)]
    assert re.search(rf'<option value="{wujin.pk}" selected>', page)
    institutions = _options(page, "institution")
    assert str(ours.pk) in institutions and str(theirs.pk) not in institutions
    regions = _options(page, "region")
    assert regions and all(Region.objects.get(pk=pk).code.startswith("320412") for pk in regions)
    before = Achievement.objects.count()
    r = client.post("/r/achievements/add/", {"name": "外区成果", "institution": theirs.pk, "lead_name": "李四",
                                             "field": "新材料", "stage": "研制阶段", "introduction": "x",
                                             "visibility": "public", "filing_unit": xinbei.pk})
    assert r.status_code == 200 and Achievement.objects.count() == before
    assert {"institution", "filing_unit"} <= set(r.context["form"].errors)
