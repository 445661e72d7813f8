"""The rule engine, property by property, for every rule kind: caps never exceeded, totals equal to the
sum of the lines, rounding exact to the fen (checked against exact fractions), reruns (in any input
order) giving the same lines, the budget never overdrawn — and parameters refused by name."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from duijie.awards import rules
from duijie.awards.choices import Outcome, RuleKind

MONEY = st.integers(min_value=0, max_value=50_000_000).map(lambda fen: Decimal(fen) / 100)
POSITIVE = st.integers(min_value=1, max_value=2_000_000).map(lambda fen: Decimal(fen) / 100)
RATE = st.integers(min_value=1, max_value=10_000).map(lambda n: Decimal(n) / 10_000)


def _exact_fen(value: Fraction) -> Decimal:
    """Half up to the fen by integer arithmetic, independent of Decimal's rounding."""
    return Decimal(math.floor(value * 100 + Fraction(1, 2))) / 100


@st.composite
def parameters(draw, kind):
    if kind == RuleKind.SHARE:
        p = {"rate": str(draw(RATE))}
        if draw(st.booleans()):
            p["cap_per_line"] = str(draw(MONEY))
        if draw(st.booleans()):
            p["cap_per_payee"] = str(draw(MONEY))
        return p
    if kind == RuleKind.PER_PERSON:
        return {"amount": str(draw(POSITIVE)), "max_count": draw(st.integers(1, 12))}
    if kind == RuleKind.PER_ORG_CAPPED:
        return {"amount_per_item": str(draw(POSITIVE)), "cap": str(draw(MONEY))}
    if kind == RuleKind.PER_ITEM:
        p = {"amount": str(draw(POSITIVE))}
        if draw(st.booleans()):
            p["max_items_per_payee"] = draw(st.integers(1, 5))
        return p
    ranks = sorted(draw(st.sets(st.integers(1, 10), min_size=1, max_size=4)))
    p = {"tiers": [{"up_to_rank": r, "amount": str(draw(POSITIVE))} for r in ranks]}
    if draw(st.booleans()):
        p["min_score"] = str(draw(st.integers(0, 80)))
    return p


@st.composite
def worlds(draw):
    kind = draw(st.sampled_from(list(RuleKind)))
    rule = rules.Rule(kind=kind, parameters=rules.validate_parameters(kind, draw(parameters(kind))), version_id=1)
    n = draw(st.integers(0, 25))
    cands = []
    for i in range(n):
        payee = draw(st.integers(0, 6))
        basis = draw(st.integers(0, n + 2))
        score = draw(st.one_of(st.none(), st.integers(0, 100).map(Decimal)))
        cands.append(rules.Candidate(
            key=f"c{i}", basis=f"b{basis}", payee_key=f"org:{payee}", payee_label=str(payee), rule=rule,
            base=draw(MONEY), quantity=draw(st.integers(1, 6)), score=score, order=(draw(st.integers(0, 5)), i)))
    budget = draw(st.one_of(st.none(), MONEY))
    used = draw(MONEY) if budget is not None and draw(st.booleans()) else Decimal(0)
    if budget is not None:
        used = min(used, budget)
    taken = {f"org:{p}": "另一方案" for p in draw(st.sets(st.integers(0, 6), max_size=2))}
    return rule, cands, budget, used, taken


def _fen_exact(x: Decimal) -> bool:
    return x == x.quantize(rules.FEN) and x.as_tuple().exponent >= -2


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_every_kind_keeps_caps_budget_rounding_and_reruns(world):
    rule, cands, budget, used, taken = world
    lines = rules.allocate(cands, budget=budget, used=used, taken=taken)
    p = rule.parameters
    assert len(lines) == len(cands)
    paid = [a for a in lines if a.paid]
    # Rounding: every amount is exact to the fen, never negative, never above the line's entitlement.
    for a in lines:
        assert _fen_exact(a.amount) and _fen_exact(a.entitlement)
        assert Decimal(0) <= a.amount <= a.entitlement or a.outcome == Outcome.DUPLICATE
        if not a.paid:
            assert a.amount == 0 and a.reason
    # Totals are the sum of the lines; the budget left is never overdrawn.
    t = rules.totals(lines)
    assert t.amount == sum((a.amount for a in paid), Decimal(0))
    assert sum(t.by_payee.values(), Decimal(0)) == t.amount
    if budget is not None:
        assert t.amount <= budget - used
    # Nobody already paid for this purpose and year elsewhere is paid again.
    assert not any(a.candidate.payee_key in taken for a in paid)
    # The caps of each kind.
    if rule.kind == RuleKind.SHARE:
        for a in paid:
            exact = _exact_fen(Fraction(a.candidate.base) * Fraction(p["rate"]))
            if "cap_per_line" in p:
                exact = min(exact, Decimal(p["cap_per_line"]))
            assert a.entitlement == exact
        if "cap_per_payee" in p:
            assert all(v <= Decimal(p["cap_per_payee"]) for v in t.by_payee.values())
        assert len({a.candidate.basis_key for a in paid}) == len(paid)  # each contract paid once
    elif rule.kind == RuleKind.PER_PERSON:
        assert len(paid) <= p["max_count"]
        assert all(a.amount == Decimal(p["amount"]) for a in paid)  # the per-person sum, exactly
        assert len({a.candidate.payee_key for a in paid}) == len(paid)  # once per person
        refused_full = [a for a in lines if a.reason.startswith("名额已满")]
        if refused_full:
            assert len(paid) == p["max_count"]
            assert refused_full[0].reason == f"名额已满（{p['max_count']}/{p['max_count']}）"
    elif rule.kind == RuleKind.PER_ORG_CAPPED:
        assert all(v <= Decimal(p["cap"]) for v in t.by_payee.values())
        for a in paid:
            assert a.entitlement == _exact_fen(Fraction(p["amount_per_item"]) * a.candidate.quantity)
    elif rule.kind == RuleKind.PER_ITEM:
        items: dict[str, int] = {}
        for a in paid:
            items[a.candidate.payee_key] = items.get(a.candidate.payee_key, 0) + (a.quantity or a.candidate.quantity)
            assert a.amount == Decimal(p["amount"]) * (a.quantity or a.candidate.quantity)
        if p.get("max_items_per_payee"):
            assert all(v <= p["max_items_per_payee"] for v in items.values())
    elif rule.kind == RuleKind.RANKED:
        last = max(t["up_to_rank"] for t in p["tiers"])
        assert all(a.rank is not None and a.rank <= last for a in paid)
        assert len({a.candidate.payee_key for a in paid}) == len(paid)
        scores = [a.candidate.score for a in lines if a.rank is not None]
        assert scores == sorted(scores, reverse=True)  # ranked by the evaluation, best first
        for a in paid:
            tier = next(t for t in p["tiers"] if a.rank <= t["up_to_rank"])
            assert a.amount == Decimal(tier["amount"])
    # A rerun — with the candidates in any order — gives the same lines.
    again = rules.allocate(list(reversed(cands)), budget=budget, used=used, taken=taken)
    assert [(a.candidate.key, a.amount, a.outcome, a.reason) for a in again] == \
        [(a.candidate.key, a.amount, a.outcome, a.reason) for a in lines]


def test_rounding_is_half_up_at_the_line_and_totals_are_sums_of_lines():
    rule = rules.Rule(RuleKind.SHARE, rules.validate_parameters(RuleKind.SHARE, {"rate": "0.02"}))
    cands = [rules.Candidate(key=f"c{i}", payee_key="org:1", payee_label="x", rule=rule, base=Decimal("0.25"),
                             order=(i,)) for i in range(3)]
    lines = rules.allocate(cands, budget=None)
    # 0.25 × 2% = 0.005 → 0.01 at each line (half up), so the total is 0.03, not round(0.015) = 0.02.
    assert [a.amount for a in lines] == [Decimal("0.01")] * 3
    assert rules.totals(lines).amount == Decimal("0.03")


def test_the_101st_teacher_is_refused_with_the_reason():
    rule = rules.Rule(RuleKind.PER_PERSON, rules.validate_parameters(
        RuleKind.PER_PERSON, {"amount": 5000, "max_count": 100}))
    cands = [rules.Candidate(key=f"t{i}", payee_key=f"expert:{i}", payee_label=f"教师{i}", rule=rule, order=(i,))
             for i in range(101)]
    lines = rules.allocate(cands, budget=Decimal("500000"))
    assert [a.outcome for a in lines[:100]] == [Outcome.ALLOCATED] * 100
    assert lines[100].outcome == Outcome.REFUSED and lines[100].reason == "名额已满（100/100）"
    assert rules.totals(lines).amount == Decimal("500000.00")


def test_budget_refuses_the_line_that_does_not_fit_and_never_pays_part_of_it():
    rule = rules.Rule(RuleKind.PER_PERSON, {"amount": "2000.00", "max_count": 400})
    cands = [rules.Candidate(key=f"s{i}", payee_key=f"person:{i}", payee_label="学生", rule=rule, order=(i,))
             for i in range(3)]
    lines = rules.allocate(cands, budget=Decimal("5000"))
    assert [a.amount for a in lines] == [Decimal("2000.00"), Decimal("2000.00"), Decimal("0.00")]
    assert "¥1,000.00" in lines[2].reason and "¥2,000.00" in lines[2].reason


@pytest.mark.parametrize(("kind", "params", "field", "words"), [
    (RuleKind.SHARE, {"rate": "0.02", "cap_per_payee": "-5"}, "cap_per_payee", "negative"),
    (RuleKind.PER_ORG_CAPPED, {"amount_per_item": "1000", "cap": -100000}, "cap", "negative"),
    (RuleKind.SHARE, {"rate": "2"}, "rate", "at most 1"),
    (RuleKind.SHARE, {"rate": "0.02", "cap": "10"}, "cap", "unknown parameter"),
    (RuleKind.PER_PERSON, {"amount": "5000.001", "max_count": 100}, "amount", "two decimals"),
    (RuleKind.PER_PERSON, {"amount": "5000"}, "max_count", "required"),
    (RuleKind.PER_PERSON, {"amount": "5000", "max_count": 0}, "max_count", "at least 1"),
    (RuleKind.RANKED, {"tiers": [{"up_to_rank": 3, "amount": "1"}, {"up_to_rank": 2, "amount": "1"}]}, "tiers",
     "previous tier"),
])
def test_bad_parameters_are_refused_by_name(kind, params, field, words):
    with translation.override("en"), pytest.raises(rules.RuleError) as e:
        rules.validate_parameters(kind, params)
    assert field in e.value.errors and words in e.value.errors[field]
