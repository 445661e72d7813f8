"""Reads: the programme counts shown on the pairings overview, always over what the user may read."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from duijie.core.registry import REGISTRY
from duijie.core.selectors import record_list, visible_queryset
from duijie.pairings.choices import PlacementScheme, VisitProgramme
from duijie.pairings.models import Pairing, Placement, PlacementQuota, Visit

# Seed 003 (十校十所进千企: ten universities, ten institutes, a thousand enterprises): the numbers are
# programme targets (data, with their years and clause), read for these indicators.
TEN_TEN_INDICATORS = {"universities": "ten-ten-universities", "institutes": "ten-ten-institutes",
                      "enterprises": "ten-ten-enterprises"}


def year_targets(*, user, year: int, indicators: dict[str, str]) -> dict:
    """Key → the programme target (``programmes.Target``, read through the registry and the user's
    scope) of the key's indicator whose period includes ``year``, the shortest first; keys without
    one are left out. Programmes sit above this app, so their records are reached by registry slug."""
    rt = REGISTRY.get("targets")
    if rt is None:
        return {}
    qs = (record_list(record_type=rt, user=user)
          .filter(programme_indicator__indicator__in=list(indicators.values()),
                  period_start__lte=date(year, 12, 31), period_end__gte=date(year, 1, 1))
          .select_related("programme_indicator__programme").order_by("period_end", "period_start", "pk"))
    found: dict = {}
    for target in qs:
        found.setdefault(target.programme_indicator.indicator, target)
    return {key: found[slug] for key, slug in indicators.items() if slug in found}


@dataclass
class TenTen:
    year: int
    visits: int
    enterprises: int
    universities: int
    institutes: int
    needs: int
    draft_demands: int
    by_institution: list[dict]
    targets: dict


def ten_ten_summary(*, user, year: int) -> TenTen:
    visits = visible_queryset(Visit, user).filter(programme=VisitProgramme.TEN_TEN_THOUSAND, visited_on__year=year)
    inst = (visits.values("visiting_institution__name", "visiting_institution__kind")
            .annotate(visits=Count("pk"), enterprises=Count("enterprise", distinct=True))
            .order_by("-visits", "visiting_institution__name"))
    kinds = {row["visiting_institution__kind"] for row in inst}
    universities = sum(1 for row in inst if row["visiting_institution__kind"] == "university")
    institutes = len(inst) - universities if kinds else 0
    needs = sum(len(v.need_lines) for v in visits.only("needs"))
    return TenTen(
        year=year, visits=visits.count(), enterprises=visits.values("enterprise").distinct().count(),
        universities=universities, institutes=institutes, needs=needs,
        draft_demands=visits.aggregate(n=Count("draft_demands", distinct=True))["n"],
        by_institution=list(inst),
        targets=year_targets(user=user, year=year, indicators=TEN_TEN_INDICATORS))


def placement_summary(*, user, year: int) -> list[dict]:
    """Per scheme: placements appointed in ``year`` against the year's quota (quotas the user may read)."""
    placed = dict(visible_queryset(Placement, user).filter(year=year).values_list("scheme")
                  .annotate(n=Count("pk")).values_list("scheme", "n"))
    quotas: dict[str, int] = {}
    for scheme, quota in visible_queryset(PlacementQuota, user).filter(year=year).values_list("scheme", "quota"):
        quotas[scheme] = quotas.get(scheme, 0) + quota
    rows = []
    for scheme in PlacementScheme:
        n, q = placed.get(scheme.value, 0), quotas.get(scheme.value)
        rows.append({"scheme": scheme, "label": scheme.label, "placed": n, "quota": q,
                     "pct": min(100, round(100 * n / q)) if q else None})
    return rows


def pairing_counts(*, user) -> dict[str, int]:
    today = timezone.localdate()
    active = visible_queryset(Pairing, user).filter(start_on__lte=today).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=today))
    return dict(active.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
