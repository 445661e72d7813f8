"""Technology contract validations (UI and API) and converting an intention into a project."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from duijie.cooperation.models import CooperationProject, TechContract
from duijie.cooperation.services import project_from_intention
from duijie.cooperation.tests import helpers as h
from duijie.core.roles import Role
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


def form_data(**kw):
    data = {"title": "新型涂层技术开发合同", "contract_type": "dev_commissioned", "amount": "500000",
            "signed_on": "2025-06-01", "enterprise": f.enterprise().pk, "institution": f.institution().pk,
            "visibility": "restricted"}
    data.update(kw)
    return data


@pytest.mark.parametrize("change,field,message", [
    ({"amount": "0"}, "amount", "合同金额必须大于零"),
    ({"amount": "-5"}, "amount", ""),
    ({"registration_number": "320412X0001", "registered_on": "2025-05-01"}, "registered_on", "登记日期不能早于签订日期"),
    ({"registration_number": "320412X0002"}, "registered_on", "请同时填写认定登记日期"),
    ({"registered_on": "2025-07-01"}, "registration_number", "请同时填写认定登记号"),
    ({"institution": ""}, "institution", "请填写卖方"),
    ({"signed_on": (date.today() + timedelta(days=30)).isoformat()}, "signed_on", "签订日期不能晚于今天"),
    ({"contract_type": "bogus"}, "contract_type", ""),
])
def test_contract_refusals_ui(admin_client, change, field, message):
    response = admin_client.post("/r/tech-contracts/add/", form_data(**change))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-field="{field}"' in body and message in body
    assert not TechContract.objects.exists()


def test_seller_both_and_same_enterprise_refused(admin_client):
    ent = f.enterprise()
    body = admin_client.post("/r/tech-contracts/add/", form_data(seller_enterprise=f.enterprise().pk)).content.decode()
    assert "只能填写一个卖方" in body
    body = admin_client.post("/r/tech-contracts/add/", form_data(enterprise=ent.pk, institution="",
                                                                 seller_enterprise=ent.pk)).content.decode()
    assert "买方与卖方不能是同一家企业" in body
    assert not TechContract.objects.exists()


def test_registration_number_unique_when_present(admin_client, api_client):
    h.contract(registration_number="3204122025000001", registered_on=date(2025, 6, 3))
    h.contract()  # two contracts without a number are fine
    h.contract()
    body = admin_client.post("/r/tech-contracts/add/", form_data(
        registration_number=" 3204122025000001 ", registered_on="2025-06-10")).content.decode()
    assert "已被另一份合同使用" in body
    assert TechContract.objects.count() == 3
    response = api_client.post("/api/tech-contracts/", form_data(amount="0"), format="json")
    assert response.status_code == 400 and "amount" in response.json()
    response = api_client.post("/api/tech-contracts/", form_data(
        registration_number="3204122025000009", registered_on="2025-06-10"), format="json")
    assert response.status_code == 201, response.content


def test_contract_links_to_its_project_page(admin_client):
    p = h.project(title="涂层项目")
    h.contract(project=p, title="涂层开发合同")
    body = admin_client.get(f"/r/projects/{p.pk}/").content.decode()
    assert "涂层开发合同" in body


def test_project_from_intention_links_event_and_intention(admin_user):
    ev = h.event()
    inst, expert = f.institution(), f.expert(institution=f.institution())
    it = h.intention(ev, institution=inst, expert=expert, subject="联合攻关高性能电池隔膜")
    p = project_from_intention(intention=it, by=admin_user)
    assert p.source == "event" and p.source_event_id == ev.pk and p.source_intention_id == it.pk
    assert p.title == "联合攻关高性能电池隔膜" and p.intention_on == it.signed_on and p.status == "intention"
    assert list(p.enterprises.all()) == [it.enterprise] and list(p.institutions.all()) == [inst]
    assert list(p.experts.all()) == [expert]
    assert p.counted_event_id == ev.pk
    with pytest.raises(ValidationError) as exc:
        project_from_intention(intention=it, by=admin_user)
    assert "已转为项目" in " ".join(exc.value.messages)
    assert CooperationProject.objects.count() == 1


def test_project_from_intention_page(admin_client):
    ev = h.event(title="企业高校行")
    it = h.intention(ev, subject="智能检测合作")
    h.intention(None, subject="不在活动上的意向")
    page = admin_client.get(f"/cooperation/from-intention/?intention={it.pk}").content.decode()
    assert f'<option value="{it.pk}" selected' in page and "不在活动上的意向" not in page
    response = admin_client.post("/cooperation/from-intention/", {"intention": it.pk, "title": ""})
    p = CooperationProject.objects.get()
    assert response.status_code == 302 and response.url == f"/r/projects/{p.pk}/"
    # Once converted the intention is no longer offered.
    admin_client.get("/cooperation/from-intention/")  # shows the success message
    assert f'<option value="{it.pk}"' not in admin_client.get("/cooperation/from-intention/").content.decode()
    assert admin_client.post("/cooperation/from-intention/", {"intention": it.pk}).status_code == 200
    assert CooperationProject.objects.count() == 1


def test_project_from_intention_refuses_outsiders():
    ev = h.event()
    it = h.intention(ev, owner_org=f.organisation(kind="enterprise"))
    outsider = f.user(role=Role.ENTERPRISE, organisation=f.enterprise().organisation)
    with pytest.raises(PermissionDenied):
        project_from_intention(intention=it, by=outsider)


def test_yearly_outcome_unique_per_year(admin_client):
    p = h.project()
    data = {"project": p.pk, "year": 2024, "new_investment": "1200000", "new_sales": "", "profit_tax": ""}
    assert admin_client.post("/r/project-outcomes/add/", data).status_code == 302
    body = admin_client.post("/r/project-outcomes/add/", data).content.decode()
    assert "已经存在" in body
    body = admin_client.post("/r/project-outcomes/add/", {**data, "year": 2025, "new_investment": ""}).content.decode()
    assert "至少填写" in body
    body = admin_client.post("/r/project-outcomes/add/", {**data, "year": 2099}).content.decode()
    assert "只能填报" in body
