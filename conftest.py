import pytest
from hypothesis import HealthCheck, settings

# Tests check behaviour and never fail because the machine was slow: no per-example deadline, and
# no "too slow" health check (a loaded 2-core CI machine runs examples several times slower).
settings.register_profile("duijie", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("duijie")


@pytest.fixture
def admin_user(db):
    from duijie.accounts.models import Role, User
    from duijie.core.tests import factories as f

    # A city administrator's scope is its bureau's city (an administrator without one sees nothing).
    return User.objects.create_user(username="cityadmin", password="pw-Admin-12345", role=Role.CITY_ADMIN,
                                    is_staff=True, organisation=f.city_bureau())


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def api_client(admin_user):
    from rest_framework.test import APIClient

    c = APIClient()
    c.force_authenticate(admin_user)
    return c


@pytest.fixture
def enterprise_user(db):
    """A non-admin user (role enterprise) belonging to an enterprise's organisation."""
    from duijie.core.tests import factories as f

    ent = f.enterprise(name="本企业有限公司")
    return f.user(username="entuser", role="enterprise", organisation=ent.organisation, password="pw-Ent-12345")


@pytest.fixture
def enterprise_client(client, enterprise_user):
    client.force_login(enterprise_user)
    return client


@pytest.fixture
def enterprise_api(enterprise_user):
    from rest_framework.test import APIClient

    c = APIClient()
    c.force_authenticate(enterprise_user)
    return c


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters (login per IP, API throttles) live in the cache: start every test clean."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _force_login_passes_second_factor(monkeypatch):
    """``Client.force_login`` skips the password; it skips the second factor too (a back-office user
    gets a confirmed TOTP device and a verified session). Tests of the second factor log in through
    the login page instead."""
    from django.test.client import ClientMixin

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        from duijie.accounts import policy

        if policy.otp_required(user):
            from django_otp import DEVICE_ID_SESSION_KEY
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
                      or TOTPDevice.objects.create(user=user, name="test", confirmed=True))
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)
