"""A search, stage by stage: candidates (:mod:`.candidates`) → features (:mod:`.features`) → fusion
(:mod:`.fusion`; with Rocchio feedback, candidates and features once more for the moved query
vector) → the top ``k`` with their reasons (:mod:`.reasons`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from matchkit.fusion import Weights, for_query
from matchkit.index import candidates, features, fusion, reasons
from matchkit.index.records import Query, Reason, Result, ScoreParts, record_text
from matchkit.text import normalize, shows_as_reason

if TYPE_CHECKING:
    from matchkit.index.facade import Index


class SearchMemo:
    """What several searches of one query share, per row: its structured signals and the query terms
    found in its text, which depend on the query, the weights and the row alone (not on ``k`` or the
    other candidates). Pass one to :meth:`Index.search` for searches of the same query with another
    ``k`` (a page ranking 30 experts for one list and 120 for another); results are the same as
    without it. Entries belong to one version of one index (keyed by both), so a memo outliving a
    reload is never wrong, only useless; keep it for one request."""

    def __init__(self) -> None:
        self._parts: dict[tuple, dict] = {}

    def part(self, idx: Index, *key: Any) -> dict:
        return self._parts.setdefault((idx, idx.generation, *key), {})


def _query_key(query: Query) -> tuple:
    return tuple(tuple(v) if isinstance(v, list) else v for v in dataclasses.astuple(query))


def run(idx: Index, query: Query, k: int, *, method: str, w: Weights, query_vector: np.ndarray | None,
        exclude: Sequence[str], explain: bool, conflicts: str, groups: Iterable[str] | None,
        memo: SearchMemo | None = None) -> list[Result]:
    w = for_query(w, len((query.title or "").strip()) + len((query.text or "").strip()))
    allowed, conflicted = candidates.allowed_rows(idx, query, exclude, groups, conflicts)
    qnorm = normalize(record_text(query.title, query.text))
    shared = memo.part(idx, _query_key(query), w, method) if memo is not None else {}
    if "qtokens" not in shared:
        shared["qtokens"] = idx.tokenizer.tokens(qnorm, normalized=True)
    qtokens = shared["qtokens"]
    ncand = max(idx.candidates, 3 * k)

    # 1. candidates
    pool = candidates.first_pass(idx, query, qtokens, method, allowed, ncand, query_vector)
    if pool is None:
        return []
    bm, qv, rows = pool.bm25, pool.query_vector, pool.rows

    # 2. features: structured signals only those the query can fire, each row's once per search
    # (the feedback pass re-uses the first pass's rows)
    plan = features.signal_plan(query, w) if method == "hybrid" else []
    rows_memo: features.Memo = shared.setdefault("structured", {})
    pq = features.query_field(idx, qv, w, method)
    f = features.compute(idx, query, rows, qv, w, plan, rows_memo, pq)

    # 3. fusion, and with Rocchio feedback once more for the moved query vector's candidates
    fused = fusion.score(bm, f, w, method)
    if method == "hybrid" and qv is not None and w.prf_k > 0 and w.prf_alpha > 0:
        moved = candidates.feedback_pass(idx, qv, rows, fused, w, allowed, ncand)
        if moved is not None:
            q2, rows = moved
            bm = pool.score_rows(rows)
            known = (f.rows, f.field_dist) if f.field_dist is not None else None
            # the field side stays the query's own (feedback moves the vector only)
            f = features.compute(idx, query, rows, qv, w, plan, rows_memo, pq, scored_with=q2, known=known)
            fused = fusion.score(bm, f, w, method)
    cols = fusion.feature_columns(bm, f, w) if method == "hybrid" else {}
    order = fusion.top(idx, fused, rows, k)

    # 4. results with their reasons
    # the only terms a reason can show: in the query's text and reading as a reason (decided once per
    # search, not once per result: shared_terms checks the same, cheaply, on what is left)
    qterms = [t for t in dict.fromkeys(qtokens) if t in qnorm and shows_as_reason(t)]
    idf_memo: dict[str, float] = shared.setdefault("idf", {})
    terms_memo: dict[int, list[str]] = shared.setdefault("terms", {})
    out = []
    for rank, j in enumerate(order, start=1):
        r = int(rows[j])
        rec = idx._records[r]
        feats = fusion.features_of(j, cols, f) if method == "hybrid" else ()
        parts = ScoreParts(float(bm[r]), float(f.shown[j]), float(f.structured[j]), float(fused[j]), feats)
        why: tuple[Reason, ...] = ()
        if explain:
            inferred: list[Reason] = []
            if f.field_dist is not None and f.field_overlap is not None and pq is not None:
                inferred = reasons.inferred_field(pq, f.field_dist[j], float(f.field_overlap[j]))
            why = tuple(reasons.explain(idx, qnorm, qterms, r, parts, structured=f.structured_reasons[j],
                                        inferred=inferred, dense_pool=f.shown, idf_memo=idf_memo,
                                        terms_memo=terms_memo))
        if r in conflicted:  # only reachable with conflicts="flag"
            why = (reasons.CONFLICT, *why)
        out.append(Result(rec.id, rec.kind, rank, float(fused[j]), parts, why))
    return out
