"""Fusion of score parts into one ranking score.

Two methods, chosen by ``Weights.fusion`` and compared on ``bench/matching``:

- ``"linear"`` (default): both parts put on a 0..1 scale over the candidates of the query, then
  ``bm25·nb + dense·nd + structured``. The scale is ``norm="zscore"`` (default: standardised, then a
  logistic squash, so each part counts by how far a record stands out) or ``norm="max"`` (BM25 /
  best BM25, cosine min-max; the first version's).
- ``"rrf"``: reciprocal-rank fusion, ``Σ w·(k+1)/(k+rank)`` (1 for a first place), plus
  structured. Ignores magnitudes.

Either way the inferred-field overlap (:mod:`matchkit.fields`) is put on the same scale as the text
parts (z-score, max or rank) and added with weight ``inferred_field``.

Weights are plain data so feedback can re-weight later (a learnt ``Weights`` is just another
instance); single-method runs (``bm25``/``dense``) ignore them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Weights:
    # tuned on the dev half of bench/matching (181 real jstec demands, see its README): z-scored
    # parts with a small lexical share and Rocchio feedback on the query vector; the figures are
    # reported on the held-out test half
    bm25: float = 0.15
    dense: float = 0.85
    # structured signals: the most each can add to a fused score of ~1
    industry: float = 0.15
    field: float = 0.10
    region: float = 0.05
    ipc: float = 0.10
    institution: float = 0.05
    stage: float = 0.05  # maturity fit (query asks for a stage)
    tier: float = 0.03  # enterprise tier at least the one asked for
    cooperation: float = 0.05  # past cooperation between the two sides
    load: float = 0.10  # an expert's current load: the signal is negative, so this lowers rank
    crosswalk: float = 0.05  # same division/field through a taxonomy crosswalk (IPC, NSFC, tracks)
    fusion: str = "linear"  # or "rrf"
    rrf_k: int = 60
    # linear fusion: how BM25 and cosine are put on one scale over the candidates of a query —
    # "max" (BM25 / best BM25, cosine min-max) or "zscore" (each standardised, then squashed to 0..1)
    norm: str = "zscore"
    # pseudo-relevance feedback on the query vector (Rocchio): the query vector moves towards the mean
    # of the best ``prf_k`` first-pass results by ``prf_alpha``; 0 turns it off
    prf_k: int = 5
    prf_alpha: float = 1.0
    # zero-shot technology-field inference (matchkit.fields): overlap of the two sides' inferred
    # 高新技术领域 distributions, normalised over the candidates like the text parts; 0 turns it off.
    # Tuned on dev with the other weights unchanged (bench/matching README).
    inferred_field: float = 0.7
    field_tau: float = 0.0075  # softmax temperature of the field distribution

    def replace(self, **changes) -> Weights:
        return Weights(**{**self.__dict__, **changes})


def _minmax(x: np.ndarray) -> np.ndarray:
    out = np.zeros_like(x, dtype=np.float32)
    ok = ~np.isnan(x)
    if not ok.any():
        return out
    lo, hi = float(np.min(x[ok])), float(np.max(x[ok]))
    out[ok] = (x[ok] - lo) / (hi - lo) if hi > lo else 1.0
    return out


def _zscore(x: np.ndarray) -> np.ndarray:
    """Standardise over the candidates, then a logistic squash to (0, 1); nan/−inf rows get 0."""
    out = np.zeros(len(x), dtype=np.float32)
    ok = np.isfinite(x)
    if not ok.any():
        return out
    v = x[ok].astype(np.float64)
    sd = float(v.std())
    z = (v - v.mean()) / sd if sd > 1e-9 else np.zeros_like(v)
    out[ok] = 1.0 / (1.0 + np.exp(-z))
    return out


def _rank_score(x: np.ndarray, k: int) -> np.ndarray:
    """(k+1)/(k+rank) for rows with a positive/finite score, 0 otherwise."""
    out = np.zeros(len(x), dtype=np.float32)
    ok = np.flatnonzero(np.nan_to_num(x, nan=0.0) > 0)
    if len(ok):
        order = ok[np.argsort(-x[ok], kind="stable")]
        out[order] = (k + 1) / (k + np.arange(1, len(order) + 1))
    return out


def normalised(bm25: np.ndarray, dense: np.ndarray, w: Weights) -> tuple[np.ndarray, np.ndarray]:
    """BM25 and cosine of the candidates on the 0..1 scales the hybrid fusion multiplies by its weights
    (these are the features :mod:`matchkit.feedback` learns from)."""
    if w.fusion == "rrf":
        dense_ok = np.where(np.isnan(dense), -np.inf, dense)
        nd = _rank_score(np.where(np.isfinite(dense_ok), dense_ok + 2.0, 0.0), w.rrf_k)
        return _rank_score(bm25, w.rrf_k), nd
    if w.norm == "zscore":
        return _zscore(bm25), _zscore(dense)
    top = float(bm25.max()) if len(bm25) else 0.0
    nb = bm25 / top if top > 0 else np.zeros_like(bm25)
    return nb.astype(np.float32), _minmax(dense)


def normalised_field(overlap: np.ndarray, w: Weights) -> np.ndarray:
    """The inferred-field overlap of the candidates on the same 0..1 scale as the text parts (nan → 0)."""
    if w.fusion == "rrf":
        return _rank_score(np.nan_to_num(overlap, nan=0.0), w.rrf_k)
    if w.norm == "zscore":
        return _zscore(np.where(np.isnan(overlap), -np.inf, overlap))
    return np.nan_to_num(overlap, nan=0.0).astype(np.float32)  # already 0..1


def fuse(bm25: np.ndarray, dense: np.ndarray, structured: np.ndarray, w: Weights, method: str = "hybrid",
         field_overlap: np.ndarray | None = None) -> np.ndarray:
    """Fused scores for candidate rows. ``dense`` holds nan where a record has no vector yet;
    ``field_overlap`` (hybrid only): inferred-field overlap per row, nan where unknown."""
    if method == "bm25":
        return bm25.astype(np.float32)
    if method == "dense":
        return np.nan_to_num(dense, nan=-1.0).astype(np.float32)
    nb, nd = normalised(bm25, dense, w)
    out = w.bm25 * nb + w.dense * nd + structured
    if field_overlap is not None and w.inferred_field:
        out = out + w.inferred_field * normalised_field(field_overlap, w)
    return out.astype(np.float32)
