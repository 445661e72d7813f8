"""The lexical side: a bm25s segment over the records' tokens plus a delta for records added since.

bm25s has no incremental update; between rebuilds, records added since are scored by
:func:`delta_scores` with the segment's statistics, so an edit is searchable at once."""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING

import bm25s
import numpy as np

if TYPE_CHECKING:
    from matchkit.index.facade import Index


def segment(idx: Index) -> bm25s.BM25:
    """The bm25s segment, rebuilt when missing or when the delta/tombstones pass a threshold."""
    n = len(idx._records)
    delta = n - idx._bm25_rows
    dead = int((~idx._alive).sum())
    if idx._bm25 is not None and delta <= max(200, idx._bm25_rows // 50) and dead <= max(200, n // 5):
        return idx._bm25
    if dead > max(200, n // 5):
        idx.compact()
        assert idx._bm25 is not None
        return idx._bm25
    bm = bm25s.BM25(k1=idx.bm25_k1, b=idx.bm25_b)
    # Each document gets at least the empty token so bm25s accepts empty token lists.
    bm.index([t or [""] for t in idx._tokens] or [[""]], show_progress=False)
    idx._bm25 = bm
    idx._bm25_rows = n
    idx._bm25_avgdl = max(1.0, float(np.mean([len(t) or 1 for t in idx._tokens]))) if n else 1.0
    idx._delta_tf = {}
    return bm


def scores(idx: Index, qtokens: list[str]) -> np.ndarray:
    """BM25 of every row (0 for rows without a shared term)."""
    n = len(idx._records)
    out = np.zeros(n, dtype=np.float32)
    bm = segment(idx)
    m = idx._bm25_rows
    if m and any(t in bm.vocab_dict for t in qtokens):
        out[:m] = bm.get_scores(qtokens).astype(np.float32)[:m]
    if n > m:
        out[m:] = delta_scores(idx, bm, qtokens, m, n)
    return out


def delta_scores(idx: Index, bm: bm25s.BM25, qtokens: list[str], m: int, n: int) -> np.ndarray:
    """Lucene BM25 (as bm25s computes it) for rows [m, n) using the segment's N, df and avgdl."""
    k1, b = bm.k1, bm.b
    indptr = bm.scores["indptr"]
    out = np.zeros(n - m, dtype=np.float32)
    qset = set(qtokens)
    qcount = {t: qtokens.count(t) for t in qset}
    tfs: list[tuple[int, dict[str, int]]] = []
    for row in range(m, n):
        if idx._alive[row]:
            tf = idx._delta_tf.get(row)
            if tf is None:
                tf = idx._delta_tf[row] = dict(Counter(idx._tokens[row]))
            tfs.append((row, tf))
    big_n = m + len(tfs)  # the segment keeps tombstoned rows too, as bm25s counted them
    idf = {}
    for t in qset:
        tid = bm.vocab_dict.get(t)
        df = int(indptr[tid + 1] - indptr[tid]) if tid is not None else 0
        df += sum(1 for _, tf in tfs if t in tf)
        idf[t] = math.log(1 + (big_n - df + 0.5) / (df + 0.5))
    for row, tf in tfs:
        dl = len(idx._tokens[row]) or 1
        norm = k1 * ((1 - b) + b * dl / idx._bm25_avgdl)
        out[row - m] = sum(qcount[t] * idf[t] * tf[t] / (norm + tf[t]) for t in qset if t in tf)
    return out


def rarity(bm: bm25s.BM25, term: str) -> float:
    """Minus the term's document frequency in the segment (higher = rarer; 0 for unknown terms)."""
    tid = bm.vocab_dict.get(term)
    if tid is None:
        return 0.0
    return float(bm.scores["indptr"][tid + 1] - bm.scores["indptr"][tid]) * -1.0  # rarer first
