"""Learning fusion weights from feedback — a pure function, no storage, no Django.

The hybrid score is linear in a handful of features (``ScoreParts.features``: normalised BM25,
normalised cosine, and the strength of each structured signal), so the weights can be learnt from
what users said about the results they saw:

    imps = [Impression.from_result("D12", "demand", r) for r in results]     # logged when shown
    events = [Event("D12", "E7", "contacted"), Event("D12", "E3", "not_useful", reason="wrong_field")]
    w = learn(events, imps)                                                    # → a new Weights

Method: a pairwise logistic loss (RankNet) over pairs of results of the same query where the user
preferred one to the other — a stronger label beats a weaker one (``became_project`` > ``contacted``
> ``useful`` > ``not_useful``), and a liked result beats the results shown *above* it that got no
feedback (skip-above, weight 0.3). The loss is regularised towards the starting weights (L2,
``prior`` pseudo-pairs per weight, scaled by each weight's size), and every weight stays within
``max_shift`` × its default of the default (and never below zero), so a few clicks move the
ranking a little and cannot wreck it; with no usable feedback the defaults come back unchanged.
Feedback given with reason ``already_known`` says nothing about relevance and is ignored.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from matchkit import signals
from matchkit.fusion import Weights

LABELS = {"not_useful": 0.0, "useful": 1.0, "contacted": 2.0, "became_project": 4.0}
# reasons a user can give with "not useful"; all but already_known count as "not relevant"
REASONS = ("wrong_field", "too_early", "too_far", "already_known", "other")
IGNORED_REASONS = {"already_known"}
SKIP_ABOVE = 0.3  # weight of "liked result beats an unlabelled one shown above it"
# features the learner may re-weight: every signal's fusion weight (matchkit.signals, in its order)
FEATURES = signals.NAMES
MIN_TEXT_WEIGHT = 0.05  # bm25 and dense never go below this


@dataclass(frozen=True)
class Impression:
    """One result as shown: the query, the record, its rank and the features at that time."""

    query_id: str
    record_id: str
    rank: int
    features: tuple[tuple[str, float], ...]
    query_kind: str = ""
    record_kind: str = ""

    @classmethod
    def from_result(cls, query_id: str, query_kind: str, result) -> Impression:
        return cls(query_id, result.id, result.rank, tuple(result.parts.features), query_kind, result.kind)


@dataclass(frozen=True)
class Event:
    """Feedback on one shown result. ``label``: useful | not_useful | contacted | became_project."""

    query_id: str
    record_id: str
    label: str
    reason: str | None = None
    query_kind: str = ""
    record_kind: str = ""

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValueError(f"label must be one of {sorted(LABELS)}, got {self.label!r}")


def _vector(features: Iterable[tuple[str, float]]) -> np.ndarray:
    v = np.zeros(len(FEATURES))
    for name, x in features:
        if name in FEATURES and x is not None and math.isfinite(x):
            v[FEATURES.index(name)] = x
    return v


def pairs(events: Iterable[Event], impressions: Iterable[Impression],
          kinds: tuple[str, str] | None = None) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """(features of the preferred result, features of the other, weight) for every usable pair."""
    shown: dict[tuple[str, str], Impression] = {}
    by_query: dict[str, list[Impression]] = defaultdict(list)
    for imp in impressions:
        if kinds and (imp.query_kind, imp.record_kind) != kinds:
            continue
        key = (imp.query_id, imp.record_id)
        if key not in shown:  # the first impression logged is the one the user reacted to
            shown[key] = imp
            by_query[imp.query_id].append(imp)
    label: dict[tuple[str, str], float] = {}
    for ev in events:
        if ev.reason in IGNORED_REASONS:
            continue
        key = (ev.query_id, ev.record_id)
        if key in shown:
            label[key] = max(label.get(key, -1.0), LABELS[ev.label])  # the strongest word wins
    out = []
    for qid, imps in by_query.items():
        labelled = [(i, label[(qid, i.record_id)]) for i in imps if (qid, i.record_id) in label]
        for a, la in labelled:
            for b, lb in labelled:
                if la > lb:
                    out.append((_vector(a.features), _vector(b.features), la - lb))
            if la > 0:  # skip-above: unlabelled results ranked above a liked one
                for b in imps:
                    if (qid, b.record_id) not in label and b.rank < a.rank:
                        out.append((_vector(a.features), _vector(b.features), SKIP_ABOVE * la))
    return out


def learn(events: Iterable[Event], impressions: Iterable[Impression], base: Weights | None = None, *,
          prior: float = 10.0, max_shift: float = 1.0, steps: int = 300, lr: float = 0.5,
          kinds: tuple[str, str] | None = None) -> Weights:
    """New fusion weights from feedback, starting from ``base`` (default: the fixed defaults).

    ``prior``: how many pseudo-pairs the starting weights are worth (more → slower to move);
    ``max_shift``: each weight stays within ``max_shift × max(default, 0.05)`` of its default;
    ``kinds``: only use impressions of this (query kind, record kind), e.g. ("demand", "expert").
    Deterministic: the same feedback gives the same weights.
    """
    base = base or Weights()
    w0 = np.array([getattr(base, f) for f in FEATURES], dtype=float)
    scale = np.maximum(w0, 0.05)
    data = pairs(events, impressions, kinds)
    if not data:
        return base
    diff = np.array([a - b for a, b, _ in data])  # preferred minus other
    c = np.array([x for _, _, x in data])
    lo = np.maximum(w0 - max_shift * scale, 0.0)
    text = [i for i, f in enumerate(FEATURES) if signals.get(f).kind == "text"]
    lo[text] = np.maximum(lo[text], MIN_TEXT_WEIGHT)
    hi = w0 + max_shift * scale
    w = w0.copy()
    # diagonal bound on the curvature (logistic'' ≤ 1/4): steps scaled by it never overshoot
    h = (c[:, None] * diff**2).sum(axis=0) / 4.0 + prior / scale**2
    for _ in range(steps):  # projected, diagonally preconditioned gradient descent (convex loss)
        m = diff @ w
        g_loss = -(diff * (c / (1.0 + np.exp(np.clip(m, -30, 30))))[:, None]).sum(axis=0)
        g_prior = prior * (w - w0) / scale**2
        w = np.clip(w - lr * (g_loss + g_prior) / h, lo, hi)
    return base.replace(**{f: float(round(x, 4)) for f, x in zip(FEATURES, w, strict=True)})


def weight_changes(old: Weights, new: Weights) -> dict[str, tuple[float, float]]:
    """Weights that moved, for an audit line or an admin page: name → (old, new)."""
    return {f: (getattr(old, f), getattr(new, f)) for f in FEATURES if abs(getattr(old, f) - getattr(new, f)) > 1e-9}


__all__: Sequence[str] = ("FEATURES", "LABELS", "REASONS", "Event", "Impression", "learn", "pairs", "weight_changes")
