"""The innovation score's arithmetic, plain Python (no models or queries; messages through gettext):
scoring methods, the stage rule, a line's points and total, rank and percentile.

Code holds the kinds (methods, the stage rule's shape); every number — caps, steps, weights, group
totals, stage bands — is data stored with the indicator set (models.py) and passed in here.

- A method turns a raw value into a share in [0, 1] of the indicator's weight (:func:`share`).
- Points = weight × share, rounded half-up to 0.01 once, per indicator (:func:`points`).
- A total = the core groups' points + the bonus points (capped at the bonus group's total) − the
  negative points (capped at the negative group's total), never below 0 (:func:`total`); so a total
  lies in [0, core groups' totals + bonus total] (:func:`maximum`).
- Rank is competition ranking (equal scores share a rank; the next rank skips: 1, 2, 2, 4) and the
  percentile is the mid-rank percentile: 100 × (number below + ½ × number equal) / n, one decimal
  (:func:`ranks`) — equal scores always get equal ranks and percentiles.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from duijie.innovation.choices import Group, Stage

CENT = Decimal("0.01")
ZERO = Decimal("0")
ONE = Decimal("1")
CORE = ("tech", "growth", "aux")
BONUS, NEGATIVE = "bonus", "negative"
GROUPS = (*CORE, BONUS, NEGATIVE)
STAGES = ("startup", "growth", "stable")
METHODS = ("linear_cap", "piecewise", "percentile", "boolean")


class SetError(ValueError):
    """Bad set data: ``errors`` maps a field name to the reasons (shown to the user as field errors)."""

    def __init__(self, errors: Mapping[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = dict(errors)


def cent(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return d if d.is_finite() else None


# ------------------------------------------------------------------------------------- methods

def validate_params(method: str, params: Any) -> dict:
    """The method's parameters, checked and normalised (numbers as strings); raises ``SetError`` on
    the field ``params`` with every reason."""
    errors: list[str] = []
    if method not in METHODS:
        raise SetError({"method": [_("unknown scoring method “%(m)s”") % {"m": method}]})
    params = dict(params or {}) if isinstance(params, Mapping) else None
    if params is None:
        raise SetError({"params": [_("the parameters are an object, e.g. {\"cap\": 100}")]})
    if method == "linear_cap":
        cap = _number(params.get("cap"))
        if cap is None or cap <= 0:
            errors.append(_("linear_cap needs a cap greater than 0 (the raw value that earns the full weight)"))
        else:
            params["cap"] = str(cap)
    elif method == "piecewise":
        steps = params.get("steps")
        if not isinstance(steps, list) or not steps:
            errors.append(_("piecewise needs steps: [[threshold, share], …] with thresholds ascending"))
        else:
            out, last_t, last_s = [], None, ZERO
            for i, step in enumerate(steps, 1):
                if not isinstance(step, (list, tuple)) or len(step) != 2:
                    errors.append(_("step %(i)s is not [threshold, share]") % {"i": i})
                    continue
                t, s = _number(step[0]), _number(step[1])
                if t is None or s is None:
                    errors.append(_("step %(i)s: threshold and share must be numbers") % {"i": i})
                    continue
                if not ZERO <= s <= ONE:
                    errors.append(_("step %(i)s: the share %(s)s is outside 0–1") % {"i": i, "s": s})
                if last_t is not None and t <= last_t:
                    errors.append(_("step %(i)s: threshold %(t)s is not above the one before (%(last)s)") % {"i": i, "t": t, "last": last_t})
                if s < last_s:
                    errors.append(_("step %(i)s: the share %(s)s is below the step before (%(last)s); steps never fall") % {
                        "i": i, "s": s, "last": last_s})
                last_t, last_s = t, s
                out.append([str(t), str(s)])
            params["steps"] = out
    if errors:
        raise SetError({"params": errors})
    return params


def share(method: str, params: Mapping, value: Any, population: Sequence[Decimal] = ()) -> Decimal:
    """The share (0–1) of the weight a raw ``value`` earns. An empty value earns 0. ``population``:
    the values of the enterprises compared with (``percentile`` only)."""
    if method == "boolean":
        return ONE if (value is True or (_number(value) or ZERO) > 0) else ZERO
    v = _number(value)
    if v is None or (v <= 0 and method != "piecewise"):
        return ZERO
    if method == "linear_cap":
        return min(v / Decimal(params["cap"]), ONE)
    if method == "piecewise":
        got = ZERO
        for t, s in params["steps"]:
            if v >= Decimal(t):
                got = Decimal(s)
        return got
    if method == "percentile":
        others = [p for p in population if p is not None]
        if not others:
            return ZERO
        below = sum(1 for p in others if p < v)
        equal = sum(1 for p in others if p == v)
        return (Decimal(below) + Decimal(equal) / 2) / Decimal(len(others))
    raise ValueError(method)


def points(weight: Decimal, share_: Decimal) -> Decimal:
    return cent(Decimal(weight) * share_)


# ------------------------------------------------------------------------------------- the set

def _g(group: str) -> str:
    return str(Group(group).label) if group in Group.values else group


def _s(stage: str) -> str:
    return str(Stage(stage).label) if stage in Stage.values else stage


def validate_weights(indicators: Iterable[Mapping], group_totals: Mapping) -> None:
    """Each core group's weights add up, stage by stage, to the group's total; a bonus or negative
    item's weight is at most its group's total; no weight or total is negative. ``indicators``:
    dicts with code, group, weights ({stage: number}). Raises ``SetError`` with one entry per bad
    field: ``w-<code>-<stage>`` for a weight, ``total-<group>-<stage>`` for a group total."""
    errors: dict[str, list[str]] = {}
    indicators = list(indicators)
    totals: dict[tuple[str, str], Decimal] = {}
    for stage in STAGES:
        for group in GROUPS:
            t = _number((group_totals.get(stage) or {}).get(group)) if isinstance(group_totals, Mapping) else None
            key = f"total-{group}-{stage}"
            if t is None:
                errors.setdefault(key, []).append(_("the total of %(g)s for %(st)s is missing") % {"g": _g(group), "st": _s(stage)})
            elif t < 0:
                errors.setdefault(key, []).append(_("the total %(t)s is negative") % {"t": t})
            else:
                totals[(group, stage)] = t
    sums: dict[tuple[str, str], Decimal] = {}
    for ind in indicators:
        for stage in STAGES:
            key = f"w-{ind['code']}-{stage}"
            w = _number((ind.get("weights") or {}).get(stage))
            if w is None:
                errors.setdefault(key, []).append(_("%(code)s: the weight for %(st)s is missing") % {"code": ind["code"], "st": _s(stage)})
                continue
            if w < 0:
                errors.setdefault(key, []).append(_("%(code)s: the weight %(w)s for %(st)s is negative") % {
                    "code": ind["code"], "w": w, "st": _s(stage)})
                continue
            g = ind["group"]
            sums[(g, stage)] = sums.get((g, stage), ZERO) + w
            cap = totals.get((g, stage))
            if g in (BONUS, NEGATIVE) and cap is not None and w > cap:
                errors.setdefault(key, []).append(
                    _("%(code)s: the weight %(w)s is above the cap %(cap)s of %(g)s for %(st)s") % {
                        "code": ind["code"], "w": w, "cap": cap, "g": _g(g), "st": _s(stage)})
    for group in CORE:
        for stage in STAGES:
            t = totals.get((group, stage))
            s = sums.get((group, stage), ZERO)
            if t is not None and s != t:
                errors.setdefault(f"total-{group}-{stage}", []).append(
                    _("the weights of %(g)s for %(st)s add up to %(sum)s, not to the group total %(t)s") % {
                        "g": _g(group), "st": _s(stage), "sum": s, "t": t})
    if errors:
        raise SetError(errors)


def maximum(group_totals: Mapping, stage: str) -> Decimal:
    """The highest total an enterprise of ``stage`` can reach: the core groups' totals plus the bonus cap."""
    t = group_totals[stage]
    return sum((Decimal(str(t[g])) for g in (*CORE, BONUS)), ZERO)


def total(lines: Iterable[tuple[str, Decimal]], group_totals: Mapping, stage: str) -> Decimal:
    """A total from (group, points) lines: core points + bonus (capped) − negative (capped), ≥ 0."""
    t = group_totals[stage]
    core = bonus = negative = ZERO
    for group, p in lines:
        if group == BONUS:
            bonus += p
        elif group == NEGATIVE:
            negative += p
        else:
            core += p
    bonus = min(bonus, Decimal(str(t[BONUS])))
    negative = min(negative, Decimal(str(t[NEGATIVE])))
    return cent(max(core + bonus - negative, ZERO))


# ------------------------------------------------------------------------------------- stages

def validate_stage_rule(rule: Any) -> list[dict]:
    """The stage rule: bands of years since founding, in order, e.g.
    [{"stage": "startup", "max_years": 3}, {"stage": "growth", "max_years": 10}, {"stage": "stable"}];
    the last band has no upper bound. Raises ``SetError`` on ``stage_rule``."""
    errors = []
    if not isinstance(rule, list) or not rule:
        raise SetError({"stage_rule": [_("the stage rule is a list of bands by years since founding")]})
    last = -1
    for i, band in enumerate(rule, 1):
        if not isinstance(band, Mapping) or band.get("stage") not in STAGES:
            errors.append(_("band %(i)s names no stage of %(stages)s") % {"i": i, "stages": ", ".join(STAGES)})
            continue
        top = band.get("max_years")
        if i == len(rule):
            if top is not None:
                errors.append(_("the last band has no upper bound (leave max_years out)"))
        elif not isinstance(top, int) or isinstance(top, bool) or top <= last:
            errors.append(_("band %(i)s: max_years must be a whole number above the band before") % {"i": i})
        else:
            last = top
    if errors:
        raise SetError({"stage_rule": errors})
    return [dict(b) for b in rule]


def stage_of(rule: Sequence[Mapping], years: int) -> str:
    """The stage of an enterprise ``years`` after its founding year (the first band it fits)."""
    for band in rule:
        top = band.get("max_years")
        if top is None or years <= top:
            return band["stage"]
    return rule[-1]["stage"]


# ------------------------------------------------------------------------------------- ranks

@dataclass(frozen=True)
class Rank:
    rank: int
    of: int
    percentile: Decimal


def ranks(scores: Mapping[Any, Decimal]) -> dict[Any, Rank]:
    """Competition rank (1 = best; ties share it) and mid-rank percentile of each key's score."""
    values = sorted(scores.values())
    n = len(values)
    out = {}
    for key, s in scores.items():
        below = bisect_left(values, s)
        equal = bisect_right(values, s) - below
        higher = n - below - equal
        pct = (Decimal(100) * (Decimal(below) + Decimal(equal) / 2) / Decimal(n)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP)
        out[key] = Rank(rank=higher + 1, of=n, percentile=pct)
    return out
