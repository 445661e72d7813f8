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
