"""Scores of supervision rounds, computed from rule definitions held as data (``ScoringRule.definition()``
or the copy an issued report stores), never from constants here.

Kinds (``RuleKind``), with ``points`` the full mark of the item:

- ``ratio_cap``: points × min(actual ÷ target, cap) — weighted completion, capped (a target of 0
  counts as met: ratio 1);
- ``average_steps``: points plus the points of the first step (highest ``from`` first) that actual ÷
  the average of the units reaches, never below 0 (no average — nobody counted anything — ratio 1);
- ``yes_no``: points when actual ≥ target (no target: actual > 0), else 0;
- ``bonus``: min(points, per × actual), added on top of the full marks (not part of the maximum).

A rule names the unit kinds it applies to (``unit_kinds``; empty: all); for other units it is not
applicable: no score and nothing in the unit's maximum.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from duijie.programmes.choices import RuleKind

CENT = Decimal("0.01")


def _d(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def applies(rule: dict, unit_kind: str) -> bool:
    return not rule.get("unit_kinds") or unit_kind in rule["unit_kinds"]


def needs_average(rule: dict) -> bool:
    return rule["kind"] == RuleKind.AVERAGE_STEPS


def average(values: Iterable) -> Decimal | None:
    """The mean of the values counted (None when there are none)."""
    vals = [Decimal(str(v)) for v in values if v is not None]
    return (sum(vals) / len(vals)).quantize(Decimal("0.0001"), ROUND_HALF_UP) if vals else None


def score(rule: dict, actual, target, avg=None) -> Decimal | None:
    """The points ``rule`` gives for ``actual`` against ``target`` (and, for steps, the units'
    average ``avg``), rounded to cents; None when there is no actual to score."""
    if actual is None:
        return None
    actual, target, points = Decimal(str(actual)), _d(target), Decimal(str(rule["points"]))
    kind = rule["kind"]
    if kind == RuleKind.RATIO_CAP:
        ratio = Decimal(1) if not target else actual / target
        result = points * min(ratio, Decimal(str(rule["cap"])))
    elif kind == RuleKind.AVERAGE_STEPS:
        avg = _d(avg)
        ratio = Decimal(1) if not avg else actual / avg
        steps = sorted(((Decimal(str(a)), Decimal(str(b))) for a, b in rule["steps"]), reverse=True)
        extra = next((pts for start, pts in steps if ratio >= start), Decimal(0))
        result = max(Decimal(0), points + extra)
    elif kind == RuleKind.YES_NO:
        met = actual >= target if target else actual > 0
        result = points if met else Decimal(0)
    elif kind == RuleKind.BONUS:
        result = min(points, Decimal(str(rule["per"])) * actual)
    else:
        raise ValueError(f"unknown scoring rule kind {kind!r}")
    return result.quantize(CENT, ROUND_HALF_UP)


def maximum(rules: Iterable[dict]) -> Decimal:
    """The full marks of the rules (bonus items add on top, so they are not in it)."""
    return sum((Decimal(str(r["points"])) for r in rules if r["kind"] != RuleKind.BONUS), Decimal(0))


def describe(rule: dict) -> str:
    """The rule in words, as the report prints it."""
    kind, points = rule["kind"], rule["points"]
    if kind == RuleKind.RATIO_CAP:
        return _("%(p)s × min(actual ÷ target, %(cap)s)") % {"p": points, "cap": rule["cap"]}
    if kind == RuleKind.AVERAGE_STEPS:
        steps = "；".join(_("≥ %(a)s× average: %(b)s") % {"a": a, "b": b} for a, b in rule["steps"])
        text = _("%(p)s, adjusted by the steps relative to the average of the units (%(steps)s)") % {
            "p": points, "steps": steps}
        return text + (_("; average %(avg)s") % {"avg": rule["average"]} if rule.get("average") else "")
    if kind == RuleKind.YES_NO:
        return _("%(p)s if the target is met, else 0") % {"p": points}
    return _("Bonus: %(per)s per unit counted, at most %(p)s") % {"per": rule["per"], "p": points}
