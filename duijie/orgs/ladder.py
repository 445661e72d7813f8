"""The kinds of cultivation conditions (培育库 rules) and how one is checked: pure functions, no
database. A rule's conditions are data (``CultivationRule.conditions``), each

    {"measure": "rd_intensity", "min": "3", "basis": "…", "public": true}
    {"measure": "rd_intensity", "bands": [{"revenue_up_to": "50000000", "min": "5"}, …, {"min": "3"}], …}
    {"measure": "manual", "label": "高新技术产品收入占比≥60%", "basis": "…", "public": true}

``min``: the value must be at least this; ``bands``: the minimum depends on the enterprise's revenue
(the first band whose ``revenue_up_to`` is not below the revenue; the last band has none);
``manual``: a criterion the platform does not record, listed so the list shows the whole criterion,
never deciding. ``public``: the threshold is a public criterion's text (``basis`` names the clause)
rather than local configuration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from duijie.orgs.choices import Measure

HUNDRED = Decimal(100)


def _number(value: Any) -> Decimal | None:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return d if d.is_finite() else None


def condition_errors(conditions: Any) -> list[str]:
    """Why ``conditions`` is not a valid list of conditions (empty: valid). Each message names the
    condition (1-based) and the field."""
    if not isinstance(conditions, list) or not conditions:
        return [_("A rule needs at least one condition (a list).")]
    errors: list[str] = []
    measures = set(Measure.values)
    for n, c in enumerate(conditions, 1):
        where = _("Condition %(n)s") % {"n": n}
        if not isinstance(c, dict):
            errors.append(_("%(where)s: not an object.") % {"where": where})
            continue
        measure = c.get("measure")
        if measure not in measures:
            errors.append(_("%(where)s: unknown measure %(m)r.") % {"where": where, "m": measure})
            continue
        if not str(c.get("basis", "")).strip():
            errors.append(_("%(where)s: the basis (source clause or 'local configuration') is missing.")
                          % {"where": where})
        if not isinstance(c.get("public"), bool):
            errors.append(_("%(where)s: say whether the threshold is a public criterion (public: true/false).")
                          % {"where": where})
        if measure == Measure.MANUAL:
            if not str(c.get("label", "")).strip():
                errors.append(_("%(where)s: a manual criterion needs its label.") % {"where": where})
            continue
        if ("min" in c) == ("bands" in c):
            errors.append(_("%(where)s: give either min or bands.") % {"where": where})
            continue
        if "min" in c:
            errors += _threshold_errors(where, "min", c["min"])
            continue
        bands = c["bands"]
        if measure != Measure.RD_INTENSITY and measure != Measure.RD_STAFF_SHARE:
            errors.append(_("%(where)s: revenue bands apply to a share, not to %(m)s.") % {"where": where, "m": measure})
        if not isinstance(bands, list) or not bands:
            errors.append(_("%(where)s: bands must be a non-empty list.") % {"where": where})
            continue
        last = None
        for i, band in enumerate(bands, 1):
            here = _("%(where)s, band %(i)s") % {"where": where, "i": i}
            if not isinstance(band, dict):
                errors.append(_("%(where)s: not an object.") % {"where": here})
                continue
            errors += _threshold_errors(here, "min", band.get("min"))
            up_to = band.get("revenue_up_to")
            if up_to is None:
                if i != len(bands):
                    errors.append(_("%(where)s: only the last band may have no revenue_up_to.") % {"where": here})
                continue
            errors += _threshold_errors(here, "revenue_up_to", up_to)
            v = _number(up_to)
            if v is not None and last is not None and v <= last:
                errors.append(_("%(where)s: revenue_up_to must grow from band to band.") % {"where": here})
            last = v
        if isinstance(bands[-1], dict) and bands[-1].get("revenue_up_to") is not None:
            errors.append(_("%(where)s: the last band must have no revenue_up_to (it holds every larger revenue).")
                          % {"where": where})
    return errors


def _threshold_errors(where: str, name: str, value: Any) -> list[str]:
    v = _number(value)
    if v is None:
        return [_("%(where)s: %(name)s %(v)r is not a number.") % {"where": where, "name": name, "v": value}]
    if v < 0:
        return [_("%(where)s: %(name)s %(v)s is negative.") % {"where": where, "name": name, "v": value}]
    return []


@dataclass(frozen=True)
class Figures:
    """One enterprise's figures a condition reads: its yearly metrics of ``year`` (None: none on file)
    and its founding date."""

    year: int | None
    revenue: Decimal | None
    rd_spend: Decimal | None
    employees: int | None
    rd_staff: int | None
    invention_patents: int | None
    founded_on: date | None


@dataclass(frozen=True)
class Check:
    """A condition applied to one enterprise: ``passed`` True/False, None when it cannot be decided
    (a manual criterion, or the figure is not on file); ``value`` the figure read, ``need`` the minimum."""

    label: str
    value: Decimal | None
    need: Decimal | None
    passed: bool | None
    public: bool
    basis: str


def value_of(measure: str, f: Figures, as_of: date) -> Decimal | None:
    if measure == Measure.RD_INTENSITY:
        return (f.rd_spend / f.revenue * HUNDRED) if f.rd_spend is not None and f.revenue else None
    if measure == Measure.RD_STAFF_SHARE:
        return (Decimal(f.rd_staff) / Decimal(f.employees) * HUNDRED) if f.rd_staff is not None and f.employees else None
    if measure == Measure.INVENTION_PATENTS:
        return None if f.invention_patents is None else Decimal(f.invention_patents)
    if measure == Measure.REVENUE:
        return f.revenue
    if measure == Measure.RD_SPEND:
        return f.rd_spend
    if measure == Measure.YEARS_FOUNDED:
        if f.founded_on is None:
            return None
        years = as_of.year - f.founded_on.year - ((as_of.month, as_of.day) < (f.founded_on.month, f.founded_on.day))
        return Decimal(years)
    return None


def minimum(condition: dict, f: Figures) -> Decimal | None:
    if "min" in condition:
        return Decimal(str(condition["min"]))
    if f.revenue is None:
        return None
    for band in condition["bands"]:
        up_to = band.get("revenue_up_to")
        if up_to is None or f.revenue <= Decimal(str(up_to)):
            return Decimal(str(band["min"]))
    return None


def check(condition: dict, f: Figures, as_of: date) -> Check:
    measure = condition["measure"]
    public, basis = bool(condition.get("public")), str(condition.get("basis", ""))
    if measure == Measure.MANUAL:
        return Check(str(condition["label"]), None, None, None, public, basis)
    label = str(condition.get("label") or Measure(measure).label)
    value, need = value_of(measure, f, as_of), minimum(condition, f)
    passed = None if value is None or need is None else value >= need
    return Check(label, value, need, passed, public, basis)


def evaluate(conditions: list[dict], f: Figures, as_of: date) -> tuple[bool, list[Check]]:
    """Whether every recorded condition holds (a manual one never decides; a missing figure fails),
    and the check of each."""
    checks = [check(c, f, as_of) for c in conditions]
    ok = all(ch.passed is True for c, ch in zip(conditions, checks, strict=True) if c["measure"] != Measure.MANUAL)
    return ok, checks
