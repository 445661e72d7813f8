"""The budget sandbox: a draft rule version's effect on totals and on each payee before publishing,
computed by the same engine as the run and writing nothing (UI and API)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from duijie.awards import sandbox, services
from duijie.awards.models import AwardLine, RuleVersion
from duijie.awards.tests import helpers as h
from duijie.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    from duijie.awards.tests.test_candidates import _nominate, _teachers

    w = h.world()
    s = h.scheme(w, kind="per_person", parameters={"amount": "5000", "max_count": 3}, budget="20000",
                 purpose="excellent-teacher")
    _inst, experts, projects = _teachers(5, w)
    for e, p in zip(experts, projects, strict=True):
        _nominate(w, s, e, p)
    w["scheme"], w["experts"] = s, experts
    w["round"] = services.round_compute(round_=h.round_for(w, s), by=w["city"])
    w["draft"] = services.rule_version_create(scheme=s, kind="per_person", parameters={"amount": "6000", "max_count": 5},
                                              valid_from=date(2025, 1, 1), source_clause="拟调整", by=w["city"])
    return w


def _snapshot():
    return (AwardLine.objects.count(), AwardLine.history.count(), RuleVersion.history.count(), AuditLog.objects.count())


def test_a_draft_shows_its_effect_on_totals_and_each_payee_and_writes_nothing(w):
    before = _snapshot()
    stored = list(w["round"].lines.values_list("amount", "outcome"))
    e = sandbox.simulate(round_=w["round"], draft=w["draft"], user=w["city"])
    # Published: 3 teachers × ¥5,000. Draft: ¥6,000 for up to 5, but the ¥20,000 budget holds 3.
    assert e.before.amount == Decimal("15000.00") and e.before.paid_lines == 3
    assert e.after.amount == Decimal("18000.00") and e.after.paid_lines == 3
    assert e.delta == Decimal("3000.00") and e.budget_left_after == Decimal("2000.00")
    assert sum(p.after for p in e.payees) == e.after.amount and sum(p.before for p in e.payees) == e.before.amount
    by_key = {p.payee_key: p for p in e.payees}
    first = by_key[f"expert:{w['experts'][0].pk}"]
    assert (first.before, first.after, first.delta) == (Decimal("5000.00"), Decimal("6000.00"), Decimal("1000.00"))
    assert _snapshot() == before
    assert list(w["round"].lines.values_list("amount", "outcome")) == stored
    assert RuleVersion.objects.get(pk=w["draft"].pk).status == "draft"


def test_sandbox_page_and_api_for_city_administrators_only(w, client):
    client.force_login(w["city"])  # (a login is audited)
    before = _snapshot()
    page = client.get(reverse("awards:sandbox", args=[w["draft"].pk]))
    assert page.status_code == 200  # 万元 shown, the exact yuan on hover
    assert 'sandbox-after"><span class="money" title="18,000.00元">1.8万元<' in page.content.decode()
    api = APIClient()
    api.force_authenticate(w["city"])
    data = api.get(f"/api/award-rule-versions/{w['draft'].pk}/sandbox/").json()
    assert Decimal(data["total_after"]) == Decimal("18000.00") and Decimal(data["delta"]) == Decimal("3000.00")
    assert len(data["payees"]) == 5
    assert _snapshot() == before
    api.force_authenticate(w["wujin_admin"])
    assert api.get(f"/api/award-rule-versions/{w['draft'].pk}/sandbox/").status_code == 403
    client.force_login(w["wujin_admin"])
    assert client.get(reverse("awards:sandbox", args=[w["draft"].pk])).status_code == 403
    published = w["scheme"].rule_versions.get(number=1)
    api.force_authenticate(w["city"])
    assert api.get(f"/api/award-rule-versions/{published.pk}/sandbox/").status_code == 400


def test_publishing_the_draft_then_recomputing_gives_what_the_sandbox_showed(w):
    e = sandbox.simulate(round_=w["round"], draft=w["draft"], user=w["city"])
    services.rule_version_publish(version=w["draft"], by=w["city"])
    r = services.round_compute(round_=w["round"], by=w["city"])
    assert services.round_lines_total(r) == e.after.amount
    assert {line.payee_key: line.amount for line in r.lines.filter(outcome="allocated")} == \
        {p.payee_key: p.after for p in e.payees if p.after}
