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
