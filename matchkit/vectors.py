"""Vector storage and nearest-neighbour search.

Vectors are kept as float16 (half the bytes of float32; cosine changes < 1e-3 for e5 vectors).
:class:`BruteForceSearcher` is exact. Anything that implements :class:`VectorSearcher` (an HNSW
index from usearch or hnswlib, say) can replace it: the index only asks for the top-``k`` rows
of a query among allowed rows, and it re-scores the union of lexical and semantic candidates
exactly from the stored vectors, so an approximate searcher only affects which rows become
candidates.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class VectorSearcher(Protocol):
    def set_rows(self, rows: np.ndarray, vectors: np.ndarray) -> None:
        """Insert or overwrite the vectors of ``rows`` (row numbers may extend the searcher)."""
        ...

    def search(self, q: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Rows and cosine scores of the best ``k`` rows (``allowed``: boolean row mask; rows without a
        vector must be excluded through it)."""
        ...


class BruteForceSearcher:
    """Exact cosine by one matrix-vector product. numpy has no fast float16 product, so the searcher
    keeps a float32 copy (2× the bytes of the stored float16 vectors), grown geometrically so that
    adding a few records costs O(added), not a copy of the whole matrix."""

    def __init__(self, vectors: np.ndarray) -> None:
        n, dim = vectors.shape
        self._buf = np.zeros((max(1024, n + n // 4), dim), dtype=np.float32)
        self._buf[:n] = vectors
        self._n = n

    def set_rows(self, rows: np.ndarray, vectors: np.ndarray) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        if not len(rows):
            return
        need = int(rows.max()) + 1
        if need > self._buf.shape[0]:
            grown = np.zeros((max(need, 2 * self._buf.shape[0]), self._buf.shape[1]), dtype=np.float32)
            grown[: self._n] = self._buf[: self._n]
            self._buf = grown
        self._buf[rows] = vectors
        self._n = max(self._n, need)

    def search(self, q: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        s = self._buf[: self._n] @ q.astype(np.float32)
        if allowed is not None:
            s[~allowed[: self._n]] = -np.inf
        return top_k(s, k)


class UsearchSearcher:
    """Approximate search with an HNSW graph (usearch), vectors stored as float16 (``dtype="f16"``) or
    int8 (``"i8"``) inside the graph. Used by :class:`matchkit.Index` from ``ann_threshold`` rows up.

    HNSW cannot take an arbitrary row mask, so ``allowed`` is applied to an over-fetched result,
    fetching more until ``k`` allowed rows are found; when the mask keeps only a small part of the
    rows (a visibility scope, a kind filter on a rare kind), those rows are searched exactly instead,
    from ``exact_rows`` (a callable giving the stored vectors of rows), so a filter never loses
    results. Recall against brute force is measured by ``bench/matching/run.py``.
    """

    def __init__(self, dim: int, exact_rows, *, dtype: str = "f16", connectivity: int = 16,
                 expansion_add: int = 128, expansion_search: int = 96, exact_below: int = 20_000) -> None:
        # deferred: usearch is needed only for large vector sets
        from usearch.index import Index as _HNSW

        self._index = _HNSW(ndim=dim, metric="cos", dtype=dtype, connectivity=connectivity,
                            expansion_add=expansion_add, expansion_search=expansion_search)
        self._exact_rows = exact_rows
        self._exact_below = exact_below
        self.dtype = dtype

    def __len__(self) -> int:
        return len(self._index)

    def set_rows(self, rows: np.ndarray, vectors: np.ndarray) -> None:
        rows = np.asarray(rows, dtype=np.uint64)
        if not len(rows):
            return
        present = np.atleast_1d(self._index.contains(rows))
        if present.any():
            self._index.remove(rows[present])
        self._index.add(rows, np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, q: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        n = len(self._index)
        if n == 0 or k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        q = np.ascontiguousarray(q, dtype=np.float32)
        if allowed is not None:
            n_allowed = int(allowed.sum())
            if n_allowed <= self._exact_below or n_allowed < n // 10:
                rows = np.flatnonzero(allowed)
                s = self._exact_rows(rows).astype(np.float32) @ q
                idx, val = top_k(s, k)
                return rows[idx], val
        count = min(n, max(k, 32) * (2 if allowed is not None else 1))
        while True:
            m = self._index.search(q, count)
            rows = np.asarray(m.keys, dtype=np.int64)
            sims = 1.0 - np.asarray(m.distances, dtype=np.float32)
            if allowed is not None:
                keep = (rows < len(allowed)) & allowed[np.minimum(rows, len(allowed) - 1)]
                rows, sims = rows[keep], sims[keep]
            if len(rows) >= k or count >= n:
                return rows[:k], sims[:k]
            count = min(n, count * 4)


def top_k(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the ``k`` largest finite scores, best first (ties: lower row first)."""
    n = scores.shape[0]
    k = min(k, n)
    if k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=scores.dtype)
    if k < n:
        idx = np.argpartition(-scores, k - 1)[:k]
    else:
        idx = np.arange(n)
    order = np.lexsort((idx, -scores[idx]))
    idx = idx[order]
    idx = idx[np.isfinite(scores[idx])]
    return idx, scores[idx]
