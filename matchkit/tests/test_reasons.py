"""Reasons a person uses (issue 17, item 3): shared keywords are domain phrases — never a stopword, a
generic word of the texts, a unit, a number or a single character — structured reasons come first,
and the semantic part is a grade among the candidates, not a raw cosine."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from matchkit import Index, Query, Record
from matchkit.text import normalize, reason_excluded, shows_as_reason, stopwords

QUALITY = Path(__file__).resolve().parents[2] / "bench" / "matching" / "data"
UNITS = {"min", "mm", "ml", "kg", "kw", "mpa", "nm", "cm", "hz"}


def _jsonl(name):
    return [json.loads(line) for line in (QUALITY / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_reported_poor_reasons_are_not_shown():
    for word in ("积累", "大学", "销售", "从事", "成果", "min", "mm", "ml", "3.5mm", "2026", "的", "电"):
        assert not shows_as_reason(word), word
    for phrase in ("锂电池", "复合絮凝剂", "机器视觉", "plc", "cr-ni"):
        assert shows_as_reason(phrase), phrase


@pytest.fixture(scope="module")
def quality_results():
    """Every quality-set demand searched against the others (lexical: what every index has at once)."""
    corpus = _jsonl("corpus.jsonl")
    idx = Index(None)
    idx.add([Record(id=d["id"], kind="demand", title=d["title"], text=d.get("text", "")) for d in corpus])
    queries = _jsonl("queries.jsonl")
    return [(q, idx.search(Query(title=q["title"], text=q.get("text", "")), k=10, exclude=[q["id"]]))
            for q in queries]


def test_no_shared_keyword_on_the_quality_set_is_a_stopword_unit_number_or_single_character(quality_results):
    shown, results = [], 0
    for _q, res in quality_results:
        for r in res:
            results += 1
            for reason in r.reasons:
                if reason.code == "terms":
                    shown += list(reason.terms)
                    assert reason.text.startswith("共同关键词：")
    assert results > 1000 and len(shown) > results  # the rule leaves real reasons: > 1 term per result
    bad = [t for t in shown if len(normalize(t)) < 2 or t in stopwords() or t in reason_excluded()
           or t in UNITS or re.fullmatch(r"[0-9][0-9.,%]*[a-z%]*", t)]
    assert not bad, sorted(set(bad))[:20]


def test_each_shown_keyword_occurs_in_both_texts(quality_results):
    for q, res in quality_results[:40]:
        qtext = normalize(q["title"] + " " + q.get("text", ""))
        for r in res:
            for reason in r.reasons:
                for t in reason.terms if reason.code == "terms" else ():
                    assert t in qtext


def test_semantic_reason_is_a_grade_among_the_candidates(index):
    res = index.search(Query(title="锂电池正极材料", text="提高动力电池能量密度"), k=5)
    texts = [r.text for hit in res for r in hit.reasons if r.code == "semantic"]
    assert texts and all(re.fullmatch(r"语义相近度(高|较高|一般)（候选中前\d+%）", t) for t in texts)
    assert not any(re.search(r"0\.\d\d", t) for t in texts)  # never the raw cosine
    # a closer result (its cosine stays available as the reason's strength) never gets a worse grade
    semantic = sorted((r for hit in res for r in hit.reasons if r.code == "semantic"), key=lambda r: -r.strength)
    shares = [int(re.search(r"前(\d+)%", r.text).group(1)) for r in semantic]
    assert shares == sorted(shares) and shares[0] < shares[-1]


def test_structured_reasons_come_first(index):
    res = index.search(Query(title="锂电池正极材料", text="动力电池", industry="3841", region="320412"), k=3)
    a1 = next(r for r in res if r.id == "A1")
    codes = [r.code for r in a1.reasons]
    structured = [c for c in codes if c not in {"terms", "semantic", "inferred_field"}]
    assert structured, codes
    assert codes.index(structured[-1]) < codes.index("terms"), codes


def test_generic_words_of_a_large_index_are_not_reasons():
    # 300 records all sharing 平台 and 检测: in a large index such words say nothing about one record
    records = [Record(id=f"R{i}", kind="achievement", title=f"检测平台{i}号", text=f"平台 检测 型号{i:03d}甲乙")
               for i in range(300)]
    records.append(Record(id="X", kind="achievement", title="石墨烯导热膜检测平台", text="石墨烯导热膜"))
    idx = Index(None)
    idx.add(records)
    hit = next(r for r in idx.search(Query(title="石墨烯导热膜检测平台"), k=3) if r.id == "X")
    terms = next(r.terms for r in hit.reasons if r.code == "terms")
    assert "石墨烯" in "".join(terms) and "平台" not in terms and "检测" not in terms

