"""Bad enterprise/institution input is refused in the UI and the API with a message naming the
field, and nothing is saved; soft problems (USCC region not in the table) only warn."""

import pytest
from django.contrib.messages import get_messages

from duijie.core.tests import factories as f
from duijie.core.validators import uscc_check_char
from duijie.orgs.models import Enterprise, Institution

pytestmark = pytest.mark.django_db

VALID = "91320412MA1M7Q8Q3K"


def wrong_check(code: str) -> str:
    bad = "0" if code[-1] != "0" else "1"
    return code[:-1] + bad


BAD_USCC = {
    "wrong check char": (wrong_check(VALID), "校验码有误"),
    "too short": ("91320412MA1M7Q8Q3", "18"),
    "too long": ("91320412MA1M7Q8Q3KK", "18"),
    "letter I not allowed": ("91320412MA1M7Q8QIK", "不符合统一社会信用代码的格式"),
    "letters in region code": ("9132A412MA1M7Q8Q3K", "不符合统一社会信用代码的格式"),
}


def ui_post(client, slug, data):
    return client.post(f"/r/{slug}/add/", data)


def field_error_html(response, field):
    html = response.content.decode()
    marker = f'data-field="{field}"'
    assert marker in html, f"no error shown for {field}"
    return html.split(marker, 1)[1].split("</ul>", 1)[0]


def test_valid_example_uscc():
    assert uscc_check_char(VALID[:17]) == VALID[17]


@pytest.mark.parametrize("case", sorted(BAD_USCC))
def test_bad_uscc_refused_in_ui(admin_client, case):
    code, words = BAD_USCC[case]
    response = ui_post(admin_client, "enterprises", {"uscc": code, "name": "坏代码公司", "visibility": "platform"})
    assert response.status_code == 200
    assert words in field_error_html(response, "uscc")
    assert not Enterprise.objects.filter(name="坏代码公司").exists()


@pytest.mark.parametrize("case", sorted(BAD_USCC))
def test_bad_uscc_refused_in_api(api_client, case):
    code, words = BAD_USCC[case]
    response = api_client.post("/api/enterprises/", {"uscc": code, "name": "坏代码公司"}, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert "uscc" in body
    assert words in " ".join(body["uscc"])
    assert not Enterprise.objects.filter(name="坏代码公司").exists()


def test_valid_uscc_is_normalised_and_saved(admin_client, api_client):
    # full-width and lower case, with spaces: folded to the canonical code
    typed = "９１３２０４１２ma1m7q8q3k"
    response = ui_post(admin_client, "enterprises", {"uscc": typed, "name": "正常公司", "visibility": "platform"})
    assert response.status_code == 302
    assert Enterprise.objects.get(name="正常公司").uscc == VALID
    code = f.uscc()
    response = api_client.post("/api/enterprises/", {"uscc": code.lower(), "name": "接口公司"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["uscc"] == code


def test_duplicate_uscc_refused(api_client):
    f.enterprise(uscc=VALID)
    response = api_client.post("/api/enterprises/", {"uscc": VALID, "name": "重复公司"}, format="json")
    assert response.status_code == 400
    assert "uscc" in response.json()


def test_uscc_region_not_in_table_saves_with_warning(admin_client, api_client):
    code17 = "91320594MA1M7Q8Q3"  # 苏州工业园区: a real prefix that GB/T 2260 does not list
    code = code17 + uscc_check_char(code17)
    response = ui_post(admin_client, "enterprises", {"uscc": code, "name": "园区公司", "visibility": "platform"})
    assert response.status_code == 302
    ent = Enterprise.objects.get(name="园区公司")
    msgs = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("320594" in m for m in msgs), msgs
    detail = admin_client.get(f"/r/enterprises/{ent.pk}/")
    assert "320594" in detail.content.decode()
    # a prefix in the table gives no warning
    assert Enterprise(uscc=VALID).uscc_warnings() == []
    assert ent.uscc_warnings()


def test_bad_phone_refused_in_ui_and_api(admin_client, api_client):
    response = ui_post(admin_client, "enterprises", {
        "uscc": f.uscc(), "name": "电话公司", "visibility": "platform", "contact_phone": "1381234"})
    assert response.status_code == 200
    assert "不是有效的电话号码" in field_error_html(response, "contact_phone")
    response = api_client.post("/api/enterprises/", {"uscc": f.uscc(), "name": "电话公司",
                                                     "contact_phone": "12345678901"}, format="json")
    assert response.status_code == 400
    assert "contact_phone" in response.json()
    response = api_client.post("/api/institutions/", {"name": "电话大学", "kind": "university",
                                                      "tto_phone": "abc"}, format="json")
    assert response.status_code == 400
    assert "tto_phone" in response.json()
    assert not Enterprise.objects.filter(name="电话公司").exists()
    assert not Institution.objects.filter(name="电话大学").exists()


def test_good_phones_accepted(api_client):
    for i, phone in enumerate(["13812345678", "0519-86339999", "138 1234 5678", "400-123-4567"]):
        response = api_client.post("/api/enterprises/", {"uscc": f.uscc(), "name": f"好电话{i}",
                                                         "contact_phone": phone}, format="json")
        assert response.status_code == 201, (phone, response.content)


def test_failed_update_leaves_record_unchanged(admin_client, api_client):
    ent = f.enterprise(name="原名公司", contact_phone="13812345678")
    before = Enterprise.objects.values().get(pk=ent.pk)
    response = admin_client.post(f"/r/enterprises/{ent.pk}/edit/", {
        "uscc": wrong_check(ent.uscc), "name": "新名公司", "visibility": "platform", "contact_phone": "13812345678",
        **f.form_version(ent)})
    assert response.status_code == 200
    field_error_html(response, "uscc")
    assert Enterprise.objects.values().get(pk=ent.pk) == before
    response = api_client.patch(f"/api/enterprises/{ent.pk}/", {"name": "新名公司", "contact_phone": "1"},
                                format="json", **f.if_match(ent))
    assert response.status_code == 400
    assert "contact_phone" in response.json()
    assert Enterprise.objects.values().get(pk=ent.pk) == before
    response = api_client.put(f"/api/enterprises/{ent.pk}/", {"uscc": "X", "name": "新名公司"}, format="json",
                              **f.if_match(ent))
    assert response.status_code == 400
    assert Enterprise.objects.values().get(pk=ent.pk) == before
    assert ent.history.count() == 1
