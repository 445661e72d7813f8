"""Record versions: no lost updates through the edit form or the API (ETag / If-Match), versions
move on with every save, transition and bulk write, and a busy database answers 503, not 500."""

import threading

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

from duijie.core import services
from duijie.core.tests import factories as f
from duijie.demands.models import Demand
from duijie.orgs.models import Enterprise

pytestmark = pytest.mark.django_db


def enterprise_form(ent, **changes):
    data = {"uscc": ent.uscc, "name": ent.name, "visibility": ent.visibility, "contact_phone": ent.contact_phone,
            "record_version": ent.version, "region": ent.region_id}
    data.update(changes)
    return data


# ---------------------------------------------------------------- the edit form

def test_edit_form_carries_the_version_and_a_save_moves_it_on(admin_client):
    ent = f.enterprise(name="版本公司")
    assert ent.version == 1
    html = admin_client.get(f"/r/enterprises/{ent.pk}/edit/").content.decode()
    assert 'name="record_version" value="1"' in html
    r = admin_client.post(f"/r/enterprises/{ent.pk}/edit/", enterprise_form(ent, name="版本公司（改）"))
    assert r.status_code == 302
    ent.refresh_from_db()
    assert (ent.name, ent.version) == ("版本公司（改）", 2)
    assert ent.history.order_by("-history_id").first().version == 2


def test_stale_form_save_is_refused_showing_both_versions_and_nothing_is_written(admin_client):
    ent = f.enterprise(name="冲突公司", contact_phone="13812345678")
    read_by_a = Enterprise.objects.get(pk=ent.pk)  # both opened the form at version 1
    assert admin_client.post(f"/r/enterprises/{ent.pk}/edit/",
                             enterprise_form(read_by_a, name="甲改的名字")).status_code == 302
    history_before = ent.history.count()

    r = admin_client.post(f"/r/enterprises/{ent.pk}/edit/",
                          enterprise_form(read_by_a, name="乙改的名字", contact_phone="13999998888"))
    assert r.status_code == 409
    html = r.content.decode()
    assert "第 1 版" in html and "第 2 版" in html  # yours vs. the stored one
    assert "乙改的名字" in html and "甲改的名字" in html
    # the differing fields are highlighted, the others not
    import re

    differing = re.findall(r'<tr class="table-warning" data-differs="1"><th scope="row" class="fw-normal">([^<]+)</th>',
                           html)
    assert set(differing) == {"名称", "联系电话"}, differing
    # personal data masked on both sides
    assert "139****8888" in html and "138****5678" in html
    assert "13999998888" not in html and "13812345678" not in html
    assert f'href="/r/enterprises/{ent.pk}/edit/"' in html  # reload the stored version
    ent.refresh_from_db()
    assert (ent.name, ent.contact_phone, ent.version) == ("甲改的名字", "13812345678", 2)
    assert ent.history.count() == history_before


def test_form_without_the_version_is_refused(admin_client):
    ent = f.enterprise(name="无版本公司")
    data = enterprise_form(ent, name="改名")
    del data["record_version"]
    r = admin_client.post(f"/r/enterprises/{ent.pk}/edit/", data)
    assert r.status_code == 200
    assert "缺少所编辑记录的版本" in r.content.decode()
    ent.refresh_from_db()
    assert (ent.name, ent.version) == ("无版本公司", 1)


def test_sub_records_are_versioned_too(admin_client):
    from duijie.orgs.models import EnterpriseMetric

    metric = EnterpriseMetric.objects.create(enterprise=f.enterprise(), year=2024)
    html = admin_client.get(f"/r/metrics/{metric.pk}/edit/").content.decode()
    assert 'name="record_version" value="1"' in html


# ---------------------------------------------------------------- the API

def test_api_get_sends_etag_and_patch_with_it_succeeds(api_client):
    d = f.demand()
    r = api_client.get(f"/api/demands/{d.pk}/")
    assert r.status_code == 200 and r["ETag"] == f'"{d.pk}-1"' and r.json()["version"] == 1
    r = api_client.patch(f"/api/demands/{d.pk}/", {"keywords": "节能"}, format="json", HTTP_IF_MATCH=r["ETag"])
    assert r.status_code == 200, r.content
    assert r["ETag"] == f'"{d.pk}-2"' and r.json()["version"] == 2
    d.refresh_from_db()
    assert (d.keywords, d.version) == ("节能", 2)


def test_api_stale_if_match_is_412_naming_the_current_version(api_client):
    d = f.demand(keywords="原始")
    etag = api_client.get(f"/api/demands/{d.pk}/")["ETag"]
    assert api_client.patch(f"/api/demands/{d.pk}/", {"keywords": "甲"}, format="json",
                            HTTP_IF_MATCH=etag).status_code == 200
    history = d.history.count()
    r = api_client.patch(f"/api/demands/{d.pk}/", {"keywords": "乙"}, format="json", HTTP_IF_MATCH=etag)
    assert r.status_code == 412
    assert r.json()["current_version"] == 2 and r.json()["etag"] == f'"{d.pk}-2"'
    d.refresh_from_db()
    assert (d.keywords, d.version, d.history.count()) == ("甲", 2, history)


@pytest.mark.parametrize("header", ['"bogus"', "bogus", '"999999-1"', 'W/"{pk}-1"', "*", '"{pk}-0"', '"{pk}-1" junk',
                                    '"{pk}-2"', "\x7f", '"' + "9" * 400 + '"'])
def test_api_bogus_if_match_never_gets_200(api_client, header):
    d = f.demand(keywords="原始")
    for method in ("patch", "put", "delete"):
        r = getattr(api_client, method)(f"/api/demands/{d.pk}/", {"keywords": "乙"}, format="json",
                                        HTTP_IF_MATCH=header.format(pk=d.pk))
        assert r.status_code == 412, (method, r.status_code, r.content)
    d.refresh_from_db()
    assert (d.keywords, d.version) == ("原始", 1)


def test_api_without_if_match_is_428_when_required(api_client):
    d = f.demand(keywords="原始")
    for method in ("patch", "put", "delete"):
        r = getattr(api_client, method)(f"/api/demands/{d.pk}/", {"keywords": "乙"}, format="json")
        assert r.status_code == 428 and r.json()["current_version"] == 1
    d.refresh_from_db()
    assert (d.keywords, d.version) == ("原始", 1)


@override_settings(DUIJIE_API_REQUIRE_IF_MATCH=False)
def test_api_without_if_match_when_not_required_writes_over_what_it_read(api_client):
    d = f.demand(keywords="原始")
    assert api_client.patch(f"/api/demands/{d.pk}/", {"keywords": "乙"}, format="json").status_code == 200
    d.refresh_from_db()
    assert (d.keywords, d.version) == ("乙", 2)


def test_api_delete_with_the_right_etag(api_client):
    d = f.demand()
    assert api_client.delete(f"/api/demands/{d.pk}/", HTTP_IF_MATCH=f'"{d.pk}-1"').status_code == 204
    assert not Demand.objects.filter(pk=d.pk).exists()


def test_foreign_record_is_403_before_any_precondition(enterprise_api):
    d = f.demand(visibility="public", status="published")
    r = enterprise_api.patch(f"/api/demands/{d.pk}/", {"keywords": "x"}, format="json")
    assert r.status_code == 403


def test_openapi_documents_if_match(client):
    schema = client.get("/api/openapi.json").json()
    op = schema["paths"]["/api/demands/{id}/"]["patch"]
    header = next(p for p in op["parameters"] if p["in"] == "header" and p["name"] == "If-Match")
    assert header["required"] is True
    assert {"412", "428"} <= set(op["responses"])


# ---------------------------------------------------------------- services

def test_two_writers_with_the_same_version_cannot_both_succeed(admin_user):
    d = f.demand(keywords="原始")
    a, b = Demand.objects.get(pk=d.pk), Demand.objects.get(pk=d.pk)
    a.keywords, b.keywords = "甲", "乙"
    services.record_save(instance=a, by=admin_user)
    with pytest.raises(services.StaleRecord) as exc:
        services.record_save(instance=b, by=admin_user)
    assert (exc.value.expected, exc.value.current) == (1, 2)
    assert b.version == 1  # the refused instance keeps the version it read
    d.refresh_from_db()
    assert (d.keywords, d.version) == ("甲", 2)


def test_transition_moves_the_version_and_checks_if_match(admin_user, api_client):
    from duijie.demands.services import DEMAND_TRANSITIONS as STEPS

    d = f.demand(status="draft")
    submit = next(t for t in STEPS if t.name == "submit")
    d = services.record_transition(instance=d, transition=submit, by=admin_user)
    assert (d.status, d.version) == ("submitted", 2)
    assert d.history.order_by("-history_id").first().version == 2
    r = api_client.post(f"/api/demands/{d.pk}/transition/publish/", {}, format="json", HTTP_IF_MATCH=f'"{d.pk}-1"')
    assert r.status_code == 412
    r = api_client.post(f"/api/demands/{d.pk}/transition/publish/", {}, format="json", HTTP_IF_MATCH=f'"{d.pk}-2"')
    assert r.status_code == 200 and r["ETag"] == f'"{d.pk}-3"'


def test_bulk_upsert_moves_versions_in_sql_and_history_records_them(admin_user):
    a, b = f.demand(title="甲"), f.demand(title="乙")
    Demand.objects.filter(pk=b.pk).update(version=7)  # versions differ per row; each moves on by one
    b.refresh_from_db()
    a.title, b.title = "甲2", "乙2"
    services.record_bulk_upsert(model=Demand, updates=[a, b], fields=["title"], by=admin_user)
    assert (a.version, b.version) == (2, 8)
    assert dict(Demand.objects.filter(pk__in=[a.pk, b.pk]).values_list("title", "version")) == {"甲2": 2, "乙2": 8}
    assert a.history.order_by("-history_id").first().version == 2
    assert b.history.order_by("-history_id").first().version == 8


def test_save_outside_the_services_still_moves_the_version():
    d = f.demand()
    d.keywords = "直接保存"
    d.save()
    d.save(update_fields=["keywords"])
    d.refresh_from_db()
    assert d.version == 3


def test_history_page_does_not_list_the_version_as_a_change(admin_client):
    ent = f.enterprise(name="历史版本公司")
    admin_client.post(f"/r/enterprises/{ent.pk}/edit/", enterprise_form(ent, name="历史版本公司2"))
    html = admin_client.get(f"/r/enterprises/{ent.pk}/history/").content.decode()
    main = html[html.index("<main"):]  # the menu may name 规则版本 (awards); the changes are in <main>
    assert "历史版本公司2" in main and "版本</" not in main


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # like every transactional test here
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks across two connections")
def test_concurrent_writers_block_and_the_second_is_refused(admin_user):
    """On PostgreSQL the second claim waits for the first writer's row lock, then re-checks the
    version against the committed row and finds it moved: refused, never both accepted."""
    d = f.demand(keywords="原始")
    first_in, release = threading.Event(), threading.Event()
    outcome = {}

    def writer(name, hold):
        from django.db import connection as conn
        from django.db import transaction

        try:
            inst = Demand.objects.get(pk=d.pk)
            inst.version = 1
            inst.keywords = name
            with transaction.atomic():
                services.record_save(instance=inst, by=admin_user)
                if hold:
                    first_in.set()
                    release.wait(10)
            outcome[name] = "ok"
        except services.StaleRecord:
            outcome[name] = "stale"
        finally:
            conn.close()

    t1 = threading.Thread(target=writer, args=("甲", True))
    t1.start()
    assert first_in.wait(10)
    t2 = threading.Thread(target=writer, args=("乙", False))
    t2.start()
    t2.join(0.5)
    assert t2.is_alive()  # waiting on the row lock
    release.set()
    t1.join(10)
    t2.join(10)
    assert outcome == {"甲": "ok", "乙": "stale"}
    d.refresh_from_db()
    assert (d.keywords, d.version) == ("甲", 2)


# ---------------------------------------------------------------- a busy database
# (the slow test in tests/test_concurrent_edits.py makes a real lock against a running server)

def test_database_locked_is_503_with_retry_after_for_pages_and_api(rf, admin_user):
    from duijie.core.middleware import DatabaseBusyMiddleware

    busy = DatabaseBusyMiddleware(lambda request: None)
    for path, kind in (("/r/enterprises/1/edit/", "text/html"), ("/api/enterprises/1/", "application/json")):
        request = rf.post(path)
        request.user = admin_user
        response = busy.process_exception(request, OperationalError("database is locked"))
        assert response.status_code == 503 and response["Retry-After"] == "2"
        assert response["Content-Type"].startswith(kind)
        assert "数据库正忙" in response.content.decode()
        assert busy.process_exception(request, OperationalError("no such table: x")) is None


def test_locked_outside_the_view_is_503_too(rf, admin_user):
    """The 500 handler (an error raised in a middleware, e.g. the session save) answers 503 as well."""
    from duijie.core.views import server_error

    request = rf.get("/r/enterprises/")
    request.user = admin_user
    try:
        raise OperationalError("database is locked")
    except OperationalError:
        assert server_error(request).status_code == 503
    try:
        raise OperationalError("disk I/O error")
    except OperationalError:
        assert server_error(request).status_code == 500
