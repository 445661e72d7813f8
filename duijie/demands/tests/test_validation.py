import pytest

from duijie.core.tests import factories as f
from duijie.demands.models import Demand

pytestmark = pytest.mark.django_db


def field_error_html(response, field):
    html = response.content.decode()
    marker = f'data-field="{field}"'
    assert marker in html, f"no error shown for {field}"
    return html.split(marker, 1)[1].split("</ul>", 1)[0]


@pytest.fixture
def ent(db):
    return f.enterprise()


def demand_data(ent, **over):
    data = {"enterprise": ent.pk, "demand_type": "tech_challenge", "title": "降低能耗", "description": "工艺能耗高",
            "visibility": "public"}
    data.update(over)
    return data


def test_budget_max_below_min_refused_in_ui(admin_client, ent):
    response = admin_client.post("/r/demands/add/", demand_data(ent, budget_min="500000", budget_max="100000"))
    assert response.status_code == 200
    assert field_error_html(response, "budget_max")
    assert not Demand.objects.exists()


def test_budget_max_below_min_refused_in_api(api_client, ent):
    response = api_client.post("/api/demands/", demand_data(ent, budget_min="500000", budget_max="100000"),
                               format="json")
    assert response.status_code == 400
    assert "budget_max" in response.json()
    assert not Demand.objects.exists()


def test_negative_budget_and_bad_phone_refused(api_client, ent):
    response = api_client.post("/api/demands/", demand_data(ent, budget_min="-1", contact_phone="110"),
                               format="json")
    assert response.status_code == 400
    body = response.json()
    assert "budget_min" in body and "contact_phone" in body


def test_valid_demand_saved_as_draft(admin_client, api_client, ent):
    response = admin_client.post("/r/demands/add/", demand_data(ent, budget_min="100000", budget_max="500000"))
    assert response.status_code == 302
    d = Demand.objects.get()
    assert d.status == "draft"
    assert d.budget_display == "10万元–50万元"
    # status is read-only through the API
    response = api_client.post("/api/demands/", demand_data(ent, title="直接发布?", status="published"),
                               format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "draft"


def test_failed_update_leaves_demand_unchanged(admin_client, api_client, ent):
    d = f.demand(ent, budget_min=100, budget_max=200)
    before = Demand.objects.values().get(pk=d.pk)
    response = admin_client.post(f"/r/demands/{d.pk}/edit/", demand_data(ent, title="改了", budget_min="300",
                                                                          budget_max="200", **f.form_version(d)))
    assert response.status_code == 200
    field_error_html(response, "budget_max")
    response = api_client.patch(f"/api/demands/{d.pk}/", {"title": "改了", "budget_max": "50"}, format="json",
                                **f.if_match(d))
    assert response.status_code == 400
    assert "budget_max" in response.json()
    assert Demand.objects.values().get(pk=d.pk) == before
