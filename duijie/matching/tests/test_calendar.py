"""The calendar closes a demand past its deadline: off the portal and out of matching results, with the
reason in its history; a demand whose deadline is today stays open; a second run changes nothing."""

from datetime import date

import pytest
from django.test import Client

from duijie.core.calendar import run_daily
from duijie.core.tests import factories as f
from duijie.matching import selectors as ms

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 7)


def _demand_ids(matches):
    return {m.obj.pk for m in matches if m.kind == "demand"}


def test_demand_past_its_deadline_leaves_portal_and_matching(built):
    w = built
    demand = w["demand"]
    demand.deadline = date(2026, 12, 6)
    demand.save()
    due_today = f.demand(w["b"], title="高镍正极材料检测需求", description="锂电池正极材料高镍三元检测",
                         status="published", visibility="public", deadline=TODAY)
    anonymous = Client()
    assert demand.pk in _demand_ids(ms.recommend(user=w["user_b"], obj=w["e_good"], target_kind="demand", k=10))
    assert f"/portal/demands/{demand.pk}/" in anonymous.get("/portal/demands/").content.decode()

    assert run_daily(TODAY)["demands_close_expired"] == {"closed": 1}

    demand.refresh_from_db()
    due_today.refresh_from_db()
    assert demand.status == "closed" and due_today.status == "published"
    assert demand.pk not in _demand_ids(ms.recommend(user=w["user_b"], obj=w["e_good"], target_kind="demand", k=10))
    listing = anonymous.get("/portal/demands/").content.decode()
    assert f"/portal/demands/{demand.pk}/" not in listing and f"/portal/demands/{due_today.pk}/" in listing
    assert anonymous.get(f"/portal/demands/{demand.pk}/").status_code == 404
    assert demand.history.latest("history_date").history_change_reason == "已过截止日期，自动关闭"
    assert run_daily(TODAY)["demands_close_expired"] == {"closed": 0}  # idempotent
