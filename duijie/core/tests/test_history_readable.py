"""The history page reads as field changes in Chinese: field names, choice labels, related records
and sets by name, dates as the offices write them; never raw codes, ids or Python lists."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from duijie.cooperation.models import CooperationProject
from duijie.core import services
from duijie.core.history import readable_changes
from duijie.core.models import AssessmentUnit, Region
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


def test_history_shows_labels_names_and_office_dates(admin_client, admin_user):
    city = Region.objects.get(code="3204")
    wujin = AssessmentUnit.objects.create(name="武进区", code="h-wj", kind="district", city=city)
    xinbei = AssessmentUnit.objects.create(name="新北区", code="h-xb", kind="district", city=city)
    first, second = f.enterprise(name="甲精密有限公司"), f.enterprise(name="乙材料有限公司")
    d = f.demand(first, deadline=datetime.date(2026, 3, 31), budget_min=Decimal("500000"))
    d.refresh_from_db()
    d.demand_type, d.enterprise, d.deadline = "process", second, datetime.date(2025, 11, 30)
    d.budget_min, d.budget_negotiable = Decimal("1200000"), True
    services.record_save(instance=d, by=admin_user, m2m={"assessment_units": [wujin, xinbei]})

    html = admin_client.get(f"/r/demands/{d.pk}/history/").content.decode()
    for readable in ("技术难题攻关", "工艺改进", "甲精密有限公司", "乙材料有限公司", "2026年3月31日", "2025年11月30日",
                     "武进区、新北区", "<strong>截止日期</strong>", "<strong>类型</strong>"):
        assert readable in html, readable
    for raw in ("tech_challenge", "process<", "2025-11-30", "2026-03-31", "[{", "assessmentunit", f">{first.pk}<", "True"):
        assert raw not in html, raw


def test_cooperation_stage_reads_as_its_chinese_label(admin_user):
    changes = [type("C", (), {"field": "status", "old": "intention", "new": "signed"})()]
    with translation.override("zh-hans"):
        assert readable_changes(CooperationProject, changes) == [{"field": "阶段", "old": "意向", "new": "签约"}]
