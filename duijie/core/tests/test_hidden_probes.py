"""Asking for a record one may not see answers 404 exactly as for a record that does not exist, and
the probe of an existing hidden record is in the audit trail as a denied access."""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from duijie.core.models import AuditLog
from duijie.core.roles import Role
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


def same_page(content: bytes, pk: int) -> bytes:
    """The page without what differs per request anyway (CSP nonce, CSRF token) and the id asked for."""
    content = content.replace(f"/{pk}/".encode(), b"/ID/")  # first: an echoed address may be token-long
    return re.sub(rb'(nonce|value|content)="[A-Za-z0-9+/=_-]{16,}"', b"", content)


def test_probes_of_hidden_records_are_audited_and_indistinguishable():
    secret = f.demand(title="保密需求", visibility="restricted", status="draft")
    other = f.user(role=Role.ENTERPRISE, organisation=f.enterprise().organisation)
    missing = secret.pk + 1000
    web, api = Client(), APIClient()
    web.force_login(other)
    api.force_login(other)
    probes = [
        (web.get, "/r/demands/{}/"), (web.get, "/r/demands/{}/edit/"), (web.get, "/r/demands/{}/history/"),
        (web.post, "/r/demands/{}/delete/"), (api.get, "/api/demands/{}/"), (api.patch, "/api/demands/{}/"),
        (api.delete, "/api/demands/{}/"),
    ]
    for call, url in probes:
        hidden, absent = call(url.format(secret.pk)), call(url.format(missing))
        assert hidden.status_code == absent.status_code == 404, url
        assert same_page(hidden.content, secret.pk) == same_page(absent.content, missing), url
    entries = AuditLog.objects.filter(action="denied", user=other)
    assert entries.count() == len(probes)
    assert {e.object_id for e in entries} == {str(secret.pk)}
    assert all(e.result == "failure" and e.detail["reason"] == "hidden" and e.object_type == "demands.demand"
               for e in entries)
    assert "保密需求" not in " ".join(e.object_repr for e in entries)  # the trail names no hidden content


def test_the_owner_is_not_audited_as_a_probe():
    secret = f.demand(title="自己的需求", visibility="restricted", status="draft")
    owner = f.user(role=Role.ENTERPRISE, organisation=secret.enterprise.organisation)
    c = Client()
    c.force_login(owner)
    assert c.get(f"/r/demands/{secret.pk}/").status_code == 200
    assert not AuditLog.objects.filter(action="denied").exists()
