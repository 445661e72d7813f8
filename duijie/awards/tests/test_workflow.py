"""Review → approval → 公示 → payout: offices pass on or return for changes, the approving meeting's
decision is recorded (an approval over budget is refused, nothing written), the publicity period
holds the list back, the issued list is frozen (its hash verifies, a tampered line fails it), bank
details are encrypted at rest and masked for those who do not pay them, paid/unpaid reconciles;
district administrators read only their units' lines (UI and API), payees only their own."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from duijie.awards import payouts, services
from duijie.awards.choices import PaymentStatus, RoundStatus
from duijie.awards.models import AwardLine, PayeeAccount, PayoutLine, Round
from duijie.awards.tests import helpers as h
from duijie.cooperation.models import TechContract
from duijie.core.models import AuditLog, Organisation
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db
YEAR = h.YEAR
ACCOUNT = "6222021001123456789"


@pytest.fixture
def w():
    w = h.world()
    inst = f.institution()
    w["orgs"] = {}
    for code, name in (("320412", "武进技术转移中心"), ("320411", "新北技术转移中心")):
        org = Organisation.objects.create(kind="other", name=name, region=w["r"][code])
        w["orgs"][code] = org
        for i, amount in enumerate(("1000000.00", "250000.25")):
            TechContract.objects.create(
                title=f"{name}合同{i}", contract_type="transfer_patent", enterprise=f.enterprise(), institution=inst,
                amount=Decimal(amount), signed_on=date(YEAR, 3, 1), registration_number=f"{code}-{i}",
                registered_on=date(YEAR, 3, 10), transfer_org=org, region=w["r"][code], visibility="restricted")
    # The reviewing offices: the city's finance bureau, then the science bureau (each acts for itself).
    w["finance"] = f.user(role="city_admin", organisation=Organisation.objects.create(
        kind="government", name="常州市财政局", region=w["r"]["3204"]))
    PayeeAccount.objects.create(payee_org=w["orgs"]["320412"], account_name="武进技术转移中心", bank_name="江苏银行武进支行",
                                account_number=ACCOUNT, owner_org=w["orgs"]["320412"], region=w["r"]["320412"])
    w["scheme"] = h.scheme(w, kind="share", parameters={"rate": "0.02"}, source="registered_contracts",
                           budget="100000", chain=(w["finance"].organisation, w["bureau"]))
    w["round"] = services.round_compute(round_=h.round_for(w, w["scheme"]), by=w["city"])
    return w


def _to_publicity(w) -> Round:
    r, city = w["round"], w["city"]
    r = services.round_submit(round_=r, by=city)
    r = services.round_review(round_=r, by=w["finance"], passed=True)
    r = services.round_review(round_=r, by=city, passed=True)
    r = services.round_approve(round_=r, by=city, decision_number="联席会议纪要〔2025〕3号", decision_date=date(YEAR, 12, 1),
                               decision_document="https://kjj.example.gov.cn/2025-3.pdf")
    return services.round_publicise(round_=r, by=city, start=date(YEAR, 12, 2), end=date(YEAR, 12, 8))


def test_review_returns_for_changes_then_passes_each_office_in_order(w):
    city, finance = w["city"], w["finance"]
    finance_office, bureau = finance.organisation, w["bureau"]
    r = services.round_submit(round_=w["round"], by=city)
    assert r.status == RoundStatus.IN_REVIEW and r.current_office == finance_office
    with pytest.raises(ValidationError) as e:
        services.round_review(round_=r, by=finance, passed=False, note=" ")
    assert "note" in e.value.message_dict
    r = services.round_review(round_=r, by=finance, passed=False, note="请补充合同登记证明")
    assert r.status == RoundStatus.DRAFT and r.return_reason == "请补充合同登记证明"
    r = services.round_submit(round_=r, by=city)
    r = services.round_review(round_=r, by=finance, passed=True)
    assert r.status == RoundStatus.IN_REVIEW and r.current_office == bureau
    r = services.round_review(round_=r, by=city, passed=True)
    assert r.status == RoundStatus.REVIEWED
    assert list(r.reviews.values_list("organisation", "decision")) == [
        (finance_office.pk, "returned"), (finance_office.pk, "passed"), (bureau.pk, "passed")]
    assert [x.by for x in r.reviews.all()] == [finance, finance, city]
    # Every step is in the round's history and the audit trail.
    assert r.history.count() >= 6
    assert AuditLog.objects.filter(object_type="awards.round", object_id=str(r.pk), action="transition").count() == 5


def test_an_approval_over_budget_is_refused_and_nothing_is_written(w):
    r = services.round_submit(round_=w["round"], by=w["city"])
    r = services.round_review(round_=r, by=w["finance"], passed=True)
    r = services.round_review(round_=r, by=w["city"], passed=True)
    total = services.round_lines_total(r)
    assert total == Decimal("50000.02")  # 2% of 1,000,000.00 and of 250,000.25 (5,000.005 → 5,000.01 at the line), twice
    scheme = w["scheme"]
    scheme.budget = Decimal("40000")  # the budget was cut after the candidates were computed
    scheme.save()
    before = (Round.objects.get(pk=r.pk).version, Round.history.count(), AuditLog.objects.count())
    with pytest.raises(ValidationError) as e:
        services.round_approve(round_=r, by=w["city"], decision_number="纪要3号", decision_date=date(YEAR, 12, 1),
                               decision_document="纪要.pdf")
    assert "¥50,000.02" in e.value.message_dict["budget"][0] and "¥40,000.00" in e.value.message_dict["budget"][0]
    fresh = Round.objects.get(pk=r.pk)
    assert fresh.status == RoundStatus.REVIEWED and fresh.decision_number == ""
    assert (fresh.version, Round.history.count(), AuditLog.objects.count()) == before
    with pytest.raises(ValidationError) as e:  # the decision must be named
        services.round_approve(round_=r, by=w["city"], decision_number="", decision_date=None, decision_document="")
    assert {"decision_number", "decision_date", "decision_document"} <= set(e.value.message_dict)


def test_the_issued_payout_list_is_frozen_its_hash_verifies_and_a_tampered_line_fails(w):
    r = _to_publicity(w)
    with pytest.raises(ValidationError):  # during 公示
        services.round_issue(round_=r, by=w["city"], today=date(YEAR, 12, 8))
    payout = services.round_issue(round_=r, by=w["city"], today=date(YEAR, 12, 9))
    lines = list(payout.lines.order_by("position"))
    assert len(lines) == 4 and payout.total == sum(x.amount for x in lines) == Decimal("50000.02")
    assert payouts.verify(payout) == []
    first = lines[0]
    assert first.rule_version.number == 1 and first.parameters == {"rate": "0.02"} and first.basis_ids
    assert first.inputs["amount"] in ("1000000.00", "250000.25")
    # Bank details encrypted at rest, in the line and in its history.
    with connection.cursor() as cur:
        cur.execute("SELECT account_number FROM awards_payoutline WHERE account_number <> ''")
        stored = [row[0] for row in cur.fetchall()]
        cur.execute("SELECT account_number FROM awards_historicalpayoutline WHERE account_number <> ''")
        stored += [row[0] for row in cur.fetchall()]
    assert stored and all(ACCOUNT not in s and s.startswith("v") for s in stored)
    # Tampering with a stored line (amount or inputs) is caught by the recomputation and the hash.
    PayoutLine.objects.filter(pk=first.pk).update(amount=first.amount + Decimal("0.01"))
    problems = payouts.verify(payout)
    assert any("Line 1" in p or "第" in p for p in problems) and any("hash" in p or "校验" in p for p in problems)
    PayoutLine.objects.filter(pk=first.pk).update(amount=first.amount)
    assert payouts.verify(payout) == []
    PayoutLine.objects.filter(pk=first.pk).update(inputs={**first.inputs, "amount": "9999999.00"})
    assert payouts.verify(payout)
    PayoutLine.objects.filter(pk=first.pk).update(inputs=first.inputs)
    # Reconciliation: paid / unpaid, and the round closes when every line is paid.
    services.payout_mark(line=lines[0], by=w["city"], status=PaymentStatus.PAID, paid_on=date(YEAR, 12, 20),
                         reference="B001")
    rec = services.reconciliation(payout)
    assert rec["paid_lines"] == 1 and rec["paid"] == lines[0].amount and rec["unpaid"] == payout.total - lines[0].amount
    assert rec["budget_left"] == Decimal("100000") - payout.total
    for x in lines[1:]:
        services.payout_mark(line=PayoutLine.objects.get(pk=x.pk), by=w["city"], status=PaymentStatus.PAID,
                             paid_on=date(YEAR, 12, 21))
    assert Round.objects.get(pk=r.pk).status == RoundStatus.CLOSED
    assert payouts.verify(payout) == []  # payments do not change the frozen content


def _download(client, user, r):
    client.force_login(user)
    return client.get(reverse("awards:payout", args=[r.pk]))


def _rows(response):
    ws = load_workbook(io.BytesIO(response.content)).active
    return [row for row in ws.iter_rows(min_row=5, values_only=True) if isinstance(row[0], int)]


def test_payout_download_masks_accounts_for_roles_that_do_not_pay_them(w, client):
    r = _to_publicity(w)
    services.round_issue(round_=r, by=w["city"], today=date(YEAR, 12, 9))
    full = _download(client, w["city"], r)
    assert full.status_code == 200
    rows = _rows(full)
    assert len(rows) == 4 and ACCOUNT in [row[4] for row in rows]
    district = _download(client, w["wujin_admin"], r)
    rows = _rows(district)
    assert len(rows) == 2 and {row[1] for row in rows} == {"武进技术转移中心"}  # only the district's lines
    assert ACCOUNT not in str(rows) and "****6789" in [row[4] for row in rows]
    assert AuditLog.objects.filter(action__in=("export", "reveal"), object_type="awards.payoutlist").count() == 2
    broker = f.user(role="broker")
    assert _download(client, broker, r).status_code == 403
    other = f.user(role="enterprise", organisation=f.enterprise().organisation)
    assert _download(client, other, r).status_code == 404


def test_a_district_administrator_cannot_read_another_districts_lines_ui_and_api(w, client):
    r = w["round"]
    wujin_lines = set(AwardLine.objects.filter(payee_org=w["orgs"]["320412"]).values_list("pk", flat=True))
    xinbei_lines = set(AwardLine.objects.filter(payee_org=w["orgs"]["320411"]).values_list("pk", flat=True))
    assert len(wujin_lines) == len(xinbei_lines) == 2
    api = APIClient()
    api.force_authenticate(w["wujin_admin"])
    listed = api.get("/api/award-lines/", {"page_size": 100}).json()
    ids = {x["id"] for x in listed.get("results", listed)}
    assert ids == wujin_lines
    assert api.get(f"/api/award-lines/{min(xinbei_lines)}/").status_code == 404
    client.force_login(w["wujin_admin"])
    page = client.get(reverse("awards:round", args=[r.pk])).content.decode()
    assert "武进技术转移中心" in page and "新北技术转移中心" not in page
    assert client.get(reverse("registry:detail", args=["award-lines", min(xinbei_lines)])).status_code == 404
    assert client.get(reverse("registry:detail", args=["award-lines", min(wujin_lines)])).status_code == 200
    # The transfer institution sees its own lines only; a district administrator cannot act on the round.
    payee = f.user(role="institution", organisation=w["orgs"]["320411"])
    api.force_authenticate(payee)
    listed = api.get("/api/award-lines/").json()
    assert {x["id"] for x in listed.get("results", listed)} == xinbei_lines
    client.force_login(w["wujin_admin"])
    before = Round.objects.get(pk=r.pk).version
    assert client.post(reverse("awards:round_action", args=[r.pk, "submit"])).status_code == 403
    assert Round.objects.get(pk=r.pk).version == before


def test_the_round_page_walks_candidates_review_approval_and_publicity(w, client):
    client.force_login(w["city"])
    r = w["round"]
    url = reverse("awards:round_action", args=[r.pk, "submit"])
    assert client.post(url).status_code == 302
    for reviewer in (w["finance"], w["city"]):  # each office acts for itself
        client.force_login(reviewer)
        client.post(reverse("awards:round_action", args=[r.pk, "pass"]), {"note": ""})
    client.post(reverse("awards:round_action", args=[r.pk, "approve"]), {"decision_number": "", "decision_date": ""})
    assert Round.objects.get(pk=r.pk).status == RoundStatus.REVIEWED  # refused: no decision named
    client.post(reverse("awards:round_action", args=[r.pk, "approve"]),
                {"decision_number": "纪要3号", "decision_date": "2025-12-01", "decision_document": "纪要.pdf"})
    today = date.today()
    client.post(reverse("awards:round_action", args=[r.pk, "publicise"]),
                {"publicity_start": (today - timedelta(days=8)).isoformat(),
                 "publicity_end": (today - timedelta(days=1)).isoformat()})
    client.post(reverse("awards:round_action", args=[r.pk, "issue"]))
    assert Round.objects.get(pk=r.pk).status == RoundStatus.ISSUED
    page = client.get(reverse("awards:round", args=[r.pk])).content.decode()
    assert "payout-verified" in page and ACCOUNT not in page
