"""PIPL: an expert sees, corrects and erases their own data (record and history), records consent
and opts out of recommendations."""

import pytest
from django.db import connection

from duijie.core.models import AuditLog
from duijie.core.roles import Role
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def expert_client(client):
    user = f.user(username="prof", role=Role.EXPERT)
    expert = f.expert(phone="13812345678", email="prof@example.org")
    expert.user = user
    expert.phone = "13900001111"  # a second history row with another value
    expert.save()
    client.force_login(user)
    return client, expert, user


def test_expert_sees_consents_opts_out_and_erases(expert_client):
    client, expert, _user = expert_client
    page = client.get("/me/expert/").content.decode()
    assert "13900001111" in page and "prof@example.org" in page
    assert client.post("/me/expert/consent/").status_code == 302
    expert.refresh_from_db()
    assert expert.consent_at and expert.consent_notice
    client.post("/me/expert/opt-out/", {"do_not_recommend": "1"})
    expert.refresh_from_db()
    assert expert.do_not_recommend
    assert client.post("/me/expert/erase/", {}).status_code == 302  # without confirmation: nothing
    expert.refresh_from_db()
    assert expert.phone == "13900001111"
    client.post("/me/expert/erase/", {"confirm": "1"})
    expert.refresh_from_db()
    assert expert.phone == "" and expert.email == "" and expert.personal_data_erased_at
    with connection.cursor() as cur:
        cur.execute("SELECT phone, phone_hash, email, email_hash FROM experts_historicalexpert WHERE id = %s",
                    [expert.pk])
        rows = cur.fetchall()
    assert rows and all(value == "" for row in rows for value in row)
    entry = AuditLog.objects.filter(object_id=str(expert.pk), detail__has_key="erased").get()
    assert "13900001111" not in str(entry.detail)


def test_non_expert_has_no_profile_page(admin_client):
    assert admin_client.get("/me/expert/").status_code == 404
