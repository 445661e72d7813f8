"""The money rules of award schemes: their kinds, parameter validation and the allocation.

Plain Python over ``Decimal`` (no database): the candidates finder (``candidates.py``) turns records
into :class:`Candidate` rows, :func:`allocate` turns them into :class:`Allocation` lines, and the
frozen payout list recomputes a line's amount here from the inputs it stored (``payouts.py``).

Money is ``Decimal`` yuan, rounded to the fen once, at the line (ROUND_HALF_UP); totals are sums
of lines. Code holds the kinds of rule, never their numbers (those are ``RuleVersion.parameters``):

- ``share``: ``rate`` of the basis amount (the registered contract amount), optionally capped per
  line (``cap_per_line``) and per payee and year (``cap_per_payee``);
- ``per_person``: a fixed ``amount`` per person, at most ``max_count`` people a year;
- ``per_org_capped``: ``amount_per_item`` per basis item (a training course), at most ``cap`` per
  organisation and year;
- ``per_item``: a fixed ``amount`` per basis item (a workstation), optionally at most
  ``max_items_per_payee`` items per payee;
- ``ranked``: by the evaluation's score, highest first; ``tiers`` give the amount down to a rank
  (``[{"up_to_rank": 3, "amount": "200000"}, {"up_to_rank": 10, "amount": "100000"}]``), candidates
  below ``min_score`` or past the last tier get nothing.

Allocation order is deterministic (each candidate's ``order``, then its key; ranked: score first), so a
rerun on the same candidates gives the same lines. A line is refused — with its reason — when the
payee already has the same purpose and year in another scheme (``taken``), when the count cap is full
("名额已满（100/100）"), when the payee's cap is used up, or when the budget left cannot cover it
(never partly paid: the budget is never overdrawn).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from duijie.awards.choices import Outcome, RuleKind

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def fen(value: Decimal) -> Decimal:
    """``value`` rounded to the fen, half up (the one rounding, at the line)."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def yuan(value: Decimal) -> str:
    """¥1,234.50 — how reasons print money."""
    return f"¥{value:,.2f}"


class RuleError(ValueError):
    """Parameters that do not fit the kind: ``errors`` maps each parameter to what is wrong."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


# kind → {parameter: (type, required)}; type is "money", "rate", "count", "score" or "tiers".
SCHEMA: dict[str, dict[str, tuple[str, bool]]] = {
    RuleKind.SHARE: {"rate": ("rate", True), "cap_per_line": ("money", False), "cap_per_payee": ("money", False)},
    RuleKind.PER_PERSON: {"amount": ("money", True), "max_count": ("count", True)},
    RuleKind.PER_ORG_CAPPED: {"amount_per_item": ("money", True), "cap": ("money", True)},
    RuleKind.PER_ITEM: {"amount": ("money", True), "max_items_per_payee": ("count", False)},
    RuleKind.RANKED: {"tiers": ("tiers", True), "min_score": ("score", False)},
}


def _decimal(name: str, raw: Any, errors: dict) -> Decimal | None:
    if isinstance(raw, bool) or not isinstance(raw, (int, str, float, Decimal)):
        errors[name] = _("must be a number, got %(value)r") % {"value": raw}
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        errors[name] = _("must be a number, got %(value)r") % {"value": raw}
        return None
    if not value.is_finite():
        errors[name] = _("must be a number, got %(value)r") % {"value": raw}
        return None
    return value


def _money(name: str, raw: Any, errors: dict) -> str | None:
    value = _decimal(name, raw, errors)
    if value is None:
        return None
    if value < 0:
        errors[name] = _("must not be negative (got %(value)s)") % {"value": raw}
    elif value != value.quantize(FEN):
        errors[name] = _("must be in yuan to the fen, at most two decimals (got %(value)s)") % {"value": raw}
    else:
        return str(value.quantize(FEN))
    return None


def validate_parameters(kind: str, parameters: Any) -> dict[str, Any]:
    """The parameters normalised for storage (money as "1234.50" strings), or :class:`RuleError`
    naming each parameter that is missing, unknown or out of range."""
    if kind not in SCHEMA:
        raise RuleError({"kind": _("unknown rule kind %(kind)r") % {"kind": kind}})
    if not isinstance(parameters, dict):
        raise RuleError({"parameters": _("must be an object of named parameters")})
    schema, errors, out = SCHEMA[kind], {}, {}
    for name in parameters:
        if name not in schema:
            errors[name] = _("unknown parameter for this kind; known: %(known)s") % {"known": ", ".join(schema)}
    for name, (typ, required) in schema.items():
        raw = parameters.get(name)
        if raw is None or raw == "":
            if required:
                errors[name] = _("required")
            continue
        if typ == "money":
            out[name] = _money(name, raw, errors)
        elif typ == "rate":
            value = _decimal(name, raw, errors)
            if value is not None and not Decimal(0) < value <= Decimal(1):
                errors[name] = _("must be a share above 0 and at most 1, e.g. 0.02 (got %(value)s)") % {"value": raw}
            elif value is not None:
                out[name] = str(value)
        elif typ == "count":
            if isinstance(raw, bool) or (not isinstance(raw, int) and not (isinstance(raw, str) and raw.isdigit())):
                errors[name] = _("must be a whole number, got %(value)r") % {"value": raw}
            elif int(raw) < 1:
                errors[name] = _("must be at least 1 (got %(value)s)") % {"value": raw}
            else:
                out[name] = int(raw)
        elif typ == "score":
            value = _decimal(name, raw, errors)
            if value is not None:
                out[name] = str(value)
        elif typ == "tiers":
            out[name] = _tiers(name, raw, errors)
    if errors:
        raise RuleError(errors)
    return out


def _tiers(name: str, raw: Any, errors: dict) -> list | None:
    if not isinstance(raw, list) or not raw:
        errors[name] = _("must be a list of {up_to_rank, amount}, best rank first")
        return None
    tiers, last = [], 0
    for i, tier in enumerate(raw, 1):
        rank = tier.get("up_to_rank") if isinstance(tier, dict) else None
        sub: dict[str, str] = {}
        amount = _money("amount", tier.get("amount") if isinstance(tier, dict) else None, sub)
        if isinstance(rank, bool) or not isinstance(rank, int) or rank <= last:
            errors[name] = _("tier %(n)s: up_to_rank must be a whole number above the previous tier's (%(last)s)") % {
                "n": i, "last": last}
            return None
        if amount is None:
            errors[name] = _("tier %(n)s: amount %(why)s") % {"n": i, "why": sub.get("amount", _("required"))}
            return None
        tiers.append({"up_to_rank": rank, "amount": amount})
        last = rank
    return tiers


@dataclass(frozen=True)
class Rule:
    """A rule version as the engine sees it: its id, kind and validated parameters."""

    kind: str
    parameters: Mapping[str, Any]
    version_id: int | None = None

    def money(self, name: str) -> Decimal | None:
        raw = self.parameters.get(name)
        return None if raw in (None, "") else Decimal(str(raw))


@dataclass(frozen=True)
class Candidate:
    """One possible line: who would be paid (``payee_key`` identifies a person or organisation across
    schemes), for what (``key``: the basis, unique in a run) and the inputs read from its basis records:
    ``base`` (an amount), ``quantity`` (basis items) or ``score`` (the evaluation)."""

    key: str
    payee_key: str
    payee_label: str
    rule: Rule
    base: Decimal | None = None
    quantity: int = 1
    score: Decimal | None = None
    order: tuple = ()
    basis: str = ""  # the basis records (default: the key); the same basis is paid once per run

    @property
    def basis_key(self) -> str:
        return self.basis or self.key


@dataclass(frozen=True)
class Allocation:
    candidate: Candidate
    entitlement: Decimal  # what the rule gives before count caps, payee caps and the budget
    amount: Decimal  # what is allocated (0.00 when refused)
    outcome: str
    reason: str = ""
    rank: int | None = None
    quantity: int | None = None  # basis items paid, when a payee's item limit cut them (per_item)

    @property
    def paid(self) -> bool:
        return self.outcome in (Outcome.ALLOCATED, Outcome.CAPPED)


def line_entitlement(rule: Rule, *, base: Decimal | None = None, quantity: int = 1,
                     rank: int | None = None) -> Decimal:
    """What one line is entitled to by its rule alone (per-line caps included, rounded to the fen).
    The frozen payout list recomputes each line with this from the inputs it stored."""
    kind, p = rule.kind, rule.parameters
    if kind == RuleKind.SHARE:
        amount = fen(Decimal(base or 0) * Decimal(str(p["rate"])))
        cap = rule.money("cap_per_line")
        return min(amount, cap) if cap is not None else amount
    if kind == RuleKind.PER_PERSON:
        return fen(Decimal(str(p["amount"])))
    if kind == RuleKind.PER_ORG_CAPPED:
        return fen(Decimal(str(p["amount_per_item"])) * quantity)
    if kind == RuleKind.PER_ITEM:
        items = min(quantity, int(p["max_items_per_payee"])) if p.get("max_items_per_payee") else quantity
        return fen(Decimal(str(p["amount"])) * items)
    if kind == RuleKind.RANKED:
        for tier in p["tiers"]:
            if rank is not None and rank <= tier["up_to_rank"]:
                return fen(Decimal(str(tier["amount"])))
        return ZERO
    raise ValueError(f"unknown rule kind {kind!r}")


ONE_PER_PAYEE = (RuleKind.PER_PERSON, RuleKind.RANKED)


def payee_cap(rule: Rule) -> Decimal | None:
    if rule.kind == RuleKind.SHARE:
        return rule.money("cap_per_payee")
    if rule.kind == RuleKind.PER_ORG_CAPPED:
        return rule.money("cap")
    return None


def _sorted(candidates: Iterable[Candidate]) -> list[Candidate]:
    def key(c: Candidate):
        ranked = c.rule.kind == RuleKind.RANKED
        score = -(c.score if c.score is not None else Decimal("-Infinity")) if ranked else Decimal(0)
        return (score, c.order, c.key)
    return sorted(candidates, key=key)


def allocate(candidates: Iterable[Candidate], *, budget: Decimal | None, used: Decimal = ZERO,
             taken: Mapping[str, str] | None = None) -> list[Allocation]:
    """The lines of one run, in allocation order. ``budget``: the scheme's budget for the year (None:
    no budget); ``used``: what other runs of it already hold; ``taken``: payee key → where the payee
    already has this purpose and year (another scheme), refused as duplicates."""
    taken = taken or {}
    left = None if budget is None else fen(budget) - fen(used)
    out: list[Allocation] = []
    seen_keys: set[str] = set()
    one_per_payee: set[str] = set()
    payee_total: dict[str, Decimal] = {}
    payee_items: dict[str, int] = {}
    counted = 0
    rank = 0
    for c in _sorted(candidates):
        rule = c.rule
        # Amounts read from the basis (a contract's amount) are paid once per basis record; a person's
        # award once per person, however many records it names.
        dedupe = c.key if rule.kind in ONE_PER_PAYEE else c.basis_key
        if dedupe in seen_keys:
            out.append(Allocation(c, ZERO, ZERO, Outcome.DUPLICATE, _("The same basis record is already a line of this run.")))
            continue
        seen_keys.add(dedupe)
        if c.payee_key in taken:
            out.append(Allocation(c, ZERO, ZERO, Outcome.DUPLICATE,
                                  _("Already awarded for the same purpose and year: %(where)s.") % {"where": taken[c.payee_key]}))
            continue
        if rule.kind in ONE_PER_PAYEE and c.payee_key in one_per_payee:
            out.append(Allocation(c, ZERO, ZERO, Outcome.DUPLICATE,
                                  _("The same person or organisation already has a line of this run.")))
            continue
        line_rank = None
        if rule.kind == RuleKind.RANKED:
            if c.score is None:
                out.append(Allocation(c, ZERO, ZERO, Outcome.REFUSED, _("No evaluation score.")))
                continue
            minimum = rule.money("min_score")
            if minimum is not None and c.score < minimum:
                out.append(Allocation(c, ZERO, ZERO, Outcome.REFUSED,
                                      _("Score %(score)s is below the minimum %(min)s.") % {"score": c.score, "min": minimum}))
                continue
            rank += 1
            line_rank = rank
        quantity = c.quantity
        capped_reason = ""
        if rule.kind == RuleKind.PER_ITEM and rule.parameters.get("max_items_per_payee"):
            limit = int(rule.parameters["max_items_per_payee"])
            room = max(limit - payee_items.get(c.payee_key, 0), 0)
            if room == 0:
                out.append(Allocation(c, ZERO, ZERO, Outcome.REFUSED,
                                      _("The payee's items are full (%(n)s/%(max)s).") % {"n": limit, "max": limit}))
                continue
            if quantity > room:
                capped_reason = _("Only %(room)s of %(q)s items within the payee's limit of %(max)s.") % {
                    "room": room, "q": quantity, "max": limit}
                quantity = room
        entitlement = line_entitlement(rule, base=c.base, quantity=quantity, rank=line_rank)
        if rule.kind == RuleKind.SHARE and rule.money("cap_per_line") is not None \
                and fen(Decimal(c.base or 0) * Decimal(str(rule.parameters["rate"]))) > entitlement:
            capped_reason = _("Capped at %(cap)s per line.") % {"cap": yuan(entitlement)}
        if rule.kind == RuleKind.RANKED and entitlement == 0:
            out.append(Allocation(c, ZERO, ZERO, Outcome.REFUSED, _("Rank %(rank)s is past the last rewarded rank.") % {
                "rank": line_rank}, rank=line_rank))
            continue
        if rule.kind == RuleKind.PER_PERSON:
            limit = int(rule.parameters["max_count"])
            if counted >= limit:
                out.append(Allocation(c, entitlement, ZERO, Outcome.REFUSED,
                                      _("Quota full (%(n)s/%(max)s)") % {"n": counted, "max": limit}))
                continue
        amount = entitlement
        cap = payee_cap(rule)
        if cap is not None:
            room = cap - payee_total.get(c.payee_key, ZERO)
            if room <= 0:
                out.append(Allocation(c, entitlement, ZERO, Outcome.REFUSED,
                                      _("The payee's cap of %(cap)s for the year is used up.") % {"cap": yuan(cap)}))
                continue
            if amount > room:
                amount = room
                capped_reason = _("Capped at the payee's %(cap)s for the year (%(room)s left).") % {
                    "cap": yuan(cap), "room": yuan(room)}
        if left is not None and amount > left:
            out.append(Allocation(c, entitlement, ZERO, Outcome.REFUSED,
                                  _("Budget exhausted: %(left)s left, this line needs %(amount)s.") % {
                                      "left": yuan(left), "amount": yuan(amount)}, rank=line_rank))
            continue
        if left is not None:
            left -= amount
        payee_total[c.payee_key] = payee_total.get(c.payee_key, ZERO) + amount
        payee_items[c.payee_key] = payee_items.get(c.payee_key, 0) + quantity
        if rule.kind in ONE_PER_PAYEE:
            one_per_payee.add(c.payee_key)
        if rule.kind == RuleKind.PER_PERSON:
            counted += 1
        out.append(Allocation(c, entitlement, amount, Outcome.CAPPED if capped_reason else Outcome.ALLOCATED,
                              capped_reason, rank=line_rank,
                              quantity=quantity if quantity != c.quantity else None))
    return out


@dataclass
class Totals:
    lines: int = 0
    paid_lines: int = 0
    amount: Decimal = ZERO
    by_payee: dict[str, Decimal] = field(default_factory=dict)


def totals(allocations: Iterable[Allocation]) -> Totals:
    """The sums of the lines (never computed any other way)."""
    t = Totals()
    for a in allocations:
        t.lines += 1
        if a.paid:
            t.paid_lines += 1
            t.amount += a.amount
            t.by_payee[a.candidate.payee_key] = t.by_payee.get(a.candidate.payee_key, ZERO) + a.amount
    return t
