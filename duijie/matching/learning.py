"""Feedback → ranking: ``matchkit.feedback.learn`` (RankNet-style) fed from the database.

Two effects, both tested through the Django path (``tests/test_feedback_learning.py``):

1. **Fusion weights per kind pair** (e.g. demand → expert). The events are the users' verdicts
   (``Feedback``: 有用 → useful, 已联系 → contacted, 不相关 → not_useful with its reason; 已知悉 says
   nothing about relevance and is ignored) plus the strongest one, ``became_project``, derived each
   time from the cooperation records (``matching.cooperation.became_project_pairs``: a project from
   a demand with the expert among its parties, or from an event's 1:1 meeting). The features are the
   ones the user saw, logged with each impression (``Impression.features``; a verdict without a logged
   impression brings the features copied onto it). ``matchkit.feedback.learn`` moves the weights by
   a pairwise logistic loss regularised towards the defaults and bounded (see its docstring); with
   no usable feedback the defaults (tuned on bench/matching) stand. Results are cached per kind pair
   until a new verdict (max ``Feedback`` pk) or a change in the became-a-project pairs.
2. **Pair adjustments**: a 不相关 on (source, target) lowers that target's score for that source
   (×0.25 for the user who said so, ×0.5 per other user's verdict, at most ×0.1); 有用 ×1.15, 已联系 ×1.3
   (together at most ×1.5); a match that became a project ×1.6 on top (at most ×2). 已知悉 (already
   known) hides it for the user who said so. Scores may be negative (standardised fusion):
   ``selectors._scaled`` moves them in the right direction either way.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Max

from duijie.matching import cooperation
from duijie.matching.models import Feedback, Impression, IrrelevantReason, Verdict
from matchkit import Weights
from matchkit import feedback as mk

LABEL = {Verdict.USEFUL: "useful", Verdict.CONTACTED: "contacted", Verdict.IRRELEVANT: "not_useful"}
REASON = {IrrelevantReason.FIELD: "wrong_field", IrrelevantReason.STAGE: "too_early",
          IrrelevantReason.DISTANCE: "too_far", IrrelevantReason.KNOWN: "already_known",
          IrrelevantReason.OTHER: "other"}
BECAME_PROJECT = 1.6
MAX_IMPRESSIONS = 20_000  # newest impressions read per kind pair (only of queries that have feedback)
_cache: dict[tuple[str, str], tuple[tuple, Weights]] = {}


def _features(row) -> tuple[tuple[str, float], ...]:
    feats = dict(row.features or {})
    if not feats:  # logged before features were: the two text parts are what is known
        feats = {"bm25": row.bm25, **({"dense": row.dense} if row.dense is not None else {})}
    return tuple((k, float(v)) for k, v in feats.items() if v is not None)


def events_for(source_kind: str, target_kind: str) -> tuple[list[mk.Event], list[mk.Impression]]:
    """The learner's input for one kind pair: events (verdicts and became-a-project) and impressions."""
    rows = list(Feedback.objects.filter(source_kind=source_kind, target_kind=target_kind).order_by("pk"))
    events = [mk.Event(f.source, f.target, LABEL[f.verdict], REASON.get(f.reason) if f.reason else None,
                       source_kind, target_kind) for f in rows]
    became = cooperation.became_project_pairs(source_kind=source_kind, target_kind=target_kind)
    events += [mk.Event(s, t, "became_project", None, source_kind, target_kind) for s, t in sorted(became)]
    sources = {e.query_id for e in events}
    imps = [mk.Impression(i.source, i.target, i.rank or 0, _features(i), source_kind, target_kind)
            for i in Impression.objects.filter(source_kind=source_kind, target_kind=target_kind,
                                               source__in=sources).order_by("-pk")[:MAX_IMPRESSIONS]]
    imps.reverse()  # oldest first: matchkit takes the first impression of a (query, record)
    # a verdict given where no impression is kept still carries what the user saw
    imps += [mk.Impression(f.source, f.target, f.rank or 0, _features(f), source_kind, target_kind) for f in rows]
    return events, imps


def _stamp(source_kind: str, target_kind: str) -> tuple:
    fb = Feedback.objects.filter(source_kind=source_kind, target_kind=target_kind).aggregate(m=Max("pk"))["m"]
    became = cooperation.became_project_pairs(source_kind=source_kind, target_kind=target_kind)
    return fb, hash(frozenset(became))


def weights_for(source_kind: str, target_kind: str, base: Weights | None = None) -> Weights:
    base = base or Weights()
    stamp = _stamp(source_kind, target_kind)
    hit = _cache.get((source_kind, target_kind))
    if hit and hit[0] == stamp:
        return hit[1]
    if stamp[0] is None and stamp[1] == hash(frozenset()):
        w = base
    else:
        events, imps = events_for(source_kind, target_kind)
        w = mk.learn(events, imps, base, kinds=(source_kind, target_kind))
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
    wanted = set(targets)
    for _s, t in cooperation.became_project_pairs(source_kind=source.partition(":")[0],
                                                  target_kind=None, sources=[source]):
        if t in wanted:
            factor[t] = min(2.0, factor[t] * BECAME_PROJECT)
    return dict(factor), hidden
