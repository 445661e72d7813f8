"""Stage 4 of a search: why each result matched, in words a person uses — the structured signals that
fired first (same industry, region, IPC …), then the shared domain phrases (BM25's evidence, without
numbers, units, single characters, generic words or words found in a large share of the index), then
the semantic closeness as a grade relative to the other candidates (not a raw cosine), then the
inferred field both sides share; a conflict of interest when it was kept with ``conflicts="flag"``.
Texts come from the signals' declarations (:mod:`matchkit.signals`)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from matchkit import fields as fieldinf
from matchkit import signals
from matchkit.index import lexical
from matchkit.index.records import Reason, ScoreParts
from matchkit.text import shows_as_reason

if TYPE_CHECKING:
    from matchkit.index.facade import Index

CONFLICT = Reason("conflict", "利益冲突：该对象与需求方存在任职或利益关系，请回避或核实")
_TERMS = signals.get("bm25")
_SEMANTIC = signals.get("dense")
_FIELD = signals.get("inferred_field")
MAX_TERMS = 5
# A word in more than this share of the records says little about any one of them (checked only in an
# index large enough for the share to mean something).
COMMON_SHARE, COMMON_MIN_RECORDS = 0.2, 200


def inferred_field(pq: np.ndarray, pd: np.ndarray, overlap: float) -> list[Reason]:
    """The inferred-field reason when both sides put enough joint mass on one item."""
    if np.isnan(overlap):
        return []
    item = fieldinf.shared_field(pq, pd)
    assert _FIELD.explain is not None
    return [Reason(_FIELD.reason_code, _FIELD.explain(item), strength=float(overlap))] if item else []


def top_share(value: float, pool: np.ndarray) -> float:
    """The share of the candidates whose value is at least ``value`` (0.01: the very best)."""
    finite = pool[~np.isnan(pool)]
    if not len(finite) or np.isnan(value):
        return math.nan
    return float(np.count_nonzero(finite >= value)) / len(finite)


def shared_terms(idx: Index, qnorm: str, qterms: list[str], row: int, idf_memo: dict[str, float]) -> list[str]:
    """Up to ``MAX_TERMS`` query terms found in the record's text that read as reasons, rarest and
    longest first, a term already inside a longer one dropped."""
    dtext = idx._norm_text[row]
    shared = [t for t in qterms if t in dtext and t in qnorm and shows_as_reason(t)]
    if not shared:
        return []
    bm = idx._bm25 or idx._lexical()
    for t in shared:
        if t not in idf_memo:  # per search: one lookup per term, not per result
            idf_memo[t] = lexical.rarity(bm, t)
    n = len(idx._records)
    if n >= COMMON_MIN_RECORDS:
        shared = [t for t in shared if -idf_memo[t] <= COMMON_SHARE * n]
    shared.sort(key=lambda t: (-idf_memo[t], -len(t), t))
    picked: list[str] = []
    for t in shared:
        if not any(t in p for p in picked):
            picked.append(t)
        if len(picked) == MAX_TERMS:
            break
    return picked


def explain(idx: Index, qnorm: str, qterms: list[str], row: int, parts: ScoreParts, *,
            structured: list[Reason], inferred: list[Reason], dense_pool: np.ndarray | None,
            idf_memo: dict[str, float] | None = None, terms_memo: dict[int, list[str]] | None = None
            ) -> list[Reason]:
    """The reasons of one result: the structured signals that fired, the shared terms, the semantic
    grade among the candidates (``dense_pool``: their cosines), then the inferred field.
    ``terms_memo``: the shared terms by row, for this query's terms (``qnorm``, ``qterms``)."""
    reasons = list(structured)
    if terms_memo is not None and row in terms_memo:
        picked = terms_memo[row]
    else:
        picked = shared_terms(idx, qnorm, qterms, row, {} if idf_memo is None else idf_memo)
        if terms_memo is not None:
            terms_memo[row] = picked
    if picked:
        assert _TERMS.explain is not None
        reasons.append(Reason(_TERMS.reason_code, _TERMS.explain(picked), tuple(picked)))
    if not np.isnan(parts.dense):
        share = top_share(parts.dense, dense_pool) if dense_pool is not None else math.nan
        assert _SEMANTIC.explain is not None
        reasons.append(Reason(_SEMANTIC.reason_code, _SEMANTIC.explain(share), strength=float(parts.dense)))
    reasons.extend(inferred)
    return reasons
