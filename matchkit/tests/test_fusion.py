"""Fusion options: z-score/max normalisation, Rocchio feedback, and features that explain the score."""

from __future__ import annotations

import numpy as np
import pytest

from matchkit import Query, Weights
from matchkit.fusion import _zscore, fuse, normalised


@pytest.mark.parametrize("w", [Weights(), Weights(norm="max", prf_k=0), Weights(fusion="rrf", prf_k=0)])
def test_fused_score_is_the_weighted_sum_of_its_features(index, w):
    res = index.search(Query(title="锂电池正极材料", text="动力电池能量密度", industry="3841", region="320412"),
                       k=6, weights=w)
    assert res
    for r in res:
        f = r.parts.feature_dict()
        assert {"bm25", "dense"} <= set(f)
        total = sum(getattr(w, name) * x for name, x in f.items())
        assert total == pytest.approx(r.score, abs=1e-5)
        assert sum(getattr(w, n) * x for n, x in f.items() if n not in ("bm25", "dense", "inferred_field")) == \
            pytest.approx(r.parts.structured, abs=1e-5)


def test_single_methods_have_no_features(index):
    for method in ("bm25", "dense"):
        assert all(r.parts.features == () for r in index.search("锂电池", k=3, method=method))


def test_rocchio_keeps_the_reported_cosine_to_the_query(index, encoder):
    q = Query(title="锂电池正极材料", text="高镍三元")
    qv = encoder.encode_queries(["锂电池正极材料。高镍三元"])[0]
    with_prf = {r.id: r for r in index.search(q, k=6, weights=Weights(prf_k=2, prf_alpha=1.0), query_vector=qv)}
    for rid, r in with_prf.items():
        v = index._vectors[index._row[rid]].astype(np.float32)
        assert r.parts.dense == pytest.approx(float(v @ qv), abs=1e-3)
    # feedback changes scores but not which texts are shared
    plain = {r.id: r for r in index.search(q, k=6, weights=Weights(prf_k=0), query_vector=qv)}
    assert with_prf.keys() == plain.keys()


def test_normalisations():
    bm = np.array([0.0, 1.0, 3.0], dtype=np.float32)
    dn = np.array([0.2, np.nan, 0.8], dtype=np.float32)
    nb, nd = normalised(bm, dn, Weights(norm="max"))
    assert nb.tolist() == pytest.approx([0, 1 / 3, 1]) and nd[1] == 0 and nd[2] == 1
    z = _zscore(dn)
    assert z[1] == 0 and 0 < z[0] < 0.5 < z[2] < 1
    assert _zscore(np.array([2.0, 2.0])).tolist() == [0.5, 0.5]
    assert fuse(bm, dn, np.zeros(3, np.float32), Weights(), "bm25").tolist() == bm.tolist()


def test_weights_take_one_attribute_per_declared_signal():
    import copy

    from matchkit import signals
    from matchkit.feedback import FEATURES

    w = Weights()
    assert FEATURES == signals.NAMES
    assert all(getattr(w, s.name) == s.weight for s in signals.SIGNALS)
    changed = w.replace(industry=0.3)
    assert changed.industry == 0.3 and w.industry == signals.get("industry").weight and changed != w
    assert copy.deepcopy(changed) == changed and hash(Weights()) == hash(w)
    assert Weights(**changed.as_dict()) == changed
    with pytest.raises(TypeError):
        Weights(no_such_signal=1.0)
    with pytest.raises(AttributeError):
        w.bm25 = 1.0  # type: ignore[misc]


def test_short_query_overrides_apply_only_up_to_the_threshold():
    from matchkit.fusion import for_query

    w = Weights(bm25=0.15, short_bm25=0.5, short_inferred_field=0.0, short_prf_alpha=None, short_query_chars=10)
    short, long_ = for_query(w, 10), for_query(w, 11)
    assert (short.bm25, short.inferred_field, short.prf_alpha) == (0.5, 0.0, w.prf_alpha)
    assert long_ is w
    assert for_query(Weights(short_bm25=None, short_inferred_field=None, short_prf_alpha=None), 3) == \
        Weights(short_bm25=None, short_inferred_field=None, short_prf_alpha=None)


def test_a_short_query_is_ranked_with_its_own_weights(index):
    """A title-only query under the short threshold scores exactly as the long weights with the
    overrides put in their place; a longer query ignores the overrides."""
    q = Query(title="锂电池正极材料")
    over = Weights(bm25=0.15, short_bm25=0.6, short_inferred_field=0.0, short_prf_alpha=0.0)
    plain = Weights(bm25=0.6, inferred_field=0.0, prf_alpha=0.0, short_bm25=None, short_inferred_field=None,
                    short_prf_alpha=None)
    got = [(r.id, round(r.score, 6)) for r in index.search(q, k=6, weights=over)]
    assert got == [(r.id, round(r.score, 6)) for r in index.search(q, k=6, weights=plain)]
    long_q = Query(title="锂电池正极材料", text="一种高镍三元正极材料的共沉淀制备方法，提高动力电池能量密度和循环寿命。")
    base = over.replace(short_bm25=None, short_inferred_field=None, short_prf_alpha=None)
    assert [(r.id, r.score) for r in index.search(long_q, k=6, weights=over)] == \
        [(r.id, r.score) for r in index.search(long_q, k=6, weights=base)]
