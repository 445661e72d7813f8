"""The :class:`Index` façade: the public API over the stages of this package."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import bm25s
import numpy as np

from matchkit import fields as fieldinf
from matchkit.encoders import DEFAULT_LEAD_CHARS, Encoder, lead_text
from matchkit.fusion import Weights
from matchkit.index import lexical, persistence, search, storage
from matchkit.index.records import METHODS, Query, Record, Result
from matchkit.text import Tokenizer
from matchkit.vectors import BruteForceSearcher, UsearchSearcher, VectorSearcher


class Index:
    def __init__(self, encoder: Encoder | None = None, *, weights: Weights | None = None,
                 lead_chars: int = DEFAULT_LEAD_CHARS, candidates: int = 200,
                 bm25_k1: float = 1.5, bm25_b: float = 0.75, ann_threshold: int | None = 50_000,
                 ann_dtype: str = "f16", bm25_topk_threshold: int | None = None) -> None:
        self.encoder = encoder
        # from this many rows in the BM25 segment up, lexical candidates come from top-k retrieval over
        # impact-ordered postings (lexical.top) instead of scoring every row; None (the default): always
        # score every row — on the bench corpus scoring every row was faster at every size measured, 10k
        # to 1M (bench/matching/README.md, "Province scale"). Both give the same candidates (ties at the
        # k-th place by lower row).
        self.bm25_topk_threshold = bm25_topk_threshold
        # from this many vectors up, semantic candidates come from an HNSW graph (usearch) instead of
        # an exact scan; None: always exact. Candidates are re-scored exactly either way.
        self.ann_threshold = ann_threshold
        self.ann_dtype = ann_dtype
        self.bm25_k1 = bm25_k1
        self.bm25_b = bm25_b
        self.weights = weights or Weights()
        self.lead_chars = lead_chars
        self.candidates = candidates
        self.tokenizer = Tokenizer()
        self.extra_terms: list[str] = []  # terms learnt from records' keywords, in order
        self.generation = 0
        # the rows (see storage): records, their tokens and normalised text, vectors and per-row flags
        self._records: list[Record] = []
        self._tokens: list[list[str]] = []
        self._norm_text: list[str] = []
        self._row: dict[str, int] = {}
        self._vectors = np.zeros((0, encoder.dim if encoder else 0), dtype=np.float16)
        self._vec_buf: np.ndarray | None = None  # capacity behind self._vectors (a view of it)
        self._has_vec = np.zeros(0, dtype=bool)
        self._kind = np.zeros(0, dtype=np.int8)
        # rows whose record passes a pair signal's record gate (partners, a positive load): the only
        # rows those signals can fire on for a query that does not open them (see features.structured_rows)
        self._pair_rows = np.zeros(0, dtype=bool)
        self._alive = np.zeros(0, dtype=bool)  # removal is a tombstone until the next compaction
        self._conflicts: dict[str, set[int]] = {}  # organisation id → rows in conflict with it
        self._group_rows: dict[str, list[int]] = {}  # visibility label -> rows carrying it
        # the lexical segment (see lexical): rows [0, _bm25_rows) are in it; later rows are the delta
        self._bm25: bm25s.BM25 | None = None
        self._bm25_rows = 0
        self._bm25_avgdl = 1.0
        self._bm25_impacts: lexical.Impacts | None = None  # the segment's postings in impact order (top-k)
        self._delta_tf: dict[int, dict[str, int]] = {}
        self._searcher: VectorSearcher | None = None
        self._field_protos: fieldinf.FieldPrototypes | None = None  # built on first use (one per process)

    # ---------------------------------------------------------------- rows
    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, record_id: str) -> bool:
        return record_id in self._row

    def ids(self) -> list[str]:
        return [self._records[i].id for i in np.flatnonzero(self._alive)]

    def get(self, record_id: str) -> Record:
        return self._records[self._row[record_id]]

    def add(self, records: Iterable[Record], *, encode: bool = True, vectors: np.ndarray | None = None) -> None:
        """Add or replace records. With ``encode=False`` they are searchable lexically at once and
        semantically after :meth:`encode_pending`; ``vectors`` supplies precomputed passage vectors."""
        storage.add(self, records, encode=encode, vectors=vectors)

    def remove(self, record_ids: Iterable[str]) -> int:
        """Remove records by id (unknown ids are ignored); returns how many were removed."""
        return storage.remove(self, record_ids)

    def compact(self) -> None:
        """Drop removed rows and rebuild the lexical index from scratch (exact BM25 statistics).
        Runs by itself when the delta or the tombstones grow; ``save`` calls it first."""
        storage.compact(self)

    def group_mask(self, groups: Iterable[str]) -> np.ndarray:
        """Rows carrying at least one of ``groups`` (tombstones included; callers AND with alive)."""
        return storage.group_mask(self, groups)

    def pending(self) -> list[str]:
        """Ids of records still waiting for their passage vector."""
        return [self._records[i].id for i in np.flatnonzero(~self._has_vec & self._alive)]

    def encode_pending(self, batch: int = 64, limit: int | None = None) -> int:
        """Encode records that have no vector yet (at most ``limit``); returns how many."""
        return storage.encode_pending(self, batch, limit)

    def _changed(self, lexical: bool = True, dense: bool = True) -> None:
        self.generation += 1
        if lexical:
            self._bm25 = None
        if dense:
            self._searcher = None

    # ------------------------------------------------------- lexical and vector structures
    def _lexical(self) -> bm25s.BM25:
        return lexical.segment(self)

    def _dense(self) -> VectorSearcher:
        if self._searcher is None:
            n_vec = int(self._has_vec.sum())
            if self.ann_threshold is not None and n_vec >= self.ann_threshold:
                ann = UsearchSearcher(self._vectors.shape[1], lambda rows: self._vectors[rows], dtype=self.ann_dtype)
                rows = np.flatnonzero(self._has_vec)
                for s in range(0, len(rows), 65536):
                    part = rows[s:s + 65536]
                    ann.set_rows(part, self._vectors[part])
                self._searcher = ann
            else:
                self._searcher = BruteForceSearcher(self._vectors)
        return self._searcher

    def prepare(self) -> None:
        """Build the lexical and vector structures (and the field prototypes) now instead of at the first search."""
        if self._records:
            self.compact()
            if self.bm25_topk_threshold is not None and self._bm25_rows >= self.bm25_topk_threshold:
                lexical.impacts(self, lexical.segment(self))  # the postings in impact order
            self._dense().search(np.zeros(self._vectors.shape[1], np.float32), 1)
        self.field_prototypes()

    def field_prototypes(self) -> fieldinf.FieldPrototypes | None:
        """The taxonomy prototypes for this index's encoder (None without an encoder)."""
        if self.encoder is None:
            return None
        if self._field_protos is None or self._field_protos.encoder_name != self.encoder.name:
            self._field_protos = fieldinf.prototypes_for(self.encoder)
        return self._field_protos

    # ------------------------------------------------------------------- search
    def encode_query(self, query: Query) -> np.ndarray | None:
        if self.encoder is None:
            return None
        return self.encoder.encode_queries([lead_text(query.title, query.text, self.lead_chars)])[0]

    def search(self, query: Query | str, k: int = 20, *, method: str = "hybrid", weights: Weights | None = None,
               query_vector: np.ndarray | None = None, exclude: Sequence[str] = (), explain: bool = True,
               conflicts: str = "exclude", groups: Iterable[str] | None = None,
               memo: search.SearchMemo | None = None) -> list[Result]:
        """Rank records for ``query``. ``method``: hybrid | bm25 | dense (single signals, no structure).
        A record listing ``query.org`` in its ``conflicts`` (e.g. an expert employed by the enterprise
        asking) is left out (``conflicts="exclude"``, the default) or kept with a ``conflict`` reason
        (``conflicts="flag"``). ``groups``: when given, only records sharing one of these visibility
        labels are candidates (the mask applies before ranking, so hidden records never take a place
        in the top k). ``memo`` (:class:`~matchkit.index.search.SearchMemo`): shared by searches of
        the same query (another ``k``, say), which then compute each row's signals and terms once.
        The stages are in :mod:`matchkit.index.search`."""
        if conflicts not in ("exclude", "flag"):
            raise ValueError("conflicts must be 'exclude' or 'flag'")
        if isinstance(query, str):
            query = Query(text=query)
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}")
        if not self._row or k <= 0:
            return []
        return search.run(self, query, k, method=method, w=weights or self.weights, query_vector=query_vector,
                          exclude=exclude, explain=explain, conflicts=conflicts, groups=groups, memo=memo)

    # -------------------------------------------------------------- persistence
    def save(self, directory: str | os.PathLike) -> Path:
        """Write a new version ``<directory>/<generation>/`` and point ``CURRENT`` at it atomically.
        Readers that loaded an older version keep working; old versions are left for the caller to prune."""
        return persistence.save(self, directory)

    @staticmethod
    def current_version(directory: str | os.PathLike) -> str | None:
        return persistence.current_version(directory)

    @classmethod
    def load(cls, directory: str | os.PathLike, encoder: Encoder | None = None) -> Index:
        return persistence.load(cls, directory, encoder)
