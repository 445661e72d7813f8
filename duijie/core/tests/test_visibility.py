"""Who sees what: a non-admin enterprise user sees published public/platform records and their own
organisation's drafts; never other organisations' drafts or restricted/classified records — on list
pages, detail pages, the API and the xlsx export. Anonymous users get the login page or 401/403."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from duijie.core.registry import REGISTRY
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(enterprise_user):
    own = enterprise_user.organisation.enterprise
    other = f.enterprise(name="别家有限公司")
    d = {
        "own_draft": f.demand(own, title="本企业草稿需求", status="draft", visibility="public"),
        "own_restricted": f.demand(own, title="本企业受限需求", status="published", visibility="restricted"),
        "public": f.demand(other, title="公开已发布需求", status="published", visibility="public"),
        "platform": f.demand(other, title="平台已发布需求", status="published", visibility="platform"),
        "closed": f.demand(other, title="公开已关闭需求", status="closed", visibility="public"),
        "other_draft": f.demand(other, title="别家草稿需求", status="draft", visibility="public"),
        "other_submitted": f.demand(other, title="别家待审需求", status="submitted", visibility="public"),
        "restricted": f.demand(other, title="别家受限需求", status="published", visibility="restricted"),
        "classified": f.demand(other, title="别家涉密需求", status="published", visibility="classified"),
    }
    visible = {"own_draft", "own_restricted", "public", "platform", "closed"}
    return d, visible


def titles_in(text, demands):
    return {k for k, v in demands.items() if v.title in text}


def test_list_page(enterprise_client, world):
    demands, visible = world
    html = enterprise_client.get("/r/demands/").content.decode()
    assert titles_in(html, demands) == visible


def test_detail_pages(enterprise_client, world):
    demands, visible = world
    for key, d in demands.items():
        code = enterprise_client.get(f"/r/demands/{d.pk}/").status_code
        assert code == (200 if key in visible else 404), key
        hist = enterprise_client.get(f"/r/demands/{d.pk}/history/").status_code
        assert hist == (200 if key in visible else 404), key
    assert enterprise_client.get("/r/demands/999999/").status_code == 404


def test_api_list_and_detail(enterprise_api, world):
    demands, visible = world
    body = enterprise_api.get("/api/demands/").json()
    assert {r["title"] for r in body["results"]} == {demands[k].title for k in visible}
    assert body["count"] == len(visible)
    for key, d in demands.items():
        assert enterprise_api.get(f"/api/demands/{d.pk}/").status_code == (200 if key in visible else 404), key


def test_export(enterprise_client, world):
    demands, visible = world
    response = enterprise_client.get("/r/demands/export.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert titles_in(text, demands) == visible


def test_no_edit_of_visible_foreign_record(enterprise_client, enterprise_api, world):
    demands, _ = world
    d = demands["public"]
    assert enterprise_client.get(f"/r/demands/{d.pk}/edit/").status_code == 403
    assert enterprise_client.post(f"/r/demands/{d.pk}/delete/").status_code == 403
    assert enterprise_api.patch(f"/api/demands/{d.pk}/", {"title": "x"}, format="json", **f.if_match(d)).status_code == 403
    assert enterprise_api.delete(f"/api/demands/{d.pk}/", **f.if_match(d)).status_code == 403
    # own draft: editable
    own = demands["own_draft"]
    r = enterprise_api.patch(f"/api/demands/{own.pk}/", {"title": "本企业草稿需求（改）"}, format="json",
                           **f.if_match(own))
    assert r.status_code == 200


def test_achievements_visibility(enterprise_client, enterprise_api):
    inst = f.institution()
    pub = f.achievement(inst, name="已发布成果", status="published", visibility="public")
    draft = f.achievement(inst, name="草稿成果", status="draft", visibility="public")
    secret = f.achievement(inst, name="涉密成果", status="published", visibility="classified")
    html = enterprise_client.get("/r/achievements/").content.decode()
    assert pub.name in html and draft.name not in html and secret.name not in html
    names = {r["name"] for r in enterprise_api.get("/api/achievements/").json()["results"]}
    assert names == {pub.name}
    assert enterprise_client.get(f"/r/achievements/{draft.pk}/").status_code == 404
    assert enterprise_api.get(f"/api/achievements/{secret.pk}/").status_code == 404


def test_anonymous_pages_redirect_to_login(client):
    d = f.demand()
    for path in ("/", "/r/demands/", f"/r/demands/{d.pk}/", "/r/demands/add/", "/r/demands/export.xlsx",
                 f"/r/demands/{d.pk}/history/", f"/r/enterprises/{d.enterprise_id}/edit/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url.startswith("/accounts/login/"), path
    assert client.get("/accounts/login/").status_code == 200


def test_anonymous_api_never_redirects(client):
    d = f.demand(status="published", visibility="public")
    paths = ["/api/"]
    for slug in REGISTRY:
        paths += [f"/api/{slug}/", f"/api/{slug}/1/"]
    for path in paths:
        for method in ("get", "post", "put", "patch", "delete"):
            response = getattr(client, method)(path, content_type="application/json")
            if method in ("put", "patch", "delete") and not path.rstrip("/").split("/")[-1].isdigit():
                assert response.status_code in (401, 403, 405), (method, path)
                continue
            assert response.status_code in (401, 403), (method, path, response.status_code)
    # even a published public record is not served to anonymous API clients
    assert client.get(f"/api/demands/{d.pk}/").status_code in (401, 403)
    assert client.post(f"/api/demands/{d.pk}/transition/close/").status_code in (401, 403)
    assert client.get("/api/openapi.json").status_code == 200


def test_basic_auth_works_for_api_when_enabled(client, enterprise_user, settings):
    import base64

    settings.DUIJIE_API_BASIC_AUTH = True
    token = base64.b64encode(b"entuser:pw-Ent-12345").decode()
    assert client.get("/api/demands/", HTTP_AUTHORIZATION=f"Basic {token}").status_code == 200
    bad = base64.b64encode(b"entuser:wrong").decode()
    assert client.get("/api/demands/", HTTP_AUTHORIZATION=f"Basic {bad}").status_code in (401, 403)


def test_openapi_json_is_json_and_public(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/") and "json" in response["Content-Type"]
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/demands/{id}/transition/{name}/" in schema["paths"]


def test_record_dropdowns_list_only_what_the_user_may_see(enterprise_client, world):
    """The project form's source-demand dropdown (any registry form's record dropdowns) offers only
    demands the user may read: other organisations' drafts, restricted and classified ones are absent."""
    demands, visible = world
    page = enterprise_client.get(reverse("registry:add", args=["projects"])).content.decode()
    assert titles_in(page, demands) == visible


def test_a_link_to_a_record_the_user_may_not_see_is_refused(enterprise_client, enterprise_api, world):
    from duijie.cooperation.models import CooperationProject

    demands, _visible = world
    secret = demands["restricted"]
    response = enterprise_client.post(reverse("registry:add", args=["projects"]), {
        "title": "借用立项", "source": "demand", "source_demand": secret.pk, "visibility": "platform"})
    assert response.status_code == 200 and "别家受限需求" not in response.content.decode()
    response = enterprise_api.post("/api/projects/", {"title": "借用立项", "source": "demand",
                                                      "source_demand": secret.pk}, format="json")
    assert response.status_code == 400 and "source_demand" in response.json()
    assert "别家受限需求" not in response.content.decode()
    assert not CooperationProject.objects.exists()
    ok = enterprise_api.post("/api/projects/", {"title": "基于公开需求立项", "source": "demand",
                                                "source_demand": demands["public"].pk}, format="json")
    assert ok.status_code == 201, ok.content


def test_an_edit_keeps_a_link_someone_else_made(enterprise_user, world):
    """A link the user cannot see (made by someone who could) stays valid when they edit the record."""
    from duijie.cooperation.models import CooperationProject
    from duijie.cooperation.records import ProjectForm

    demands, _visible = world
    project = CooperationProject.objects.create(title="既有项目", source="demand", source_demand=demands["restricted"],
                                                owner_org=enterprise_user.organisation)
    form = ProjectForm(instance=project, user=enterprise_user)
    pks = set(form.fields["source_demand"].queryset.values_list("pk", flat=True))
    assert demands["restricted"].pk in pks and demands["classified"].pk not in pks
