"""The review pages: list within scope, side-by-side comparison, merge / not a duplicate / confirm new."""

import pytest
from django.test import Client

from duijie.core.models import Region
from duijie.core.roles import Role
from duijie.core.tests import factories as f
from duijie.dedupe.models import Merge, NotDuplicate
from duijie.orgs.models import Enterprise, Institution

pytestmark = pytest.mark.django_db


@pytest.fixture
def ents():
    wj = Region.objects.get(code="320412")
    a = f.enterprise(name="常州卓创轨道科技有限公司", region=wj, legal_representative="赵刚", address="常州市武进区湖塘镇1号")
    b = f.enterprise(name="常州卓創軌道科技有限責任公司", region=wj, legal_representative="赵刚",
                     address="常州市武进区湖塘镇2号", contact_phone="13812345678")
    f.enterprise(name="常州卓越电子有限公司", region=wj)
    return a, b


def test_list_and_compare(admin_client, ents):
    a, b = ents
    page = admin_client.get("/dedupe/").content.decode()
    assert "可能重复的记录" in page
    assert "常州卓創軌道科技有限責任公司" in page and "规范化后名称相同" in page and "同名不同信用代码" in page
    assert "常州卓越电子有限公司" not in page
    page = admin_client.get(f"/dedupe/enterprise/{a.pk}/{b.pk}/").content.decode()
    assert "table-warning" in page  # the differing address row is highlighted
    assert "138****5678" in page and "13812345678" not in page  # personal data masked


def test_merge_from_the_page(admin_client, ents):
    a, b = ents
    resp = admin_client.post(f"/dedupe/enterprise/{a.pk}/{b.pk}/",
                             {"action": "merge", "keep": "a", "field_address": "b", "field_name": "a"})
    merge = Merge.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/dedupe/merges/{merge.pk}/"
    a.refresh_from_db()
    assert a.address == "常州市武进区湖塘镇2号" and not Enterprise.objects.filter(pk=b.pk).exists()
    page = admin_client.get(f"/dedupe/merges/{merge.pk}/").content.decode()
    assert "合并入" in page and "常州卓創軌道科技有限責任公司" in page
    assert "常州卓創" not in admin_client.get("/dedupe/").content.decode()


def test_not_a_duplicate_is_remembered(admin_client, ents):
    a, b = ents
    resp = admin_client.post(f"/dedupe/enterprise/{b.pk}/{a.pk}/", {"action": "not_duplicate"})
    assert resp.status_code == 302
    assert NotDuplicate.objects.filter(kind="enterprise", first_id=min(a.pk, b.pk), second_id=max(a.pk, b.pk)).exists()
    page = admin_client.get("/dedupe/").content.decode()
    assert "常州卓創軌道科技有限責任公司" not in page
    # and again: the decision is not duplicated
    admin_client.post(f"/dedupe/enterprise/{a.pk}/{b.pk}/", {"action": "not_duplicate"})
    assert NotDuplicate.objects.count() == 1


def test_confirm_a_provisional_institution_as_new(admin_client):
    f.institution(name="常州大学")
    prov = f.institution(name="常州大學", is_provisional=True)
    real = Institution.objects.get(name="常州大学")
    page = admin_client.get("/dedupe/?kind=institution").content.decode()
    assert "一方为导入时新建的临时机构" in page
    page = admin_client.get(f"/dedupe/institution/{real.pk}/{prov.pk}/").content.decode()
    assert "确认“常州大學”为新机构" in page
    admin_client.post(f"/dedupe/institution/{real.pk}/{prov.pk}/", {"action": "confirm_new", "institution": prov.pk})
    prov.refresh_from_db()
    assert prov.is_provisional is False
    assert prov.history.latest("history_date").history_user is not None


def test_others_may_not_review(enterprise_client, ents):
    a, b = ents
    assert enterprise_client.get("/dedupe/").status_code == 403
    assert enterprise_client.post(f"/dedupe/enterprise/{a.pk}/{b.pk}/", {"action": "merge"}).status_code == 403
    assert Enterprise.objects.filter(pk=b.pk).exists()
    assert Client().get("/dedupe/").status_code == 302  # anonymous: to the login page


def test_out_of_scope_pair_is_not_found(ents):
    from duijie.core.models import AssessmentUnit, Organisation

    a, b = ents
    unit = AssessmentUnit.objects.create(name="新北区", code="t-xb", kind="district",
                                         city=Region.objects.get(code="3204"))
    unit.regions.set([Region.objects.get(code="320411")])
    org = Organisation.objects.create(kind="government", name="新北区科技局", assessment_unit=unit)
    c = Client()
    c.force_login(f.user(role=Role.UNIT_ADMIN, organisation=org))
    assert "常州卓創" not in c.get("/dedupe/").content.decode()
    assert c.get(f"/dedupe/enterprise/{a.pk}/{b.pk}/").status_code == 404


def test_an_enterprise_from_before_the_credit_code_is_kept_and_offered_for_merging(admin_client, admin_user):
    from rest_framework.test import APIClient

    admin_api = APIClient()
    admin_api.force_authenticate(admin_user)
    # An enterprise on record from before the USCC (2015) has none; several such records coexist
    # (created on the form and through the API) and each is listed beside the coded record it matches.
    wj = Region.objects.get(code="320412")
    coded = f.enterprise(name="常州市武进精工机械有限公司", region=wj)
    response = admin_client.post("/r/enterprises/add/", {"name": "武进精工机械有限公司", "uscc": "", "region": wj.pk,
                                                          "visibility": "platform"})
    assert response.status_code == 302, response.content.decode()[:2000]
    made = admin_api.post("/api/enterprises/", {"name": "常州市武进精工机械有限责任公司", "uscc": ""}, format="json")
    assert made.status_code == 201, made.content
    old = Enterprise.objects.filter(uscc__isnull=True)
    assert old.count() == 2
    page = admin_client.get("/dedupe/").content.decode()
    assert "一方缺信用代码" in page and "武进精工机械有限公司" in page
    assert Enterprise.objects.filter(pk=coded.pk, uscc=coded.uscc).exists()
