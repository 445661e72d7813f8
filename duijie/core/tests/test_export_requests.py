"""Exports are masked unless an approved export request exists: requested with a reason, approved by
a city administrator other than the requester, downloaded once, audited."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from duijie.core.models import AuditLog, ExportRequest, Organisation, Region
from duijie.core.roles import Role
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
    requester = f.user(role=Role.CITY_ADMIN, organisation=city)
    approver = f.user(role=Role.CITY_ADMIN, organisation=city)
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


# ---- Who approves, and what an approved file unmasks (issue #11) ----

def _setup_cities():
    changzhou = Organisation.objects.create(kind="government", name="常州市局", region=Region.objects.get(code="3204"))
    kunshan = Organisation.objects.create(kind="government", name="昆山市局", region=Region.objects.get(code="320583"))
    return f.user(role=Role.CITY_ADMIN, organisation=changzhou), f.user(role=Role.CITY_ADMIN, organisation=kunshan)


def _expert_request():
    wujin = Region.objects.get(code="320412")
    uni = f.institution(name="常州某大学", region=wujin)
    me = f.expert(name="申请专家", institution=uni, region=wujin, phone="13900000001")
    others = [f.expert(name=f"其他专家{i}", institution=uni, region=wujin, phone=f"1390000001{i}") for i in range(3)]
    requester = f.user(role=Role.EXPERT, organisation=uni.organisation)
    me.user = requester
    me.save()
    login(requester).post("/r/experts/export-request/", {"query": "columns=name&columns=phone", "reason": "核对"})
    return requester, me, others, ExportRequest.objects.get(user=requester)


def test_an_export_request_is_approved_only_within_the_requesters_scope():
    changzhou_admin, kunshan_admin = _setup_cities()
    requester, _me, _others, req = _expert_request()
    kunshan = login(kunshan_admin)
    assert "核对" not in kunshan.get("/exports/requests/").content.decode()  # not even listed
    assert kunshan.post(f"/exports/requests/{req.pk}/approve/").status_code == 404
    req.refresh_from_db()
    assert req.status == "pending"
    assert AuditLog.objects.filter(user=kunshan_admin, action="denied", object_type="core.exportrequest",
                                   object_id=str(req.pk)).exists()
    # another expert of the same institution, a platform administrator: no approval either
    colleague = f.user(role=Role.EXPERT, organisation=requester.organisation)
    assert login(colleague).post(f"/exports/requests/{req.pk}/approve/").status_code == 404
    changzhou = login(changzhou_admin)
    assert "核对" in changzhou.get("/exports/requests/").content.decode()
    changzhou.post(f"/exports/requests/{req.pk}/approve/")
    req.refresh_from_db()
    assert req.status == "approved" and req.reviewed_by == changzhou_admin


def test_an_approved_export_unmasks_only_what_the_requester_may_reveal():
    from duijie.core import selectors

    changzhou_admin, _ = _setup_cities()
    requester, _me, others, req = _expert_request()
    login(changzhou_admin).post(f"/exports/requests/{req.pk}/approve/")
    values = cells(login(requester).get(f"/exports/requests/{req.pk}/download/"))
    assert "13900000001" in values  # the requester's own record
    for other in others:
        assert selectors.personal_access(requester, other) == "masked"
        assert other.phone not in values
        assert any(v.startswith("139") and v.endswith(other.phone[-4:]) and "*" in v for v in values)
    assert AuditLog.objects.get(action="export", user=requester).detail["unmasked_rows"] == 1


def test_revealable_ids_agree_with_personal_access():
    from duijie.core import selectors
    from duijie.experts.models import Expert

    changzhou_admin, kunshan_admin = _setup_cities()
    requester, *_ = _expert_request()
    f.expert(name="昆山专家", region=Region.objects.get(code="320583"), phone="13900000099")
    for user in (requester, changzhou_admin, kunshan_admin):
        qs = selectors.visible_queryset(Expert, user)
        assert selectors.revealable_ids(user, qs) == {
            e.pk for e in qs if selectors.personal_access(user, e) == "reveal"}
