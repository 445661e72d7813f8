"""Reads of enterprise tiers over time (梯度培育): an enterprise's tier on any day, the tier distribution
and the yearly moves of a unit or park (小升高 …), the cultivation lists (培育库) and the certificates
about to expire.

- **Tier on a day**: the highest rung of the ladder in force that day (``TierLadder``, data with its
  source) among the enterprise's qualifications valid that day — ``valid_from`` on or before it and
  ``valid_to`` empty or on or after it (a certificate is valid on its last day and not the day after;
  a certificate starting later is pending and does not count). Of two qualifications on the same
  rung, the one valid longest is named (it keeps the tier longest). One query for any number of
  enterprises, then Python (:func:`tiers_on`).
- **Whose enterprises**: government roles only (enterprises, institutions, experts and brokers are
  refused: a tier list names other enterprises); the enterprises in the user's own scope
  (``core.selectors.mine_queryset``), narrowed to an assessment unit or park of that scope by the same
  rule the indicator engine counts a certificate for a unit (``core.indicators.RECORD``: the
  enterprise's assessment units, park or region). A unit or park outside the scope is "unknown".
- **Moves in year Y**: tier on 31 December of Y-1 → tier on 31 December of Y (today, for the current
  year), both read with the ladder in force on the later day.
- **Cultivation**: enterprises whose tier today is a rule's ``from_rank``, checked against its
  conditions (``orgs.ladder``) with their figures of the last year on file up to the year before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from duijie.core import scope, selectors
from duijie.core.indicators import RECORD
from duijie.core.models import AssessmentUnit, Park
from duijie.core.roles import GOVERNMENT_ROLES
from duijie.orgs import ladder as rules
from duijie.orgs.models import (
    CultivationRule,
    Enterprise,
    EnterpriseMetric,
    EnterpriseQualification,
    TierLadder,
    TierRung,
)

FIRST_YEAR = 2000


@dataclass(frozen=True)
class Tier:
    """An enterprise's tier on a day and the qualification that placed it there."""

    rank: int
    rung: TierRung
    qualification_id: int
    kind: str
    valid_to: date | None


# ------------------------------------------------------------------------------------------------ ladder

def ladder_on(day: date) -> TierLadder:
    """The ladder in force on ``day`` (the latest version starting on or before it), its rungs loaded."""
    found = (TierLadder.objects.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
             .order_by("-valid_from", "-number").prefetch_related("rungs", "rules").first())
    if found is None:
        raise ValidationError({"day": _("No tier ladder is in force on %(day)s.") % {"day": day.isoformat()}})
    return found


def rung_of_kind(ladder: TierLadder) -> dict[str, TierRung]:
    return {kind: rung for rung in ladder.rungs.all() for kind in rung.kinds}


def tiers_on(enterprise_ids: Iterable[int] | QuerySet, day: date, ladder: TierLadder | None = None) -> dict[int, Tier]:
    """Enterprise id → its tier on ``day`` (enterprises on no rung are left out), in one query."""
    ladder = ladder or ladder_on(day)
    by_kind = rung_of_kind(ladder)
    rows = (EnterpriseQualification.objects
            .filter(enterprise_id__in=enterprise_ids, kind__in=list(by_kind), valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
            .values_list("enterprise_id", "pk", "kind", "valid_to"))
    best: dict[int, Tier] = {}
    far = date.max
    for eid, pk, kind, valid_to in rows:
        rung = by_kind[kind]
        t = Tier(rung.rank, rung, pk, kind, valid_to)
        held = best.get(eid)
        if held is None or (t.rank, t.valid_to or far, -t.qualification_id) > (held.rank, held.valid_to or far,
                                                                                 -held.qualification_id):
            best[eid] = t
    return best


def tier_of(enterprise: Enterprise, day: date | None = None) -> Tier | None:
    day = day or timezone.localdate()
    return tiers_on([enterprise.pk], day).get(enterprise.pk)


# ------------------------------------------------------------------------------------------------ scope

@dataclass(frozen=True)
class Owner:
    """Whose enterprises: an assessment unit, a park, or (both None) the user's whole scope."""

    unit: AssessmentUnit | None = None
    park: Park | None = None

    @property
    def label(self) -> str:
        return str(self.unit or self.park or _("All enterprises in your scope"))

    def query(self) -> str:
        return f"unit={self.unit.pk}" if self.unit else f"park={self.park.pk}" if self.park else ""


def require_government(user) -> None:
    if getattr(user, "role", None) not in GOVERNMENT_ROLES:
        raise PermissionDenied(_("Tier lists are read by the government offices whose scope covers the enterprises."))


def owner_for(user, *, unit: str | None = None, park: str | None = None) -> Owner:
    """The unit or park named (ids as typed), checked against the user's scope: an unknown one and one
    outside the scope get the same clear error."""
    require_government(user)
    if unit and park:
        raise ValidationError({"unit": _("Choose an assessment unit or a park, not both.")})
    if unit:
        found = scope.units_in_scope(user).filter(pk=int(unit)).first() if str(unit).isdigit() else None
        if found is None:
            raise ValidationError({"unit": _("No assessment unit %(v)s in your scope.") % {"v": unit}})
        return Owner(unit=found)
    if park:
        found = scope.parks_in_scope(user).filter(pk=int(park)).first() if str(park).isdigit() else None
        if found is None:
            raise ValidationError({"park": _("No park %(v)s in your scope.") % {"v": park}})
        return Owner(park=found)
    return Owner()


def enterprises_for(user, owner: Owner) -> QuerySet:
    """The enterprises of ``owner`` in the user's own scope."""
    require_government(user)
    qs = selectors.mine_queryset(Enterprise, user)
    if owner.unit is not None:
        qs = qs.filter(RECORD.q(Enterprise, owner.unit))
    elif owner.park is not None:
        qs = qs.filter(RECORD.q_park(Enterprise, owner.park))
    return qs


def check_year(year: str | int | None, today: date | None = None) -> int:
    today = today or timezone.localdate()
    try:
        y = int(str(year))
    except (TypeError, ValueError):
        raise ValidationError({"year": _("Year %(v)r is not a number.") % {"v": year}})
    if not FIRST_YEAR < y <= today.year:
        raise ValidationError({"year": _("Year %(y)s is out of range (%(a)s–%(b)s).")
                               % {"y": y, "a": FIRST_YEAR + 1, "b": today.year}})
    return y


# ------------------------------------------------------------------------------------------------ figures

@dataclass(frozen=True)
class RungCount:
    rung: TierRung | None  # None: on no rung
    ids: list[int]


def distribution(user, owner: Owner, day: date | None = None) -> list[RungCount]:
    """How many of the owner's enterprises stand on each rung on ``day`` (highest first), and on none."""
    day = day or timezone.localdate()
    ladder = ladder_on(day)
    ents = enterprises_for(user, owner).values_list("pk", flat=True)
    ids = list(ents)
    tiers = tiers_on(ents, day, ladder)  # a subquery, not a list of thousands of ids
    by_rank: dict[int, list[int]] = defaultdict(list)
    for eid in ids:
        t = tiers.get(eid)
        by_rank[t.rank if t else 0].append(eid)
    out = [RungCount(r, sorted(by_rank[r.rank])) for r in sorted(ladder.rungs.all(), key=lambda r: -r.rank)]
    return [*out, RungCount(None, sorted(by_rank[0]))]


@dataclass(frozen=True)
class Moves:
    """Moves of year ``year``: (from rank, to rank) → enterprise ids (rank 0: on no rung)."""

    year: int
    start: date
    end: date
    ladder: TierLadder
    cells: dict[tuple[int, int], list[int]]

    def ids(self, frm: int, to: int) -> list[int]:
        return self.cells.get((frm, to), [])

    def up(self) -> int:
        return sum(len(v) for (a, b), v in self.cells.items() if b > a)

    def down(self) -> int:
        return sum(len(v) for (a, b), v in self.cells.items() if b < a)

    def rung(self, rank: int) -> TierRung | None:
        return next((r for r in self.ladder.rungs.all() if r.rank == rank), None)


def year_days(year: int, today: date | None = None) -> tuple[date, date]:
    """The two days a year's move compares: 31 December before, and 31 December (today, this year)."""
    today = today or timezone.localdate()
    return date(year - 1, 12, 31), min(date(year, 12, 31), today)


def moves_among(ents: QuerySet, year: int, today: date | None = None, ids: list[int] | None = None) -> Moves:
    """The moves of ``year`` among the enterprises ``ents`` (a queryset of their ids)."""
    start, end = year_days(year, today)
    ladder = ladder_on(end)
    ids = list(ents) if ids is None else ids
    before, after = tiers_on(ents, start, ladder), tiers_on(ents, end, ladder)
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for eid in sorted(ids):
        a, b = before.get(eid), after.get(eid)
        ra, rb = (a.rank if a else 0), (b.rank if b else 0)
        if ra or rb:
            cells[(ra, rb)].append(eid)
    return Moves(year, start, end, ladder, dict(cells))


def moves(user, owner: Owner, year: int | str, today: date | None = None) -> Moves:
    y = check_year(year, today)
    return moves_among(enterprises_for(user, owner).values_list("pk", flat=True), y, today)


def moves_by_unit(user, year: int | str, today: date | None = None) -> list[tuple[AssessmentUnit, Moves]]:
    """The year's moves of every assessment unit in the user's scope: the tiers of all the scope's
    enterprises are read once (two queries), then each unit's enterprises (one query per unit)."""
    y = check_year(year, today)
    everyone = moves(user, Owner(), y, today)
    out = []
    for unit in scope.units_in_scope(user).order_by("name"):
        mine = set(enterprises_for(user, Owner(unit=unit)).values_list("pk", flat=True))
        cells = {k: [e for e in v if e in mine] for k, v in everyone.cells.items()}
        out.append((unit, Moves(y, everyone.start, everyone.end, everyone.ladder, {k: v for k, v in cells.items() if v})))
    return out


def move_trend(user, owner: Owner, years: Iterable[int], today: date | None = None) -> list[Moves]:
    ents = enterprises_for(user, owner).values_list("pk", flat=True)
    ids = list(ents)
    return [moves_among(ents, check_year(y, today), today, ids) for y in years]


# ------------------------------------------------------------------------------------------------ cultivation

@dataclass(frozen=True)
class Candidate:
    enterprise_id: int
    figures: rules.Figures
    checks: list[rules.Check]


@dataclass(frozen=True)
class Cultivation:
    rule: CultivationRule
    from_rung: TierRung | None
    to_rung: TierRung | None
    candidates: list[Candidate]
    examined: int  # enterprises on the rule's rung


def figures_for(enterprises: list[Enterprise], up_to_year: int, among: QuerySet | None = None) -> dict[int, rules.Figures]:
    """Each enterprise's figures of its last year on file up to ``up_to_year`` (one query; ``among``: the
    enterprises' ids as a subquery, for a long list)."""
    latest: dict[int, EnterpriseMetric] = {}
    pks = among if among is not None else [e.pk for e in enterprises]
    for m in (EnterpriseMetric.objects.filter(enterprise_id__in=pks, year__lte=up_to_year)
              .order_by("enterprise_id", "-year")):
        latest.setdefault(m.enterprise_id, m)
    out = {}
    for e in enterprises:
        m = latest.get(e.pk)
        out[e.pk] = rules.Figures(
            year=m.year if m else None, revenue=m.revenue if m else None, rd_spend=m.rd_spend if m else None,
            employees=m.employees if m else None, rd_staff=m.rd_staff if m else None,
            invention_patents=m.invention_patents if m else None, founded_on=e.founded_on)
    return out


def cultivation(user, owner: Owner, day: date | None = None) -> list[Cultivation]:
    """Per rule of the ladder in force on ``day``: the owner's enterprises on its from-rung that meet every
    recorded condition (figures of the last year on file up to the year before ``day``)."""
    day = day or timezone.localdate()
    ladder = ladder_on(day)
    scoped = enterprises_for(user, owner)
    ents = list(scoped.only("pk", "founded_on", "name"))
    tiers = tiers_on(scoped.values("pk"), day, ladder)
    figures = figures_for(ents, day.year - 1, scoped.values("pk"))
    rungs = {r.rank: r for r in ladder.rungs.all()}
    out = []
    for rule in ladder.rules.all():
        on_rung = [e for e in ents if (t := tiers.get(e.pk)) is not None and t.rank == rule.from_rank]
        found = []
        for e in on_rung:
            ok, checks = rules.evaluate(rule.conditions, figures[e.pk], day)
            if ok:
                found.append(Candidate(e.pk, figures[e.pk], checks))
        out.append(Cultivation(rule, rungs.get(rule.from_rank), rungs.get(rule.to_rank), found, len(on_rung)))
    return out


# ------------------------------------------------------------------------------------------------ expiring

def expiring(user, owner: Owner, today: date | None = None) -> QuerySet:
    """Certificates of the owner's enterprises valid today and ending within
    ``DUIJIE_QUALIFICATION_EXPIRING_DAYS`` days (their last day included), soonest first."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=settings.DUIJIE_QUALIFICATION_EXPIRING_DAYS)
    return (EnterpriseQualification.objects
            .filter(enterprise__in=enterprises_for(user, owner).values("pk"), valid_from__lte=today,
                    valid_to__gte=today, valid_to__lte=soon)
            .select_related("enterprise").order_by("valid_to", "enterprise__name", "pk"))
