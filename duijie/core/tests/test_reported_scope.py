"""A reported figure's assessment unit decides whose figure it is (core.scope SCOPE_UNIT_FIELDS): a
district administrator files figures for its own units only — another district's unit or the whole
city (no unit) is refused on the form and the API with an error on the unit field and nothing
stored; its own unit is accepted."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from duijie.core.models import AssessmentUnit, Organisation, Region, ReportedValue
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    r = {c: Region.objects.get(code=c) for c in ("3204", "320412", "320411")}
    wujin = AssessmentUnit.objects.create(name="武进区", code="t-wujin", kind="district", city=r["3204"])
    wujin.regions.set([r["320412"]])
    xinbei = AssessmentUnit.objects.create(name="新北区", code="t-xinbei", kind="district", city=r["3204"])
    xinbei.regions.set([r["320411"]])
    district = f.user(role="unit_admin", organisation=Organisation.objects.create(
        kind="government", name="武进区科技局", region=r["320412"], assessment_unit=wujin))
    city = f.user(role="city_admin", organisation=Organisation.objects.create(
        kind="government", name="常州市科技局", region=r["3204"]))
    body = {"indicator": "rd-gdp-ratio", "period_start": "2025-01-01", "period_end": "2025-12-31", "value": "3.10",
            "source": "区统计局", "region": r["320412"].pk, "visibility": "platform"}
    return {"wujin": wujin, "xinbei": xinbei, "district": district, "city": city, "body": body}


def _form(user, data):
    c = Client()
    c.force_login(user)
    return c.post("/r/reported-values/add/", data)


def _api(user, data):
    api = APIClient()
    api.force_authenticate(user)
    return api.post("/api/reported-values/", data, format="json")


def test_a_district_files_no_figure_for_another_districts_unit(world):
    district, body = world["district"], world["body"]
    page = _form(district, body | {"unit": world["xinbei"].pk})
    assert page.status_code == 200 and "unit" in page.context["form"].errors
    response = _api(district, body | {"unit": world["xinbei"].pk})
    assert response.status_code == 400 and "unit" in response.json(), response.content
    assert not ReportedValue.objects.exists()


def test_a_district_files_no_figure_for_the_whole_city(world):
    district, body = world["district"], world["body"]
    page = _form(district, body)  # no unit: the whole city's figure
    assert page.status_code == 200 and "unit" in page.context["form"].errors
    assert "市级管理员" in str(page.context["form"].errors["unit"])  # only the city administrator
    response = _api(district, body | {"unit": None})
    assert response.status_code == 400 and "unit" in response.json(), response.content
    assert not ReportedValue.objects.exists()


def test_a_district_files_its_own_units_figure_and_the_city_the_citys(world):
    district, body = world["district"], world["body"]
    assert _form(district, body | {"unit": world["wujin"].pk}).status_code == 302
    assert _api(district, body | {"unit": world["wujin"].pk, "period_end": "2025-06-30"}).status_code == 201
    assert set(ReportedValue.objects.values_list("unit", flat=True)) == {world["wujin"].pk}
    city = world["city"]
    body = body | {"region": Region.objects.get(code="3204").pk}
    assert _api(city, body).status_code == 201  # the city's own figure
    assert _api(city, body | {"unit": world["xinbei"].pk}).status_code == 201
    assert ReportedValue.objects.count() == 4
