"""Builders for the awards tests: a city with two districts, their administrators, a programme and
schemes with published rule versions."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from duijie.awards import services
from duijie.awards.models import Round, Scheme
from duijie.core.tests import factories as f
from duijie.programmes.models import Programme

_n = itertools.count(1)
YEAR = 2025


def world() -> dict:
    w = f.two_districts("a")
    programme = Programme.objects.create(code=f"a-prog-{next(_n)}", name="双十百千", period_start=date(2016, 1, 1),
                                         period_end=date(2028, 12, 31), region=w["r"]["3204"])
    return {**w, "programme": programme}


def scheme(w, *, kind, parameters, source="applications", budget="500000", purpose=None, chain=None,
           year=YEAR, publish=True, **kw) -> Scheme:
    s = Scheme.objects.create(
        programme=w["programme"], code=f"s-{next(_n)}", name=kw.pop("name", f"奖励方案{next(_n)}"),
        basis_clause="“双十百千”专项资金②", year=year, budget=Decimal(budget), purpose=purpose or f"p-{next(_n)}",
        candidate_source=source, approving_body="联席会议",
        review_chain=[o.pk for o in (chain if chain is not None else (w["bureau"],))], region=w["r"]["3204"],
        filed_by=w["city"], filed_by_org=w["bureau"], **kw)
    v = services.rule_version_create(scheme=s, kind=kind, parameters=parameters, valid_from=date(2016, 1, 1),
                                     source_clause="测试条款", by=w["city"])
    if publish:
        services.rule_version_publish(version=v, by=w["city"])
    return s


def round_for(w, s, year=YEAR) -> Round:
    return Round.objects.create(scheme=s, year=year, region=w["r"]["3204"], filed_by=w["city"], filed_by_org=w["bureau"])
