"""Stage 1 of a search: which rows may be ranked (alive, visible, of the wanted kinds, not excluded,
no conflict of interest) and which of them are candidates — the best ``ncand`` by BM25 ∪ the best by
cosine (:class:`~matchkit.vectors.VectorSearcher`) — and, for Rocchio feedback, the neighbours of the
query vector moved towards the first pass's best results."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from matchkit.fusion import Weights
from matchkit.index import lexical
from matchkit.index.records import KINDS, Query
from matchkit.text import normalize

if TYPE_CHECKING:
    from matchkit.index.facade import Index


@dataclass
class Candidates:
    rows: np.ndarray  # sorted row numbers
    bm25: np.ndarray  # raw BM25 by row number: exact for ``rows`` and any rows passed to ``score_rows``
    query_vector: np.ndarray | None
    lexical: lexical.Scores | None = None

    def score_rows(self, rows: np.ndarray) -> np.ndarray:
        """Make ``bm25`` exact for ``rows`` too (the feedback pass's new candidates); returns it."""
        return self.lexical.ensure(rows) if self.lexical is not None else self.bm25


def allowed_rows(idx: Index, query: Query, exclude: Sequence[str], groups: Iterable[str] | None,
                 conflicts: str) -> tuple[np.ndarray, set[int]]:
    """The mask of rows that may be ranked, and the rows in conflict with ``query.org``."""
    allowed = idx._alive.copy()
    if groups is not None:
        allowed &= idx.group_mask(groups)
    if query.target_kinds:
        allowed &= np.isin(idx._kind, [KINDS.index(x) for x in query.target_kinds])
    for rid in exclude:
        if rid in idx._row:
            allowed[idx._row[rid]] = False
    conflicted: set[int] = idx._conflicts.get(normalize(query.org), set()) if query.org else set()
    if conflicted and conflicts == "exclude":
        allowed[list(conflicted)] = False
    return allowed, conflicted


def first_pass(idx: Index, query: Query, qtokens: list[str], method: str, allowed: np.ndarray, ncand: int,
               query_vector: np.ndarray | None) -> Candidates | None:
    """BM25 candidates ∪ vector candidates (None when there are none)."""
    lex = None
    cand: set[int] = set()
    if method != "dense" and qtokens:  # BM25 top-k retrieval: only the query terms' postings are read
        best, lex = lexical.top(idx, qtokens, allowed, ncand)
        cand.update(best.tolist())
    qv = None
    if method != "bm25" and idx.encoder is not None and idx._has_vec.any():
        qv = query_vector if query_vector is not None else idx.encode_query(query)
        assert qv is not None  # there is an encoder
        cand.update(idx._dense().search(qv, ncand, allowed & idx._has_vec)[0].tolist())
    if method == "dense" and qv is None:
        raise RuntimeError("dense search needs an encoder and encoded records")
    if not cand:
        return None
    rows = np.fromiter(sorted(cand), dtype=np.int64)
    bm = lex.ensure(rows) if lex is not None else np.zeros(len(idx._records), dtype=np.float32)
    return Candidates(rows, bm, qv, lex)


def feedback_pass(idx: Index, qv: np.ndarray, rows: np.ndarray, fused: np.ndarray, w: Weights,
                  allowed: np.ndarray, ncand: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Rocchio feedback: the query vector moved towards the best ``w.prf_k`` first-pass rows, and the
    candidates with its neighbours added — (moved vector, rows) or None when no feedback row has a vector."""
    first = np.argsort(-fused, kind="stable")[: w.prf_k]
    fb = rows[first][idx._has_vec[rows[first]]]
    if not len(fb):
        return None
    q2 = qv.astype(np.float32) + w.prf_alpha * idx._vectors[fb].astype(np.float32).mean(axis=0)
    q2 /= max(float(np.linalg.norm(q2)), 1e-12)
    more = idx._dense().search(q2, ncand, allowed & idx._has_vec)[0]
    return q2, np.union1d(rows, more).astype(np.int64)
