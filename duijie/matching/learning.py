"""Feedback → ranking. Isolated here so a better learner can replace it (``matchkit.feedback``, when it
lands, gets the same events: see ``events_for``).

Two effects, both documented and tested:

1. **Fusion weights per kind pair** (e.g. demand → expert). Each feedback carries the score parts the
   result had when shown (BM25 normalised to the list's best, cosine min-max scaled, structured).
   A positive verdict (有用 +1, 已联系 +2) pulls weight towards the signals that were high on that
   result, a 不相关 (−1) pushes it away: ``w_s = w0_s · exp(η · Σ y·(p_s − ½) / √N)``, clipped to
   [½, 2]·w0_s, then BM25 and dense renormalised to the default sum. η = 0.5. With no feedback the
   defaults (tuned on bench/matching) stand.
2. **Pair adjustments**: a 不相关 on (source, target) lowers that target's score for that source
   (×0.25 for the user who said so, ×0.5 per other user's verdict, at most ×0.1); 有用 ×1.15, 已联系 ×1.3
   (at most ×1.5). 已知悉 (already known) hides it for the user who said so. Scores may be negative
   (standardised fusion): ``selectors._scaled`` moves them in the right direction either way.
"""

from __future__ import annotations

import math
from collections import defaultdict

from django.db.models import Max

from duijie.matching.models import Feedback, IrrelevantReason, Verdict
from matchkit import Weights

ETA = 0.5
LABEL = {Verdict.USEFUL: 1.0, Verdict.CONTACTED: 2.0, Verdict.IRRELEVANT: -1.0}
_cache: dict[tuple[str, str], tuple[int | None, Weights]] = {}


def events_for(source_kind: str, target_kind: str) -> list[dict]:
    return [{"label": LABEL[f.verdict], "bm25": f.bm25, "dense": f.dense, "structured": f.structured,
             "reason": f.reason} for f in Feedback.objects.filter(source_kind=source_kind, target_kind=target_kind)]


def learn(events: list[dict], base: Weights) -> Weights:
    if not events:
        return base
    sums = {"bm25": 0.0, "dense": 0.0}
    for e in events:
        for s in sums:
            p = e.get(s)
            if p is not None and not math.isnan(p):
                sums[s] += e["label"] * (p - 0.5)
    scale = ETA / math.sqrt(len(events))
    raw = {s: getattr(base, s) * min(2.0, max(0.5, math.exp(scale * v))) for s, v in sums.items()}
    total = base.bm25 + base.dense
    norm = total / (raw["bm25"] + raw["dense"])
    return base.replace(bm25=raw["bm25"] * norm, dense=raw["dense"] * norm)


def weights_for(source_kind: str, target_kind: str, base: Weights | None = None) -> Weights:
    base = base or Weights()
    stamp = Feedback.objects.filter(source_kind=source_kind, target_kind=target_kind).aggregate(m=Max("pk"))["m"]
    hit = _cache.get((source_kind, target_kind))
    if hit and hit[0] == stamp and stamp is not None:
        return hit[1]
    w = learn(events_for(source_kind, target_kind), base) if stamp else base
    _cache[(source_kind, target_kind)] = (stamp, w)
    return w


def pair_adjustments(source: str, targets: list[str], user) -> tuple[dict[str, float], set[str]]:
    """Score factors per target for this source, and the targets hidden for this user (已知悉)."""
    factor: dict[str, float] = defaultdict(lambda: 1.0)
    hidden: set[str] = set()
    for f in Feedback.objects.filter(source=source, target__in=targets).only("target", "verdict", "reason", "user_id"):
        if f.verdict == Verdict.IRRELEVANT:
            if f.reason == IrrelevantReason.KNOWN and f.user_id == user.pk:
                hidden.add(f.target)
            else:
                # the user's own verdict counts more for them than other users' do
                own = f.user_id == user.pk
                factor[f.target] = max(0.1, factor[f.target] * (0.25 if own else 0.5))
        elif f.verdict == Verdict.USEFUL:
            factor[f.target] = min(1.5, factor[f.target] * 1.15)
        elif f.verdict == Verdict.CONTACTED:
            factor[f.target] = min(1.5, factor[f.target] * 1.3)
    return dict(factor), hidden
