"""The lexical side: a bm25s segment over the records' tokens plus a delta for records added since.

bm25s has no incremental update; between rebuilds, records added since are scored by
:func:`delta_scores` with the segment's statistics, so an edit is searchable at once.

A search does not score every row: :func:`top` retrieves the best ``k`` rows by term-at-a-time
MaxScore over the segment's postings (bm25s's CSC matrix ``bm.scores``: ``data`` holds each
(term, row) contribution, ``indices`` the rows of each term's column in order): the query's terms are
taken by their largest contribution first, and once the ``k``-th best score so far beats what all the
remaining terms together could add, rows not met yet are out and the remaining terms are only looked
up for the rows still in reach (binary search in their postings). The survivors are then scored
exactly as ``bm25s.get_scores`` does (the same float32 additions in the same order), so a ranking is
the same as a full scan's — and :meth:`Scores.ensure` scores any other row (a vector candidate) the
same way."""

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
    """BM25 of every row (0 for rows without a shared term) — a full scan; searches use :func:`top`."""
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


# ------------------------------------------------------------------ top-k retrieval (MaxScore)
_MARGIN = 1e-4  # relative slack on the pruning bounds (they are summed in another order than bm25s)


class Scores:
    """BM25 of the rows a search looks at: ``values`` is indexed by row number and is exact (as a full
    scan gives it) for every row passed to :meth:`ensure` and for the rows :func:`top` returned; other
    entries are 0 and must not be read."""

    def __init__(self, idx: Index, qtokens: list[str]) -> None:
        self._bm = bm = segment(idx)
        n = len(idx._records)
        self.values = np.zeros(n, dtype=np.float32)
        self._known = np.zeros(n, dtype=bool)
        self._m = m = idx._bm25_rows
        # the query's term ids in query order with repeats, as bm25s.get_scores adds them
        self._qids = np.asarray([bm.vocab_dict[t] for t in qtokens if t in bm.vocab_dict], dtype=np.int64)
        if n > m:  # the delta is small (≤ 2% of the segment): scored whole
            self.values[m:] = delta_scores(idx, bm, qtokens, m, n) if qtokens else 0.0
            self._known[m:] = True

    def ensure(self, rows: np.ndarray) -> np.ndarray:
        """Score ``rows`` exactly (those not scored yet); returns ``values``."""
        rows = np.asarray(rows, dtype=np.int64)
        todo = rows[~self._known[rows]]
        if len(todo):
            todo = np.unique(todo)
            self.values[todo] = _exact(self._bm, self._qids, todo)
            self._known[todo] = True
        return self.values


def _exact(bm: bm25s.BM25, qids: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """BM25 of segment ``rows`` (sorted, distinct) bit for bit as ``bm.get_scores``: per query term id in
    order, the row's entry of that term's column added in float32."""
    data, indices, indptr = bm.scores["data"], bm.scores["indices"], bm.scores["indptr"]
    out = np.zeros(len(rows), dtype=np.float32)
    slot: np.ndarray | None = None  # row -> 1 + its place in ``rows`` (0: not asked), for long columns
    for tid in qids.tolist():
        s, e = int(indptr[tid]), int(indptr[tid + 1])
        if s == e:
            continue
        col = indices[s:e]
        if len(rows) * max(1, (e - s).bit_length()) < e - s:
            pos = np.searchsorted(col, rows)
            ok = pos < e - s
            ok[ok] = col[pos[ok]] == rows[ok]
            out[ok] += data[s + pos[ok]]
        else:
            if slot is None:
                slot = np.zeros(int(bm.scores["num_docs"]), dtype=np.int32)
                slot[rows] = np.arange(1, len(rows) + 1, dtype=np.int32)
            at = slot[col]
            hit = at > 0
            out[at[hit] - 1] += data[s:e][hit]
    return out


def _column_max(idx: Index, bm: bm25s.BM25) -> np.ndarray:
    """Each term's largest contribution in the segment (0 for an empty column), cached per segment."""
    cached = getattr(idx, "_bm25_colmax", None)
    if cached is not None and cached[0] is bm:
        return cached[1]
    data, indices, indptr = bm.scores["data"], bm.scores["indices"], bm.scores["indptr"]
    nterms = len(indptr) - 1
    colmax = np.zeros(nterms, dtype=np.float32)
    nonempty = np.flatnonzero(indptr[1:] > indptr[:-1])
    if len(nonempty):
        colmax[nonempty] = np.maximum.reduceat(data, indptr[nonempty])
        # binary search in a column needs its rows in order (bm25s writes them so; checked once)
        starts = np.zeros(len(indices), dtype=bool)
        starts[indptr[nonempty]] = True
        if not bool(np.all((np.diff(indices.astype(np.int64)) > 0) | starts[1:])):
            raise RuntimeError("bm25s postings are not sorted by row; top-k retrieval needs them sorted")
    idx._bm25_colmax = (bm, colmax)
    return colmax


def top(idx: Index, qtokens: list[str], allowed: np.ndarray, k: int) -> tuple[np.ndarray, Scores]:
    """The ``k`` allowed rows with the highest BM25 > 0, best first, ties (the k-th place's too) by
    lower row, and the :class:`Scores` they were taken from."""
    sc = Scores(idx, qtokens)
    m = sc._m
    seg_rows = _retrieve(idx, sc, allowed, k) if m and len(sc._qids) and k > 0 else np.zeros(0, dtype=np.int64)
    vals = sc.ensure(seg_rows)
    delta_rows = np.arange(m, len(sc.values), dtype=np.int64)
    rows = np.concatenate([seg_rows, delta_rows])
    rows = rows[allowed[rows] & (vals[rows] > 0)]
    if len(rows) > k:
        kth = np.partition(vals[rows], len(rows) - k)[len(rows) - k] if k > 0 else np.inf
        above, tied = rows[vals[rows] > kth], rows[vals[rows] == kth]
        rows = np.concatenate([above, np.sort(tied)[: k - len(above)]])
    rows = rows[np.lexsort((rows, -vals[rows]))]
    return rows, sc


def _retrieve(idx: Index, sc: Scores, allowed: np.ndarray, k: int) -> np.ndarray:
    """Segment rows that may be among the best ``k`` allowed (a superset of them; MaxScore)."""
    bm = sc._bm
    data, indices, indptr = bm.scores["data"], bm.scores["indices"], bm.scores["indptr"]
    m = sc._m
    tids, counts = np.unique(sc._qids, return_counts=True)
    ub = counts * _column_max(idx, bm)[tids].astype(np.float64)
    order = np.argsort(-ub, kind="stable")
    tids, counts, ub = tids[order], counts[order], ub[order]
    rest = np.concatenate([np.cumsum(ub[::-1])[::-1], [0.0]])  # rest[i]: the most terms i… can add
    acc = np.zeros(m, dtype=np.float32)
    seen = np.zeros(m, dtype=bool)
    allowed_seg = allowed[:m]
    parts: list[np.ndarray] = []
    ntouched = 0
    theta, gained = 0.0, np.inf  # the k-th best so far (scores are > 0), and the most it can have grown since
    i = 0
    # 1. essential terms: every row of their postings. The k-th best score grows by at most a
    # term's bound per term, so it is only recomputed when it could have passed what remains.
    while i < len(tids):
        if ntouched >= k and theta + gained >= rest[i]:
            touched = np.concatenate(parts)
            parts = [touched]
            theta = float(np.partition(acc[touched], len(touched) - k)[len(touched) - k])
            gained = 0.0
            if theta - _MARGIN * theta > rest[i]:
                break
        s, e = int(indptr[tids[i]]), int(indptr[tids[i] + 1])
        col = indices[s:e]
        acc[col] += counts[i] * data[s:e]
        new = col[~seen[col]]
        if len(new):
            seen[new] = True
            new = new[allowed_seg[new]].astype(np.int64)
            parts.append(new)
            ntouched += len(new)
        gained += ub[i]
        i += 1
    touched = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    if i == len(tids):
        return np.sort(touched)
    # 2. the remaining terms only for the rows still in reach of the k-th best: looked up by binary
    # search in the term's postings, or by one pass over them when that is cheaper
    cand = np.sort(touched[acc[touched] + rest[i] >= theta - _MARGIN * theta])
    while i < len(tids) and len(cand) > k:
        s, e = int(indptr[tids[i]]), int(indptr[tids[i] + 1])
        col = indices[s:e]
        if len(cand) * max(1, (e - s).bit_length()) < e - s:
            pos = np.searchsorted(col, cand)
            ok = pos < e - s
            ok[ok] = col[pos[ok]] == cand[ok]
            acc[cand[ok]] += counts[i] * data[s + pos[ok]]
        else:
            acc[col] += counts[i] * data[s:e]  # rows out of reach get it too; they are not read again
        i += 1
        theta = float(np.partition(acc[cand], len(cand) - k)[len(cand) - k])
        cand = cand[acc[cand] + rest[i] >= theta - _MARGIN * theta]
    return cand
