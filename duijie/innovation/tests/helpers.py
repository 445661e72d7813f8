"""Builders for the innovation tests: a city with two districts and their administrators, a small
indicator set (published through the services) and enterprises with metrics and records."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from duijie.core.tests import factories as f
from duijie.innovation import services
from duijie.innovation.models import Indicator, IndicatorSet
from duijie.orgs.models import EnterpriseMetric

_n = itertools.count(1)
YEAR = 2025

TOTALS = {
    "startup": {"tech": "60", "growth": "20", "aux": "20", "bonus": "10", "negative": "20"},
    "growth": {"tech": "50", "growth": "30", "aux": "20", "bonus": "10", "negative": "20"},
    "stable": {"tech": "40", "growth": "40", "aux": "20", "bonus": "10", "negative": "20"},
}
RULE = [{"stage": "startup", "max_years": 3}, {"stage": "growth", "max_years": 10}, {"stage": "stable"}]
# code, group, source, source params, method, params, weights (startup, growth, stable)
SMALL = [
    ("T1", "tech", "rd_intensity", {}, "piecewise", {"steps": [["1", "0.2"], ["3", "0.5"], ["5", "0.8"], ["8", "1"]]},
     (30, 25, 20)),
    ("T2", "tech", "invention_patents", {}, "linear_cap", {"cap": "10"}, (30, 25, 20)),
    ("G1", "growth", "revenue_growth", {}, "piecewise", {"steps": [["0", "0.2"], ["10", "0.5"], ["20", "0.8"], ["30", "1"]]},
     (20, 30, 40)),
    ("A1", "aux", "qualifications", {"kinds": ["tech_sme", "high_tech"]}, "linear_cap", {"cap": "2"}, (20, 20, 20)),
    ("B1", "bonus", "carriers", {"levels": ["national"]}, "linear_cap", {"cap": "1"}, (10, 10, 10)),
    ("N1", "negative", "adjustments", {"items": ["credit-default"]}, "linear_cap", {"cap": "1"}, (5, 5, 5)),
]


def world() -> dict:
    return f.two_districts("i")


def small_set(w, *, publish=True, rows=SMALL, totals=TOTALS) -> IndicatorSet:
    s = IndicatorSet.objects.create(code=f"small-{next(_n)}", number=1, name="测试指标体系", region=w["r"]["3204"],
                                    source="测试", stage_rule=RULE, stage_rule_clause="测试条款", group_totals=totals,
                                    totals_basis="测试")
    for i, (code, group, source, sp, method, params, wt) in enumerate(rows, 1):
        Indicator.objects.create(indicator_set=s, code=code, position=i, group=group, name=f"指标{code}",
                                 name_basis="测试", source=source, source_params=sp, method=method, params=params,
                                 weights={"startup": str(wt[0]), "growth": str(wt[1]), "stable": str(wt[2])},
                                 weight_basis="权重为本地配置，非指引原文")
    if publish:
        s = services.indicator_set_publish(indicator_set=s, by=w["city"])
    return s


def enterprise(w, district: str, founded: int, **metrics_by_year):
    """An enterprise in ``district`` (320412 武进 / 320411 新北) tagged with its unit, with metrics
    ``y2025={"revenue": …}``."""
    e = f.enterprise(region=w["r"][district], founded_on=date(founded, 5, 1))
    e.assessment_units.set([w["wujin"] if district == "320412" else w["xinbei"]])
    for key, values in metrics_by_year.items():
        EnterpriseMetric.objects.create(enterprise=e, year=int(key[1:]),
                                        **{k: Decimal(v) if k not in ("employees", "rd_staff") else v
                                           for k, v in values.items()})
    return e


def enterprise_user(e):
    return f.user(role="enterprise", organisation=e.organisation)
