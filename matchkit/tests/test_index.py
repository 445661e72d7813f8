import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from matchkit import Index, Query, Record, SearchMemo, Weights
from matchkit.tests.conftest import DOCS, HashEncoder
from matchkit.text import normalize


def ranking(results):
    return [(r.id, round(r.score, 6)) for r in results]


def test_search_returns_dataclasses_with_parts_and_reasons(index):
    res = index.search(Query(title="锂电池正极材料", text="提高动力电池能量密度"), k=3)
    # the cathode achievement and the battery-materials expert lead (their order depends on the
    # inferred-field signal, which the bigram-hash test encoder only roughly supports)
    assert {res[0].id, res[1].id} == {"A1", "E1"} and [r.rank for r in res] == [1, 2, 3]
    a1 = next(r for r in res if r.id == "A1")
    p = a1.parts
    assert p.bm25 > 0 and -1 <= p.dense <= 1 and p.fused == a1.score
    codes = [r.code for r in a1.reasons]
    assert "terms" in codes and "semantic" in codes


def test_shared_terms_really_occur_in_both_texts(index):
    q = Query(title="锂离子电池材料", text="高镍三元正极，储能器件与固态电解质")
    for r in index.search(q, k=6):
        doc = index.get(r.id)
        for reason in r.reasons:
            if reason.code == "terms":
                assert reason.terms
                for t in reason.terms:
                    assert t in normalize(q.title + q.text)
                    assert t in normalize(doc.title + doc.text)
                    assert t in reason.text


def test_save_load_round_trip_gives_identical_rankings(index, encoder, tmp_path):
    queries = [Query(title="锂电池"), Query(text="机器视觉 工业机器人 抓取"), Query(title="废水处理", industry="2662")]
    before = [ranking(index.search(q, k=5)) for q in queries]
    index.save(tmp_path / "idx")
    loaded = Index.load(tmp_path / "idx", encoder=encoder)
    assert [ranking(loaded.search(q, k=5)) for q in queries] == before
    assert [ranking(loaded.search(q, k=5, method="bm25")) for q in queries] == [
        ranking(index.search(q, k=5, method="bm25")) for q in queries]


def test_save_writes_versions_and_a_second_process_sees_an_update(index, tmp_path):
    base = tmp_path / "idx"
    v1 = index.save(base)
    index.add([Record(id="N1", kind="achievement", title="钙钛矿太阳能电池", text="大面积钙钛矿光伏组件封装")])
    v2 = index.save(base)
    assert v1 != v2 and v1.exists() and Index.current_version(base) == v2.name
    code = (
        "import sys; from matchkit import Index, Query;"
        f"idx = Index.load({str(base)!r});"
        "print(idx.search(Query(title='钙钛矿光伏组件'), k=1, method='bm25')[0].id)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,  # noqa: S603 - our own code
                         check=True, cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "N1"


def test_load_refuses_vectors_from_another_encoder(index, tmp_path):
    index.save(tmp_path / "idx")

    class Other(HashEncoder):
        name = "another-model"

    with pytest.raises(ValueError, match=r"another-model|test-hash"):
        Index.load(tmp_path / "idx", encoder=Other())


def test_add_remove_and_replace(index):
    assert len(index) == len(DOCS)
    assert index.remove(["A1", "missing"]) == 1
    assert "A1" not in index
    assert all(r.id != "A1" for r in index.search(Query(title="锂离子电池正极材料"), k=10))
    index.add([Record(id="A3", kind="patent", title="钙钛矿太阳能电池", text="光伏组件")])
    assert len(index) == len(DOCS) - 1
    assert index.get("A3").title == "钙钛矿太阳能电池"
    assert index.search(Query(title="絮凝剂 印染废水"), k=10, method="bm25") == []


def test_lexical_at_once_semantic_after_encoding(encoder):
    idx = Index(encoder)
    idx.add(DOCS, encode=False)
    assert set(idx.pending()) == {d.id for d in DOCS}
    res = idx.search(Query(title="絮凝剂"), k=3)
    assert res[0].id == "A3" and np.isnan(res[0].parts.dense)
    assert idx.encode_pending() == len(DOCS) and idx.pending() == []
    assert not np.isnan(idx.search(Query(title="絮凝剂"), k=3)[0].parts.dense)


def test_target_kinds_and_exclude(index):
    res = index.search(Query(title="锂电池 材料", target_kinds=["expert"]), k=10)
    assert [r.id for r in res] == ["E1"]
    assert all(r.id != "A1" for r in index.search(Query(title="锂电池"), k=10, exclude=["A1"]))


def _two_twins(encoder):
    """Two records with the same text, differing only in structure."""
    idx = Index(encoder)
    text = "高性能锂电池隔膜材料的制备与涂覆工艺"
    idx.add([
        Record(id="X", kind="achievement", title="隔膜", text=text, industry="2651", region="110105",
               ipc=["C08J5/22"], institution="北京某大学"),
        Record(id="Y", kind="achievement", title="隔膜", text=text, industry="3841", region="320412",
               ipc=["H01M50/40"], institution="常州大学"),
    ])
    return idx


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("industry", "3841", "同属行业小类3841"),
    ("industry", "C3849", "同属行业中类384"),
    ("region", "320412", "同一区县"),
    ("region", "320402", "同一城市"),
    ("ipc", ["H01M50/411"], "IPC同一小类：H01M"),
    ("institution", "常州大学", "同一单位"),
])
def test_structured_signals_move_the_matching_record_up(encoder, field, value, reason):
    idx = _two_twins(encoder)
    plain = idx.search(Query(title="锂电池隔膜"), k=2)
    assert plain[0].id == "X"  # equal scores: ties go to the lower id
    res = idx.search(Query(title="锂电池隔膜", **{field: value}), k=2)
    assert res[0].id == "Y"
    assert res[0].parts.structured > res[1].parts.structured
    assert any(reason in r.text for r in res[0].reasons if r.code == field)


def test_industry_hierarchy_distance_orders_strength():
    from matchkit.structured import industry

    found = [industry("3841", c) for c in ("3841", "3849", "3811", "3011")]
    assert all(found)
    same_class, same_group, same_div, same_section = (m[0] for m in found if m)
    assert same_class > same_group > same_div > same_section > 0
    assert industry("3841", "0111") is None


def test_weights_move_rankings_in_the_expected_direction(encoder):
    idx = Index(encoder)
    idx.add([
        # L shares the rare query word 石墨烯 but little else; S shares many characters (dense).
        Record(id="L", kind="achievement", title="石墨烯", text="导热膜"),
        Record(id="S", kind="achievement", title="高导热复合散热材料", text="用于电子器件散热的高导热复合材料"),
        Record(id="Z", kind="achievement", title="水处理", text="膜分离"),
    ])
    q = Query(title="石墨烯高导热复合散热材料")
    lex = idx.search(q, k=3, weights=Weights(bm25=1.0, dense=0.0))
    sem = idx.search(q, k=3, weights=Weights(bm25=0.0, dense=1.0))
    pos = {w: [r.id for r in res] for w, res in (("lex", lex), ("sem", sem))}
    assert pos["lex"].index("L") <= pos["sem"].index("L")
    # raising the industry weight lifts the industry match above an otherwise better record
    idx.add([Record(id="I", kind="achievement", title="导热材料", text="散热", industry="3985")])
    q2 = Query(title="高导热复合散热材料", industry="3985")
    low = [r.id for r in idx.search(q2, k=4, weights=Weights(industry=0.0))]
    high = [r.id for r in idx.search(q2, k=4, weights=Weights(industry=1.0))]
    assert high.index("I") < low.index("I")


def test_rrf_fusion_ranks_and_scores_descend(index):
    res = index.search(Query(title="电池"), k=5, weights=Weights(fusion="rrf"))
    assert [r.rank for r in res] == list(range(1, len(res) + 1))
    assert all(a.score >= b.score for a, b in pairwise(res))


def test_records_need_title_or_text_and_a_known_kind(encoder):
    idx = Index(encoder)
    with pytest.raises(ValueError, match="both empty"):
        idx.add([Record(id="E", kind="expert")])
    with pytest.raises(ValueError, match="kind"):
        idx.add([Record(id="E", kind="robot", title="x")])


def test_matchkit_imports_nothing_from_django_or_duijie():
    code = ("import sys, matchkit, matchkit.cli; bad = [m for m in sys.modules if m.split('.')[0] in "
            "('django', 'duijie', 'config')]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True,  # noqa: S603 - our own code
                   cwd=Path(__file__).resolve().parents[2])


def test_an_edit_is_searchable_at_once_and_scores_like_a_rebuild(index):
    index.search(Query(title="电池"), k=1)  # builds the bm25s segment
    segment = index._bm25
    index.add([Record(id="N2", kind="achievement", title="钠离子电池负极硬碳", text="低成本储能电池负极材料")])
    q = Query(title="钠离子电池 硬碳负极")
    fast = index.search(q, k=3, method="bm25")
    assert index._bm25 is segment  # no rebuild: the new record was scored as a delta
    assert fast[0].id == "N2"
    index.compact()
    exact = index.search(q, k=3, method="bm25")
    assert exact[0].id == "N2"
    assert abs(fast[0].parts.bm25 - exact[0].parts.bm25) / exact[0].parts.bm25 < 0.05


def test_removed_records_vanish_before_and_after_compaction(index):
    index.search(Query(title="絮凝剂"), k=1)
    index.remove(["A3"])
    assert len(index) == len(DOCS) - 1 and "A3" not in index.ids()
    assert index.search(Query(title="絮凝剂 印染废水"), k=5, method="bm25") == []
    index.compact()
    assert index.search(Query(title="絮凝剂 印染废水"), k=5, method="bm25") == []


def test_many_small_adds_removes_and_encodes_stay_consistent(encoder):
    """Growth of the vector buffers, tombstones and compaction must never mix up rows."""
    idx = Index(encoder)
    fresh = Index(encoder)
    for i in range(60):
        rec = Record(id=f"R{i}", kind="achievement", title=f"第{i}号 锂电池材料", text="正极 负极 隔膜 电解液"[: 3 + i % 9])
        idx.add([rec], encode=(i % 3 != 0))
        if i % 7 == 6:
            idx.remove([f"R{i - 3}"])
        if i % 11 == 10:
            idx.compact()
    idx.encode_pending()
    survivors = [idx.get(r) for r in idx.ids()]
    fresh.add(survivors)
    q = Query(title="锂电池 正极 材料")
    got = idx.search(q, k=10, method="dense")
    want = fresh.search(q, k=10, method="dense")
    assert [(r.id, round(r.score, 4)) for r in got] == [(r.id, round(r.score, 4)) for r in want]
    idx.compact()
    assert [r.id for r in idx.search(q, k=10)] == [r.id for r in fresh.search(q, k=10)]


def test_groups_mask_records_before_ranking(tmp_path):
    idx = Index(None)
    idx.add([Record(id="P", kind="demand", title="锂电池隔膜涂层", groups=["public"]),
             Record(id="R", kind="demand", title="锂电池隔膜涂层 保密", groups=["org:7"])])
    q = Query(title="锂电池隔膜")
    assert {r.id for r in idx.search(q, k=5)} == {"P", "R"}
    assert [r.id for r in idx.search(q, k=5, groups=["public"])] == ["P"]
    assert {r.id for r in idx.search(q, k=5, groups=["public", "org:7"])} == {"P", "R"}
    assert idx.search(q, k=5, groups=[]) == []
    idx.save(tmp_path)  # labels survive save/load and compaction
    idx2 = Index.load(tmp_path)
    idx2.remove(["P"])
    idx2.compact()
    assert [r.id for r in idx2.search(q, k=5, groups=["org:7"])] == ["R"]


def test_structured_part_is_the_sum_of_every_signal_that_fires_for_the_pair(encoder):
    """Search skips signals a query cannot fire and rows no pair signal applies to; the structured part
    and reasons must still be exactly those of all signals evaluated pair by pair."""
    from matchkit import signals

    idx = Index(encoder)
    idx.add([
        Record(id="P1", kind="expert", title="锂电池隔膜", text="隔膜涂覆", industry="3841", load=3),
        Record(id="P2", kind="expert", title="锂电池正极", text="正极材料", industry="3849", partners=["Q1"]),
        Record(id="P3", kind="achievement", title="电池隔膜", text="湿法隔膜", ipc=["H01M50/411"], region="320412",
               stage="中试"),
        Record(id="P4", kind="enterprise", title="电池回收", text="梯次利用", partners=["org9"], tier="高新技术企业"),
        Record(id="P5", kind="achievement", title="锂电池隔膜", text="干法隔膜", field="新材料", industry="C"),
    ])
    w = Weights()
    queries = [
        Query(title="锂电池隔膜"),
        Query(id="Q1", title="锂电池隔膜", org="org9"),
        Query(title="锂电池隔膜", industry="3841", region="320400", stage="小试", tier="科技型中小企业"),
        Query(title="电池", ipc=["H01M10/05"], partners=["P4"], field="新材料"),
        Query(title="电池", tracks=["新能源"], discipline="E0501"),
    ]
    fired = set()
    for q in queries:
        for r in idx.search(q, k=5):
            d = idx.get(r.id)
            total, codes = 0.0, []
            for s in signals.STRUCTURED:
                name, fn = s.name, s.compute
                assert fn is not None
                m = fn(getattr(q, name), getattr(d, name)) if s.kind == "field" else fn(q, d)
                if m and getattr(w, name):
                    total += getattr(w, name) * m[0]
                    codes.append((name, m[1]))
                    fired.add(name)
            assert r.parts.structured == pytest.approx(total, abs=1e-6)
            assert [(x.code, x.text) for x in r.reasons if x.code in dict(codes)
                    or x.code in {s.name for s in signals.STRUCTURED}] == codes
    assert {"industry", "region", "ipc", "stage", "tier", "load", "cooperation", "field"} <= fired


def _full(results):
    return [(r.id, r.rank, r.score, r.parts, r.reasons) for r in results]


def test_a_search_memo_changes_no_result_for_any_k_nor_after_an_edit(index):
    """Searches of one query sharing a ``SearchMemo`` (another k, another kind) give what searches
    without it give, also once the index changed under the memo (rows renumbered by a compaction)."""
    q = Query(title="锂电池正极材料", text="提高动力电池能量密度和循环寿命", industry="3841", region="320412",
              ipc=["H01M4/36"], partners=["E1"])
    memo = SearchMemo()
    for k in (1, 5, 2):
        for kinds in ([], ["achievement"], ["achievement", "expert"]):
            query = Query(**{**q.__dict__, "target_kinds": kinds})
            assert _full(index.search(query, k=k, memo=memo)) == _full(index.search(query, k=k)), (k, kinds)
    index.remove(["A1"])
    index.compact()  # rows move: what the memo keeps for a row number belongs to the old version
    assert _full(index.search(q, k=5, memo=memo)) == _full(index.search(q, k=5))
    assert "A1" not in [r.id for r in index.search(q, k=5, memo=memo)]
