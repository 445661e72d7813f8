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
    def search(self, q: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Rows and cosine scores of the best ``k`` rows (``allowed``: boolean row mask)."""
        ...


class BruteForceSearcher:
    """Exact cosine by one matrix-vector product over float32 blocks (numpy has no fast f16 GEMV)."""

    def __init__(self, vectors16: np.ndarray, present: np.ndarray, block: int = 65536) -> None:
        self._v16 = vectors16
        self._present = present
        self._block = block
        # A float32 mirror costs 2× the memory but makes the product BLAS-speed; built lazily.
        self._v32: np.ndarray | None = None

    def _matrix(self) -> np.ndarray:
        if self._v32 is None:
            self._v32 = self._v16.astype(np.float32)
        return self._v32

    def scores(self, q: np.ndarray) -> np.ndarray:
        s = self._matrix() @ q.astype(np.float32)
        s[~self._present] = -np.inf
        return s

    def search(self, q: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        s = self.scores(q)
        if allowed is not None:
            s[~allowed] = -np.inf
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
