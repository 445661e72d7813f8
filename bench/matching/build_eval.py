"""Build the labelled evaluation set from the 66 real jstec.com.cn demands (see README.md).

Writes data/corpus.jsonl (all 66 demands, kind "demand", WITHOUT their field labels),
data/queries.jsonl (each demand again, title + text) and data/qrels.tsv (qid, docid, grade):
grade 2 = the two demands share a second/third-level published 技术领域 item (e.g. 高分子材料),
grade 1 = they share only a first-level field (e.g. 新材料, or the same field_l1_derived).
A demand is never relevant to itself; runs are made with --exclude-self.
Usage: .venv/bin/python bench/matching/build_eval.py
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "duijie" / "core" / "reference" / "jstec_demands_sample.jsonl"
OUT = Path(__file__).resolve().parent / "data"
# First level of 国家重点支持的高新技术领域 (the taxonomy jstec's 技术领域 uses).
L1 = {"电子信息", "生物与新医药", "航空航天", "新材料", "高技术服务", "新能源与节能", "资源与环境", "先进制造与自动化"}


def labels(rec: dict) -> tuple[set[str], set[str]]:
    items = {x.strip() for x in rec["field"].split(",") if x.strip()}
    return (items & L1) | {rec["field_l1_derived"]}, items - L1


def main() -> None:
    recs = [json.loads(line) for line in SRC.read_text(encoding="utf-8").splitlines() if line.strip()]
    OUT.mkdir(exist_ok=True)
    with open(OUT / "corpus.jsonl", "w", encoding="utf-8") as c, open(OUT / "queries.jsonl", "w", encoding="utf-8") as q:
        for r in recs:
            base = {"id": r["id"], "title": r["title"], "text": r["text"], "region": r["region"]}
            c.write(json.dumps({**base, "kind": "demand"}, ensure_ascii=False) + "\n")
            q.write(json.dumps({**base, "target_kinds": ["demand"]}, ensure_ascii=False) + "\n")
    lab = {r["id"]: labels(r) for r in recs}
    n = {1: 0, 2: 0}
    with open(OUT / "qrels.tsv", "w", encoding="utf-8") as f:
        for a in recs:
            for b in recs:
                if a["id"] == b["id"]:
                    continue
                (l1a, fa), (l1b, fb) = lab[a["id"]], lab[b["id"]]
                grade = 2 if fa & fb else 1 if l1a & l1b else 0
                if grade:
                    n[grade] += 1
                    f.write(f"{a['id']}\t{b['id']}\t{grade}\n")
    print(f"{len(recs)} queries, {len(recs)} documents, qrels: {n[2]} grade-2, {n[1]} grade-1 pairs")


if __name__ == "__main__":
    main()
