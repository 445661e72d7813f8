"""Phones entered through the API and the UI never reach the database in plaintext: dump every
table (history and audit tables included) and look for them."""

import pytest
from django.db import connection

from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db

PHONES = {
    "ui_enterprise": "13811110001", "api_enterprise": "13811110002", "ui_demand": "13811110003",
    "api_demand": "13811110004", "api_lead": "13811110005", "api_filer": "0519-86331006",
    "api_tto": "13811110007", "api_expert": "13811110008", "ui_edit": "13811110009", "api_edit": "13811110010",
}


def dump_database() -> str:
    if connection.vendor == "sqlite":
        return "\n".join(connection.connection.iterdump())
    with connection.cursor() as cur:
        cur.execute("""
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema()
              AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')""")
        columns = cur.fetchall()
        assert len(columns) > 50
        parts = []
        for table, column in columns:
            cur.execute(f'SELECT "{column}"::text FROM "{table}" WHERE "{column}" IS NOT NULL')  # noqa: S608
            parts.extend(row[0] for row in cur.fetchall())
    return "\n".join(parts)


def test_no_plaintext_phone_in_database(admin_client, api_client):
    inst = f.institution()
    r = admin_client.post("/r/enterprises/add/", {"uscc": f.uscc(), "name": "界面企业", "visibility": "platform",
                                                  "contact_phone": PHONES["ui_enterprise"]})
    assert r.status_code == 302
    r = api_client.post("/api/enterprises/", {"uscc": f.uscc(), "name": "接口企业",
                                              "contact_phone": PHONES["api_enterprise"]}, format="json")
    assert r.status_code == 201
    ent_id = r.json()["id"]
    r = admin_client.post("/r/demands/add/", {"enterprise": ent_id, "demand_type": "talent", "title": "招人",
                                              "description": "d", "visibility": "public",
                                              "contact_phone": PHONES["ui_demand"]})
    assert r.status_code == 302
    r = api_client.post("/api/demands/", {"enterprise": ent_id, "demand_type": "talent", "title": "招人2",
                                          "description": "d", "contact_phone": PHONES["api_demand"]}, format="json")
    assert r.status_code == 201
    demand_id = r.json()["id"]
    r = api_client.post("/api/achievements/", {
        "name": "成果", "institution": inst.pk, "lead_name": "王五", "field": "新材料", "stage": "研制阶段",
        "introduction": "i", "lead_phone": PHONES["api_lead"], "filer_phone": PHONES["api_filer"]}, format="json")
    assert r.status_code == 201, r.content
    r = api_client.post("/api/institutions/", {"name": "电话大学", "kind": "university",
                                               "tto_phone": PHONES["api_tto"]}, format="json")
    assert r.status_code == 201
    r = api_client.post("/api/experts/", {"name": "赵六", "phone": PHONES["api_expert"],
                                          "email": "zhaoliu@example.com"}, format="json")
    assert r.status_code == 201
    # updates go to the history tables too
    r = admin_client.post(f"/r/enterprises/{ent_id}/edit/", {
        "uscc": r.json() and api_client.get(f"/api/enterprises/{ent_id}/").json()["uscc"], "name": "接口企业",
        "visibility": "platform", "contact_phone": PHONES["ui_edit"], "record_version": 1})
    assert r.status_code == 302
    r = api_client.patch(f"/api/demands/{demand_id}/", {"contact_phone": PHONES["api_edit"]}, format="json",
                         HTTP_IF_MATCH=api_client.get(f"/api/demands/{demand_id}/")["ETag"])
    assert r.status_code == 200
    api_client.post(f"/api/demands/{demand_id}/transition/submit/", {}, format="json")

    dump = dump_database()
    assert "接口企业" in dump and "zhaoliu" not in dump  # the dump is real; the email is encrypted too
    leaked = {k: v for k, v in PHONES.items() if v in dump or v.replace("-", "") in dump}
    assert not leaked, f"plaintext phone numbers in the database: {leaked}"
    # while the application still reads them back (decrypted by the field)
    from duijie.demands.models import Demand

    assert Demand.objects.get(pk=demand_id).contact_phone == PHONES["api_edit"]
    # a government role sees them masked in the API (full only through the audited page action)
    assert api_client.get(f"/api/demands/{demand_id}/").json()["contact_phone"] == "138****0010"


def test_api_masks_phones_full_only_through_audited_action(enterprise_api, enterprise_user):
    from duijie.core.models import AuditLog

    own = enterprise_user.organisation.enterprise
    d = f.demand(own, contact_phone="13811112222")
    data = enterprise_api.get(f"/api/demands/{d.pk}/").json()
    assert data["contact_phone"] == "138****2222"
    assert "contact_phone_hash" not in data
    full = enterprise_api.post(f"/api/demands/{d.pk}/personal/").json()
    assert full["contact_phone"] == "13811112222"
    assert AuditLog.objects.filter(action="reveal", object_id=str(d.pk), user=enterprise_user).exists()
    other = f.demand(f.enterprise(), status="published", visibility="public", contact_phone="13811113333")
    assert enterprise_api.get(f"/api/demands/{other.pk}/").json()["contact_phone"] == "138****3333"
    assert enterprise_api.post(f"/api/demands/{other.pk}/personal/").status_code == 403


def test_masked_value_sent_back_keeps_the_stored_one(enterprise_api, enterprise_client, enterprise_user):
    own = enterprise_user.organisation.enterprise
    d = f.demand(own, contact_phone="13811112222")
    read = enterprise_api.get(f"/api/demands/{d.pk}/")
    data = read.json()
    assert enterprise_api.put(f"/api/demands/{d.pk}/", {k: v for k, v in data.items() if v is not None},
                              format="json", HTTP_IF_MATCH=read["ETag"]).status_code == 200
    d.refresh_from_db()
    assert d.contact_phone == "13811112222"
    form = enterprise_client.get(f"/r/demands/{d.pk}/edit/").content.decode()
    assert "138****2222" in form and "13811112222" not in form
    # a different masked value is refused, not stored
    r = enterprise_api.patch(f"/api/demands/{d.pk}/", {"contact_phone": "139****0000"}, format="json",
                             **f.if_match(d))
    assert r.status_code == 400 and "contact_phone" in r.json()
