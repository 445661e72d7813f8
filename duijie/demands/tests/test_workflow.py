"""Demand review workflow through the UI and the API."""

import pytest
from django.contrib.messages import get_messages

from duijie.core.models import AuditLog
from duijie.core.tests import factories as f
from duijie.demands.models import Demand

pytestmark = pytest.mark.django_db


def ui(client, d, name, **data):
    response = client.post(f"/r/demands/{d.pk}/do/{name}/", data)
    msgs = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    return response, msgs


def status(d):
    return Demand.objects.get(pk=d.pk).status


def test_ui_full_path_draft_submit_publish_close(admin_client):
    d = f.demand()
    assert d.status == "draft"
    for name, expected in (("submit", "submitted"), ("publish", "published"), ("close", "closed")):
        response, msgs = ui(admin_client, d, name)
        assert response.status_code == 302 and response.url == f"/r/demands/{d.pk}/"
        assert status(d) == expected
        assert msgs and msgs[0][0] == "success", msgs
    d.refresh_from_db()
    assert d.submitted_at and d.published_at
    assert AuditLog.objects.filter(action="transition", object_id=str(d.pk)).count() == 3


def test_ui_return_needs_reason(admin_client):
    d = f.demand(status="submitted")
    _, msgs = ui(admin_client, d, "return", reason="   ")
    assert status(d) == "submitted"
    assert msgs[0][0] == "error"
    _response, msgs = ui(admin_client, d, "return", reason="请补充预算")
    assert status(d) == "returned"
    assert Demand.objects.get(pk=d.pk).return_reason == "请补充预算"
    # resubmitting clears nothing it should not; returned → submit is allowed
    ui(admin_client, d, "submit")
    assert status(d) == "submitted"
    assert Demand.objects.get(pk=d.pk).return_reason == ""


def test_ui_invalid_transition_gives_error(admin_client):
    d = f.demand()
    response, msgs = ui(admin_client, d, "close")
    assert response.status_code == 302
    assert status(d) == "draft"
    assert msgs and msgs[0][0] == "error"
    assert "Close" in msgs[0][1] or "关闭" in msgs[0][1]
    assert admin_client.post(f"/r/demands/{d.pk}/do/explode/").status_code == 404
    assert admin_client.get(f"/r/demands/{d.pk}/do/submit/").status_code == 405


def test_api_full_path_and_errors(api_client):
    d = f.demand()
    url = f"/api/demands/{d.pk}/transition/"
    r = api_client.post(url + "publish/", {}, format="json")
    assert r.status_code == 400 and "non_field_errors" in r.json()
    assert status(d) == "draft"
    assert api_client.post(url + "submit/", {}, format="json").json()["status"] == "submitted"
    r = api_client.post(url + "reject/", {"reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = api_client.post(url + "return/", {"reason": "整改意见"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "returned" and r.json()["return_reason"] == "整改意见"
    api_client.post(url + "submit/", {}, format="json")
    assert api_client.post(url + "publish/", {}, format="json").json()["status"] == "published"
    assert api_client.post(url + "close/", {}, format="json").json()["status"] == "closed"
    assert api_client.post(url + "nonsense/", {}, format="json").status_code == 404
    history = list(Demand.history.filter(id=d.pk).order_by("history_date").values_list("status", flat=True))
    assert history == ["draft", "submitted", "returned", "submitted", "published", "closed"]


def test_non_admin_submits_own_but_cannot_publish(enterprise_client, enterprise_api, enterprise_user):
    own_ent = enterprise_user.organisation.enterprise
    d = f.demand(own_ent)
    _response, _msgs = ui(enterprise_client, d, "submit")
    assert status(d) == "submitted"
    assert enterprise_client.post(f"/r/demands/{d.pk}/do/publish/").status_code == 403
    r = enterprise_api.post(f"/api/demands/{d.pk}/transition/publish/", {}, format="json")
    assert r.status_code == 403
    assert status(d) == "submitted"
    # another organisation's draft: not even visible
    other = f.demand()
    assert enterprise_client.post(f"/r/demands/{other.pk}/do/submit/").status_code == 404
    assert enterprise_api.post(f"/api/demands/{other.pk}/transition/submit/", {}, format="json").status_code == 404
    assert status(other) == "draft"


def test_status_cannot_be_set_by_editing(admin_client, api_client):
    d = f.demand()
    r = api_client.patch(f"/api/demands/{d.pk}/", {"status": "published"}, format="json", **f.if_match(d))
    assert r.status_code == 200
    assert status(d) == "draft"
