"""TOTP second factor: required for back-office roles, not for enterprise users; demo accounts
exempt only in a demo deployment."""

from datetime import timedelta

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from duijie.accounts.tests.helpers import PW, login
from duijie.core.models import AuditLog
from duijie.core.roles import BACK_OFFICE_ROLES, Role
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


def code(device, when=None):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.parametrize("role", sorted(BACK_OFFICE_ROLES))
def test_back_office_roles_must_enrol_then_verify(client, role):
    f.user(username="bo", role=role, password=PW)
    with freeze_time("2026-03-02 09:00:00", tick=False) as clock:
        assert login(client, "bo").status_code == 302
        r = client.get("/r/enterprises/")
        assert r.status_code == 302 and r["Location"].startswith("/accounts/otp/setup/")
        assert client.get("/api/enterprises/").status_code == 403  # the API via the session, too
        page = client.get(r["Location"]).content.decode()
        assert "<svg" in page and 'id="otp-secret"' in page  # QR code, inline SVG, and the typed key
        assert 'href="/r/' not in page  # no navigation until the login is complete
        device = TOTPDevice.objects.get(user__username="bo", confirmed=False)
        r = client.post("/accounts/otp/setup/?next=/r/enterprises/", {"code": "000000" if code(device) != "000000"
                                                                      else "111111"})
        assert r.status_code == 200 and 'class="errorlist' in r.content.decode()
        clock.tick(timedelta(seconds=3))  # django-otp throttles: 2^n seconds after n failures
        r = client.post("/accounts/otp/setup/", {"code": code(device), "next": "/r/enterprises/"})
        assert r.status_code == 302 and r["Location"] == "/r/enterprises/"
        assert client.get("/r/enterprises/").status_code == 200

        client.post("/accounts/logout/")
        clock.tick(timedelta(minutes=1))
        login(client, "bo")
        r = client.get("/r/enterprises/")
        assert r.status_code == 302 and r["Location"].startswith("/accounts/otp/verify/")
        assert client.post("/accounts/otp/verify/", {"code": "12345x"}).status_code == 200
        device.refresh_from_db()
        clock.tick(timedelta(seconds=device.throttling_failure_count * 2 + 1))
        r = client.post("/accounts/otp/verify/", {"code": code(device), "next": "/r/enterprises/"})
        assert r.status_code == 302 and r["Location"] == "/r/enterprises/"
        assert client.get("/r/enterprises/").status_code == 200
    assert AuditLog.objects.filter(action="otp_enrol", result="success").count() == 1
    assert AuditLog.objects.filter(action="otp_failed", result="failure").count() == 2


def test_enterprise_users_need_no_second_factor(client):
    f.user(username="ent", role=Role.ENTERPRISE, password=PW)
    login(client, "ent")
    assert client.get("/r/enterprises/").status_code == 200
    assert not TOTPDevice.objects.exists()


@pytest.mark.parametrize("demo_deployment", [False, True])
def test_demo_accounts_exempt_only_in_demo_deployment(client, settings, demo_deployment):
    settings.DUIJIE_DEMO = demo_deployment
    f.user(username="democity", role=Role.CITY_ADMIN, password=PW, is_demo=True)
    page = client.get("/accounts/login/").content.decode()
    assert ('id="demo-notice"' in page) is demo_deployment
    login(client, "democity")
    r = client.get("/r/enterprises/")
    if demo_deployment:
        assert r.status_code == 200
        assert 'id="demo-banner"' in r.content.decode()
    else:
        assert r.status_code == 302 and r["Location"].startswith("/accounts/otp/setup/")


def test_non_demo_account_in_demo_deployment_still_needs_second_factor(client, settings):
    settings.DUIJIE_DEMO = True
    f.user(username="realcity", role=Role.CITY_ADMIN, password=PW)
    login(client, "realcity")
    assert client.get("/r/enterprises/").status_code == 302


def test_otp_verify_rejects_foreign_next_url(client):
    u = f.user(username="bo", role=Role.CITY_ADMIN, password=PW)
    device = TOTPDevice.objects.create(user=u, name="t", confirmed=True)
    login(client, "bo")
    r = client.post("/accounts/otp/verify/", {"code": code(device), "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == "/"
