"""The indicator library: how a figure is counted over the records its reader may see.

An app declares its indicators in ``<app>/indicators.py`` and contributes them in ``plugin.py``
(``core/plugins.py`` files them; ``plugins.indicator(slug)`` finds one). An :class:`Indicator` is a
declaration — record type, date field (or year field, or stock from/to fields), filters, kind, the
field a distinct or sum reads, reach and institution path — and the library builds its queryset
(:meth:`Indicator.records`, through :func:`indicator_records` / :func:`stock_records`, which apply the
reader's role and data scope from ``core.selectors``, the window's dates and the window's owner) and
its figure (:meth:`Indicator.compute`). A custom compute is for what a declaration cannot say.

Kinds of computation (``Indicator.kind``), each a helper here:

- ``count``: how many records (:func:`count`);
- ``distinct``: how many distinct values of a field among them — distinct enterprises paired
  (:func:`distinct`);
- ``sum``: the sum of a money or number field, a ``Decimal`` (:func:`total`); money is stored in
  yuan and shown divided by ``Indicator.scale`` in ``Indicator.unit`` (万元: scale 10000);
- ``ratio``: one indicator's figure over another's (:func:`ratio`), the parts kept in ``Figure.parts``;
- ``stock``: the records in force on the window's last day — a certificate valid on 31 December
  (:func:`stock_records`; the window's start does not matter), counted or counted distinct;
- ``reported``: a figure the statistics bureau reported (R&D/GDP), filed as a ``core.ReportedValue``
  and shown as stored, flagged 上报 (``Figure.reported``) — never computed (:func:`reported`).

Owners (``Window``): an assessment unit, a park, an institution or a region. Reach (``Reach``,
explicit on each indicator) says which unit, park or region a record counts for: ``ASSESSMENT_UNIT``
— the record's own assessment units (考核板块 tags); ``LOCATION`` — the record's region (code prefix)
or park; ``party_location(path)`` — the region, park or assessment units of the party at ``path``
(the enterprise paired, the host enterprise). A record counts for a unit when it passes the rule for
any unit inside it. An institution counts the records its declared ``institution`` path names it in;
an indicator without that meaning says why (``no_institution``) and raises :class:`NotComputed`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count, ExpressionWrapper, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from duijie.core import registry, selectors
from duijie.core.access import many_hop, path_q, through_q, unit_reach

COUNT, DISTINCT, SUM, RATIO, STOCK, REPORTED = "count", "distinct", "sum", "ratio", "stock", "reported"
KINDS = (COUNT, DISTINCT, SUM, RATIO, STOCK, REPORTED)


@dataclass(frozen=True)
class Window:
    """The parameters an indicator is computed for: the dates ``start``..``end`` (both included) and
    at most one owner the records must count for: an assessment unit (考核板块, by the indicator's
    reach), a ``park`` (the record's park or its party's park, by the reach's path), an
    ``institution`` (the records the institution is a party to, by the indicator's ``institution``
    path) or a ``region`` (the records placed under the region's code, by the reach's path — a city
    department's target counts its city)."""

    start: date
    end: date
    unit: models.Model | None = None
    park: models.Model | None = None
    institution: models.Model | None = None
    region: models.Model | None = None

    def __post_init__(self):
        named = [n for n in OWNERS if getattr(self, n) is not None]
        if len(named) > 1:
            raise ValueError(f"a window names at most one owner, not {', '.join(named)}")

    @property
    def owner(self) -> str | None:
        """Which owner the window names (``unit``, ``park``, ``institution``, ``region``) or None."""
        return next((n for n in OWNERS if getattr(self, n) is not None), None)

    @property
    def owner_pk(self):
        """The primary key of the window's owner (None: no owner)."""
        owner = self.owner
        return None if owner is None else getattr(self, owner).pk


OWNERS = ("unit", "park", "institution", "region")


class NotComputed(ValueError):
    """The indicator has no meaning for the window's owner; ``reason`` says why (shown to the user)."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


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
    object), ``location`` (its region code or park) or ``any`` (either); ``via``: the path from the
    record to the object judged ('' the record itself, 'enterprise' the enterprise it names);
    ``fallback``: when ``via`` names nobody (a project with no enterprise on file), the path of the
    object judged instead by the same basis ('' the record itself; None: such a record counts for no
    unit); ``assessment_field``: the object's assessment-unit field (an organisation has one
    ``assessment_unit``, a record ``assessment_units``).

    A park window keeps the records whose judged object lies in the park; a region window those
    placed under the region's code (or tagged with an assessment unit of it, for the assessment basis)."""

    basis: str
    via: str = ""
    fallback: str | None = None
    assessment_field: str = "assessment_units"

    def _paths(self, model):
        yield self.via, None, self.assessment_field
        if self.fallback is not None and self.via:  # the record names no such party
            yield self.fallback, ~path_q(model, self.via, "isnull", [False]), "assessment_units"

    def _for(self, model, build) -> list[tuple[Q | None, Q]]:
        """(guard, condition) per path judged: a record counts when, for one of them, the guard (None:
        none) and the condition hold. The guard does not depend on the owner (:func:`batch_values`
        computes it once for all of them)."""
        return [(guard, build(f"{path}__" if path else "", assess)) for path, guard, assess in self._paths(model)]

    # Every condition goes through ``access.path_q``: it never multiplies the records it filters (a
    # many-to-many hop becomes a subquery), so a figure is a plain count or sum over them.

    def q(self, model: type[models.Model], unit) -> Q:
        """The records of ``model`` counting for the assessment unit ``unit`` (and the units inside it)."""
        return _either(self.unit_parts(model, unit))

    def unit_parts(self, model: type[models.Model], unit) -> list[tuple[Q | None, Q]]:
        """:meth:`q` as (guard, condition) pairs (:meth:`_for`)."""
        ids, codes, parks = unit_reach(unit)

        def build(p, assess):
            q = Q(pk__in=[])
            if p and (combined := self._through(model, p, assess, ids=ids, parks=parks, codes=sorted(codes))):
                return combined
            if self.basis in ("assessment", "any"):
                q |= path_q(model, f"{p}{assess}", "in", ids)
            if self.basis in ("location", "any"):
                q |= path_q(model, f"{p}park", "in", parks)
                q |= path_q(model, f"{p}region__code", "startswith", sorted(codes))
            return q
        return self._for(model, build)

    def _through(self, model, p: str, assess: str, *, ids=(), parks=(), codes=(), region_units=False) -> Q | None:
        """The arms of a unit's (or region's) reach over parties at the many-to-many path ``p`` as one
        subquery (``access.through_q``), or None where the path is not such a hop."""
        far = Q(pk__in=[])
        if self.basis in ("assessment", "any") and region_units:  # units whose regions lie there
            for code in codes:
                far |= Q(**{f"{assess}__regions__code__startswith": code})
        elif self.basis in ("assessment", "any"):
            far |= Q(**{f"{assess}__in": list(ids)})
        if self.basis in ("location", "any"):
            if parks:
                far |= Q(park__in=list(parks))
            for code in codes:
                far |= Q(region__code__startswith=code)
        return through_q(model, p[:-2], far)

    def q_park(self, model: type[models.Model], park) -> Q:
        """The records whose judged object lies in ``park`` (whatever the basis: a park has no tags)."""
        return _either(self.park_parts(model, park))

    def park_parts(self, model: type[models.Model], park) -> list[tuple[Q | None, Q]]:
        """:meth:`q_park` as (guard, condition) pairs."""
        return self._for(model, lambda p, assess: path_q(model, f"{p}park", "in", [park.pk]))

    def q_region(self, model: type[models.Model], region) -> Q:
        """The records whose judged object lies under ``region`` (its code), or — for the assessment
        basis — is tagged with an assessment unit whose regions lie there."""
        return _either(self.region_parts(model, region))

    def region_parts(self, model: type[models.Model], region) -> list[tuple[Q | None, Q]]:
        """:meth:`q_region` as (guard, condition) pairs."""
        code = region.code

        def build(p, assess):
            q = Q(pk__in=[])
            if p and (combined := self._through(model, p, assess, codes=[code], region_units=True)):
                return combined
            if self.basis in ("assessment", "any"):
                q |= path_q(model, f"{p}{assess}__regions__code", "startswith", [code])
            if self.basis in ("location", "any"):
                q |= path_q(model, f"{p}region__code", "startswith", [code])
            return q
        return self._for(model, build)


ASSESSMENT_UNIT = Reach("assessment")
LOCATION = Reach("location")
RECORD = Reach("any")  # the record's assessment units or its location


def party_location(path: str, *, fallback: str | None = None, assessment_field: str = "assessment_units") -> Reach:
    """A record counts for the unit where the party at ``path`` is: its region, park or assessment
    units (``fallback``: whose place counts when the record names no such party)."""
    return Reach("any", via=path, fallback=fallback, assessment_field=assessment_field)


def _owned(qs: models.QuerySet, window: Window, reach: Reach, institution: str = "",
           no_institution: Any = "") -> models.QuerySet:
    """``qs`` narrowed to the records counting for the window's owner (none: all of them)."""
    q = _owner_q(qs.model, window, reach, institution, no_institution)
    return qs if q is None else qs.filter(q)


def _owner_parts(model: type[models.Model], window: Window, reach: Reach, institution: str = "",
                 no_institution: Any = "") -> list[tuple[Q | None, Q]] | None:
    """The (guard, condition) pairs a record meets when it counts for the window's owner (None: no
    owner): it counts when, for one pair, the guard (None: none) and the condition hold. No condition
    multiplies the rows it filters (``access.path_q``)."""
    owner = window.owner
    if owner is None:
        return None
    if owner == "unit":
        return reach.unit_parts(model, window.unit)
    if owner == "park":
        return reach.park_parts(model, window.park)
    if owner == "region":
        return reach.region_parts(model, window.region)
    if not institution:
        raise NotComputed(no_institution or _("This figure has no meaning for one institution."))
    return [(None, path_q(model, institution, "in", [window.owner_pk]))]


def _owner_q(model: type[models.Model], window: Window, reach: Reach, institution: str = "",
             no_institution: Any = "") -> Q | None:
    """The condition a record meets when it counts for the window's owner (None: no owner)."""
    parts = _owner_parts(model, window, reach, institution, no_institution)
    return None if parts is None else _either(parts)


def _either(parts: list[tuple[Q | None, Q]]) -> Q:
    """Records meeting one of the (guard, condition) pairs (a None guard always holds)."""
    q = Q(pk__in=[])
    for guard, condition in parts:
        q |= condition if guard is None else guard & condition
    return q


def _scoped(record_type: str, user, filters: Mapping[str, Any] | None) -> models.QuerySet:
    qs = selectors.record_list(record_type=registry.REGISTRY[record_type], user=user)
    return qs.filter(**dict(filters or {}))


def _day(model: type[models.Model], name: str) -> str:
    """The lookup that compares field ``name`` with a date (a datetime field by its date)."""
    if "__" not in name and isinstance(model._meta.get_field(name), models.DateTimeField):
        return f"{name}__date"
    return name


def when_q(model: type[models.Model], window: Window, *, date_field: str = "", year_field: str = "",
           stock_from: str = "", stock_to: str = "", filters: Mapping[str, Any] | None = None) -> Q:
    """``filters`` (field lookups) and when a record counts in ``window``: its ``date_field`` in the
    window, its ``year_field`` a year the window touches, or in force on the window's last day
    (``stock_from`` on or before it and ``stock_to`` empty or on or after it; no ``stock_to``: never
    ends); none of them: no date condition."""
    q = Q(**dict(filters or {}))
    if stock_from:
        q &= Q(**{f"{stock_from}__lte": window.end})
        if stock_to:
            q &= Q(**{f"{stock_to}__isnull": True}) | Q(**{f"{stock_to}__gte": window.end})
    elif year_field:
        q &= Q(**{f"{year_field}__gte": window.start.year, f"{year_field}__lte": window.end.year})
    elif date_field:
        d = _day(model, date_field)
        q &= Q(**{f"{d}__gte": window.start, f"{d}__lte": window.end})
    return q


def _records(record_type: str, user, window: Window, when: dict[str, Any], reach: Reach, institution: str,
             no_institution: Any) -> models.QuerySet:
    qs = _scoped(record_type, user, None)
    qs = qs.filter(when_q(qs.model, window, **when))
    return _owned(qs, window, reach, institution, no_institution)


def indicator_records(record_type: str, user, window: Window, *, date_field: str | None,
                      filters: Mapping[str, Any] | None = None, reach: Reach = RECORD,
                      institution: str = "", no_institution: Any = "") -> models.QuerySet:
    """The records of ``record_type`` an indicator counts for ``user``: the scoped selector's
    records whose ``date_field`` lies in the window (None: no date condition — ``filters`` say when),
    filtered by ``filters`` and, if the window names an owner, counting for it (an assessment unit,
    park or region by ``reach``; an institution by the ``institution`` path, else :class:`NotComputed`
    with ``no_institution``). Declared indicators get their records the same way through
    :meth:`Indicator.records`; a custom compute starts here, so no figure counts a record its
    reader may not see."""
    return _records(record_type, user, window, {"date_field": date_field or "", "filters": filters},
                    reach, institution, no_institution)


def stock_records(record_type: str, user, window: Window, *, from_field: str, to_field: str | None,
                  filters: Mapping[str, Any] | None = None, reach: Reach = RECORD,
                  institution: str = "", no_institution: Any = "") -> models.QuerySet:
    """The records in force on the window's last day: ``from_field`` on or before it and
    ``to_field`` empty or on or after it (no ``to_field``: never ends)."""
    return _records(record_type, user, window, {"stock_from": from_field, "stock_to": to_field or "",
                                                "filters": filters}, reach, institution, no_institution)


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


REPORTED_REFUSAL = _("Reported figures are filed for an assessment unit or the whole city, not for a park or "
                     "an institution.")


def reported(slug: str) -> Callable[[Any, Window], Figure]:
    """The ``compute`` of a reported indicator: among the ``core.ReportedValue`` records of ``slug``
    the reader may see, filed for exactly the window's unit (no unit: the whole city's figure; a
    region: the figure filed without a unit for that region) for a period lying inside the window,
    the one whose period ends last — a reported figure is a level or a running total (累计), never
    added up. No such record: value ``None``. Parks and institutions file no statistics: refused."""
    def compute(user, window: Window) -> Figure:
        if window.owner in ("park", "institution"):
            raise NotComputed(REPORTED_REFUSAL)
        if window.unit is not None:
            owner: dict[str, Any] = {"unit": window.unit}
        else:
            owner = {"unit__isnull": True} | ({"region": window.region} if window.region is not None else {})
        qs = _scoped("reported-values", user, {"indicator": slug, "period_start__gte": window.start,
                                               "period_end__lte": window.end, **owner})
        latest = qs.order_by("-period_end", "-period_start", "-pk").first()
        if latest is None:
            return Figure(value=None, records=qs.none(), reported=True)
        return Figure(value=latest.value, records=qs.filter(pk=latest.pk), reported=True)
    return compute


@dataclass(frozen=True)
class Indicator:
    """A figure over the records of ``record_type`` the user may see, declared — the library builds
    its queryset and its figure from the declaration (:meth:`records`, :meth:`compute`).

    What is counted: ``record_type``, ``filters`` (field lookups: ``{"status": "held"}``) and when —
    ``date_field`` (a date or datetime in the window), ``year_field`` (a year the window touches) or
    ``stock_from``/``stock_to`` (in force on the window's last day; ``stock_to`` empty: never ends).
    How: ``kind`` (``KINDS``) with ``field_name`` the path a ``distinct`` or ``sum`` (or a ``stock``
    counted distinct) reads; a ``ratio`` divides the figures of the indicators ``numerator`` and
    ``denominator`` (the declarations themselves); a ``reported`` figure is the filed ``core.ReportedValue``. For whom: ``reach``
    (which assessment unit, park or region a record counts for) and ``institution`` (the path naming
    the institution a record counts for) or, where an institution has no meaning, ``no_institution``
    (the reason shown instead of a figure). Display: ``unit`` of measure (项, 场, 万元), ``scale``
    (money is stored in yuan: 10000 for 万元), ``source`` the seed clause served.

    ``custom``: a ``compute(user, window) -> Figure`` only for what a declaration cannot express (say
    why beside it); it starts from :func:`indicator_records` / :func:`stock_records`."""

    slug: str
    label: Any
    documentation: Any
    unit: Any
    record_type: str
    kind: str = COUNT
    reach: Reach = RECORD
    scale: int = 1
    source: str = ""
    date_field: str = ""
    year_field: str = ""
    stock_from: str = ""
    stock_to: str = ""
    filters: Mapping[str, Any] = field(default_factory=dict)
    field_name: str = ""
    numerator: Indicator | None = None
    denominator: Indicator | None = None
    institution: str = ""
    no_institution: Any = ""
    custom: Callable[[Any, Window], Figure] | None = None

    def __post_init__(self):
        def bad(why: str):
            raise ValueError(f"indicator {self.slug!r}: {why}")
        if self.kind not in KINDS:
            bad(f"unknown kind {self.kind!r}")
        if self.custom is not None or self.kind == REPORTED:
            return
        if self.kind == RATIO:
            if not (self.numerator and self.denominator):
                bad("a ratio names its numerator and denominator indicators")
            return
        when = [n for n in ("date_field", "year_field", "stock_from") if getattr(self, n)]
        if len(when) != 1:
            bad("declare exactly one of date_field, year_field, stock_from")
        if (self.kind == STOCK) != bool(self.stock_from):
            bad("a stock is counted by stock_from/stock_to, and only a stock")
        if self.kind in (DISTINCT, SUM) and not self.field_name:
            bad(f"a {self.kind} names the field it reads")
        if bool(self.institution) == bool(self.no_institution):
            bad("declare the institution path, or why an institution has no meaning (no_institution)")

    @property
    def is_reported(self) -> bool:
        """Shown as 上报 (a reported official figure), not 计算 (computed from records)."""
        return self.kind == REPORTED

    def records(self, user, window: Window) -> models.QuerySet:
        """The records the declaration counts for ``user`` in ``window`` (the drill-down)."""
        return _records(self.record_type, user, window, self._when, self.reach, self.institution,
                        self.no_institution)

    @property
    def _when(self) -> dict[str, Any]:
        return {"date_field": self.date_field, "year_field": self.year_field, "stock_from": self.stock_from,
                "stock_to": self.stock_to, "filters": self.filters}

    @property
    def batches(self) -> bool:
        """Whether :func:`batch_values` reads it together with other figures (not a custom compute, a
        ratio or a reported figure)."""
        return self.custom is None and self.kind not in (RATIO, REPORTED)

    def values(self, user, windows: Sequence[Window]) -> list[int | Decimal]:
        """The values :meth:`compute` gives for each of ``windows`` (:func:`batch_values`)."""
        return batch_values(user, [(self, w) for w in windows])

    def compute(self, user, window: Window) -> Figure:
        """The figure for ``user`` in ``window``; raises :class:`NotComputed` (with the reason) where
        the indicator has no meaning for the window's owner."""
        if self.custom is not None:
            return self.custom(user, window)
        if self.kind == REPORTED:
            return reported(self.slug)(user, window)
        if self.kind == RATIO:
            assert self.numerator is not None and self.denominator is not None
            return ratio(self.numerator.compute(user, window), self.denominator.compute(user, window))
        records = self.records(user, window)
        if self.kind == SUM:
            return total(records, self.field_name)
        if self.field_name:  # distinct, or a stock counted once per value
            return distinct(records, self.field_name)
        return count(records)

    def refusal(self, window: Window):
        """Why the indicator has no figure for the window's owner (None: it has one), without a query."""
        if self.kind == REPORTED:
            return REPORTED_REFUSAL if window.owner in ("park", "institution") else None
        if self.kind == RATIO:
            parts = (self.numerator, self.denominator)
            return next(filter(None, (p.refusal(window) for p in parts if p is not None)), None)
        # A custom compute that declares why an institution has no meaning refuses it too.
        if window.owner == "institution" and not self.institution and (self.custom is None or self.no_institution):
            return self.no_institution
        return None

    def shown(self, figure: Figure) -> Decimal | int | None:
        """The figure's value in the display unit (a sum in yuan shown in 万元 is divided by 10000)."""
        if figure.value is None or self.scale == 1:
            return figure.value
        return Decimal(figure.value) / self.scale


NOTHING = Q(pk__in=[])
FENCE = 10**15  # a LIMIT no table reaches: keeps the inner query a query of its own (batch_values)


def _join_alone(groups: dict[tuple, list[int]], items: Sequence[tuple[Indicator, Window]]) -> set[str]:
    """Record types whose figures all go into the query of their one distinct-over-a-many-valued-path
    group (moved there in ``groups``): the join multiplies the records, so those figures must be
    distinct counts — a count is counted distinct by record, and a sum or a filter across a
    many-valued path (which would read the joined rows) keeps the figures in their own query. Read
    once, the records' scope and owners' conditions are computed once rather than twice."""
    joined = set()
    by_type: dict[str, list[tuple]] = {}
    for key in groups:
        by_type.setdefault(key[0], []).append(key)
    for record_type, keys in by_type.items():
        alone = [k for k in keys if k[1] is not None]
        plain = (record_type, None)
        if len(alone) != 1 or plain not in groups:
            continue
        model = registry.REGISTRY[record_type].model
        if any(items[i][0].kind == SUM or any(many_hop(model, f) is not None for f in items[i][0].filters)
               for i in groups[plain]):
            continue
        groups[alone[0]] = groups.pop(plain) + groups[alone[0]]
        joined.add(record_type)
    return joined


class _Column(ExpressionWrapper):
    """A condition computed as a column of the inner query: Django aggregates over an annotation that
    holds a subquery from an inner query (``QuerySet.aggregate``), so the condition is evaluated once
    per record rather than once in every aggregate's filter that tests it."""

    contains_subquery = True


class _Columns:
    """The condition columns of one batch query, each computed once (by key)."""

    def __init__(self):
        self.columns: dict[str, _Column] = {}
        self._names: dict[tuple, str] = {}

    def test(self, key: tuple, condition: Q) -> Q:
        """A test of the column holding ``condition`` (added under ``key`` the first time)."""
        if key not in self._names:
            self._names[key] = name = f"c{len(self._names)}"
            self.columns[name] = _Column(condition, output_field=models.BooleanField())
        return Q(**{self._names[key]: True})


def batch_values(user, items: Sequence[tuple[Indicator, Window]]) -> list[int | Decimal]:
    """The values ``indicator.compute(user, window).value`` gives for each of ``items``, in one query
    per record type: the reader's records of the type are read once and every figure is an aggregate
    over them with its own condition (the declaration's filters, its dates and its owner) — what
    recomputing every programme, or a progress page with eleven units and two periods, needs. The
    figures that count distinct values across one many-valued path (the institutions of a project)
    share a query of their own, since the join they need multiplies the records (which a distinct
    count does not mind, and a count or a sum would). Only :attr:`Indicator.batches` indicators; an
    owner an indicator has no meaning for raises :class:`NotComputed` as ``compute`` does.

    Two things keep the query to one pass over the records: the records no figure can count (outside
    every window, failing every filter) are left out by the query's WHERE, and the inner query is
    fenced (a LIMIT no table reaches) so that each owner's condition — and each hashed subquery in it
    — is computed once per record, not once per aggregate that tests it (PostgreSQL would otherwise
    pull the inner query up into the aggregates: at a million records, 3× the work for 20 figures)."""
    groups: dict[tuple, list[int]] = {}
    for i, (ind, _window) in enumerate(items):
        if not ind.batches:
            raise ValueError(f"indicator {ind.slug!r}: batch_values() takes declared counts, sums and stocks")
        model = registry.REGISTRY[ind.record_type].model
        alone = bool(ind.field_name) and many_hop(model, ind.field_name) is not None
        groups.setdefault((ind.record_type, ind.field_name if alone else None), []).append(i)
    joined = _join_alone(groups, items)
    out: list[int | Decimal] = [0] * len(items)
    for (record_type, _alone), members in groups.items():
        base = _scoped(record_type, user, None)
        # Each owner's conditions once per record, as columns of an inner query (their subqueries built
        # once), however many figures and periods read them, and a reach's guards (the record names no
        # party) once for every owner; the aggregates then test the columns.
        columns = _Columns()
        aggregates = {}
        counted: Q | None = NOTHING  # the records one of the figures may count (None: any record)
        for i in members:
            ind, window = items[i]
            q = when_q(base.model, window, **ind._when)
            counted = None if counted is None or not q else counted | q
            parts = _owner_parts(base.model, window, ind.reach, ind.institution, ind.no_institution)
            if parts is not None:
                owner = (ind.reach, window.owner, window.owner_pk, ind.institution)
                counts = Q(pk__in=[])
                for j, (guard, condition) in enumerate(parts):
                    test = columns.test(("owner", owner, j), condition)
                    if guard is not None:
                        test &= columns.test(("guard", ind.reach, j), guard)
                    counts |= test
                q &= counts
            if ind.kind == SUM:
                aggregates[f"v{i}"] = Sum(ind.field_name, filter=q)
            elif ind.field_name:  # distinct, or a stock counted once per value
                aggregates[f"v{i}"] = Count(ind.field_name, distinct=True, filter=q)
            elif record_type in joined:  # the records multiplied by the distinct path's join: each once
                aggregates[f"v{i}"] = Count("pk", distinct=True, filter=q)
            else:  # no condition multiplies a record (access.path_q): a plain count
                aggregates[f"v{i}"] = Count("pk", filter=q)
        inner = base if counted is None else base.filter(counted)
        got = inner.annotate(**columns.columns).order_by()[:FENCE].aggregate(**aggregates)
        for i in members:
            value = got[f"v{i}"]
            out[i] = Decimal(value or 0) if items[i][0].kind == SUM else value
    return out
