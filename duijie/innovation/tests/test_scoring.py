"""Property tests of the score's arithmetic (plain Python): a total stays within [0, maximum] for any
raw values and weights, reruns give the same lines, equal scores share rank and percentile."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from duijie.innovation import scoring
from duijie.innovation.services import _score

STEPS = {"steps": [["0", "0.2"], ["10", "0.5"], ["20", "0.8"], ["30", "1"]]}
METHODS = [("linear_cap", {"cap": "10"}), ("piecewise", STEPS), ("percentile", {}), ("boolean", {})]
GROUPS = ["tech", "tech", "growth", "aux", "bonus", "negative"]

raw = st.one_of(st.none(), st.booleans(),
                st.decimals(min_value=-1000, max_value=10**9, allow_nan=False, allow_infinity=False, places=4).map(str))


def _partition(total: int, n: int, cuts: list[int]) -> list[int]:
    points = sorted(c % (total + 1) for c in cuts[: n - 1])
    edges = [0, *points, total]
    return [edges[i + 1] - edges[i] for i in range(n)]


@st.composite
def a_set(draw):
    totals = {s: {"tech": draw(st.integers(0, 80)), "growth": draw(st.integers(0, 50)), "aux": draw(st.integers(0, 30)),
                  "bonus": draw(st.integers(0, 20)), "negative": draw(st.integers(0, 30))} for s in scoring.STAGES}
    weights = {}
    for s in scoring.STAGES:
        tech = _partition(totals[s]["tech"], 2, draw(st.lists(st.integers(0, 1000), min_size=1, max_size=1)))
        weights[s] = [*tech, totals[s]["growth"], totals[s]["aux"],
                      draw(st.integers(0, totals[s]["bonus"])), draw(st.integers(0, totals[s]["negative"]))]
    methods = [draw(st.sampled_from(METHODS)) for _ in GROUPS]
    return totals, weights, methods


@settings(max_examples=150, deadline=None)
@given(a_set(), st.lists(st.tuples(st.sampled_from(scoring.STAGES), st.lists(raw, min_size=6, max_size=6)),
                         min_size=1, max_size=8))
def test_total_within_zero_and_maximum_and_reruns_identical(the_set, enterprises):
    totals, weights, methods = the_set
    rows = [{"code": f"X{i}", "group": g, "weights": {s: weights[s][i] for s in scoring.STAGES}}
            for i, g in enumerate(GROUPS)]
    scoring.validate_weights(rows, totals)  # the generated set is valid

    def lines():
        return [{"stage": stage, "breakdown": [
            {"code": f"X{i}", "group": g, "method": methods[i][0], "params": methods[i][1],
             "weight": str(weights[stage][i]), "raw": raws[i]} for i, g in enumerate(GROUPS)]}
            for stage, raws in enterprises]

    first, second = lines(), lines()
    _score(first, totals)
    _score(second, totals)
    assert first == second
    for line in first:
        assert Decimal(0) <= line["total"] <= line["maximum"]
        assert line["maximum"] == scoring.maximum(totals, line["stage"])
        for b in line["breakdown"]:
            assert Decimal(0) <= Decimal(b["points"]) <= Decimal(b["weight"])


@given(st.dictionaries(st.integers(0, 50), st.integers(0, 5).map(Decimal), min_size=1, max_size=30))
def test_equal_scores_share_rank_and_percentile(scores):
    ranks = scoring.ranks(scores)
    for a, ra in ranks.items():
        assert 1 <= ra.rank <= ra.of == len(scores)
        assert Decimal(0) < ra.percentile <= Decimal(100)
        for b, rb in ranks.items():
            if scores[a] == scores[b]:
                assert (ra.rank, ra.percentile) == (rb.rank, rb.percentile)
            elif scores[a] > scores[b]:
                assert ra.rank < rb.rank and ra.percentile > rb.percentile


def test_competition_ranking_skips_after_a_tie():
    r = scoring.ranks({"a": Decimal(9), "b": Decimal(7), "c": Decimal(7), "d": Decimal(1)})
    assert [r[k].rank for k in "abcd"] == [1, 2, 2, 4]
    assert [r[k].percentile for k in "abcd"] == [Decimal("87.5"), Decimal("50.0"), Decimal("50.0"), Decimal("12.5")]


def test_bad_parameters_are_named():
    for method, params, field in (("linear_cap", {"cap": 0}, "params"), ("piecewise", {"steps": [["5", "2"]]}, "params"),
                                  ("nonsense", {}, "method")):
        try:
            scoring.validate_params(method, params)
        except scoring.SetError as exc:
            assert field in exc.errors
        else:
            raise AssertionError(f"{method} {params} accepted")
