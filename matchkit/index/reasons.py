"""Stage 4 of a search: why each result matched — the shared terms (BM25's evidence), the semantic
closeness (the cosine), the inferred field both sides share, the structured signals that fired, and a
conflict of interest when it was kept with ``conflicts="flag"``. Texts come from the signals'
declarations (:mod:`matchkit.signals`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from matchkit import fields as fieldinf
from matchkit import signals
from matchkit.index import lexical
from matchkit.index.records import Reason, ScoreParts

if TYPE_CHECKING:
    from matchkit.index.facade import Index

CONFLICT = Reason("conflict", "利益冲突：该对象与需求方存在任职或利益关系，请回避或核实")
_TERMS = signals.get("bm25")
_SEMANTIC = signals.get("dense")
_FIELD = signals.get("inferred_field")
MAX_TERMS = 5


def inferred_field(pq: np.ndarray, pd: np.ndarray, overlap: float) -> list[Reason]:
    """The inferred-field reason when both sides put enough joint mass on one item."""
    if np.isnan(overlap):
        return []
    item = fieldinf.shared_field(pq, pd)
    assert _FIELD.explain is not None
    return [Reason(_FIELD.reason_code, _FIELD.explain(item), strength=float(overlap))] if item else []


def explain(idx: Index, qnorm: str, qterms: list[str], row: int, parts: ScoreParts,
            more: list[Reason], idf_memo: dict[str, float] | None = None) -> list[Reason]:
    """The reasons of one result: shared terms, semantic closeness, then ``more`` (inferred field and
    structured signals, in that order)."""
    reasons = []
    dtext = idx._norm_text[row]
    # a query term is shared when it occurs in the record's text (substring of the normalised text)
    shared = [t for t in qterms if t in dtext and t in qnorm]
    if shared:
        bm = idx._bm25 or idx._lexical()
        memo = {} if idf_memo is None else idf_memo  # per search: one lookup per term, not per result
        for t in shared:
            if t not in memo:
                memo[t] = lexical.rarity(bm, t)
        idf = memo
        # Most specific first; drop a term already contained in a longer shared one.
        shared.sort(key=lambda t: (-idf[t], -len(t), t))
        picked: list[str] = []
        for t in shared:
            if not any(t in p for p in picked):
                picked.append(t)
            if len(picked) == MAX_TERMS:
                break
        assert _TERMS.explain is not None
        reasons.append(Reason(_TERMS.reason_code, _TERMS.explain(picked), tuple(picked)))
    if not np.isnan(parts.dense):
        assert _SEMANTIC.explain is not None
        reasons.append(Reason(_SEMANTIC.reason_code, _SEMANTIC.explain(parts.dense)))
    reasons.extend(more)
    return reasons
