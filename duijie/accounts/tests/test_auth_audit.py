"""Audit of authentication: login, logout and failed login with time, user, IP, result."""

import pytest
from django.db import transaction

from duijie.accounts.tests.helpers import PW, login
from duijie.core.audit import audit_failure
from duijie.core.models import AuditLog
from duijie.core.roles import Role
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


def test_login_logout_and_failures_are_audited(client):
    u = f.user(username="carol", role=Role.ENTERPRISE, password=PW)
    login(client, "carol", "wrong-password", REMOTE_ADDR="10.1.2.3")
    login(client, "nosuchuser", "whatever-pass", REMOTE_ADDR="10.1.2.3")
    login(client, "carol", REMOTE_ADDR="10.1.2.4")
    client.post("/accounts/logout/", REMOTE_ADDR="10.1.2.4")

    failed = list(AuditLog.objects.filter(action="login_failed").order_by("pk"))
    assert [(e.result, e.ip, e.detail["username"], e.detail["reason"]) for e in failed] == [
        ("failure", "10.1.2.3", "carol", "bad_password"),
        ("failure", "10.1.2.3", "nosuchuser", "unknown_user"),
    ]
    assert failed[0].object_id == str(u.pk) and failed[0].user is None
    assert all(PW not in str(e.detail) and "wrong-password" not in str(e.detail) for e in failed)

    ok = AuditLog.objects.get(action="login")
    assert (ok.user, ok.result, ok.ip) == (u, "success", "10.1.2.4")
    assert ok.at.tzinfo is not None  # time with offset
    out = AuditLog.objects.get(action="logout")
    assert (out.user, out.result, out.ip) == (u, "success", "10.1.2.4")


def test_api_basic_failure_is_audited(client, settings):
    settings.DUIJIE_API_BASIC_AUTH = True
    f.user(username="dave", role=Role.ENTERPRISE, password=PW)
    r = client.get("/api/enterprises/", HTTP_AUTHORIZATION="Basic ZGF2ZTpub3BlLW5vcGU=")  # dave:nope-nope
    assert r.status_code == 401
    e = AuditLog.objects.get(action="login_failed")
    assert e.detail["via"] == "api" and e.detail["reason"] == "bad_password"


def test_failure_entries_are_written_in_their_own_transaction():
    # durable: refuses to run nested in the caller's transaction, so a rollback there cannot drop it
    with pytest.raises(RuntimeError), transaction.atomic(durable=True), transaction.atomic():
        audit_failure(user=None, action="login_failed", object_type="accounts.user")
    e = audit_failure(user=None, action="login_failed", object_type="accounts.user", ip="10.0.0.1")
    assert e.result == "failure"


def test_trusted_proxy_address(client, settings):
    settings.DUIJIE_TRUSTED_PROXY_COUNT = 1
    f.user(username="erin", role=Role.ENTERPRISE, password=PW)
    login(client, "erin", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert AuditLog.objects.get(action="login").ip == "203.0.113.7"  # the proxy's entry, not the client's claim
