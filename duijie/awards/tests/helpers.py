"""Builders for the awards tests: a city with two districts, their administrators, a programme and
schemes with published rule versions."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from duijie.awards import services
from duijie.awards.models import Round, Scheme
from duijie.core.models import AssessmentUnit, Organisation, Region
from duijie.core.tests import factories as f
from duijie.programmes.models import Programme

_n = itertools.count(1)
YEAR = 2025


def world() -> dict:
    r = {c: Region.objects.get(code=c) for c in ("3204", "320412", "320411")}
    wujin = AssessmentUnit.objects.create(name="武进区", code=f"a-wujin-{next(_n)}", kind="district", city=r["3204"])
    wujin.regions.set([r["320412"]])
    xinbei = AssessmentUnit.objects.create(name="新北区", code=f"a-xinbei-{next(_n)}", kind="district", city=r["3204"])
    xinbei.regions.set([r["320411"]])
    bureau = Organisation.objects.create(kind="government", name=f"常州市科技局{next(_n)}", region=r["3204"])
    city = f.user(role="city_admin", organisation=bureau)
    wujin_admin = f.user(role="unit_admin", organisation=Organisation.objects.create(
        kind="government", name=f"武进区科技局{next(_n)}", region=r["320412"], assessment_unit=wujin))
    xinbei_admin = f.user(role="unit_admin", organisation=Organisation.objects.create(
        kind="government", name=f"新北区科技局{next(_n)}", region=r["320411"], assessment_unit=xinbei))
    programme = Programme.objects.create(code=f"a-prog-{next(_n)}", name="双十百千", period_start=date(2016, 1, 1),
                                         period_end=date(2028, 12, 31), region=r["3204"])
    return {"r": r, "wujin": wujin, "xinbei": xinbei, "bureau": bureau, "city": city, "wujin_admin": wujin_admin,
            "xinbei_admin": xinbei_admin, "programme": programme}


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
