"""Zero-shot technology-field inference: distributions, the hybrid signal, its reason, persistence."""

from __future__ import annotations

import numpy as np
import pytest

from matchkit import Index, Query, Record, Weights
from matchkit import fields as fi
from matchkit.feedback import FEATURES


def test_taxonomy_is_the_2016_list_with_provenance():
    t = fi.taxonomy()
    assert "国科发火〔2016〕32号" in t["provenance"]
    assert [f["name"] for f in t["fields"]] == ["电子信息", "生物与新医药", "航空航天", "新材料", "高技术服务",
                                              "新能源与节能", "资源与环境", "先进制造与自动化"]
    assert len(fi.items()) == 52
    texts, owner = fi.prototype_texts()
    assert len(texts) == len(owner) > 200 and owner.max() == 51


def test_distribution_sums_to_one_and_finds_the_item_named(encoder):
    protos = fi.FieldPrototypes.build(encoder)
    p = protos.distribution(encoder.encode_passages(["集成电路封装技术", "新型动力电池（组）与储能电池技术"]))
    assert p.shape == (2, 52)
    assert np.allclose(p.sum(axis=1), 1.0, atol=1e-5)
    assert fi.items()[int(np.argmax(p[0]))] == ("电子信息", "微电子技术")
    assert fi.items()[int(np.argmax(p[1]))] == ("新能源与节能", "新型高效能量转换与储存技术")


DOCS = [
    Record(id="C1", kind="achievement", title="集成电路封装技术", text="芯片的集成电路封装与集成电路测试技术。"),
    Record(id="C2", kind="achievement", title="集成电路设计技术", text="集成电路产品设计技术，集成电路芯片制造工艺技术。"),
    Record(id="M1", kind="achievement", title="口腔材料制备技术", text="骨科内置物制备技术与口腔材料制备技术。"),
    Record(id="M2", kind="achievement", title="畜禽水产优良新品种", text="畜禽水产优良新品种与健康养殖技术。"),
]


def test_hybrid_explains_a_shared_inferred_field_truthfully(encoder):
    idx = Index(encoder)
    idx.add(DOCS)
    q = Query(title="集成电路测试技术", text="集成电路封装技术")
    # a query this short has the signal off by default (fusion.SETTINGS short_inferred_field): turn it on
    w = Weights(short_inferred_field=None)
    res = idx.search(q, k=4, weights=w)
    by_id = {r.id: r for r in res}
    protos = idx.field_prototypes()
    assert protos is not None
    pq = protos.distribution(encoder.encode_queries(["集成电路测试技术。集成电路封装技术"]), w.field_tau)[0]
    for rid in ("C1", "C2"):
        reason = next(x for x in by_id[rid].reasons if x.code == "inferred_field")
        assert reason.text == "同属技术领域（推断）：电子信息·微电子技术"
        pd = protos.distribution(idx._vectors[idx._row[rid]][None].astype(np.float32), w.field_tau)[0]
        assert reason.strength == pytest.approx(float(pd @ pq), abs=1e-4)
        k = fi.items().index(("电子信息", "微电子技术"))
        assert pq[k] * pd[k] >= 0.1  # the claim holds: both sides put their joint mass there
        assert "inferred_field" in by_id[rid].parts.feature_dict()
    assert not any(x.code == "inferred_field" for x in by_id["M2"].reasons)
    # the signal orders close candidates: without it the field no longer counts
    off = idx.search(q, k=4, weights=w.replace(inferred_field=0))
    assert all(x.code != "inferred_field" for r in off for x in r.reasons)
    assert all("inferred_field" not in r.parts.feature_dict() for r in off)
    on_score = {r.id: r.score for r in res}
    off_score = {r.id: r.score for r in off}
    assert on_score["C1"] - on_score["M2"] > off_score["C1"] - off_score["M2"]
    # by default the short query is ranked without it, exactly as with the signal's weight at 0 and the
    # short query's own BM25 / Rocchio settings
    default = [(r.id, r.score) for r in idx.search(q, k=4)]
    d = Weights()
    assert default == [(r.id, r.score) for r in idx.search(q, k=4, weights=d.replace(
        inferred_field=0.0, prf_alpha=d.short_prf_alpha, short_inferred_field=None, short_prf_alpha=None))]


def test_single_methods_and_no_encoder_ignore_it(encoder):
    idx = Index(None)
    idx.add(DOCS)
    assert all(x.code != "inferred_field" for r in idx.search("集成电路封装", k=3) for x in r.reasons)
    idx2 = Index(encoder)
    idx2.add(DOCS)
    for method in ("bm25", "dense"):
        assert all(x.code != "inferred_field" for r in idx2.search("集成电路封装", k=3, method=method) for x in r.reasons)


def test_saved_index_keeps_the_prototypes(encoder, tmp_path):
    idx = Index(encoder)
    idx.add(DOCS)  # no search yet: save builds the prototypes itself
    idx.save(tmp_path)
    assert (tmp_path / Index.current_version(tmp_path) / "field_prototypes.f32.npy").exists()
    before = [(r.id, round(r.score, 5)) for r in idx.search("集成电路测试技术", k=4)]
    fi._cache.clear()  # a fresh process: nothing encoded yet
    idx2 = Index.load(tmp_path, encoder=encoder)
    assert idx2._field_protos is not None and idx._field_protos is not None
    assert np.array_equal(idx2._field_protos.vectors, idx._field_protos.vectors)
    assert [(r.id, round(r.score, 5)) for r in idx2.search("集成电路测试技术", k=4)] == before


def test_feedback_may_reweight_it():
    assert "inferred_field" in FEATURES
