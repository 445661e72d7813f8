"""Structured signals added for issue 5: stage, tier, past cooperation, load, conflicts, crosswalks."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from matchkit import Index, Query, Record, Weights
from matchkit import crosswalk as cw
from matchkit import structured as sig


def _strength(m: tuple[float, str] | None) -> float:
    assert m is not None
    return m[0]

TEXT = "锂电池正极材料的制备工艺与性能提升"


def _twins(encoder, **extra_b) -> Index:
    """Two records with the same text; B differs only in the fields given."""
    idx = Index(encoder)
    idx.add([Record(id="A", kind="expert", title="电池材料专家", text=TEXT),
             Record(id="B", kind="expert", title="电池材料专家", text=TEXT, **extra_b)])
    return idx


def _order(idx, q, **kw):
    return [r.id for r in idx.search(q, k=5, **kw)]


def test_stage_levels_and_fit():
    assert _strength(sig.stage("中试", "批量生产阶段")) == 1.0
    assert _strength(sig.stage("批量生产阶段", "小批量生产阶段")) == 0.4
    assert sig.stage("批量生产阶段", "研制阶段") is None
    assert sig.stage(None, "研制阶段") is None and sig.stage("中试", "说不清") is None


def test_stage_lifts_mature_record(encoder):
    idx = _twins(encoder, stage="批量生产阶段")
    res = idx.search(Query(text=TEXT, stage="小批量生产阶段"), k=2)
    assert [r.id for r in res] == ["B", "A"]
    assert any(x.code == "stage" and "批量生产阶段" in x.text for x in res[0].reasons)


def test_tier(encoder):
    assert _strength(sig.tier("高新技术企业", "专精特新")) == 1.0
    assert sig.tier("瞪羚", "高新技术企业") is None
    idx = Index(encoder)
    idx.add([Record(id="E1", kind="enterprise", title="电池企业", text=TEXT, tier="科技型中小企业"),
             Record(id="E2", kind="enterprise", title="电池企业", text=TEXT, tier="专精特新小巨人")])
    assert _order(idx, Query(text=TEXT, tier="高新技术企业")) == ["E2", "E1"]


def test_past_cooperation_lifts(encoder):
    idx = _twins(encoder, partners=["ORG-9"])
    res = idx.search(Query(text=TEXT, org="ORG-9"), k=2)
    assert res[0].id == "B" and any(x.code == "cooperation" for x in res[0].reasons)
    # the other direction: the query lists the record among its partners
    idx2 = _twins(encoder)
    assert _order(idx2, Query(text=TEXT, partners=["B"])) == ["B", "A"]


def test_load_lowers_rank(encoder):
    idx = _twins(encoder)
    base = _order(idx, Query(text=TEXT))
    assert base == ["A", "B"]  # tie broken by id
    idx.add([Record(id="A", kind="expert", title="电池材料专家", text=TEXT, load=4)])
    res = idx.search(Query(text=TEXT), k=2)
    assert [r.id for r in res] == ["B", "A"]
    assert res[1].parts.structured < 0 and any("4项" in x.text for x in res[1].reasons if x.code == "load")
    # without the load weight nothing is taken off
    plain = {r.id: r for r in idx.search(Query(text=TEXT), k=2, weights=Weights(load=0))}
    assert plain["A"].parts.structured == 0 and all(x.code != "load" for x in plain["A"].reasons)


def test_conflict_of_interest_excluded_or_flagged(encoder):
    idx = Index(encoder)
    idx.add([Record(id="X1", kind="expert", title="电池材料专家", text=TEXT, conflicts=["ENT-1"]),
             Record(id="X2", kind="expert", title="电池材料专家", text=TEXT)])
    q = Query(text=TEXT, org="ENT-1")
    assert _order(idx, q) == ["X2"]
    assert "X1" not in _order(idx, q, method="bm25") and "X1" not in _order(idx, q, method="dense")
    flagged = {r.id: r for r in idx.search(q, k=5, conflicts="flag")}
    assert flagged["X1"].reasons[0].code == "conflict" and "利益冲突" in flagged["X1"].reasons[0].text
    assert all(x.code != "conflict" for x in flagged["X2"].reasons)
    # another organisation is not affected
    assert set(_order(idx, Query(text=TEXT, org="ENT-2"))) == {"X1", "X2"}
    with pytest.raises(ValueError):
        idx.search(q, conflicts="ignore")


def test_conflicts_survive_compaction_and_reload(encoder, tmp_path):
    idx = Index(encoder)
    idx.add([Record(id=f"R{i}", kind="expert", title="电池材料专家", text=TEXT) for i in range(3)]
            + [Record(id="X1", kind="expert", title="电池材料专家", text=TEXT, conflicts=["ENT-1"])])
    idx.remove(["R0"])
    idx.save(tmp_path)
    again = Index.load(tmp_path, encoder=encoder)
    assert "X1" not in _order(again, Query(text=TEXT, org="ENT-1"))
    assert "X1" not in _order(idx, Query(text=TEXT, org="ENT-1"))


def test_crosswalk_tables_have_provenance_and_known_codes():
    for name in ("crosswalk_fields.json", "crosswalk_ipc_gbt4754.json", "crosswalk_park_tracks.json"):
        data = json.loads(resources.files("matchkit").joinpath("data", name).read_text(encoding="utf-8"))
        assert len(data["provenance"]) > 80
    names = json.loads(resources.files("matchkit").joinpath("data", "gbt4754.json").read_text(encoding="utf-8"))["names"]
    for divs in cw.ipc_table().values():
        assert all(d in names for d in divs), divs
    for divs in cw.fields_table()["annex1_to_gbt4754_divisions"].values():
        assert all(d in names for d in divs), divs
    for t in cw.tracks_table().values():
        assert all(d in names for d in t["divisions"]), t


def test_crosswalk_profiles():
    assert cw.divisions_for_ipc(["H01M4/36"]) == {"38"}  # subclass wins over class H01
    assert cw.divisions_for_ipc(["H01L21/02"]) == {"39"}
    assert cw.annex1_for_field("先进制造与自动化,新材料") == {"装备制造", "新材料"}
    assert cw.annex1_for_nsfc("E0501") == {"装备制造"} and cw.annex1_for_nsfc("H1001") == {"生物技术与新医药"}
    assert "能源环保" in cw.profile(tracks=["动力电池"]).fields


def test_crosswalk_signal_compares_like_with_like(encoder):
    # a demand with a GB/T 4754 code; a patent with only IPC codes in the same division (C38)
    idx = Index(encoder)
    idx.add([Record(id="P1", kind="patent", title="电池专利", text=TEXT, ipc=["H01M10/0525"]),
             Record(id="P2", kind="patent", title="电池专利", text=TEXT, ipc=["A61K9/20"])])
    res = idx.search(Query(text=TEXT, industry="3841"), k=2)
    assert res[0].id == "P1"
    why = [x for x in res[0].reasons if x.code == "crosswalk"]
    assert why and "38" in why[0].text
    # a jstec field name on one side, an Annex-1 field on the other
    assert _strength(sig.crosswalk(Query(field="先进制造与自动化"), Record(id="r", kind="achievement", title="t",
                                                                             field="装备制造"))) == 0.4
    # the direct signal already fired: no double counting
    assert sig.crosswalk(Query(industry="3841"), Record(id="r", kind="patent", title="t", industry="3841")) is None
