"""The searchable pickers of big dropdowns (issue 16, item 6): a form renders only the chosen record
of a dropdown over many records, and the picker endpoint (registry:pick) offers exactly what the
same form for the same user accepts — never another district's records, nothing to a user who may
not open the form, nothing to an anonymous visitor."""

import re

import pytest

from duijie.core import forms as core_forms
from duijie.core.models import Region
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.status_code
    return {r["id"] for r in response.json()["results"]}


def test_a_district_office_is_offered_only_its_own_districts_records_and_places(client):
    world = f.two_districts("pick")
    ours = f.institution(name="武进大学", region=world["r"]["320412"])
    theirs = f.institution(name="新北大学", region=world["r"]["320411"])
    client.force_login(world["wujin_admin"])

    offered = _ids(client.get("/r/achievements/pick/", {"field": "institution"}))
    assert ours.pk in offered and theirs.pk not in offered
    assert _ids(client.get("/r/achievements/pick/", {"field": "institution", "q": "新北"})) == set()

    places = client.get("/r/achievements/pick/", {"field": "region"}).json()["results"]
    assert places and all(p["code"].startswith("320412") for p in places)
    # asking for the other district's places by code finds nothing either
    assert _ids(client.get("/r/achievements/pick/", {"field": "region", "within": "320411"})) == set()


def test_the_city_searches_regions_by_level_and_within_a_district(admin_client):
    cities = admin_client.get("/r/demands/pick/", {"field": "region", "level": "2"}).json()["results"]
    assert [c["code"] for c in cities] == ["3204"]  # the city administrator's own city only
    towns = admin_client.get("/r/demands/pick/", {"field": "region", "within": "320412"}).json()["results"]
    assert towns and {t["code"][:6] for t in towns} == {"320412"}
    wujin = Region.objects.get(code="320412")
    assert wujin.pk in _ids(admin_client.get("/r/demands/pick/", {"field": "region", "q": wujin.name}))


def test_an_enterprise_is_offered_its_own_enterprise_only(enterprise_client, enterprise_user):
    f.enterprise(name="别家企业有限公司", visibility="public")
    offered = _ids(enterprise_client.get("/r/demands/pick/", {"field": "enterprise"}))
    assert offered == {enterprise_user.organisation.enterprise.pk}
    # fields the enterprise's form does not show (the bureau's) are not searchable either
    assert enterprise_client.get("/r/demands/pick/", {"field": "region"}).status_code == 404
    assert enterprise_client.get("/r/demands/pick/", {"field": "nonsense"}).status_code == 404


def test_anonymous_and_users_who_may_not_open_the_form_are_refused(client, enterprise_user):
    r = client.get("/r/demands/pick/", {"field": "enterprise"})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    client.force_login(enterprise_user)
    assert client.get("/r/events/pick/", {"field": "region"}).status_code == 403  # may not add events
    assert client.get("/r/programmes/pick/", {"field": "region"}).status_code == 403
    other = f.demand(f.enterprise(name="别家企业有限公司", visibility="public"), visibility="private")
    # the edit form's picker of a record the user may not see: no hint that it exists
    assert client.get(f"/r/demands/{other.pk}/pick/", {"field": "enterprise"}).status_code == 404


def test_a_big_dropdown_renders_only_the_chosen_record_and_names_its_picker(admin_client, monkeypatch):
    ents = [f.enterprise(name=f"企业{i}有限公司") for i in range(3)]
    monkeypatch.setattr(core_forms, "PICKER_LIMIT", 2)
    page = admin_client.get("/r/demands/add/", {"enterprise": ents[1].pk}).content.decode()
    select = re.search(r'<select name="enterprise"[^>]*>(.*?)</select>', page, re.S)
    assert 'data-url="/r/demands/pick/?field=enterprise"' in select.group(0)
    assert re.findall(r'<option value="(\d+)"', select.group(1)) == [str(ents[1].pk)]
    # the form still accepts any enterprise the picker offers, and refuses a bad value with a field error
    r = admin_client.post("/r/demands/add/", {"enterprise": "x", "demand_type": "tech_challenge", "title": "t",
                                              "description": "d", "visibility": "public"})
    assert r.status_code == 200 and "enterprise" in r.context["form"].errors
    offered = _ids(admin_client.get("/r/demands/pick/", {"field": "enterprise", "q": "企业2"}))
    assert offered == {ents[2].pk}
