"""三员分立: the system, security and audit administrators cannot do each other's work, and none
of them reads business data."""

import pytest
from django.test import Client

from duijie.core.models import AuditLog
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins():
    org = f.organisation()
    return {role: f.user(username=role, role=role, organisation=org)
            for role in ("system_admin", "security_admin", "audit_admin")}


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_system_admin_manages_accounts_but_not_roles(admins):
    c = client_for(admins["system_admin"])
    r = c.post("/r/users/add/", {"username": "newbie", "display_name": "新用户", "email": "", "is_active": "on"})
    assert r.status_code == 302
    from duijie.accounts.models import User

    newbie = User.objects.get(username="newbie")
    # the account form has no role field: a posted role is ignored
    c.post(f"/r/users/{newbie.pk}/edit/", {"username": "newbie", "display_name": "新用户", "role": "city_admin",
                                           "is_active": "on"})
    newbie.refresh_from_db()
    assert newbie.role == "enterprise"
    assert 'id="record-count">0<' in c.get("/r/audit-log/").content.decode()  # the trail is not its business
    assert c.get(f"/r/users/{admins['system_admin'].pk}/edit/").status_code in (403, 404)  # not its own account


def test_security_admin_assigns_roles_only(admins):
    target = f.user(username="target", role="enterprise")
    c = client_for(admins["security_admin"])
    assert c.get("/r/users/add/").status_code == 403
    assert c.post(f"/r/users/{target.pk}/edit/", {"role": "unit_admin"}).status_code == 302
    target.refresh_from_db()
    assert target.role == "unit_admin"
    # cannot change its own role, cannot read the audit trail
    assert c.post(f"/r/users/{admins['security_admin'].pk}/edit/", {"role": "city_admin"}).status_code in (403, 404)
    admins["security_admin"].refresh_from_db()
    assert admins["security_admin"].role == "security_admin"
    assert 'id="record-count">0<' in c.get("/r/audit-log/").content.decode()


def test_audit_admin_reads_the_trail_and_nothing_else(admins):
    f.demand()
    AuditLog.objects.create(action="create", object_type="demands.demand", object_repr="某需求")
    c = client_for(admins["audit_admin"])
    assert "某需求" in c.get("/r/audit-log/").content.decode()
    assert c.get("/r/audit-log/export.xlsx").status_code == 200
    assert 'id="record-count">0<' in c.get("/r/users/").content.decode()
    assert c.get("/r/users/add/").status_code == 403
    assert c.get("/api/demands/").json()["count"] == 0
    assert c.post("/api/audit-log/", {}, content_type="application/json").status_code in (403, 405)
