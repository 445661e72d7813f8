"""Stage 3 of a search: the candidates' features fused into one score (:func:`matchkit.fusion.fuse`),
the features the fused score is linear in (logged with an impression, learnt from by
:mod:`matchkit.feedback`), and the order of the top ``k`` (ties broken by record id)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from matchkit import signals
from matchkit.fusion import Weights, fuse, normalised, normalised_field
from matchkit.index.features import Features

if TYPE_CHECKING:
    from matchkit.index.facade import Index

_TEXT = tuple(s.name for s in signals.SIGNALS if s.kind == "text")  # ("bm25", "dense")
_INFERRED = tuple(s.name for s in signals.SIGNALS if s.kind == "inferred")  # ("inferred_field",)


def score(bm25: np.ndarray, f: Features, w: Weights, method: str) -> np.ndarray:
    """Fused scores of ``f.rows`` (``bm25``: raw BM25 of every row of the index)."""
    return fuse(bm25[f.rows], f.dense, f.structured, w, method, field_overlap=f.field_overlap)


def feature_columns(bm25: np.ndarray, f: Features, w: Weights) -> dict[str, np.ndarray]:
    """The normalised text and inferred features of every row of ``f`` (hybrid only), by signal name."""
    nb, nd = normalised(bm25[f.rows], f.dense, w)
    cols = dict(zip(_TEXT, (nb, nd), strict=True))
    if f.field_overlap is not None:
        cols[_INFERRED[0]] = normalised_field(f.field_overlap, w)
    return cols


def features_of(j: int, cols: dict[str, np.ndarray], f: Features) -> tuple[tuple[str, float], ...]:
    """Row ``j``'s features: the text signals, the inferred field, then each structured signal that fired."""
    return (*((name, float(cols[name][j])) for name in _TEXT + _INFERRED if name in cols),
            *((x.code, x.strength) for x in f.structured_reasons[j]))


def top(idx: Index, fused: np.ndarray, rows: np.ndarray, k: int) -> list[int]:
    """Positions (in ``rows``) of the best ``k``, by score then record id so a ranking is reproducible."""
    best = np.argsort(-fused, kind="stable")[: max(k * 2, k + 10)]  # rows are in id-independent order
    records = idx._records
    return sorted(best.tolist(), key=lambda j: (-float(fused[j]), records[rows[j]].id))[:k]
