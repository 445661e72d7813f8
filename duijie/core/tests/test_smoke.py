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
