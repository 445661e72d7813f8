"""Stage 2 of a search: the features of each candidate row — cosine to the query vector, the
structured signals of :mod:`matchkit.signals` (only those the query can fire, each once per distinct
record value) and the inferred-field overlap (:mod:`matchkit.fields`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from matchkit import signals
from matchkit.fusion import Weights
from matchkit.index.records import Query, Reason

if TYPE_CHECKING:
    from matchkit.index.facade import Index

Plan = list[tuple[signals.Signal, float]]  # (signal, weight), in the order of matchkit.signals
Memo = dict[int, tuple[float, list[Reason]]]  # row → (weighted structured sum, reasons), per search

_MISSING = object()


@dataclass
class Features:
    """Features of candidate ``rows`` (one entry per row, in the order of ``rows``)."""

    rows: np.ndarray
    dense: np.ndarray  # cosine to the (possibly feedback-moved) query vector, nan without a vector
    shown: np.ndarray  # cosine to the query's own vector: what parts and reasons report
    structured: np.ndarray  # weighted sum of the structured signals
    structured_reasons: list[list[Reason]]
    field_overlap: np.ndarray | None = None  # inferred-field overlap, nan without a vector (hybrid only)
    field_dist: np.ndarray | None = None  # the rows' inferred-field distributions


def cosines(idx: Index, rows: np.ndarray, qv: np.ndarray | None) -> np.ndarray:
    dense = np.full(len(rows), np.nan, dtype=np.float32)
    if qv is not None:
        has = idx._has_vec[rows]
        dense[has] = idx._vectors[rows[has]].astype(np.float32) @ qv.astype(np.float32)
    return dense


def signal_plan(q: Query, w: Weights) -> Plan:
    """The structured signals that can fire for ``q`` under ``w``: a field signal only when the
    query's field is set, a pair signal unless its ``query_gate`` says the query cannot fire it."""
    plan: Plan = []
    for s in signals.STRUCTURED:
        weight = getattr(w, s.name)
        if not weight:
            continue
        if s.kind == "field" and not getattr(q, s.name):
            continue
        if s.kind == "pair" and s.query_gate is not None and not s.query_gate(q):
            continue
        plan.append((s, weight))
    return plan


def structured_rows(idx: Index, q: Query, rows: np.ndarray, plan: Plan, memo: Memo
                    ) -> tuple[np.ndarray, list[list[Reason]]]:
    """Weighted structured sums and reasons of ``rows``: every planned signal, one by one in the
    declared order (so the sums equal the pair-by-pair evaluation bit for bit), skipping signals that
    cannot fire on a row and re-using a signal's result for a record value already seen."""
    struct = np.zeros(len(rows), dtype=np.float32)
    reasons: list[list[Reason]] = [[] for _ in range(len(rows))]
    if not plan:
        return struct, reasons
    opened = {s.name: bool(s.query_opens and s.query_opens(q)) for s, _ in plan}
    values: dict[tuple, Any] = {}  # (signal, record value(s)) -> the signal's result for this query
    records = idx._records
    todo = np.arange(len(rows))
    if all(s.record_gate is not None and not opened[s.name] for s, _ in plan):
        todo = np.flatnonzero(idx._pair_rows[rows])  # the other rows get nothing from these signals
    # unpacked once per search: (name, weight, compute, pair, record gate unless the query opens it, memo key)
    steps = [(s.name, weight, s.compute, s.kind == "pair", None if opened[s.name] else s.record_gate, s.memo_key)
             for s, weight in plan]
    for j, r in zip(todo.tolist(), rows[todo].tolist(), strict=True):
        got = memo.get(r)
        if got is None:
            d = records[r]
            total, rs = 0.0, []
            for name, weight, fn, pair, gate, memo_key in steps:
                assert fn is not None
                if pair:
                    if gate is not None and not gate(d):
                        continue
                    if memo_key is not None:  # a function of the query and these record fields only
                        key = (name, memo_key(d))
                        m = values.get(key, _MISSING)
                        if m is _MISSING:
                            m = values[key] = fn(q, d)
                    else:
                        m = fn(q, d)
                else:  # a pure function of the two fields: record values repeat (codes, regions, stages)
                    dv = getattr(d, name)
                    key = (name, _key(dv))
                    m = values.get(key, _MISSING)
                    if m is _MISSING:
                        m = values[key] = fn(getattr(q, name), dv)
                if m:
                    total += weight * m[0]
                    rs.append(Reason(name, m[1], strength=m[0]))
            got = memo[r] = (total, rs)
        struct[j], reasons[j] = got
    return struct, reasons


def query_field(idx: Index, qv: np.ndarray | None, w: Weights, method: str) -> np.ndarray | None:
    """The query's inferred-field distribution, when the hybrid uses the signal."""
    if method == "hybrid" and qv is not None and w.inferred_field and idx.field_prototypes() is not None:
        assert idx._field_protos is not None
        return idx._field_protos.distribution(qv, w.field_tau)[0]
    return None


def field_overlap(idx: Index, pq: np.ndarray, rows: np.ndarray, tau: float,
                  known: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Inferred-field overlap of the query distribution ``pq`` with each row's (nan without a vector),
    and the rows' distributions. ``known``: (sorted rows, their distributions) already computed."""
    protos = idx._field_protos
    assert protos is not None
    pd = np.zeros((len(rows), len(pq)), dtype=np.float32)
    ov = np.full(len(rows), np.nan, dtype=np.float32)
    todo = idx._has_vec[rows].copy()
    if known is not None and len(known[0]):
        pos = np.clip(np.searchsorted(known[0], rows), 0, len(known[0]) - 1)
        hit = known[0][pos] == rows
        pd[hit] = known[1][pos[hit]]
        todo &= ~hit
    if todo.any():
        pd[todo] = protos.distribution(idx._vectors[rows[todo]], tau)
    has = idx._has_vec[rows]
    ov[has] = pd[has] @ pq
    return ov, pd


def compute(idx: Index, q: Query, rows: np.ndarray, qv: np.ndarray | None, w: Weights, plan: Plan, memo: Memo,
            pq: np.ndarray | None, *, scored_with: np.ndarray | None = None,
            known: tuple[np.ndarray, np.ndarray] | None = None) -> Features:
    """All features of ``rows``. ``scored_with``: the feedback-moved query vector the dense part is
    scored with (the cosine to ``qv`` is still what is shown); ``known``: field distributions already
    computed in the first pass."""
    if scored_with is None:
        dense = cosines(idx, rows, qv)
        shown = dense
    else:
        dense = np.full(len(rows), np.nan, dtype=np.float32)
        shown = np.full(len(rows), np.nan, dtype=np.float32)
        has = idx._has_vec[rows]
        vecs = idx._vectors[rows[has]].astype(np.float32)
        dense[has] = vecs @ scored_with
        assert qv is not None
        shown[has] = vecs @ qv.astype(np.float32)
    struct, struct_reasons = structured_rows(idx, q, rows, plan, memo)
    fov = pdist = None
    if pq is not None:
        fov, pdist = field_overlap(idx, pq, rows, w.field_tau, known=known)
    return Features(rows, dense, shown, struct, struct_reasons, fov, pdist)


def _key(value: Any) -> Any:
    """A hashable stand-in for a record field value (lists → tuples)."""
    return tuple(value) if isinstance(value, list) else value
