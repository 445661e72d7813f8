import pytest


@pytest.fixture
def admin_user(db):
    from duijie.accounts.models import Role, User

    return User.objects.create_user(username="cityadmin", password="pw-Admin-12345", role=Role.CITY_ADMIN,
                                    is_staff=True)


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
