"""The challenge pages render for the roles that use them and refuse the others; the bid form is
generated from the criteria and names the field it refuses."""

from __future__ import annotations

from decimal import Decimal

import pytest

from duijie.challenges.models import Bid
from duijie.challenges.tests import world as w_

pytestmark = pytest.mark.django_db


def test_bid_form_is_generated_from_the_criteria_and_refuses_by_field(client):
    w = w_.build()
    ch = w["challenge"]
    _x, user = w["leads"][0]
    client.force_login(user)
    page = client.get(f"/challenges/{ch.pk}/bid/").content.decode()
    for c in ch.criteria.all():
        assert f'name="answer_{c.pk}"' in page and c.name in page
    data = {"approach": "路线", "maturity": "lab", "budget": "1000000", "conflict_declaration": "无",
            **{f"answer_{c.pk}": "回答" for c in ch.criteria.all()},
            "milestone_1_title": "一", "milestone_1_deliverable": "报告", "milestone_1_due_on": "2027-01-01",
            "milestone_1_share": "50", "milestone_2_title": "二", "milestone_2_deliverable": "样机",
            "milestone_2_due_on": "2027-06-01", "milestone_2_share": "40"}
    r = client.post(f"/challenges/{ch.pk}/bid/", data)
    assert r.status_code == 200 and not Bid.objects.exists()
    body = r.content.decode()
    assert "900,000.00" in body and "90" in body  # over the budget; shares add up to 90 %
    data.update(budget="800000", milestone_2_share="50")
    r = client.post(f"/challenges/{ch.pk}/bid/", data)
    assert r.status_code == 302 and Bid.objects.get().budget == Decimal("800000")


def test_pages_check_roles(client):
    w = w_.build()
    ch = w["challenge"]
    client.force_login(w["ent_user"])
    assert client.get(f"/challenges/{ch.pk}/panel/").status_code == 403  # the bureau composes panels
    assert client.get(f"/challenges/{ch.pk}/report.xlsx").status_code == 403  # not before closing
    client.force_login(w["gov"])
    assert client.get(f"/challenges/{ch.pk}/panel/").status_code == 200
    assert client.get(f"/r/challenges/{ch.pk}/").status_code == 200
    w_.bid(w, 0)
    w_.close(w)
    r = client.get(f"/challenges/{ch.pk}/report.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
