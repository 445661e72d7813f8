import pytest
from django.urls import reverse

from duijie.core.registry import REGISTRY


@pytest.mark.django_db
def test_reference_data_loaded_by_migration():
    from duijie.core.models import Discipline, Industry, Region

    assert Region.objects.get(code="320412").name == "武进区"
    assert Industry.objects.filter(level=4).count() == 1382
    assert Discipline.objects.filter(level=1).count() == 86


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(REGISTRY))
def test_every_registry_list_page_renders(admin_client, slug):
    response = admin_client.get(reverse("registry:list", args=[slug]))
    assert response.status_code == 200


@pytest.mark.django_db
def test_login_required_for_pages_and_api(client):
    assert client.get("/r/enterprises/").status_code == 302
    assert client.get("/api/enterprises/").status_code in (401, 403)
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert "/api/enterprises/" in schema.json()["paths"]


@pytest.mark.django_db
def test_park_directory_year_filter(admin_client, api_client):
    from duijie.core.models import Park, Region

    Park.objects.create(name="甲园", region=Region.objects.get(code="320412"), directory_years=[2025, 2026])
    Park.objects.create(name="乙园", directory_years=[2024])
    names = [p["name"] for p in api_client.get("/api/parks/", {"directory_year": "2026"}).json()["results"]]
    assert names == ["甲园"]
    assert api_client.get("/api/parks/", {"directory_year": "2026.5"}).json()["count"] == 0
    html = admin_client.get("/r/parks/", {"directory_year": "2024"}).content.decode()
    assert "乙园" in html and "甲园" not in html


@pytest.mark.django_db
def test_list_page_shows_record_count(admin_client):
    from duijie.core.tests import factories as f

    for _ in range(3):
        f.demand()
    html = admin_client.get("/r/demands/").content.decode()
    assert '<span class="badge text-bg-light" id="record-count">3</span>' in html


@pytest.mark.django_db
def test_chinese_first_english_available(admin_client):
    html = admin_client.get("/r/enterprises/").content.decode()
    assert "统一社会信用代码" in html and "企业" in html
    admin_client.post("/i18n/setlang/", {"language": "en", "next": "/r/enterprises/"})
    html = admin_client.get("/r/enterprises/").content.decode()
    assert "Unified social credit code" in html
