"""Build the development suite of bench/matching: several labelled sets of different shapes, each from
public data with its provenance (see data/suite/README.md). Labels come from the data (a published
field, a taxonomy's own parent, a published category), never from our model.

    .venv/bin/python bench/matching/build_suite.py [--fewclue GIT_DIR]

Sets (each written as data/suite/<name>/{corpus.jsonl,queries.jsonl,qrels.tsv}, same format as data/):

- ``jstec`` — demand → demand: the 181 jstec demands of data/ (see README.md); not rebuilt here.
- ``gbt4754`` — short query → description: a GB/T 4754-2017 小类 name (4–20 characters) → the official
  说明 (remark) of every 小类 that has one, *without* its name. Grade 2: the query's own class; grade 1:
  another 小类 of the same 中类. Source: duijie/core/reference/gbt4754_2017.json (provenance there).
- ``nsfc`` — title → profile (expert-finding shape): a level-3 NSFC discipline name → "profiles", one per
  level-2 discipline, listing its name and its other level-3 directions the way an expert profile lists
  research directions; the query's direction is held out of every profile. Grade 2: the level-2 discipline
  the direction belongs to; grade 1: another level-2 discipline of the same level-1 discipline. Source:
  duijie/core/reference/nsfc_disciplines.jl (the code *tree*, not a project list).
- ``iflytek`` — long text → long text: an app description (≤ 500 characters) → the other descriptions;
  relevant = the same published app category (grade 1). Source: the FewCLUE benchmark's iflytek test
  set (CLUEbenchmark/FewCLUE, datasets/iflytek/test_public.json @ 62a02c6f); it comes from a fetched
  snapshot, so it is written to data/suite/iflytek/ (git-ignored) only when ``--fewclue`` points at that
  snapshot's git directory. No licence is published for FewCLUE ("正在添加中"), so it is not vendored.

Splits: each query is ``dev`` or ``test`` by a hash of its id, as in data/ (the leave-one-set-out table in
run.py does not use them; they are kept for per-set tuning checks).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REF = ROOT / "duijie" / "core" / "reference"
OUT = Path(__file__).resolve().parent / "data" / "suite"
FEWCLUE_COMMIT = "62a02c6f31cf32814cfe522f78ef088228840f8d"
CNPATENT_COMMIT = "755a6d867e262a298300931195bffa44888f57a9"


def _h(s: str) -> int:
    return int(hashlib.sha1(s.encode()).hexdigest(), 16)


def _split(rid: str) -> str:
    return "dev" if _h(rid) % 2 == 0 else "test"


def _write(name: str, corpus: list[dict], queries: list[dict], qrels: dict[str, dict[str, int]]) -> None:
    d = OUT / name
    d.mkdir(parents=True, exist_ok=True)
    with open(d / "corpus.jsonl", "w", encoding="utf-8") as f:
        for r in corpus:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(d / "queries.jsonl", "w", encoding="utf-8") as f:
        for q in queries:
            f.write(json.dumps({**q, "split": _split(q["id"])}, ensure_ascii=False) + "\n")
    n = defaultdict(int)
    with open(d / "qrels.tsv", "w", encoding="utf-8") as f:
        for q in queries:
            for doc, g in sorted(qrels[q["id"]].items()):
                f.write(f"{q['id']}\t{doc}\t{g}\n")
                n[g] += 1
    qlen = sorted(len(q["title"]) + len(q["text"]) for q in queries)
    print(f"{name}: {len(corpus)} documents, {len(queries)} queries (length {qlen[0]}–{qlen[-1]}, median "
          f"{qlen[len(qlen) // 2]} characters), qrels " + ", ".join(f"grade {g}: {n[g]}" for g in sorted(n)))


def gbt4754(max_queries: int = 250) -> None:
    rows = json.loads((REF / "gbt4754_2017.json").read_text(encoding="utf-8"))
    l4 = [r for r in rows if r["level"] == "4" and r["remark"].strip()]
    # the 199 中类 with a single 小类 repeat its name and remark (see the reference's notes): keep the 小类
    corpus = [{"id": f"G{r['class4']}", "kind": "achievement", "title": "", "text": r["remark"].strip()} for r in l4]
    by_class3 = defaultdict(set)
    for r in l4:
        by_class3[r["class3"]].add(f"G{r['class4']}")
    cands = sorted(l4, key=lambda r: _h("q" + r["class4"]))[:max_queries]
    queries, qrels = [], {}
    for r in sorted(cands, key=lambda r: r["class4"]):
        qid = f"QG{r['class4']}"
        queries.append({"id": qid, "title": r["name"], "text": "", "target_kinds": ["achievement"]})
        rel = {d: 1 for d in by_class3[r["class3"]]}
        rel[f"G{r['class4']}"] = 2
        qrels[qid] = rel
    _write("gbt4754", corpus, queries, qrels)


def nsfc(max_queries: int = 300) -> None:
    nodes = {}
    for line in (REF / "nsfc_disciplines.jl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            n = json.loads(line)
            nodes[n["_id"]] = n
    level2 = [n for n in nodes.values() if len(n["_id"]) == 5 and len(n["children"]) >= 3]
    held: dict[str, str] = {}  # level-2 id -> the child held out as a query (one per profile)
    for n in level2:
        kids = sorted(n["children"], key=lambda c: _h("nsfc" + c))
        held[n["_id"]] = kids[0]
    corpus = []
    for n in sorted(level2, key=lambda n: n["_id"]):
        others = [nodes[c]["name"] for c in n["children"] if c != held[n["_id"]] and c in nodes]
        corpus.append({"id": f"P{n['_id']}", "kind": "expert", "title": "",
                       "text": f"研究领域：{n['name']}。研究方向：" + "、".join(others) + "。"})
    by_l1 = defaultdict(set)
    for n in level2:
        by_l1[n["_id"][:3]].add(f"P{n['_id']}")
    picks = sorted(level2, key=lambda n: _h("q" + n["_id"]))[:max_queries]
    queries, qrels = [], {}
    for n in sorted(picks, key=lambda n: n["_id"]):
        c = held[n["_id"]]
        qid = f"QN{c}"
        queries.append({"id": qid, "title": nodes[c]["name"], "text": "", "target_kinds": ["expert"]})
        rel = {d: 1 for d in by_l1[n["_id"][:3]]}
        rel[f"P{n['_id']}"] = 2
        qrels[qid] = rel
    _write("nsfc", corpus, queries, qrels)


def iflytek(git_dir: Path, per_category: int = 12, max_queries: int = 200) -> None:
    raw = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{FEWCLUE_COMMIT}:datasets/iflytek/test_public.json"],
                         check=True, capture_output=True).stdout.decode("utf-8")
    rows = [json.loads(x) for x in raw.split("\n") if x.strip()]  # not splitlines: texts hold U+2028
    by_cat = defaultdict(list)
    for r in rows:
        by_cat[r["label_des"]].append(r)
    docs = []
    for _cat, rs in sorted(by_cat.items()):
        if len(rs) < 5:  # a category needs a few members to be a label worth ranking by
            continue
        docs += sorted(rs, key=lambda r: _h(f"ify{r['id']}"))[:per_category]
    corpus = [{"id": f"A{r['id']}", "kind": "achievement", "title": "", "text": r["sentence"][:500]} for r in docs]
    members = defaultdict(set)
    for r in docs:
        members[r["label_des"]].add(f"A{r['id']}")
    picks = sorted(docs, key=lambda r: _h(f"q{r['id']}"))[:max_queries]
    queries, qrels = [], {}
    for r in sorted(picks, key=lambda r: r["id"]):
        qid = f"A{r['id']}"  # the query is the document itself: runs exclude it (--exclude-self)
        queries.append({"id": qid, "title": "", "text": r["sentence"][:500], "target_kinds": ["achievement"]})
        qrels[qid] = {d: 1 for d in members[r["label_des"]] if d != qid}
    _write("iflytek", corpus, queries, qrels)


def cnpatent(git_dir: Path) -> None:
    import csv
    import io
    rows: dict[str, list[str]] = {}
    for part in ("train", "val", "test"):
        raw = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{CNPATENT_COMMIT}:data/sample_{part}.csv"],
                             check=True, capture_output=True).stdout.decode("utf-8-sig")
        for r in list(csv.reader(io.StringIO(raw, newline="")))[1:]:
            if r and r[0]:  # the sample files are mostly blank rows
                rows.setdefault(r[0], r)
    docs = []
    for pub, r in sorted(rows.items()):
        title, _kw, abstract = (x.strip() for x in r[1].split("[SEP]")) if "[SEP]" in r[1] else _fields(r[1])
        groups = {c.split("/")[0] for c in json.loads(r[2])}
        docs.append({"id": pub, "title": title, "text": abstract, "codes": set(json.loads(r[2])), "groups": groups})
    corpus = [{"id": d["id"], "kind": "patent", "title": d["title"], "text": d["text"]} for d in docs]
    qrels = {}
    for d in docs:
        rel = {}
        for e in docs:
            if e["id"] != d["id"]:
                g = 2 if d["codes"] & e["codes"] else 1 if d["groups"] & e["groups"] else 0
                if g:
                    rel[e["id"]] = g
        qrels[d["id"]] = rel
    # the query is the patent itself (runs exclude it): full text, and the title alone
    full = [{"id": d["id"], "title": d["title"], "text": d["text"], "target_kinds": ["patent"]} for d in docs if qrels[d["id"]]]
    _write("cnpatent", corpus, full, qrels)


def _fields(text: str) -> tuple[str, str, str]:
    """"Title: …\nKeywords: …\nAbstract: …" (the train sample's layout)."""
    out = {"Title": "", "Keywords": "", "Abstract": ""}
    for line in text.splitlines():
        k, _, v = line.partition(":")
        if k.strip() in out:
            out[k.strip()] = v.strip()
    return out["Title"], out["Keywords"], out["Abstract"]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--fewclue", type=Path, default=Path("/work/.mirror/CLUEbenchmark+FewCLUE/repo"),
                   help="git directory of a CLUEbenchmark/FewCLUE snapshot (the iflytek set is skipped without it)")
    p.add_argument("--cnpatent", type=Path,
                   default=Path("/work/.mirror/liaoleyuan+chinese-patent-cpc-multilabel-classification/repo"),
                   help="git directory of a liaoleyuan/chinese-patent-cpc-multilabel-classification snapshot")
    args = p.parse_args()
    gbt4754()
    nsfc()
    if args.fewclue.exists():
        iflytek(args.fewclue)
    else:
        print(f"iflytek: skipped ({args.fewclue} not found)")
    if args.cnpatent.exists():
        cnpatent(args.cnpatent)
    else:
        print(f"cnpatent: skipped ({args.cnpatent} not found)")


if __name__ == "__main__":
    main()
