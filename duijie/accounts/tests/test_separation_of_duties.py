"""三员分立: the system, security and audit administrators cannot do each other's work, and none
of them reads business data."""

import pytest
from django.test import Client

from duijie.core.models import AuditLog
from duijie.core.roles import Role
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admins():
    org = f.organisation()
    return {role: f.user(username=role, role=role, organisation=org)
            for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)}


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_system_admin_manages_accounts_but_not_roles(admins):
    c = client_for(admins[Role.SYSTEM_ADMIN])
    r = c.post("/r/users/add/", {"username": "newbie", "display_name": "新用户", "email": "", "is_active": "on"})
    assert r.status_code == 302
    from duijie.accounts.models import User

    newbie = User.objects.get(username="newbie")
    # the account form has no role field: a posted role is ignored
    c.post(f"/r/users/{newbie.pk}/edit/", {"username": "newbie", "display_name": "新用户", "role": Role.CITY_ADMIN,
                                           "is_active": "on"})
    newbie.refresh_from_db()
    assert newbie.role == Role.ENTERPRISE
    assert 'id="record-count">0<' in c.get("/r/audit-log/").content.decode()  # the trail is not its business
    assert c.get(f"/r/users/{admins[Role.SYSTEM_ADMIN].pk}/edit/").status_code in (403, 404)  # not its own account


def test_security_admin_assigns_roles_only(admins):
    # a government role goes to an account of a government organisation (services.role_organisation_error)
    target = f.user(username="target", role=Role.ENTERPRISE, organisation=f.organisation())
    c = client_for(admins[Role.SECURITY_ADMIN])
    assert c.get("/r/users/add/").status_code == 403
    assert c.post(f"/r/users/{target.pk}/edit/", {"role": Role.UNIT_ADMIN}).status_code == 302
    target.refresh_from_db()
    assert target.role == Role.UNIT_ADMIN
    # cannot change its own role, cannot read the audit trail
    assert c.post(f"/r/users/{admins[Role.SECURITY_ADMIN].pk}/edit/", {"role": Role.CITY_ADMIN}).status_code in (403, 404)
    admins[Role.SECURITY_ADMIN].refresh_from_db()
    assert admins[Role.SECURITY_ADMIN].role == Role.SECURITY_ADMIN
    assert 'id="record-count">0<' in c.get("/r/audit-log/").content.decode()


def test_audit_admin_reads_the_trail_and_nothing_else(admins):
    f.demand()
    AuditLog.objects.create(action="create", object_type="demands.demand", object_repr="某需求")
    c = client_for(admins[Role.AUDIT_ADMIN])
    assert "某需求" in c.get("/r/audit-log/").content.decode()
    assert c.get("/r/audit-log/export.xlsx").status_code == 200
    assert 'id="record-count">0<' in c.get("/r/users/").content.decode()
    assert c.get("/r/users/add/").status_code == 403
    assert c.get("/api/demands/").json()["count"] == 0
    assert c.post("/api/audit-log/", {}, content_type="application/json").status_code in (403, 405)


# ---- The same separation through the API, and the role ↔ organisation rule (accounts/services.py) ----

from rest_framework.test import APIClient  # noqa: E402

from duijie.accounts.models import User  # noqa: E402


def api_for(user):
    c = APIClient()
    c.force_login(user)
    return c


@pytest.fixture
def orgs():
    return {"bureau": f.organisation(name="某区科技局", kind="government"),
            "enterprise": f.enterprise(name="某某科技有限公司").organisation,
            "institution": f.institution(name="某某大学").organisation}


def denied_entries(user):
    return AuditLog.objects.filter(user=user, action="denied", result="failure").count()


def test_security_admin_cannot_deactivate_or_move_accounts_through_the_api(admins, orgs):
    target = f.user(username="ent1", role=Role.ENTERPRISE, organisation=orgs["enterprise"])
    c = api_for(admins[Role.SECURITY_ADMIN])
    for body in ({"is_active": False}, {"organisation": orgs["bureau"].pk}, {"username": "renamed"},
                 {"role": Role.ENTERPRISE, "is_active": "false"}):
        r = c.patch(f"/api/users/{target.pk}/", body, format="json")
        assert r.status_code == 403, (body, r.content)
    assert denied_entries(admins[Role.SECURITY_ADMIN]) == 4
    target.refresh_from_db()
    assert (target.is_active, target.organisation_id, target.username) == (True, orgs["enterprise"].pk, "ent1")
    # deleting an account is the system administrator's, not the security administrator's
    assert c.delete(f"/api/users/{target.pk}/").status_code == 403
    assert User.objects.filter(pk=target.pk).exists()
    # its own duty works; a full PUT that repeats the other fields unchanged is fine too
    current = c.get(f"/api/users/{target.pk}/").json()
    r = c.put(f"/api/users/{target.pk}/", {**current, "role": Role.INSTITUTION}, format="json")
    assert r.status_code == 400 and "role" in r.json()  # an institution role in an enterprise: refused
    target.refresh_from_db()
    assert target.role == Role.ENTERPRISE


def test_security_admin_ui_ignores_other_duties_fields(admins, orgs):
    target = f.user(username="ent2", role=Role.ENTERPRISE, organisation=orgs["enterprise"])
    c = client_for(admins[Role.SECURITY_ADMIN])
    r = c.post(f"/r/users/{target.pk}/edit/", {"role": Role.ENTERPRISE, "is_active": "", "organisation": orgs["bureau"].pk})
    assert r.status_code == 302
    target.refresh_from_db()
    assert target.is_active and target.organisation_id == orgs["enterprise"].pk
    assert c.get(f"/r/users/{target.pk}/delete/").status_code == 403


def test_system_admin_cannot_set_roles_through_the_api(admins, orgs):
    target = f.user(username="ent3", role=Role.ENTERPRISE, organisation=orgs["enterprise"])
    c = api_for(admins[Role.SYSTEM_ADMIN])
    r = c.patch(f"/api/users/{target.pk}/", {"role": Role.CITY_ADMIN}, format="json")
    assert r.status_code == 403
    r = c.post("/api/users/", {"username": "made-admin", "role": Role.CITY_ADMIN}, format="json")
    assert r.status_code == 403 and not User.objects.filter(username="made-admin").exists()
    target.refresh_from_db()
    assert target.role == Role.ENTERPRISE
    # its own duty: a new account (no usable password: the user sets it through the onboarding link)
    r = c.post("/api/users/", {"username": "newbie", "display_name": "新用户", "role": Role.ENTERPRISE,
                               "organisation": orgs["enterprise"].pk}, format="json")
    assert r.status_code == 201, r.content
    newbie = User.objects.get(username="newbie")
    assert newbie.organisation_id == orgs["enterprise"].pk and not newbie.has_usable_password()
    assert c.patch(f"/api/users/{target.pk}/", {"display_name": "改名"}, format="json").status_code == 200


@pytest.mark.parametrize("via", ["api", "ui"])
def test_system_admin_cannot_move_an_enterprise_user_into_a_bureau(admins, orgs, via):
    from duijie.demands.models import Demand

    bureau_secret = f.demand(title="局内限制需求", visibility="restricted")
    Demand.objects.filter(pk=bureau_secret.pk).update(filed_by_org=orgs["bureau"], owner_org=orgs["bureau"])
    target = f.user(username="ent4", role=Role.ENTERPRISE, organisation=orgs["enterprise"])
    if via == "api":
        r = api_for(admins[Role.SYSTEM_ADMIN]).patch(f"/api/users/{target.pk}/", {"organisation": orgs["bureau"].pk},
                                                  format="json")
        assert r.status_code == 400 and "organisation" in r.json()
    else:
        r = client_for(admins[Role.SYSTEM_ADMIN]).post(f"/r/users/{target.pk}/edit/", {
            "username": "ent4", "display_name": "", "email": "", "organisation": orgs["bureau"].pk,
            "is_active": "on"})
        assert r.status_code == 200 and "角色与所属机构必须一致" in r.content.decode()
    target.refresh_from_db()
    assert target.organisation_id == orgs["enterprise"].pk
    assert client_for(target).get(f"/r/demands/{bureau_secret.pk}/").status_code == 404
    # nor into an institution (an enterprise role belongs to an enterprise)
    r = api_for(admins[Role.SYSTEM_ADMIN]).patch(f"/api/users/{target.pk}/", {"organisation": orgs["institution"].pk},
                                              format="json")
    assert r.status_code == 400


def test_security_admin_cannot_give_a_government_role_outside_a_government_organisation(admins, orgs):
    target = f.user(username="ent5", role=Role.ENTERPRISE, organisation=orgs["enterprise"])
    c = api_for(admins[Role.SECURITY_ADMIN])
    for role in (Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.PARK_MANAGER):
        assert c.patch(f"/api/users/{target.pk}/", {"role": role}, format="json").status_code == 400
    r = client_for(admins[Role.SECURITY_ADMIN]).post(f"/r/users/{target.pk}/edit/", {"role": Role.CITY_ADMIN})
    assert r.status_code == 200
    target.refresh_from_db()
    assert target.role == Role.ENTERPRISE
    # an active account without organisation cannot become a government account either
    loose = f.user(username="loose", role=Role.ENTERPRISE)
    assert c.patch(f"/api/users/{loose.pk}/", {"role": Role.CITY_ADMIN}, format="json").status_code == 400


def test_a_government_account_takes_both_duties_in_two_steps(admins, orgs):
    sysadmin, secadmin = api_for(admins[Role.SYSTEM_ADMIN]), api_for(admins[Role.SECURITY_ADMIN])
    r = sysadmin.post("/api/users/", {"username": "newgov", "is_active": False}, format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    # the system administrator cannot put the enterprise-role account into the bureau yet ...
    assert sysadmin.patch(f"/api/users/{pk}/", {"organisation": orgs["bureau"].pk}, format="json").status_code == 400
    # ... the security administrator gives the inactive account its government role ...
    assert secadmin.patch(f"/api/users/{pk}/", {"role": Role.UNIT_ADMIN}, format="json").status_code == 200
    # ... which cannot be activated without its government organisation ...
    r = sysadmin.patch(f"/api/users/{pk}/", {"is_active": True}, format="json")
    assert r.status_code == 400 and "is_active" in r.json()
    # ... and is activated together with it
    r = sysadmin.patch(f"/api/users/{pk}/", {"organisation": orgs["bureau"].pk, "is_active": True}, format="json")
    assert r.status_code == 200, r.content
    user = User.objects.get(pk=pk)
    assert (user.role, user.organisation_id, user.is_active) == (Role.UNIT_ADMIN, orgs["bureau"].pk, True)
    # and from now on it cannot be moved out of government, nor lose its government organisation
    assert sysadmin.patch(f"/api/users/{pk}/", {"organisation": orgs["enterprise"].pk},
                          format="json").status_code == 400
    assert sysadmin.patch(f"/api/users/{pk}/", {"organisation": None}, format="json").status_code == 400


def test_nobody_edits_their_own_account_through_the_api(admins):
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
        me = admins[role]
        c = api_for(me)
        assert c.patch(f"/api/users/{me.pk}/", {"display_name": "我"}, format="json").status_code == 403
        assert c.delete(f"/api/users/{me.pk}/").status_code == 403
    admins[Role.SECURITY_ADMIN].refresh_from_db()
    assert admins[Role.SECURITY_ADMIN].role == Role.SECURITY_ADMIN
    assert api_for(admins[Role.SECURITY_ADMIN]).patch(
        f"/api/users/{admins[Role.SECURITY_ADMIN].pk}/", {"role": Role.SYSTEM_ADMIN}, format="json").status_code == 403


def test_audit_admin_writes_nothing(admins, orgs):
    target = f.user(username="ent6", role=Role.ENTERPRISE, organisation=orgs["enterprise"])
    entry = AuditLog.objects.create(action="create", object_type="demands.demand", object_repr="某需求")
    c = api_for(admins[Role.AUDIT_ADMIN])
    assert c.patch(f"/api/users/{target.pk}/", {"is_active": False}, format="json").status_code in (403, 404)
    assert c.patch(f"/api/users/{target.pk}/", {"role": Role.CITY_ADMIN}, format="json").status_code in (403, 404)
    assert c.post("/api/users/", {"username": "x"}, format="json").status_code == 403
    assert c.delete(f"/api/audit-log/{entry.pk}/").status_code == 405
    assert c.patch(f"/api/audit-log/{entry.pk}/", {"object_repr": "改"}, format="json").status_code == 405
    assert c.get(f"/api/audit-log/{entry.pk}/").status_code == 200
    ui = client_for(admins[Role.AUDIT_ADMIN])
    assert ui.post(f"/r/users/{target.pk}/edit/", {"role": Role.CITY_ADMIN}).status_code in (403, 404)
    assert ui.post(f"/r/audit-log/{entry.pk}/edit/", {}).status_code in (403, 404)
    target.refresh_from_db()
    assert target.is_active and target.role == Role.ENTERPRISE
