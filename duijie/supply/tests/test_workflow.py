"""Achievement review workflow through the UI and the API."""

import pytest
from django.contrib.messages import get_messages

from duijie.core.roles import Role
from duijie.core.tests import factories as f
from duijie.supply.models import Achievement

pytestmark = pytest.mark.django_db


def status(a):
    return Achievement.objects.get(pk=a.pk).status


def ui(client, a, name, **data):
    response = client.post(f"/r/achievements/{a.pk}/do/{name}/", data)
    return response, [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_ui_submit_publish_transfer(admin_client):
    a = f.achievement()
    for name, expected in (("submit", "submitted"), ("publish", "published"), ("transfer", "transferred")):
        response, msgs = ui(admin_client, a, name)
        assert response.status_code == 302
        assert status(a) == expected, msgs
    assert Achievement.objects.get(pk=a.pk).published_at is not None


def test_ui_return_needs_reason_and_invalid_transition(admin_client):
    a = f.achievement()
    _, msgs = ui(admin_client, a, "publish")
    assert status(a) == "draft" and msgs[0][0] == "error"
    ui(admin_client, a, "submit")
    _response, msgs = ui(admin_client, a, "return")
    assert status(a) == "submitted" and msgs[0][0] == "error"
    ui(admin_client, a, "return", reason="简介不完整")
    assert status(a) == "returned"
    assert Achievement.objects.get(pk=a.pk).return_reason == "简介不完整"


def test_detail_page_offers_only_possible_transitions(admin_client):
    a = f.achievement()
    html = admin_client.get(f"/r/achievements/{a.pk}/").content.decode()
    assert f"/r/achievements/{a.pk}/do/submit/" in html
    assert f"/r/achievements/{a.pk}/do/publish/" not in html


def test_api_workflow(api_client):
    a = f.achievement()
    url = f"/api/achievements/{a.pk}/transition/"
    assert api_client.post(url + "transfer/", {}, format="json").status_code == 400
    assert api_client.post(url + "submit/", {}, format="json").json()["status"] == "submitted"
    r = api_client.post(url + "return/", {}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    assert api_client.post(url + "publish/", {}, format="json").json()["status"] == "published"
    r = api_client.post(url + "return/", {"reason": "需要更正"}, format="json")
    assert r.json()["status"] == "returned"
    assert status(a) == "returned"


def test_institution_user_cannot_publish_own(client):
    inst = f.institution()
    u = f.user(role=Role.INSTITUTION, organisation=inst.organisation)
    client.force_login(u)
    a = f.achievement(inst)
    ui(client, a, "submit")
    assert status(a) == "submitted"
    assert client.post(f"/r/achievements/{a.pk}/do/publish/").status_code == 403
    assert status(a) == "submitted"
