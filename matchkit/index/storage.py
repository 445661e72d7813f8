"""The rows of an index: records added, replaced, removed (tombstones) and compacted; passage vectors
encoded; the per-row arrays the search stages read (kind, vector present, alive, pair flags, conflicts,
visibility groups). Functions of an :class:`~matchkit.index.Index`, whose attributes hold the state."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from matchkit import signals
from matchkit.encoders import lead_text
from matchkit.index.records import KINDS, Record, record_text, validate
from matchkit.text import normalize

if TYPE_CHECKING:
    from matchkit.index.facade import Index


def norm_text(r: Record) -> str:
    """The normalised text the lexical side and the shared-term reasons read (keywords appended)."""
    kw = " ".join(normalize(k) for k in r.keywords)
    return normalize(record_text(r.title, r.text)) + ("\n" + kw if kw else "")


def add(idx: Index, records: Iterable[Record], *, encode: bool = True, vectors: np.ndarray | None = None) -> None:
    records = list(records)
    for r in records:
        validate(r)
    new_terms = idx.tokenizer.add_terms(t for r in records for t in r.keywords)
    idx.extra_terms.extend(new_terms)
    replaced = [r.id for r in records if r.id in idx._row]
    if replaced:
        idx.remove(replaced)
    start = len(idx._records)
    for i, r in enumerate(records):
        idx._records.append(r)
        idx._norm_text.append(norm_text(r))
        idx._tokens.append(idx.tokenizer.tokens(idx._norm_text[-1], normalized=True))
        idx._row[r.id] = start + i
        for org in r.conflicts:
            idx._conflicts.setdefault(normalize(org), set()).add(start + i)
        for g in r.groups:
            idx._group_rows.setdefault(g, []).append(start + i)
    n = len(records)
    dim = idx._vectors.shape[1]
    block = np.zeros((n, dim), dtype=np.float16)
    has = np.zeros(n, dtype=bool)
    if vectors is not None:
        if vectors.shape != (n, dim):
            raise ValueError(f"vectors must have shape {(n, dim)}, got {vectors.shape}")
        block[:] = vectors
        has[:] = True
    cap = idx._vec_buf.shape[0] if idx._vec_buf is not None else 0
    if idx._vec_buf is None or cap < start + n:  # grow geometrically: one edit must not copy 100k rows
        grown = np.zeros((max(start + n, 2 * cap), dim), dtype=np.float16)
        grown[:start] = idx._vectors
        idx._vec_buf = grown
    idx._vec_buf[start:start + n] = block
    idx._vectors = idx._vec_buf[:start + n]
    idx._has_vec = np.concatenate([idx._has_vec, has])
    if idx._searcher is not None and vectors is not None:
        idx._searcher.set_rows(np.arange(start, start + n), block)
    idx._kind = np.concatenate([idx._kind, np.array([KINDS.index(r.kind) for r in records], dtype=np.int8)])
    idx._pair_rows = np.concatenate([idx._pair_rows, pair_flags(records)])
    idx._alive = np.concatenate([idx._alive, np.ones(n, dtype=bool)])
    idx._changed(lexical=False, dense=False)  # rows without a vector are masked until encoded
    if encode and vectors is None and idx.encoder is not None:
        idx.encode_pending()


def remove(idx: Index, record_ids: Iterable[str]) -> int:
    rows = sorted({idx._row.pop(i) for i in set(record_ids) if i in idx._row})
    if rows:
        idx._alive[rows] = False
        idx._changed(lexical=False, dense=False)  # rows are masked, not moved
    return len(rows)


def compact(idx: Index) -> None:
    if not idx._alive.all():
        kept = np.flatnonzero(idx._alive)
        idx._records = [idx._records[i] for i in kept]
        idx._tokens = [idx._tokens[i] for i in kept]
        idx._norm_text = [idx._norm_text[i] for i in kept]
        idx._vectors = idx._vec_buf = idx._vectors[kept]
        idx._has_vec = idx._has_vec[kept]
        idx._kind = idx._kind[kept]
        idx._pair_rows = idx._pair_rows[kept]
        idx._alive = idx._alive[kept]
        idx._row = {r.id: i for i, r in enumerate(idx._records)}
        index_conflicts(idx)
        index_groups(idx)
    idx._bm25 = None
    idx._bm25_impacts = None  # rebuilt for the new segment when needed
    idx._searcher = None
    idx._lexical()


def index_conflicts(idx: Index) -> None:
    idx._conflicts = {}
    for i, r in enumerate(idx._records):
        for org in r.conflicts:
            idx._conflicts.setdefault(normalize(org), set()).add(i)


def index_groups(idx: Index) -> None:
    idx._group_rows = {}
    for row, r in enumerate(idx._records):
        for g in r.groups:
            idx._group_rows.setdefault(g, []).append(row)


def group_mask(idx: Index, groups: Iterable[str]) -> np.ndarray:
    mask = np.zeros(len(idx._records), dtype=bool)
    for g in set(groups):
        rows = idx._group_rows.get(g)
        if rows:
            mask[rows] = True
    return mask


def encode_pending(idx: Index, batch: int = 64, limit: int | None = None) -> int:
    if idx.encoder is None:
        return 0
    rows = np.flatnonzero(~idx._has_vec & idx._alive)[:limit]
    for s in range(0, len(rows), batch):
        part = rows[s:s + batch]
        texts = [lead_text(idx._records[i].title, idx._records[i].text, idx.lead_chars) for i in part]
        idx._vectors[part] = idx.encoder.encode_passages(texts).astype(np.float16)
        idx._has_vec[part] = True
        if idx._searcher is not None:
            idx._searcher.set_rows(part, idx._vectors[part])
    if len(rows):
        idx._changed(lexical=False, dense=False)
    return len(rows)


_GATED = tuple(s for s in signals.STRUCTURED if s.record_gate is not None)


def pair_flags(records: Sequence[Record]) -> np.ndarray:
    """Per row: whether a record-gated pair signal (cooperation, load) can fire on it at all."""
    return np.array([any(s.record_gate(r) for s in _GATED if s.record_gate) for r in records], dtype=bool)
