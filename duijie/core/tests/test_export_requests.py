"""Exports are masked unless an approved export request exists: requested with a reason, approved by
a city administrator other than the requester, downloaded once, audited."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from duijie.core.models import AuditLog, ExportRequest, Organisation, Region
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


def login(user):
    c = Client()
    c.force_login(user)
    return c


def cells(response):
    ws = load_workbook(io.BytesIO(response.content)).active
    return {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}


def test_full_export_needs_approval_and_is_single_use():
    city = Organisation.objects.create(kind="government", name="市局", region=Region.objects.get(code="3204"))
    requester = f.user(role="city_admin", organisation=city)
    approver = f.user(role="city_admin", organisation=city)
    f.enterprise(name="导出测试公司", contact_phone="13812345678", region=Region.objects.get(code="320412"))
    c = login(requester)
    assert "13812345678" not in cells(c.get("/r/enterprises/export.xlsx", {"q": "导出测试"}))
    c.post("/r/enterprises/export-request/", {"query": "q=导出测试", "reason": ""})
    assert not ExportRequest.objects.exists()  # a reason is required
    c.post("/r/enterprises/export-request/", {"query": "q=导出测试&columns=name&columns=contact_phone",
                                              "reason": "核对联系人"})
    req = ExportRequest.objects.get()
    assert c.get(f"/exports/requests/{req.pk}/download/").status_code == 403  # not approved yet
    assert c.post(f"/exports/requests/{req.pk}/approve/").status_code == 403  # not by the requester
    login(approver).post(f"/exports/requests/{req.pk}/approve/")
    full = c.get(f"/exports/requests/{req.pk}/download/")
    assert full.status_code == 200 and "13812345678" in cells(full)
    assert c.get(f"/exports/requests/{req.pk}/download/").status_code == 403  # once only
    assert AuditLog.objects.filter(action="export", detail__unmasked=True, user=requester).count() == 1
