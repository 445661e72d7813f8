import pytest

from duijie.core.pii import find_pii, mask_pii
from duijie.core.tests import factories as f


def test_find_and_mask_phone_and_id_in_free_text():
    text = "联系王工13812345678，或0519-86339999；身份证320412199001011234。专利202310123456.7，金额1380000元"
    assert find_pii(text) == ["id_number", "phone"]
    masked = mask_pii(text)
    assert "13812345678" not in masked and "138****5678" in masked
    assert "86339999" not in masked
    assert "320412199001011234" not in masked and "320*" in masked
    assert "202310123456.7" in masked and "1380000" in masked  # numbers that are not personal data stay
    assert find_pii("常州大学与企业合作") == []


@pytest.mark.django_db
def test_free_text_pii_flagged_on_save_and_masked_on_display(admin_client, api_client):
    ent = f.enterprise()
    r = admin_client.post("/r/demands/add/", {
        "enterprise": ent.pk, "demand_type": "other", "title": "需要检测设备", "visibility": "public",
        "description": "请联系张工13812345678"}, follow=True)
    html = r.content.decode()
    assert "手机号" in html or "phone" in html  # the writer is warned
    assert "13812345678" not in html and "138****5678" in html
    from duijie.demands.models import Demand

    d = Demand.objects.get(title="需要检测设备")
    assert d.description == "请联系张工13812345678"  # stored as written
    assert api_client.get(f"/api/demands/{d.pk}/").json()["description"] == "请联系张工138****5678"
