"""The lexical side: a bm25s segment over the records' tokens plus a delta for records added since.

bm25s has no incremental update; between rebuilds, records added since are scored by
:func:`delta_scores` with the segment's statistics, so an edit is searchable at once.

A search does not score every row (from ``Index.bm25_topk_threshold`` segment rows up): :func:`top`
retrieves the best ``k`` rows from the heads of the query terms' postings kept in impact order
(:class:`Impacts`, largest contribution first): a pilot over the first ``k`` postings of each term gives
a lower bound of the k-th best score, each term is read only down to a cut whose bound keeps every row
of the best ``k``, and the rows read are pruned by their bounds. Heads are gathered and summed in a few
vectorised steps, and the survivors are scored exactly as ``bm25s.get_scores`` does (the same float32
additions in the same order) from a row-ordered copy of the postings, so a ranking is the same as a full
scan's — and :meth:`Scores.ensure` scores any other row (a vector candidate) the same way."""

from __future__ import annotations

import heapq
import math
import threading
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
    idx._bm25_impacts = None  # the previous segment's, if any
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
# when the heads to read hold more than this share of the query terms' postings, scoring every row is
# cheaper (reading a posting costs about what scanning it does, and the heads need pruning on top)
_SCAN_FRACTION = 0.5


class Scores:
    """BM25 of the rows a search looks at: ``values`` is indexed by row number and is exact (as a full
    scan gives it) for every row passed to :meth:`ensure` and for the rows :func:`top` returned; other
    entries are 0 and must not be read."""

    def __init__(self, idx: Index, qtokens: list[str]) -> None:
        self._bm = bm = segment(idx)
        imp = getattr(idx, "_bm25_impacts", None)  # (an index loaded from an older pickle has none)
        self._imp = imp if imp is not None and imp.bm is bm else None
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
            if self._imp is not None:
                self.values[todo] = _exact_rows(self._imp, self._qids, todo)
            else:
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


def _ranges(starts: np.ndarray, lens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions ``starts[i] … starts[i] + lens[i] - 1`` of every range, concatenated, and for each
    position the range it belongs to (one vectorised gather instead of a Python loop over ranges)."""
    lens = np.asarray(lens, dtype=np.int64)
    owner = np.repeat(np.arange(len(lens), dtype=np.int64), lens)
    first = np.cumsum(lens) - lens  # where each range begins in the output
    return np.arange(int(lens.sum()), dtype=np.int64) + (np.asarray(starts, dtype=np.int64) - first)[owner], owner


def _exact_rows(imp: Impacts, qids: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The same scores as :func:`_exact`, read from the rows' side (each row's own postings): one gather of
    the rows' (term, contribution) pairs, a dense term × row table of the query's terms, then the
    float32 additions in query-term order (a term a row lacks adds +0.0, which changes nothing)."""
    out = np.zeros(len(rows), dtype=np.float32)
    if not len(rows) or not len(qids):
        return out
    uq, col = np.unique(qids, return_inverse=True)  # distinct query terms; each query position's column
    flat, owner = _ranges(imp.fwd_ptr[rows], imp.fwd_ptr[rows + 1] - imp.fwd_ptr[rows])
    slot = imp.term_slots()  # term id -> 1 + its place in uq (0: not in the query), this thread's
    slot[uq] = np.arange(1, len(uq) + 1, dtype=np.int32)
    try:
        at = slot[imp.fwd_tid[flat]]
    finally:
        slot[uq] = 0
    hit = at > 0
    table = np.zeros((len(uq), len(rows)), dtype=np.float32)
    table[at[hit] - 1, owner[hit]] = imp.fwd_data[flat[hit]]
    for c in col.tolist():  # query order, repeats included, as bm25s adds them
        out += table[c]
    return out


class Impacts:
    """The segment's postings ordered by contribution, largest first, per term (same ``indptr`` as
    bm25s's CSC matrix): ``rows[indptr[t]:indptr[t + 1]]`` and ``data[…]``; ``colmax`` = each term's
    largest contribution; and the same postings by row (``fwd_ptr``, ``fwd_tid``, ``fwd_data``: row ``r``'s
    terms in id order), from which the exact score of a few rows is read in one gather. Built once per
    segment (~3 s per 100k records here)."""

    def __init__(self, bm: bm25s.BM25) -> None:
        data, indices, indptr = bm.scores["data"], bm.scores["indices"], bm.scores["indptr"]
        nterms = len(indptr) - 1
        num_docs = int(bm.scores["num_docs"])
        term = np.repeat(np.arange(nterms, dtype=np.int32), np.diff(indptr))
        order = np.lexsort((-data, term))  # by term, then contribution descending
        self.bm = bm
        self.rows = indices[order]
        self.data = data[order]
        del order
        self.colmax = np.zeros(nterms, dtype=np.float32)
        nonempty = np.flatnonzero(indptr[1:] > indptr[:-1])
        self.colmax[nonempty] = self.data[indptr[nonempty]]
        # binary search in a term's rows (exact scores) needs them in order: bm25s writes them so
        starts = np.zeros(len(indices), dtype=bool)
        starts[indptr[nonempty]] = True
        if not bool(np.all((np.diff(indices.astype(np.int64)) > 0) | starts[1:])):
            raise RuntimeError("bm25s postings are not sorted by row; top-k retrieval needs them sorted")
        del starts
        by_row = np.argsort(indices, kind="stable")  # within a row, terms stay in id order
        self.fwd_tid = term[by_row]
        self.fwd_data = data[by_row]
        self.fwd_ptr = np.zeros(num_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(indices, minlength=num_docs), out=self.fwd_ptr[1:])
        self._local = threading.local()  # per-thread scratch arrays of one entry per row

    def scratch(self, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """This thread's arrays of ``m`` entries: a float64 accumulator and an int32 slot array, both all
        zeros (the caller sets back what it touched), and an int64 array of any content."""
        got = getattr(self._local, "arrays", None)
        if got is None or len(got[0]) < m:
            got = self._local.arrays = (np.zeros(m, dtype=np.float64), np.zeros(m, dtype=np.int32),
                                        np.zeros(m, dtype=np.int64))
        return got

    def term_slots(self) -> np.ndarray:
        """An int32 array of one entry per term, all zeros (the caller sets back what it touched), this
        thread's own."""
        got = getattr(self._local, "slots", None)
        if got is None:
            got = self._local.slots = np.zeros(len(self.colmax), dtype=np.int32)
        return got

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_local", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._local = threading.local()


def impacts(idx: Index, bm: bm25s.BM25) -> Impacts:
    cached = getattr(idx, "_bm25_impacts", None)  # (an index loaded from an older pickle has none)
    if cached is None or cached.bm is not bm:
        cached = idx._bm25_impacts = Impacts(bm)
    return cached


def top(idx: Index, qtokens: list[str], allowed: np.ndarray, k: int) -> tuple[np.ndarray, Scores]:
    """The ``k`` allowed rows with the highest BM25 > 0, best first, ties (the k-th place's too) by
    lower row, and the :class:`Scores` they were taken from: by top-k retrieval (:func:`_retrieve`)
    from ``idx.bm25_topk_threshold`` segment rows up, below it by scoring every row."""
    if idx.bm25_topk_threshold is not None and idx._bm25_rows >= idx.bm25_topk_threshold and qtokens and k > 0:
        impacts(idx, segment(idx))  # before Scores, which reads rows' exact scores from it
    sc = Scores(idx, qtokens)
    m = sc._m
    seg_rows = np.zeros(0, dtype=np.int64)
    if m and len(sc._qids) and k > 0:
        if idx.bm25_topk_threshold is not None and m >= idx.bm25_topk_threshold:
            seg_rows = _retrieve(idx, sc, allowed, k)
        else:  # a small segment: scoring every row is cheaper than retrieval's fixed cost per term
            seg_rows = _scan(sc)
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


def _scan(sc: Scores) -> np.ndarray:
    """Every segment row scored by bm25s; the rows with a shared term."""
    m = sc._m
    sc.values[:m] = sc._bm.get_scores(sc._qids.tolist())[:m]
    sc._known[:m] = True
    return np.flatnonzero(sc.values[:m] > 0)


def _retrieve(idx: Index, sc: Scores, allowed: np.ndarray, k: int) -> np.ndarray:
    """Segment rows that may be among the best ``k`` allowed: a superset of them, read from the heads of
    the query terms' impact-ordered postings; every row returned is scored exactly (in ``sc``).

    1. ``theta``, a lower bound of the k-th best score: the exact scores of the ``2k`` rows that add up
       best over the first ``k`` postings of each term. 2. A cut per term: its first ``p`` postings are
       read, and a row not among them gets at most the ``p``-th contribution from it, so cuts whose
       bounds sum to less than ``theta`` lose no row of the best ``k``. The cuts are chosen greedily
       (halving a term's head where it saves the most postings per unit of bound). 3. The rows read,
       less those whose bound (what they got in the heads plus the other terms' cut bounds) is under
       ``theta``; while many are left, a term's bound is replaced by what each row really gets there
       (binary search in its row-ordered postings), largest bounds first; then the rest are scored
       exactly. All postings of the heads are gathered and summed in a few vectorised steps (a
       per-thread scratch array of one float per row, reset after use)."""
    bm, imp = sc._bm, sc._imp
    if imp is None:  # (Scores is built after impacts() in top(); kept for direct callers)
        imp = sc._imp = impacts(idx, bm)
    indptr = bm.scores["indptr"]
    m = sc._m
    tids, counts = np.unique(sc._qids, return_counts=True)
    starts = indptr[tids].astype(np.int64)
    lens = (indptr[tids + 1] - indptr[tids]).astype(np.int64)
    allowed_seg = allowed[:m]
    weighted = bool((counts > 1).any())  # a query term repeated counts once per occurrence
    acc, slot, mark = imp.scratch(m)

    def read(upto: np.ndarray, bound: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The distinct allowed rows among each term's first ``upto`` postings and, for each, the sum
        over those postings of (contribution − the term's ``bound``)."""
        flat, owner = _ranges(starts, upto)
        rows = imp.rows[flat]
        vals = imp.data[flat].astype(np.float64)
        if weighted:
            vals *= counts[owner]
        if bound.any():
            vals -= bound[owner]
        ar = np.arange(len(rows), dtype=np.int64)
        mark[rows] = ar  # one of each row's postings wins: one place per row
        distinct = rows[mark[rows] == ar].astype(np.int64)
        try:
            np.add.at(acc, rows, vals)
            got = acc[distinct]
        finally:
            acc[distinct] = 0.0  # the scratch is all zeros again
        ok = allowed_seg[distinct]  # rows that may not be ranked are dropped here, once per row
        return distinct[ok], got[ok]

    # 1. theta from a pilot
    zero = np.zeros(len(tids), dtype=np.float64)
    rows, got = read(np.minimum(lens, k), zero)
    if len(rows) < k:  # fewer than k allowed rows in the pilot (a narrow filter): score every row
        return _scan(sc)
    pilot = rows if len(rows) <= 2 * k else rows[np.argpartition(-got, 2 * k - 1)[: 2 * k]]
    pilot = np.sort(pilot)
    exact = sc.ensure(pilot)[pilot]
    theta = float(np.partition(exact, len(pilot) - k)[len(pilot) - k]) * (1 - _MARGIN)
    if theta <= 0:
        return _scan(sc)

    # 2. cuts: bound[j] = what a row beyond term j's head can get from it (0 when the head is whole)
    def bound_at(j: int, p: int) -> float:
        return 0.0 if p >= lens[j] else float(counts[j] * imp.data[starts[j] + p])

    upto = lens.copy()
    bound = np.zeros(len(tids), dtype=np.float64)
    spent = 0.0
    heap = []
    for j in range(len(tids)):
        p2 = int(lens[j]) // 2
        cost = bound_at(j, p2)
        heap.append((-(lens[j] - p2) / max(cost, 1e-12), j, p2, cost))
    heapq.heapify(heap)
    while heap:
        _, j, p2, cost = heapq.heappop(heap)
        extra = cost - bound[j]
        if spent + extra >= theta:
            continue  # this step does not fit; smaller steps of other terms may
        spent += extra
        bound[j], upto[j] = cost, p2
        if p2 > 0:
            p3 = p2 // 2
            c3 = bound_at(j, p3)
            heapq.heappush(heap, (-(p2 - p3) / max(c3 - cost, 1e-12), j, p3, c3))

    if int(upto.sum()) > _SCAN_FRACTION * int(lens.sum()):  # the heads are most of the postings: a scan is cheaper
        return _scan(sc)
    # 3. the rows read, less those out of reach
    rows, got = read(upto, bound)
    reach = got + float(bound.sum())
    floor = theta * (1 - _MARGIN)
    keep = reach >= floor
    cand, reach = rows[keep], reach[keep]
    # then, while many are left, term by term (largest bound first): a row's bound from a term whose head
    # it is not in is replaced by what it really gets there — by binary search in the term's row-ordered
    # postings for a few rows, by one pass over the term's postings (slots of the rows) for many
    order = np.argsort(cand)
    cand, reach = cand[order], reach[order]
    data, indices = bm.scores["data"], bm.scores["indices"]
    live = np.arange(len(cand), dtype=np.int64)  # places in cand of the rows still in reach
    slotted = False
    try:
        for j in np.argsort(-bound, kind="stable").tolist():
            if bound[j] <= 0 or len(live) <= 4 * k:
                break  # few enough left to score exactly
            s, e = int(starts[j]), int(starts[j] + lens[j])
            col = indices[s:e]
            contrib = np.zeros(len(live), dtype=np.float64)
            if len(live) * max(1, (e - s).bit_length()) < e - s:
                rows = cand[live]
                pos = np.searchsorted(col, rows)
                ok = pos < e - s
                ok[ok] = col[pos[ok]] == rows[ok]
                contrib[ok] = counts[j] * data[s + pos[ok]]
            else:
                if not slotted:
                    slot[cand] = np.arange(1, len(cand) + 1, dtype=np.int32)
                    slotted = True
                at = slot[col]
                hit = at > 0
                full = np.zeros(len(cand), dtype=np.float64)
                full[at[hit] - 1] = counts[j] * data[s:e][hit]
                contrib = full[live]
            # a row in the head got >= bound[j] there (already counted); beyond it, <= bound[j]
            reach[live] -= np.maximum(0.0, bound[j] - contrib)
            live = live[reach[live] >= floor]
    finally:
        if slotted:
            slot[cand] = 0  # the scratch is all zeros again
    cand = cand[live]
    sc.ensure(cand)
    return np.union1d(cand, pilot)
