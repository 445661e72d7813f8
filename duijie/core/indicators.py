"""The indicator library: how a figure is counted over the records its reader may see.

An app declares its indicators in ``<app>/indicators.py`` and contributes them in ``plugin.py``
(``core/plugins.py`` files them; ``plugins.indicator(slug)`` finds one). Every ``compute(user,
window) -> Figure`` starts from :func:`indicator_records` or :func:`stock_records`, which apply the
reader's role and data scope (``core.selectors``), the window's dates and — when the window names
an assessment unit (考核板块) — the indicator's **reach**: which unit a record counts for.

Kinds of computation (``Indicator.kind``), each a helper here:

- ``count``: how many records (:func:`count`);
- ``distinct``: how many distinct values of a field among them — distinct enterprises paired
  (:func:`distinct`);
- ``sum``: the sum of a money or number field, a ``Decimal`` (:func:`total`); money is stored in
  yuan and shown divided by ``Indicator.scale`` in ``Indicator.unit`` (万元: scale 10000);
- ``ratio``: one figure over another (:func:`ratio`), the parts kept in ``Figure.parts``;
- ``stock``: the records in force on the window's last day — a certificate valid on 31 December
  (:func:`stock_records`; the window's start does not matter);
- ``reported``: a figure the statistics bureau reported (R&D/GDP), filed as a ``core.ReportedValue``
  and shown as stored, flagged 上报 (``Figure.reported``) — never computed (:func:`reported`).

Reach (``Reach``, explicit on each indicator): ``ASSESSMENT_UNIT`` — the record's own assessment
units (考核板块 tags); ``LOCATION`` — the record's region (code prefix) or park; ``party_location(path)``
— the region, park or assessment units of the party at ``path`` (the enterprise paired, the host
enterprise). A record counts for a unit when it passes the rule for any unit inside it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from duijie.core import registry, selectors
from duijie.core.access import unit_reach

COUNT, DISTINCT, SUM, RATIO, STOCK, REPORTED = "count", "distinct", "sum", "ratio", "stock", "reported"
KINDS = (COUNT, DISTINCT, SUM, RATIO, STOCK, REPORTED)


@dataclass(frozen=True)
class Window:
    """The parameters an indicator is computed for: the dates ``start``..``end`` (both included) and,
    optionally, one assessment unit (考核板块) the records must count for (by the indicator's reach)."""

    start: date
    end: date
    unit: models.Model | None = None


@dataclass(frozen=True)
class Figure:
    """An indicator's value and the records it counted (the drill-down). ``value`` is an ``int``
    for counts, a ``Decimal`` in the stored unit (yuan) for sums, a ``Decimal`` or ``None`` (nothing
    to divide by) for ratios; ``parts`` names the figures a ratio was computed from."""

    value: int | Decimal | None
    records: models.QuerySet
    parts: Mapping[str, Figure] = field(default_factory=dict)
    reported: bool = False  # True: the stored official value (上报), not computed (计算) from records

    def ids(self) -> list:
        """The primary keys of the records counted, in order (what a frozen report stores)."""
        return list(self.records.order_by("pk").values_list("pk", flat=True))


@dataclass(frozen=True)
class Reach:
    """Which unit a record counts for. ``basis``: ``assessment`` (the assessment units tagged on the
    object), ``location`` (its region code or park) or ``any`` (either: the record-level default);
    ``via``: the path from the record to the object judged ('' the record itself, 'enterprise' the
    enterprise it names)."""

    basis: str
    via: str = ""

    def q(self, unit) -> Q:
        ids, codes, parks = unit_reach(unit)
        p = f"{self.via}__" if self.via else ""
        q = Q(pk__in=[])
        if self.basis in ("assessment", "any"):
            q |= Q(**{f"{p}assessment_units__in": ids})
        if self.basis in ("location", "any"):
            q |= Q(**{f"{p}park__in": parks})
            for code in sorted(codes):
                q |= Q(**{f"{p}region__code__startswith": code})
        return q


ASSESSMENT_UNIT = Reach("assessment")
LOCATION = Reach("location")
RECORD = Reach("any")  # the record's assessment units or its location


def party_location(path: str) -> Reach:
    """A record counts for the unit where the party at ``path`` is: its region, park or assessment units."""
    return Reach("any", via=path)


def _in_unit(qs: models.QuerySet, window: Window, reach: Reach) -> models.QuerySet:
    if window.unit is None:
        return qs
    return qs.filter(pk__in=qs.model._default_manager.filter(reach.q(window.unit)).values("pk"))


def _scoped(record_type: str, user, filters: Mapping[str, Any] | None) -> models.QuerySet:
    qs = selectors.record_list(record_type=registry.REGISTRY[record_type], user=user)
    return qs.filter(**dict(filters or {}))


def _day(model: type[models.Model], name: str) -> str:
    """The lookup that compares field ``name`` with a date (a datetime field by its date)."""
    if "__" not in name and isinstance(model._meta.get_field(name), models.DateTimeField):
        return f"{name}__date"
    return name


def indicator_records(record_type: str, user, window: Window, *, date_field: str | None,
                      filters: Mapping[str, Any] | None = None, reach: Reach = RECORD) -> models.QuerySet:
    """The records of ``record_type`` an indicator counts for ``user``: the scoped selector's
    records whose ``date_field`` lies in the window (None: no date condition — ``filters`` say when,
    as for a year field), filtered by ``filters`` and, if the window names a unit, counting for it by
    ``reach``. Indicators start here so no figure counts a record its reader may not see."""
    qs = _scoped(record_type, user, filters)
    if date_field is not None:
        d = _day(qs.model, date_field)
        qs = qs.filter(**{f"{d}__gte": window.start, f"{d}__lte": window.end})
    return _in_unit(qs, window, reach)


def stock_records(record_type: str, user, window: Window, *, from_field: str, to_field: str | None,
                  filters: Mapping[str, Any] | None = None, reach: Reach = RECORD) -> models.QuerySet:
    """The records in force on the window's last day: ``from_field`` on or before it and
    ``to_field`` empty or on or after it (no ``to_field``: never ends)."""
    qs = _scoped(record_type, user, filters)
    qs = qs.filter(**{f"{from_field}__lte": window.end})
    if to_field is not None:
        qs = qs.filter(Q(**{f"{to_field}__isnull": True}) | Q(**{f"{to_field}__gte": window.end}))
    return _in_unit(qs, window, reach)


def count(records: models.QuerySet) -> Figure:
    """The usual figure: how many records."""
    return Figure(value=records.count(), records=records)


def distinct(records: models.QuerySet, field_name: str) -> Figure:
    """How many distinct non-empty values of ``field_name`` (a path) the records hold; the records
    stay the drill-down (each names the value it was counted for)."""
    values = records.exclude(**{f"{field_name}__isnull": True}).values_list(field_name, flat=True)
    return Figure(value=len(set(values)), records=records)


def total(records: models.QuerySet, field_name: str) -> Figure:
    """The sum of ``field_name`` over the records (empty values add nothing), a ``Decimal``."""
    value = records.aggregate(v=Coalesce(Sum(field_name), models.Value(Decimal(0)),
                                         output_field=models.DecimalField()))["v"]
    return Figure(value=Decimal(value), records=records)


def ratio(numerator: Figure, denominator: Figure) -> Figure:
    """``numerator / denominator`` as a ``Decimal`` (``None`` when the denominator is 0), the
    numerator's records the drill-down and both figures kept in ``parts``."""
    value = None if not denominator.value else Decimal(numerator.value or 0) / Decimal(denominator.value)
    return Figure(value=value, records=numerator.records,
                  parts={"numerator": numerator, "denominator": denominator})


def reported(slug: str) -> Callable[[Any, Window], Figure]:
    """The ``compute`` of a reported indicator: among the ``core.ReportedValue`` records of ``slug``
    the reader may see, filed for exactly the window's unit (no unit: the whole city's figure) for a
    period lying inside the window, the one whose period ends last — a reported figure is a level or
    a running total (累计), never added up. No such record: value ``None``."""
    def compute(user, window: Window) -> Figure:
        unit = {"unit": window.unit} if window.unit is not None else {"unit__isnull": True}
        qs = _scoped("reported-values", user, {"indicator": slug, "period_start__gte": window.start,
                                               "period_end__lte": window.end, **unit})
        latest = qs.order_by("-period_end", "-period_start", "-pk").first()
        if latest is None:
            return Figure(value=None, records=qs.none(), reported=True)
        return Figure(value=latest.value, records=qs.filter(pk=latest.pk), reported=True)
    return compute


@dataclass(frozen=True)
class Indicator:
    """A figure over the records of ``record_type`` the user may see.

    ``compute(user, window) -> Figure`` starts from ``indicator_records`` / ``stock_records``, so a
    district administrator's figure counts only the district's records. ``kind`` says how the value
    is computed (``KINDS``); ``reach`` which unit a record counts for; ``unit`` is the unit of measure
    shown (项, 场, 万元) and ``scale`` what the stored value is divided by to show it in that unit
    (money is stored in yuan: 10000 for 万元, 100000000 for 亿元); ``source`` the seed clause served."""

    slug: str
    label: Any
    documentation: Any
    unit: Any
    record_type: str
    compute: Callable[[Any, Window], Figure]
    kind: str = COUNT
    reach: Reach = RECORD
    scale: int = 1
    source: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"indicator {self.slug!r}: unknown kind {self.kind!r}")

    @property
    def is_reported(self) -> bool:
        """Shown as 上报 (a reported official figure), not 计算 (computed from records)."""
        return self.kind == REPORTED

    def shown(self, figure: Figure) -> Decimal | int | None:
        """The figure's value in the display unit (a sum in yuan shown in 万元 is divided by 10000)."""
        if figure.value is None or self.scale == 1:
            return figure.value
        return Decimal(figure.value) / self.scale
