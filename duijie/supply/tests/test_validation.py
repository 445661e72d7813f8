"""Annex-1 achievement rules and patent application numbers: refused in the UI and the API with the
field named, nothing saved; accepted numbers are normalised."""

import pytest

from duijie.core.tests import factories as f
from duijie.core.validators import patent_check_digit
from duijie.supply.models import Achievement, Patent

pytestmark = pytest.mark.django_db


def field_error_html(response, field):
    html = response.content.decode()
    marker = f'data-field="{field}"'
    assert marker in html, f"no error shown for {field}"
    return html.split(marker, 1)[1].split("</ul>", 1)[0]


@pytest.fixture
def inst(db):
    return f.institution(name="常州大学")


def achievement_data(inst, **over):
    data = {"name": "新型电池材料", "institution": inst.pk, "lead_name": "李四", "field": "新材料",
            "stage": "研制阶段", "introduction": "简介", "visibility": "public"}
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


ACHIEVEMENT_CASES = {
    "introduction > 500": ({"introduction": "字" * 501}, "introduction", "500"),
    "district_fit > 300": ({"district_fit": "字" * 301}, "district_fit", "300"),
    "promotion_plan > 200": ({"promotion_plan": "字" * 201}, "promotion_plan", "200"),
    "field not in the list": ({"field": "航空航天"}, "field", "航空航天"),
    "field 其他 without field_other": ({"field": "其他"}, "field_other", "其他"),
    "field_other without 其他": ({"field_other": "量子"}, "field_other", "其他"),
    "stage 其他 without stage_other": ({"stage": "其他"}, "stage_other", "其他"),
    "bad lead phone": ({"lead_phone": "139"}, "lead_phone", "139"),
    "bad filer phone": ({"filer_phone": "0519-1"}, "filer_phone", "0519-1"),
}


@pytest.mark.parametrize("case", sorted(ACHIEVEMENT_CASES))
def test_achievement_refused_in_ui(admin_client, inst, case):
    over, field, words = ACHIEVEMENT_CASES[case]
    response = admin_client.post("/r/achievements/add/", achievement_data(inst, **over))
    assert response.status_code == 200
    assert words in field_error_html(response, field)
    assert not Achievement.objects.exists()


@pytest.mark.parametrize("case", sorted(ACHIEVEMENT_CASES))
def test_achievement_refused_in_api(api_client, inst, case):
    over, field, words = ACHIEVEMENT_CASES[case]
    response = api_client.post("/api/achievements/", achievement_data(inst, **over), format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body, body
    assert words in " ".join(map(str, body[field]))
    assert not Achievement.objects.exists()


def test_achievement_limits_count_characters_not_bytes(admin_client, api_client, inst):
    data = achievement_data(inst, introduction="字" * 500, district_fit="字" * 300, promotion_plan="字" * 200,
                            field="其他", field_other="量子信息")
    response = admin_client.post("/r/achievements/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    a = Achievement.objects.get()
    assert a.field_display == "量子信息"
    assert a.status == "draft"
    response = api_client.post("/api/achievements/", {**data, "name": "另一成果", "transfer_modes": ["许可"]},
                               format="json")
    assert response.status_code == 201, response.content


def test_achievement_transfer_modes_checked_in_api(api_client, inst):
    response = api_client.post("/api/achievements/", achievement_data(inst, transfer_modes=["赠送"]), format="json")
    assert response.status_code == 400
    assert "transfer_modes" in response.json()


def test_achievement_unit_of_other_institution_refused(api_client, inst):
    from duijie.orgs.models import InstitutionUnit

    other_unit = InstitutionUnit.objects.create(institution=f.institution(), name="化学院")
    response = api_client.post("/api/achievements/", achievement_data(inst, unit=other_unit.pk), format="json")
    assert response.status_code == 400
    assert "unit" in response.json()


def test_achievement_failed_update_unchanged(admin_client, api_client, inst):
    a = f.achievement(inst, introduction="原简介")
    before = Achievement.objects.values().get(pk=a.pk)
    response = admin_client.post(f"/r/achievements/{a.pk}/edit/", achievement_data(
        inst, name=a.name, introduction="字" * 600, **f.form_version(a)))
    assert response.status_code == 200
    field_error_html(response, "introduction")
    response = api_client.patch(f"/api/achievements/{a.pk}/", {"field": "其他", "name": "改名"}, format="json",
                                **f.if_match(a))
    assert response.status_code == 400
    assert "field_other" in response.json()
    assert Achievement.objects.values().get(pk=a.pk) == before


# --- patents -----------------------------------------------------------------------------------

DIGITS = "202310123456"
GOOD = f"{DIGITS}.{patent_check_digit(DIGITS)}"
WRONG_CHECK = f"{DIGITS}.{(int(patent_check_digit(DIGITS)) + 1) % 10}" if patent_check_digit(DIGITS) != "X" else \
    f"{DIGITS}.0"

PATENT_CASES = {
    "too few digits": ({"application_no": "20231012345.6"}, "application_no", "20231012345.6"),
    "letters": ({"application_no": "2023101234AB.6"}, "application_no", "2023101234AB.6"),
    "wrong prefix": ({"application_no": "US" + GOOD}, "application_no", "US"),
    "wrong check digit": ({"application_no": WRONG_CHECK}, "application_no", patent_check_digit(DIGITS)),
    "type inconsistent": ({"application_no": GOOD, "patent_type": "design"}, "patent_type", ""),
    "bad type digit": ({"application_no": "202350123456." + patent_check_digit("202350123456")},
                       "application_no", "5"),
}


def patent_data(**over):
    data = {"application_no": GOOD, "title": "一种电池", "legal_status": "pending", "visibility": "platform"}
    data.update(over)
    return data


@pytest.mark.parametrize("case", sorted(PATENT_CASES))
def test_patent_refused_in_ui(admin_client, case):
    over, field, words = PATENT_CASES[case]
    response = admin_client.post("/r/patents/add/", patent_data(**over))
    assert response.status_code == 200
    assert words in field_error_html(response, field)
    assert not Patent.objects.exists()


@pytest.mark.parametrize("case", sorted(PATENT_CASES))
def test_patent_refused_in_api(api_client, case):
    over, field, words = PATENT_CASES[case]
    response = api_client.post("/api/patents/", patent_data(**over), format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body, body
    assert words in " ".join(map(str, body[field]))
    assert not Patent.objects.exists()


@pytest.mark.parametrize("typed", [
    f"CN {GOOD}", f"CN{GOOD}", f"ZL{GOOD}", f"zl {GOOD}", GOOD.replace(".", ""),
    "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in GOOD),  # full-width digits
])
def test_patent_numbers_normalised(admin_client, api_client, typed):
    response = api_client.post("/api/patents/", patent_data(application_no=typed), format="json")
    assert response.status_code == 201, response.content
    p = Patent.objects.get()
    assert p.application_no == GOOD
    assert p.patent_type == "invention"  # derived from the type digit
    p.delete()
    response = admin_client.post("/r/patents/add/", patent_data(application_no=typed))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Patent.objects.get().application_no == GOOD


def test_patent_type_derived_for_utility_and_design(api_client):
    for digit, kind in (("2", "utility"), ("3", "design")):
        no = f.patent_no(digit)
        response = api_client.post("/api/patents/", patent_data(application_no=no, title=f"t{digit}"), format="json")
        assert response.status_code == 201, response.content
        assert response.json()["patent_type"] == kind


def test_same_patent_typed_differently_is_a_duplicate(api_client):
    f.patent(application_no=GOOD)
    response = api_client.post("/api/patents/", patent_data(application_no=f"CN {GOOD}"), format="json")
    assert response.status_code == 400
    assert "application_no" in response.json()
