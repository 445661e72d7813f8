"""In a real browser: the bureau finds the 2% candidates in the registered contracts, sends them for review,
the district bureau and then the city bureau pass them on (each office acting for itself), the bureau
records the approving meeting's decision, runs the publicity period, issues the payout list and downloads
it (xlsx: yuan to the fen, the account masked for the district). Screenshots are kept in
DUIJIE_SCREENSHOT_DIR (default: the test's temp dir), desktop and phone width."""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from duijie.awards import services
from duijie.awards.models import PayeeAccount, PayoutList, Round
from duijie.awards.tests import helpers as h
from duijie.cooperation.models import TechContract
from duijie.core.models import Organisation
from duijie.core.tests import factories as f

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "pw-Browser-12345"
ACCOUNT = "6222021001123456789"


def test_candidates_review_approval_payout_download(live_server, settings, tmp_path):
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: run scripts/install-browser.sh")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright  # deferred: the browser library loads only for this test

    settings.DUIJIE_DEMO = True
    shots = Path(os.environ.get("DUIJIE_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    w = h.world()
    for user, name in ((w["city"], "bureau"), (w["wujin_admin"], "district")):
        user.username, user.is_demo = name, True
        user.set_password(PASSWORD)
        user.save()
    year = date.today().year - 1
    tto = Organisation.objects.create(kind="other", name="武进技术转移中心", region=w["r"]["320412"])
    inst = f.institution()
    for i, amount in enumerate(("1000000.00", "250000.25")):
        TechContract.objects.create(
            title=f"伺服电机温升控制技术开发合同{i}", contract_type="dev_commissioned", enterprise=f.enterprise(),
            institution=inst, amount=Decimal(amount), signed_on=date(year, 3, 1), registration_number=f"B{year}-{i}",
            registered_on=date(year, 3, 10), transfer_org=tto, region=w["r"]["320412"], visibility="restricted")
    PayeeAccount.objects.create(payee_org=tto, account_name=tto.name, bank_name="江苏银行武进支行", account_number=ACCOUNT,
                                owner_org=tto, region=w["r"]["320412"])
    scheme = h.scheme(w, kind="share", parameters={"rate": "0.02"}, source="registered_contracts", budget="100000",
                      chain=(w["wujin_admin"].organisation, w["bureau"]), year=year, name="技术合同成交额奖补")
    r = h.round_for(w, scheme, year=year)
    base = live_server.url
    url = f"{base}/awards/rounds/{r.pk}/"

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])

        def login(username, width=1400):
            context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900}, accept_downloads=True)
            page = context.new_page()
            page.set_default_timeout(30000)
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            return page

        def shot(page, name):
            page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

        city = login("bureau")
        city.goto(url)
        assert "尚无候选" in city.inner_text(".award-lines") or city.locator(".award-lines tbody tr").count() == 1
        shot(city, "awards-01-empty")
        city.click("#compute")
        city.wait_for_selector("tr.outcome-allocated")
        assert city.locator("tr.outcome-allocated").count() == 2
        shot(city, "awards-02-candidates")
        city.click("#submit")
        city.wait_for_selector("text=只有该部门人员可以办理")
        assert city.locator("#pass").count() == 0  # the district bureau's turn, not the city's
        shot(city, "awards-03-waiting-for-district")

        district = login("district")
        district.goto(f"{base}/awards/")
        district.click("a.awaiting-review")  # the round waits for the district bureau
        district.wait_for_url(url)
        shot(district, "awards-04-district-reviews")
        with district.expect_navigation():
            district.click("#pass")
        assert district.locator("#pass").count() == 0  # the next step is the city bureau's
        assert Round.objects.get(pk=r.pk).review_step == 1

        city.goto(url)
        city.fill("input[name=note]", "同意")
        city.click("#pass")
        city.wait_for_selector("#approve")
        with city.expect_navigation():
            city.click("#approve")  # nothing filled: refused with the fields named
        assert city.locator(".alert").count() >= 1 and city.locator("#approve").count() == 1
        shot(city, "awards-05-approval-refused")
        city.fill("#decision_number", "联席会议纪要〔2026〕3号")
        city.fill("#decision_date", (date.today() - timedelta(days=10)).isoformat())
        city.fill("#decision_document", "https://kjj.example.gov.cn/minutes-3.pdf")
        city.click("#approve")
        city.wait_for_selector("#publicise")
        city.fill("#publicity_start", (date.today() - timedelta(days=8)).isoformat())
        city.fill("#publicity_end", (date.today() - timedelta(days=1)).isoformat())
        city.click("#publicise")
        city.wait_for_selector("#issue")
        shot(city, "awards-06-publicity")
        city.click("#issue")
        city.wait_for_selector(".payout-verified")
        shot(city, "awards-07-issued")
        with city.expect_download() as info:
            city.click("#download")
        info.value.save_as(tmp_path / "payout.xlsx")
        rows = [row for row in load_workbook(tmp_path / "payout.xlsx").active.iter_rows(values_only=True)]
        amounts = [row[5] for row in rows[4:-1]]
        assert sorted(amounts) == [5000.01, 20000.0] and rows[-1][5] == 25000.01
        assert ACCOUNT in {row[4] for row in rows[4:-1]}  # the bureau pays it: in full
        assert PayoutList.objects.get(round=r).total == Decimal("25000.01")

        phone = login("bureau", width=390)
        phone.goto(url)
        shot(phone, "awards-08-phone")
        # The district reads the issued list with the account masked.
        district.goto(url)
        with district.expect_download() as info:
            district.click("#download")
        info.value.save_as(tmp_path / "payout-district.xlsx")
        rows = [row for row in load_workbook(tmp_path / "payout-district.xlsx").active.iter_rows(values_only=True)]
        assert ACCOUNT not in {row[4] for row in rows[4:-1]}
        browser.close()
    assert services.reconciliation(PayoutList.objects.get(round=r))["unpaid"] == Decimal("25000.01")
