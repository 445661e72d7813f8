"""Password rules, forced change of initial passwords, rotation of back-office passwords."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from duijie.accounts.tests.helpers import PW, login
from duijie.core.models import AuditLog
from duijie.core.roles import Role
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("password", ["Short-1a", "alllowercaseletters", "ALLUPPER12345", "12345678901234",
                                      "Password123"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["Sturdy-Pass-2026", "qiaojie2026abc!", "Zhong文mima99x"])
def test_strong_passwords_pass(password):
    validate_password(password)


def test_initial_password_set_by_someone_else_must_be_changed(client):
    u = f.user(username="newbie", role=Role.ENTERPRISE, password=PW, must_change_password=True)
    r = login(client, "newbie")
    assert r.status_code == 302
    r = client.get("/r/enterprises/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/password/")
    page = client.get(r["Location"])
    assert 'id="reason-initial"' in page.content.decode()
    assert client.get("/api/enterprises/").status_code == 403  # the API via the session too

    # the new password follows the rules and differs from the old one
    r = client.post("/accounts/password/", {"old_password": PW, "new_password1": PW, "new_password2": PW})
    assert r.status_code == 200
    r = client.post("/accounts/password/", {"old_password": PW, "new_password1": "abcdefghijk",
                                            "new_password2": "abcdefghijk"})
    assert r.status_code == 200
    r = client.post("/accounts/password/?next=/r/enterprises/", {
        "old_password": PW, "new_password1": "Brand-New-Pass-7", "new_password2": "Brand-New-Pass-7"})
    assert r.status_code == 302 and r["Location"] == "/r/enterprises/"
    u.refresh_from_db()
    assert not u.must_change_password
    assert u.check_password("Brand-New-Pass-7")
    assert client.get("/r/enterprises/").status_code == 200  # still logged in
    assert AuditLog.objects.filter(action="password_change", user=u).exists()


def test_back_office_password_rotation_after_90_days(client, settings):
    assert settings.DUIJIE_PASSWORD_MAX_AGE_DAYS == 90
    admin = f.user(username="boss", role=Role.CITY_ADMIN, password=PW)
    admin.password_changed_at = timezone.now() - timedelta(days=89)
    admin.save()
    client.force_login(admin)
    assert client.get("/r/enterprises/").status_code == 200

    admin.password_changed_at = timezone.now() - timedelta(days=91)
    admin.save()
    r = client.get("/r/enterprises/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/password/")
    assert 'id="reason-expired"' in client.get("/accounts/password/").content.decode()
    client.post("/accounts/password/", {"old_password": PW, "new_password1": "Rotated-Pass-2026",
                                        "new_password2": "Rotated-Pass-2026"})
    admin.refresh_from_db()
    assert admin.password_changed_at > timezone.now() - timedelta(minutes=1)
    assert client.get("/r/enterprises/").status_code == 200


def test_rotation_does_not_apply_to_enterprise_users(client):
    u = f.user(username="ent", role=Role.ENTERPRISE, password=PW)
    u.password_changed_at = timezone.now() - timedelta(days=400)
    u.save()
    client.force_login(u)
    assert client.get("/r/enterprises/").status_code == 200


def test_set_password_records_the_time():
    u = f.user(username="t1", role=Role.ENTERPRISE, password=PW)
    assert u.password_changed_at is not None


def test_demo_accounts_exempt_only_in_demo_deployment(client, settings):
    u = f.user(username="demo_city", role=Role.CITY_ADMIN, password=PW, is_demo=True, must_change_password=True)
    u.password_changed_at = timezone.now() - timedelta(days=400)
    u.save()
    client.force_login(u)
    settings.DUIJIE_DEMO = False
    assert client.get("/r/enterprises/").status_code == 302
    settings.DUIJIE_DEMO = True
    assert client.get("/r/enterprises/").status_code == 200


def test_set_initial_password_forces_a_change():
    u = f.user(username="invited", role=Role.EXPERT)
    u.set_initial_password("Given-By-Admin-1")
    u.save()
    u.refresh_from_db()
    assert u.must_change_password and u.check_password("Given-By-Admin-1")


def test_test_client_login_still_works(client):
    f.user(username="plain", role=Role.ENTERPRISE, password=PW)
    assert client.login(username="plain", password=PW)
