"""Progress of a programme's targets: target, actual (the indicator's figure and the records it
counted), the pace expected at a date, a status from the programme's thresholds and what is still
needed. Nothing is stored; every actual is ``plugins.indicator(slug).compute(user, window)`` for the
reader, so a district administrator's figures count only the records it may read.

Every owner is a ``Window`` owner: an assessment unit (``Window.unit``), a park (``park``), an
institution (``institution``: the records it is a party to) and a city department (``region``: the
department's region, else the programme's — a city bureau's target counts its city). A target whose
indicator has no meaning for its owner (a high-tech certificate and an institution) is listed with
its target, ``not computed`` and the indicator's reason, never with a figure counted for someone else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from duijie.core import plugins, selectors
from duijie.core.access import unit_reach_memo
from duijie.core.plugins import Window
from duijie.core.registry import REGISTRY
from duijie.programmes import figures
from duijie.programmes.choices import Status
from duijie.programmes.models import Programme, Target

NOT_COMPUTABLE = {
    "owner_department": _("Neither the department nor the programme names a region to count."),
}


@dataclass
class Row:
    target: Target
    owner: object
    indicator_slug: str
    indicator_label: object
    unit_of_measure: object
    value: Decimal
    actual: int | Decimal | None = None
    record_ids: list = field(default_factory=list)
    expected: Decimal | None = None
    ratio: Decimal | None = None
    status: str = Status.NOT_COMPUTED
    needs: int | None = None
    note: object = ""
    children_shortfall: Decimal | None = None
    computed_at: datetime | None = None  # when a cached figure was computed (None: just now, live)

    @property
    def status_label(self):
        return Status(self.status).label

    @property
    def percent(self) -> int:
        """Actual as a share of the target, for the bar (capped at 100)."""
        if self.actual is None or not self.value:
            return 0
        return min(100, int(Decimal(self.actual) * 100 / self.value))


def targets(user, programme: Programme) -> QuerySet:
    """The programme's targets the user may read (core.selectors)."""
    return (selectors.record_list(record_type=REGISTRY["targets"], user=user)
            .filter(programme_indicator__programme=programme)
            .prefetch_related("children"))


def periods(user, programme: Programme) -> list[tuple[date, date, str]]:
    """The distinct (start, end, kind) periods of the targets the user may read, earliest first."""
    rows = targets(user, programme).values_list("period_start", "period_end", "period_kind").distinct()
    return sorted(set(rows))


def elapsed(start: date, end: date, today: date) -> Decimal:
    """Share of the period passed at ``today`` (days, both ends included), between 0 and 1."""
    total = (end - start).days + 1
    passed = (min(today, end) - start).days + 1
    return Decimal(max(0, min(passed, total))) / Decimal(total)


def status_for(programme: Programme, actual: int | Decimal, value: Decimal, expected: Decimal) -> tuple[Decimal, str]:
    """(actual ÷ expected, status) by the programme's thresholds; nothing expected yet is on track."""
    if expected <= 0:
        ratio = Decimal(1) if actual == 0 else programme.ahead_from
    else:
        ratio = (Decimal(actual) / expected).quantize(Decimal("0.01"))
    if value and actual >= value:
        return ratio, Status.AHEAD if ratio >= programme.ahead_from else Status.ON_TRACK
    if ratio >= programme.ahead_from:
        return ratio, Status.AHEAD
    if ratio >= programme.lagging_below:
        return ratio, Status.ON_TRACK
    if ratio >= programme.at_risk_below:
        return ratio, Status.LAGGING
    return ratio, Status.AT_RISK


def window_for(target: Target) -> Window | None:
    """The indicator window of the target's owner and period (None: see ``NOT_COMPUTABLE``)."""
    period = {"start": target.period_start, "end": target.period_end}
    if target.owner_unit_id:
        return Window(**period, unit=target.owner_unit)
    if target.owner_park_id:
        return Window(**period, park=target.owner_park)
    if target.owner_institution_id:
        return Window(**period, institution=target.owner_institution)
    if target.owner_department_id:
        region = target.owner_department.region or target.programme_indicator.programme.region
        return Window(**period, region=region) if region is not None else None
    return None


_UNSET = object()


def row_for(user, target: Target, today: date, *, ids: bool = True, value=_UNSET) -> Row:
    """The target's row for ``user`` at ``today``; ``ids``: list the record ids behind the figure
    (the API and frozen reports do; the page links to the drill-down instead); ``value``: the
    figure's value when the caller computed it already (:func:`progress` batches a period's owners)."""
    pi = target.programme_indicator
    known = pi.indicator in plugins.indicators()
    ind = plugins.indicator(pi.indicator) if known else None
    row = Row(target=target, owner=target.owner, indicator_slug=pi.indicator,
              indicator_label=pi.label or (ind.label if ind else pi.indicator),
              unit_of_measure=ind.unit if ind else "", value=target.value,
              children_shortfall=target.children_shortfall())
    window = window_for(target)
    if ind is None:
        row.note = _("No indicator “%(slug)s” is installed.") % {"slug": pi.indicator}
        return row
    if window is None:
        owner_field = next(n for n in NOT_COMPUTABLE if getattr(target, f"{n}_id"))
        row.note = NOT_COMPUTABLE[owner_field]
        return row
    if (refusal := ind.refusal(window)) is not None:
        row.note = refusal
        return row
    if value is _UNSET or ids:
        figure = ind.compute(user, window)
        if ids:
            row.record_ids = sorted(figure.records.values_list("pk", flat=True))
        value = figure.value
    if value is None:  # a reported figure not filed for the period, or a ratio over nothing
        row.note = _("No value filed for this period.") if ind.is_reported else _("Nothing to divide by.")
        return row
    # Targets are in the unit the document prints (亿元, 万元), so the figure is compared as shown.
    shown = value if ind.scale == 1 else Decimal(value) / ind.scale
    row.actual = shown.quantize(Decimal("0.01")) if isinstance(shown, Decimal) and ind.scale != 1 else shown
    row.expected = (target.value * elapsed(target.period_start, target.period_end, today)).quantize(Decimal("0.01"))
    row.ratio, row.status = status_for(pi.programme, row.actual, target.value, row.expected)
    row.needs = max(0, math.ceil(target.value - row.actual))
    return row


# What a target's row and window read: its programme, and its owner (a department with its region).
_ROW_RELATED = ("programme_indicator__programme", "owner_unit", "owner_park", "owner_institution",
                "owner_department__region")


def _batched_values(user, targets: list[Target]) -> tuple[dict[int, object], datetime | None]:
    """(target pk → the figure's value, when computed), read in one query per record type for the
    targets whose indicator batches (``indicators.batch_values``, kept until the next announced write
    by ``figures.values``); the others are left to ``row_for``."""
    members: list[tuple[Target, Window]] = []
    for t in targets:
        slug = t.programme_indicator.indicator
        window = window_for(t)
        if window is None or slug not in plugins.indicators():
            continue
        ind = plugins.indicator(slug)
        if ind.batches and ind.refusal(window) is None:
            members.append((t, window))
    values, at = figures.values(user, [(plugins.indicator(t.programme_indicator.indicator), w) for t, w in members])
    return {t.pk: v for (t, _w), v in zip(members, values, strict=True)}, (at if members else None)


def recompute(user, programmes=None) -> int:
    """Every figure of every target of ``programmes`` (None: all) the user may read, computed together
    — one query per record type for all of them — and kept for the pages (``figures``): what a
    write's warm-up or an office's "recompute everything" runs. Returns how many figures."""
    qs = selectors.record_list(record_type=REGISTRY["targets"], user=user)
    if programmes is not None:
        qs = qs.filter(programme_indicator__programme__in=programmes)
    with unit_reach_memo():
        known, _at = _batched_values(user, list(qs.select_related(*_ROW_RELATED)))
    return len(known)


def progress(user, programme: Programme, *, start: date | None = None, end: date | None = None,
             unit=None, today: date, ids: bool = True) -> list[Row]:
    """One row per target the user may read in the period (all periods when none is given), for one
    assessment unit when ``unit`` is given, ordered by indicator, then as entered; ``ids``: with the
    record ids behind each figure (one more query per target, always live), else the values are read
    in one query per record type and kept until the next announced write (``figures``; each such
    row's ``computed_at`` says when)."""
    qs = targets(user, programme)
    if start is not None:
        qs = qs.filter(period_start=start)
    if end is not None:
        qs = qs.filter(period_end=end)
    if unit is not None:
        qs = qs.filter(owner_unit=unit)
    qs = qs.order_by("programme_indicator__order", "programme_indicator__pk", "pk")  # owners as entered (the annex order)
    qs = qs.select_related(*_ROW_RELATED)
    with unit_reach_memo():
        chosen = list(qs)
        known, at = ({}, None) if ids else _batched_values(user, chosen)
        rows = [row_for(user, t, today, ids=ids, value=known.get(t.pk, _UNSET)) for t in chosen]
        for row in rows:
            if row.target.pk in known:
                row.computed_at = at
        return rows


def figure_records(user, target: Target):
    """The records the target's actual counts (the drill-down), or None if it is not computed."""
    window = window_for(target)
    slug = target.programme_indicator.indicator
    if window is None or slug not in plugins.indicators() or plugins.indicator(slug).refusal(window) is not None:
        return None
    return plugins.indicator(slug).compute(user, window).records
