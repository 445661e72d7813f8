"""Build the labelled evaluation set from real jstec.com.cn demands (see README.md).

Sources (both the 江苏省技术产权交易市场 众包需求 listing, published 2022–2026):
- ``duijie/core/reference/jstec_demands_sample.jsonl``: 66 demands with their full published text;
- ``data/jstec_extra.tsv``: 124 more demands (115 not already in the sample) with title, an extract of
  the opening of the published 需求详情, the published 技术领域, region and 需求类型 (no names, no phones).

Writes data/corpus.jsonl (every demand, kind "demand", WITHOUT its field labels), data/queries.jsonl
(each demand again, with ``split``: "dev" or "test", fixed by a hash of the id) and data/qrels.tsv
(qid, docid, grade): grade 2 = the two demands share a second/third-level published 技术领域 item
(e.g. 高分子材料), grade 1 = they share only a first-level field (e.g. 新材料). A demand is never
relevant to itself; runs are made with --exclude-self.
Usage: .venv/bin/python bench/matching/build_eval.py
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "duijie" / "core" / "reference" / "jstec_demands_sample.jsonl"
OUT = Path(__file__).resolve().parent / "data"
EXTRA = OUT / "jstec_extra.tsv"
# First level of 国家重点支持的高新技术领域 (the taxonomy jstec's 技术领域 uses).
L1 = {"电子信息", "生物与新医药", "航空航天", "新材料", "高技术服务", "新能源与节能", "资源与环境", "先进制造与自动化"}


def _split(rid: str) -> str:
    return "dev" if int(hashlib.sha1(rid.encode()).hexdigest(), 16) % 2 == 0 else "test"


def load() -> list[dict]:
    recs = []
    seen_titles = set()
    for line in SRC.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            items = {x.strip() for x in r["field"].split(",") if x.strip()}
            recs.append({"id": r["id"], "title": r["title"], "text": r["text"], "region": r["region"],
                         "items": items | {r["field_l1_derived"]}, "type": r["meta"].get("需求类型")})
            seen_titles.add(r["title"])
    n = 0
    for line in EXTRA.read_text(encoding="utf-8").splitlines():
        jid, title, lead, field, region, typ = line.split("\t")
        if title in seen_titles:  # already in the sample (with its full text)
            continue
        seen_titles.add(title)
        n += 1
        recs.append({"id": f"X{n:03d}", "title": title, "text": lead, "region": region,
                     "items": {x.strip() for x in field.split(",") if x.strip()}, "type": typ, "jstec_id": jid})
    return recs


def main() -> None:
    recs = load()
    OUT.mkdir(exist_ok=True)
    with open(OUT / "corpus.jsonl", "w", encoding="utf-8") as c, open(OUT / "queries.jsonl", "w", encoding="utf-8") as q:
        for r in recs:
            base = {"id": r["id"], "title": r["title"], "text": r["text"], "region": r["region"]}
            c.write(json.dumps({**base, "kind": "demand"}, ensure_ascii=False) + "\n")
            q.write(json.dumps({**base, "target_kinds": ["demand"], "split": _split(r["id"])}, ensure_ascii=False)
                    + "\n")
    n = {1: 0, 2: 0}
    with open(OUT / "qrels.tsv", "w", encoding="utf-8") as f:
        for a in recs:
            for b in recs:
                if a["id"] == b["id"]:
                    continue
                fa, fb = a["items"] - L1, b["items"] - L1
                grade = 2 if fa & fb else 1 if (a["items"] & L1) & (b["items"] & L1) else 0
                if grade:
                    n[grade] += 1
                    f.write(f"{a['id']}\t{b['id']}\t{grade}\n")
    dev = sum(_split(r["id"]) == "dev" for r in recs)
    print(f"{len(recs)} queries ({dev} dev, {len(recs) - dev} test), {len(recs)} documents, "
          f"qrels: {n[2]} grade-2, {n[1]} grade-1 pairs")


if __name__ == "__main__":
    main()
