"""In a real browser: the pages, the forms and the API docs (Redoc) run under the
Content-Security-Policy without a single violation."""

import os

import pytest

from duijie.core.roles import Role

# serialized_rollback on every transactional test: each restores the reference data, and no flush
# re-creates content types under the restored rows.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = "/usr/bin/chromium"


def test_no_csp_violations(live_server, django_user_model, settings):
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: run scripts/install-browser.sh")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    from duijie.core.tests import factories as f

    settings.DUIJIE_DEMO = True
    django_user_model.objects.create_user(username="cityadmin", password="pw-Admin-12345", role=Role.CITY_ADMIN,
                                          is_demo=True)
    ent = f.enterprise(name="内容安全策略测试有限公司")
    base = live_server.url
    violations, errors = [], []
    os.makedirs("/tmp/duijie-screens", exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.set_default_timeout(20000)
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "cityadmin")
        page.fill("#id_password", "pw-Admin-12345")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        for path in ["/r/enterprises/", f"/r/enterprises/{ent.pk}/", "/r/enterprises/add/", "/r/demands/",
                     "/accounts/tokens/", "/accounts/password/"]:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
        page.click("#user-menu")  # Bootstrap's dropdown works (its script is allowed by the nonce)
        page.wait_for_selector(".dropdown-menu.show")
        # a back-office account outside the demo exemption lands on the TOTP enrolment page (inline SVG QR)
        django_user_model.objects.create_user(username="secadmin", password="pw-Admin-12345",
                                              role=Role.SECURITY_ADMIN)
        page.context.clear_cookies()
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "secadmin")
        page.fill("#id_password", "pw-Admin-12345")
        page.click("button[type=submit]")
        page.wait_for_selector("#otp-qr svg")
        page.screenshot(path="/tmp/duijie-screens/otp-setup.png", full_page=True)
        page.goto(f"{base}/api/docs/")
        page.wait_for_selector("text=duijie API", timeout=60000)
        page.wait_for_selector("[data-section-id]", timeout=60000)  # Redoc rendered the operations
        browser.close()
    # Redoc's "powered by" logo is on its CDN: blocking it is the intended effect (no third-party request).
    violations = [v for v in violations if "cdn.redoc.ly" not in v]
    assert violations == [], violations
    assert errors == [], errors
