"""HTTP Basic on the API: off by default; when enabled, never for accounts that need a second factor,
and failures throttled per client IP and per username (accounts/throttling.py)."""

import base64

import pytest
from django.test import Client

from duijie.core.models import AuditLog
from duijie.core.roles import Role
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db
PW = "Sturdy-Pass-2026"


def basic(username, password):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_off_by_default(settings):
    assert settings.DUIJIE_API_BASIC_AUTH is False
    f.user(username="ent", role=Role.ENTERPRISE, password=PW)
    assert Client().get("/api/demands/", **basic("ent", PW)).status_code == 401


@pytest.mark.parametrize("otp_required", [True, False])
def test_never_skips_the_second_factor(settings, otp_required):
    settings.DUIJIE_API_BASIC_AUTH = True
    settings.DUIJIE_OTP_REQUIRED = otp_required
    f.user(username="bureau", role=Role.CITY_ADMIN, organisation=f.organisation(), password=PW)
    f.user(username="ent", role=Role.ENTERPRISE, password=PW)
    r = Client().get("/api/demands/", **basic("bureau", PW))
    if otp_required:  # back office: a password alone is not the login
        assert r.status_code == 401
        e = AuditLog.objects.get(action="login_failed")
        assert e.detail["reason"] == "second_factor_required" and e.result == "failure"
    else:  # the policy (accounts/policy.py) asks for no second factor: the password is the whole login
        assert r.status_code == 200
    assert Client().get("/api/demands/", **basic("ent", PW)).status_code == 200


def test_failures_are_throttled_per_username(settings):
    settings.DUIJIE_API_BASIC_AUTH = True
    settings.DUIJIE_LOCKOUT_FAILURES = 3
    settings.AXES_ENABLED = False  # only our counter: django-axes locks by username on its own
    f.user(username="ent", role=Role.ENTERPRISE, password=PW)
    codes = [Client().get("/api/demands/", REMOTE_ADDR=f"10.0.0.{i}", **basic("ent", "wrong")).status_code
             for i in range(4)]
    assert codes == [401, 401, 401, 429]
    # the right password is refused too while the username is throttled (checked before the password)
    assert Client().get("/api/demands/", REMOTE_ADDR="10.0.0.9", **basic("ent", PW)).status_code == 429
    assert AuditLog.objects.filter(action="login_failed", detail__reason="rate_limited").count() == 2


def test_failures_are_throttled_per_address(settings):
    settings.DUIJIE_API_BASIC_AUTH = True
    settings.DUIJIE_LOGIN_RATE_PER_MINUTE = 3
    settings.DUIJIE_LOCKOUT_FAILURES = 100
    f.user(username="ent", role=Role.ENTERPRISE, password=PW)
    codes = [Client().get("/api/demands/", REMOTE_ADDR="10.0.0.1", **basic(f"guess{i}", "x")).status_code
             for i in range(4)]
    assert codes == [401, 401, 401, 429]
    assert Client().get("/api/demands/", REMOTE_ADDR="10.0.0.1", **basic("ent", PW)).status_code == 429
    assert Client().get("/api/demands/", REMOTE_ADDR="10.0.0.2", **basic("ent", PW)).status_code == 200
