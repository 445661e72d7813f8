"""规上 (above designated size) is a designation per enterprise per year, on the yearly metrics
(issue #13 item 6): an enterprise can enter and leave it, and a year can be unknown."""

import pytest

from duijie.core.tests import factories as f
from duijie.orgs.models import EnterpriseMetric
from duijie.orgs.records import MetricForm

pytestmark = pytest.mark.django_db


def test_above_scale_is_kept_per_year():
    ent = f.enterprise(name="常州规上测试有限公司")
    for year, flag in ((2024, False), (2025, True), (2026, None)):
        EnterpriseMetric.objects.create(enterprise=ent, year=year, above_scale=flag)
    by_year = dict(EnterpriseMetric.objects.filter(enterprise=ent).values_list("year", "above_scale"))
    assert by_year == {2024: False, 2025: True, 2026: None}
    assert list(EnterpriseMetric.objects.filter(above_scale=True).values_list("enterprise", "year")) == [(ent.pk, 2025)]
    assert "above_scale" in MetricForm.base_fields
    assert not hasattr(ent, "above_scale")  # never one flag on the enterprise
