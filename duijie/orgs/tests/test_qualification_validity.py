"""Qualifications (高新技术企业 certificates …) show valid / expiring within 90 days / expired, on
the list (column and filter) and as a warning on the detail page."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from duijie.core.tests import factories as f
from duijie.orgs.models import EnterpriseQualification

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 7)


def _q(ent, valid_to, valid_from=date(2024, 1, 1), kind="high_tech"):
    return EnterpriseQualification.objects.create(enterprise=ent, kind=kind, valid_from=valid_from, valid_to=valid_to)


def test_validity_on_a_fixed_day():
    ent = f.enterprise()
    assert _q(ent, date(2026, 12, 6)).validity(TODAY) == "expired"
    assert _q(ent, TODAY, date(2024, 2, 1)).validity(TODAY) == "expiring"  # its last day
    assert _q(ent, TODAY + timedelta(days=90), date(2024, 3, 1)).validity(TODAY) == "expiring"
    assert _q(ent, TODAY + timedelta(days=91), date(2024, 4, 1)).validity(TODAY) == "valid"
    assert _q(ent, None, date(2024, 5, 1)).validity(TODAY) == "valid"
    assert _q(ent, None, date(2027, 1, 1)).validity(TODAY) == "pending"


def test_list_column_filter_and_detail_warning(admin_client):
    today = timezone.localdate()
    ent = f.enterprise(name="资质测试有限公司")
    expired = _q(ent, today - timedelta(days=1))
    expiring = _q(ent, today + timedelta(days=30), date(2024, 2, 1))
    valid = _q(ent, today + timedelta(days=400), date(2024, 3, 1))
    html = admin_client.get("/r/qualifications/").content.decode()
    for label in ("有效状态", "已过期", "即将到期", ">有效<"):
        assert label in html, label
    for state, shown in (("expired", expired), ("expiring", expiring), ("valid", valid)):
        listed = admin_client.get("/r/qualifications/", {"validity": state}).content.decode()
        others = {expired, expiring, valid} - {shown}
        assert f"/r/qualifications/{shown.pk}/" in listed, state
        assert not any(f"/r/qualifications/{o.pk}/" in listed for o in others), state
    detail = admin_client.get(f"/r/qualifications/{expiring.pk}/").content.decode()
    day = expiring.valid_to
    assert f"该资质将于{day.year}年{day.month}月{day.day}日到期" in detail
    assert "已于" in admin_client.get(f"/r/qualifications/{expired.pk}/").content.decode()
