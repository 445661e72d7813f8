"""Change history (with the acting user, phones masked for non-admins) and xlsx export (filtered
rows, chosen columns, formulas neutralised, phones masked)."""

import io

import pytest
from openpyxl import load_workbook

from duijie.core.tests import factories as f
from duijie.demands.models import Demand

pytestmark = pytest.mark.django_db


def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_edit_creates_history_entry_with_user(admin_client, admin_user):
    ent = f.enterprise(name="历史公司", contact_phone="13812345678")
    response = admin_client.post(f"/r/enterprises/{ent.pk}/edit/", {
        "uscc": ent.uscc, "name": "历史公司（改名）", "visibility": "platform", "contact_phone": "13987654321",
        "region": ent.region_id, **f.form_version(ent)})
    assert response.status_code == 302
    latest = ent.history.order_by("-history_date").first()
    assert ent.history.count() == 2
    assert latest.history_type == "~"
    assert latest.history_user == admin_user
    assert latest.name == "历史公司（改名）"
    html = admin_client.get(f"/r/enterprises/{ent.pk}/history/").content.decode()
    assert "cityadmin" in html and "历史公司（改名）" in html
    assert "139****4321" in html and "13987654321" not in html  # masked; "show full" is a separate audited action


def test_api_edit_records_user(api_client, admin_user):
    d = f.demand()
    assert api_client.patch(f"/api/demands/{d.pk}/", {"keywords": "节能"}, format="json", **f.if_match(d)).status_code == 200
    assert d.history.order_by("-history_date").first().history_user == admin_user


def test_history_masks_personal_values(enterprise_client, enterprise_user):
    own = enterprise_user.organisation.enterprise
    d = f.demand(own, contact_phone="13812345678")
    r = enterprise_client.post(f"/r/demands/{d.pk}/edit/", {
        "enterprise": own.pk, "demand_type": "tech_challenge", "title": d.title, "description": d.description,
        "visibility": "public", "contact_phone": "13987655678", **f.form_version(d)})
    assert r.status_code == 302, r.content.decode()[:2000]
    html = enterprise_client.get(f"/r/demands/{d.pk}/history/").content.decode()
    assert "entuser" in html
    # history shows personal values masked even on the enterprise's own record
    assert "138****5678" in html and "139****5678" in html
    assert "13812345678" not in html and "13987655678" not in html


def test_government_sees_masked_and_reveal_is_audited(admin_client, admin_user):
    from duijie.core.models import AuditLog

    d = f.demand(f.enterprise(), contact_phone="13812345678")
    detail = admin_client.get(f"/r/demands/{d.pk}/").content.decode()
    assert "138****5678" in detail and "13812345678" not in detail
    history = admin_client.get(f"/r/demands/{d.pk}/history/").content.decode()
    assert "13812345678" not in history
    revealed = admin_client.post(f"/r/demands/{d.pk}/", {"reveal": "1"}).content.decode()
    assert "13812345678" in revealed
    entry = AuditLog.objects.get(action="reveal", object_id=str(d.pk))
    assert entry.user == admin_user and "13812345678" not in str(entry.detail)


def test_export_filtered_rows_and_chosen_columns(admin_client):
    ent = f.enterprise(name="导出公司")
    f.demand(ent, title="电池回收需求", status="published", contact_phone="13812345678")
    f.demand(ent, title="电池检测需求", status="draft")
    f.demand(ent, title="机器人需求", status="published")
    rows = sheet(admin_client.get("/r/demands/export.xlsx", {"q": "电池", "status": "published",
                                                             "columns": ["title", "status", "contact_phone"]}))
    assert len(rows) == 2
    assert len(rows[0]) == 3
    assert rows[1][0] == "电池回收需求"
    assert rows[1][2] == "138****5678"
    # no columns chosen: every exportable column, never the blind-index hash
    rows = sheet(admin_client.get("/r/demands/export.xlsx"))
    assert len(rows) == 4
    headers = [str(h) for h in rows[0]]
    assert len(headers) > 10
    flat = " ".join(str(v) for row in rows for v in row)
    assert "13812345678" not in flat
    assert "138****5678" in flat
    from duijie.core.crypto import blind_index

    assert blind_index("13812345678") not in flat


def test_export_neutralises_formulas(admin_client):
    f.demand(title="=HYPERLINK(\"http://evil\",\"x\")", description="+1+1", keywords="@SUM(A1)")
    rows = sheet(admin_client.get("/r/demands/export.xlsx", {"columns": ["title", "description", "keywords"]}))
    assert rows[1] == ["'=HYPERLINK(\"http://evil\",\"x\")", "'+1+1", "'@SUM(A1)"]


def test_export_masks_phones_even_for_admins_and_is_audited(admin_client):
    from duijie.core.models import AuditLog

    ent = f.enterprise(name="手机公司", contact_phone="13812345678")
    rows = sheet(admin_client.get("/r/enterprises/export.xlsx", {"q": ent.name, "columns": ["name", "contact_phone"]}))
    assert rows[1:] == [["手机公司", "138****5678"]]
    entry = AuditLog.objects.filter(action="export").latest("at")
    assert entry.detail["rows"] == 1 and "13812345678" not in str(entry.detail)


def test_export_invalid_filter_does_not_crash(admin_client):
    f.demand()
    # an invalid filter exports nothing (as the list page shows nothing), never the whole table
    rows = sheet(admin_client.get("/r/demands/export.xlsx", {"status": "nonsense", "columns": ["title"]}))
    assert rows == [[str(Demand._meta.get_field("title").verbose_name)]]
    # unknown columns fall back to all columns
    rows = sheet(admin_client.get("/r/demands/export.xlsx", {"columns": ["no_such_column"]}))
    assert len(rows) == 2 and len(rows[0]) > 10
