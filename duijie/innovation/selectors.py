"""Reads of the innovation score: the lines a user may see, ranks and percentiles within the city,
an assessment unit, a park and an industry, and the breakdown's record links.

Who sees what (PRODUCT.md: an enterprise's score is business-confidential): an enterprise its own
lines; a district (unit administrator) its units' enterprises; a park manager its park's; the city
all of its city (``core.selectors`` via the enterprise). Draft runs are read by government roles
only; enterprises see their line from the publicity period on. Ranks are computed over the whole
run (a rank is a position, it does not show others' scores).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from duijie.core import selectors
from duijie.core.models import AssessmentUnit, Industry, Park
from duijie.core.registry import REGISTRY
from duijie.innovation import scoring
from duijie.innovation.choices import Method, RunStatus
from duijie.innovation.models import EnterpriseScore, ScoreRun

GROUPINGS = ("city", "unit", "park", "industry")


def visible_scores(user, run: ScoreRun | None = None) -> QuerySet:
    qs = selectors.visible_queryset(EnterpriseScore, user)
    if not getattr(user, "is_government", False):
        qs = qs.exclude(run__status=RunStatus.DRAFT)
    if run is not None:
        qs = qs.filter(run=run)
    return qs


def visible_runs(user) -> QuerySet:
    return ScoreRun.objects.filter(pk__in=visible_scores(user).values("run")).select_related(
        "indicator_set", "region").order_by("-year", "-pk")


def rank_table(run: ScoreRun) -> dict[int, dict]:
    """Score id → {"city": Rank, "unit": {unit id: Rank}, "park": Rank | None, "industry": Rank | None}
    over every line of the run, as stored."""
    rows = list(run.scores.values_list("pk", "total", "unit_ids", "park_id_at_run", "industry_code"))
    city = scoring.ranks({pk: t for pk, t, *_ in rows})
    by_unit, by_park, by_ind = defaultdict(dict), defaultdict(dict), defaultdict(dict)
    for pk, t, units, park, ind in rows:
        for u in units or []:
            by_unit[u][pk] = t
        if park:
            by_park[park][pk] = t
        if ind:
            by_ind[ind][pk] = t
    unit_ranks = {u: scoring.ranks(m) for u, m in by_unit.items()}
    park_ranks = {p: scoring.ranks(m) for p, m in by_park.items()}
    ind_ranks = {i: scoring.ranks(m) for i, m in by_ind.items()}
    out = {}
    for pk, _t, units, park, ind in rows:
        out[pk] = {"city": city[pk], "unit": {u: unit_ranks[u][pk] for u in units or []},
                   "park": park_ranks[park][pk] if park else None, "industry": ind_ranks[ind][pk] if ind else None}
    return out


def group_options(run: ScoreRun, scores) -> dict[str, list]:
    """The units, parks and industries the visible lines count in (for the list's grouping filter)."""
    units, parks, inds = set(), set(), set()
    for s in scores:
        units.update(s.unit_ids or [])
        if s.park_id_at_run:
            parks.add(s.park_id_at_run)
        if s.industry_code:
            inds.add(s.industry_code)
    return {"unit": list(AssessmentUnit.objects.filter(pk__in=units).order_by("name")),
            "park": list(Park.objects.filter(pk__in=parks).order_by("name")),
            "industry": list(Industry.objects.filter(code__in=inds).order_by("code"))}


def names(score: EnterpriseScore) -> dict:
    """The unit, park and industry names of a line (as of the run)."""
    return {"units": {u.pk: str(u) for u in AssessmentUnit.objects.filter(pk__in=score.unit_ids or [])},
            "park": Park.objects.filter(pk=score.park_id_at_run).first() if score.park_id_at_run else None,
            "industry": Industry.objects.filter(code=score.industry_code).first() if score.industry_code else None}


def record_url(ref: dict) -> str:
    """The page of a breakdown's record (the record's own page checks the reader's scope)."""
    if ref.get("type") in REGISTRY:
        try:
            return reverse("registry:detail", args=[ref["type"], ref["id"]])
        except NoReverseMatch:
            return ""
    return ""


def breakdown_rows(score: EnterpriseScore) -> list[dict]:
    """The breakdown with each record's URL, grouped in the stored order."""
    rows = []
    for b in score.breakdown:
        money = scoring.cent(b["raw"]) if b.get("unit") == "元" and b["raw"] not in (None, True, False) else None
        rows.append({**b, "method_label": Method(b["method"]).label, "money": money,
                     "links": [{**r, "url": record_url(r)} for r in b.get("records", [])]})
    return rows
