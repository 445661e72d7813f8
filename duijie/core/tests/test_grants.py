"""Explicit grants: a restricted record is readable by a named user the owner shares it with, and a
broker sees the demands assigned to them; classified records are never shared; all audited."""

import pytest
from django.test import Client

from duijie.core.models import AuditLog
from duijie.core.roles import Role
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_share_and_withdraw_a_restricted_demand():
    ent = f.enterprise()
    owner = f.user(role=Role.ENTERPRISE, organisation=ent.organisation)
    d = f.demand(ent, visibility="restricted", status="published", title="受限需求")
    broker = f.user(username="broker1", role=Role.BROKER, organisation=f.organisation("经纪", kind="other"))
    stranger = f.user(role=Role.ENTERPRISE, organisation=f.enterprise().organisation)
    assert login(broker).get(f"/r/demands/{d.pk}/").status_code == 404
    r = login(owner).post(f"/r/demands/{d.pk}/grants/", {"username": "broker1", "purpose": "broker"})
    assert r.status_code == 302
    assert login(broker).get(f"/r/demands/{d.pk}/").status_code == 200
    assert "受限需求" in login(broker).get("/r/demands/").content.decode()
    assert login(broker).get(f"/r/demands/{d.pk}/edit/").status_code == 403  # read, not edit
    assert login(stranger).get(f"/r/demands/{d.pk}/").status_code == 404
    assert AuditLog.objects.filter(object_id=str(d.pk), detail__has_key="grant").exists()
    # only someone who may edit the record shares it
    assert login(broker).post(f"/r/demands/{d.pk}/grants/", {"username": stranger.username}).status_code == 403
    from duijie.core.models import Grant

    g = Grant.objects.get()
    login(owner).post(f"/r/demands/{d.pk}/grants/{g.pk}/revoke/")
    assert login(broker).get(f"/r/demands/{d.pk}/").status_code == 404


def test_classified_records_are_never_shared():
    ent = f.enterprise()
    owner = f.user(role=Role.ENTERPRISE, organisation=ent.organisation)
    d = f.demand(ent, visibility="classified")
    other = f.user(username="other1", role=Role.ENTERPRISE, organisation=f.enterprise().organisation)
    login(owner).post(f"/r/demands/{d.pk}/grants/", {"username": "other1"})
    from duijie.core.models import Grant

    assert not Grant.objects.exists()
    assert login(other).get(f"/r/demands/{d.pk}/").status_code == 404
