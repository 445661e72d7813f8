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

from typing import Any

import numpy as np

from matchkit import signals

# Fusion settings besides the signals' weights (those come from matchkit.signals), with their defaults.
SETTINGS: dict[str, Any] = {
    "fusion": "linear",  # or "rrf"
    "rrf_k": 60,
    # linear fusion: how BM25 and cosine are put on one scale over the candidates of a query —
    # "max" (BM25 / best BM25, cosine min-max) or "zscore" (each standardised, then squashed to 0..1)
    "norm": "zscore",
    # pseudo-relevance feedback on the query vector (Rocchio): the query vector moves towards the mean
    # of the best ``prf_k`` first-pass results by ``prf_alpha``; 0 turns it off (long queries: off — it
    # helped the demands and hurt the patents; short queries use a gentle 0.3, short_prf_alpha)
    "prf_k": 5,
    "prf_alpha": 0.0,
    "field_tau": 0.0075,  # softmax temperature of the inferred-field distribution (matchkit.fields)
    # queries of at most this many characters (title + text) are "short" and may use their own BM25
    # weight, inferred-field weight and Rocchio α (None = the same as long queries); see for_query()
    # (the threshold is set a priori — titles are short, texts are not — and was not tuned)
    "short_query_chars": 40,
    "short_bm25": None,
    "short_inferred_field": 0.0,
    "short_prf_alpha": 0.3,
}
# the settings a short query may override, by the name of the setting they replace
SHORT_OVERRIDES = {"short_bm25": "bm25", "short_inferred_field": "inferred_field", "short_prf_alpha": "prf_alpha"}
# chosen on bench/matching's development suite (suite.py: every set of data/ and data/suite/, the
# procedure with the best worst case held out — see its README); the jstec demands alone chose
# bm25 0.15, inferred field 0.7 and Rocchio α 1.0, which lost to plain dense/BM25 on every other shape
DEFAULTS: dict[str, Any] = {**{s.name: s.weight for s in signals.SIGNALS}, **SETTINGS}


class Weights:
    """The weight of every signal of :mod:`matchkit.signals` (an attribute per signal name, defaulting
    to its declared weight) and the fusion settings of :data:`SETTINGS`. Immutable and hashable:
    ``Weights(industry=0.2)``, ``w.industry``, ``w.replace(bm25=0.3)``, ``w.as_dict()``."""

    __slots__ = ("_values",)
    _values: dict[str, Any]

    def __init__(self, **values: Any) -> None:
        unknown = set(values) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"Weights got unknown names {sorted(unknown)}")
        object.__setattr__(self, "_values", {**DEFAULTS, **values})

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Weights is immutable: use replace()")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Weights) and self._values == other._values

    def __hash__(self) -> int:
        return hash(tuple(self._values.items()))

    def __repr__(self) -> str:
        return "Weights(" + ", ".join(f"{k}={v!r}" for k, v in self._values.items()) + ")"

    def __reduce__(self) -> tuple:
        return (_weights, (self._values,))

    @staticmethod
    def names() -> tuple[str, ...]:
        return tuple(DEFAULTS)

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def replace(self, **changes: Any) -> Weights:
        return Weights(**{**self._values, **changes})


def for_query(w: Weights, query_chars: int) -> Weights:
    """The weights a query of ``query_chars`` characters (title + text) is ranked with: ``w`` itself, or
    for a short query (at most ``w.short_query_chars``) ``w`` with its ``short_*`` overrides applied."""
    if query_chars > w.short_query_chars:
        return w
    changes = {target: getattr(w, name) for name, target in SHORT_OVERRIDES.items() if getattr(w, name) is not None}
    return w.replace(**changes) if changes else w


def _weights(values: dict[str, Any]) -> Weights:
    return Weights(**values)


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
