"""API and pages: scope checks, schema, panel and search page."""

from rest_framework.test import APIClient

from duijie.matching.models import Feedback, Impression


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_recommendations_api_scoped(built):
    w = built
    r = api(w["user_a"]).get("/api/match/recommendations/", {"source": f"demand:{w['demand'].pk}", "kind": "expert"})
    assert r.status_code == 200
    assert r.json() and all(x["kind"] == "expert" and x["reasons"] for x in r.json())
    assert Impression.objects.filter(user=w["user_a"]).exists()
    # a source the caller may not read: 404, no hint it exists
    r = api(w["user_a"]).get("/api/match/recommendations/", {"source": f"demand:{w['secret'].pk}", "kind": "expert"})
    assert r.status_code == 404
    r = api(w["user_b"]).get("/api/match/recommendations/", {"source": f"achievement:{w['ach'].pk}", "kind": "demand"})
    assert f"demand:{w['secret'].pk}" in [x["id"] for x in r.json()]
    r = api(w["user_a"]).get("/api/match/recommendations/", {"source": f"achievement:{w['ach'].pk}", "kind": "demand"})
    assert f"demand:{w['secret'].pk}" not in [x["id"] for x in r.json()]
    assert "固态电解质" not in r.content.decode()
    # bad input: a clear 400 naming the field
    r = api(w["user_a"]).get("/api/match/recommendations/", {"source": "demand:1", "kind": "spaceship"})
    assert r.status_code == 400 and "kind" in r.json()
    assert APIClient().get("/api/match/recommendations/", {"source": "demand:1", "kind": "expert"}).status_code in (401, 403)


def test_feedback_api(built):
    w = built
    c = api(w["user_a"])
    body = {"source": f"demand:{w['demand'].pk}", "target": f"expert:{w['e_good'].pk}", "verdict": "irrelevant",
            "reason": "distance"}
    assert c.post("/api/match/feedback/", body, format="json").status_code == 201
    assert Feedback.objects.get().reason == "distance"
    assert c.post("/api/match/feedback/", {**body, "verdict": "maybe"}, format="json").status_code == 400
    secret = {**body, "source": f"demand:{w['secret'].pk}"}
    assert c.post("/api/match/feedback/", secret, format="json").status_code == 404
    assert Feedback.objects.count() == 1


def test_schema_lists_the_matching_endpoints(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/match/recommendations/", "/api/match/search/", "/api/match/feedback/"} <= set(paths)


def test_detail_page_loads_the_panel_and_the_panel_renders(built, client):
    w = built
    client.force_login(w["user_a"])
    page = client.get(f"/r/demands/{w['demand'].pk}/").content.decode()
    assert f'hx-get="/match/panel/demands/{w["demand"].pk}/"' in page
    html = client.get(f"/match/panel/demands/{w['demand'].pk}/").content.decode()
    assert "推荐匹配" in html and "王正极" in html and "<mark>" in html and "不相关" in html
    assert "李退出" not in html and "赵员工" not in html
    assert client.get(f"/match/panel/demands/{w['secret'].pk}/").status_code == 404


def test_search_page_with_filters(built, client):
    w = built
    client.force_login(w["user_a"])
    html = client.get("/match/search/", {"q": "高镍正极材料包覆"}).content.decode()
    assert "高镍三元正极材料表面包覆技术" in html and "王正极" in html
    html = client.get("/match/search/", {"q": "高镍正极材料包覆", "kind": "patent"}).content.decode()
    assert "一种高镍正极材料的包覆方法" in html and "王正极" not in html
    html = client.get("/match/search/", {"q": "高镍正极材料包覆", "field": "电子信息"}).content.decode()
    assert "表面包覆技术" not in html
    r = api(w["user_a"]).get("/api/match/search/", {"q": ""})
    assert r.status_code == 400 and "q" in r.json()
