"""The HNSW (usearch) searcher behind VectorSearcher: switch by size, filters, incremental updates."""

from __future__ import annotations

import numpy as np
import pytest

from matchkit import Index, Query, Record
from matchkit.vectors import BruteForceSearcher, UsearchSearcher

DIM = 64


def _vectors(n: int, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, DIM))
    v = centres[rng.integers(0, 20, n)] + 0.5 * rng.normal(size=(n, DIM))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("dtype", ["f16", "i8"])
def test_recall_against_brute_force(dtype):
    v = _vectors(3000)
    ann = UsearchSearcher(DIM, lambda rows: v[rows], dtype=dtype, exact_below=0)
    ann.set_rows(np.arange(len(v)), v)
    exact = BruteForceSearcher(v)
    q = _vectors(50, seed=9)
    hits = sum(len(set(ann.search(x, 20)[0]) & set(exact.search(x, 20)[0])) for x in q)
    assert hits / (50 * 20) >= 0.9


def test_filter_is_respected_and_small_scopes_are_exact():
    v = _vectors(3000)
    ann = UsearchSearcher(DIM, lambda rows: v[rows], exact_below=100)
    ann.set_rows(np.arange(len(v)), v)
    allowed = np.zeros(len(v), dtype=bool)
    allowed[::50] = True  # 60 rows: searched exactly
    rows, _ = ann.search(v[7], 10, allowed)
    assert allowed[rows].all() and len(rows) == 10
    assert list(rows) == list(BruteForceSearcher(v).search(v[7], 10, allowed)[0])
    allowed = np.ones(len(v), dtype=bool)
    allowed[:1500] = False  # half the rows: HNSW with over-fetch
    rows, _ = ann.search(v[2000], 20, allowed)
    assert len(rows) == 20 and allowed[rows].all()


def test_index_switches_to_ann_by_size_and_stays_correct(encoder):
    n = 400
    v = _vectors(n + 1)
    recs = [Record(id=f"R{i}", kind="expert" if i % 2 else "patent", title=f"记录{i}", text="材料") for i in range(n)]
    small = Index(encoder, ann_threshold=None)
    big = Index(encoder, ann_threshold=100)
    for idx in (small, big):
        idx.add(recs, vectors=v[:n, :encoder.dim] / np.linalg.norm(v[:n, :encoder.dim], axis=1, keepdims=True))
    assert isinstance(big._dense(), UsearchSearcher) and isinstance(small._dense(), BruteForceSearcher)
    qv = v[5, :encoder.dim] / np.linalg.norm(v[5, :encoder.dim])
    a = [r.id for r in small.search(Query(text="x"), k=10, method="dense", query_vector=qv)]
    b = [r.id for r in big.search(Query(text="x"), k=10, method="dense", query_vector=qv)]
    assert len(set(a) & set(b)) >= 8 and a[0] == b[0] == "R5"
    # kind filter inside the search
    only = big.search(Query(text="x", target_kinds=["patent"]), k=10, method="dense", query_vector=qv)
    assert len(only) == 10 and all(r.kind == "patent" for r in only)
    # an added record is searchable at once; a replaced one moves; a removed one is gone
    big.add([Record(id="NEW", kind="expert", title="新增", text="材料")], vectors=qv[None, :])
    assert big.search(Query(text="x"), k=1, method="dense", query_vector=qv)[0].id == "NEW"
    far = -qv
    big.add([Record(id="NEW", kind="expert", title="新增", text="材料")], vectors=far[None, :])
    assert "NEW" not in [r.id for r in big.search(Query(text="x"), k=10, method="dense", query_vector=qv)]
    big.remove(["R5"])
    assert "R5" not in [r.id for r in big.search(Query(text="x"), k=10, method="dense", query_vector=qv)]


def test_records_waiting_for_vectors_are_not_ann_candidates(encoder):
    v = _vectors(200)[:, :encoder.dim]
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    idx = Index(encoder, ann_threshold=100)
    idx.add([Record(id=f"R{i}", kind="expert", title=f"记录{i}", text="材料") for i in range(200)], vectors=v)
    idx.add([Record(id="LATER", kind="expert", title="稍后编码", text="材料")], encode=False)
    res = idx.search(Query(text="x"), k=20, method="dense", query_vector=v[0])
    assert "LATER" not in [r.id for r in res]
    assert idx.encode_pending() == 1 and "LATER" in idx.ids()
