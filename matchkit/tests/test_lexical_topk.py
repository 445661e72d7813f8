"""BM25 top-k retrieval (MaxScore over the postings) returns what a full scan of every row returns."""

import concurrent.futures
import random

import numpy as np
import pytest

from matchkit import Index, Query, Record
from matchkit.index import lexical
from matchkit.index.candidates import first_pass
from matchkit.vectors import top_k

WORDS = ["锂电池", "正极材料", "储能", "固态电解质", "机器人", "视觉检测", "减速器", "医疗器械", "影像", "传感器",
         "高分子", "复合材料", "涂层", "催化剂", "氢能", "光伏", "芯片", "封装", "软件", "算法", "中试", "工艺",
         "模具", "注塑", "焊接", "激光", "检测", "智能制造", "新能源汽车", "电机"]


def corpus(n: int, seed: int) -> list[Record]:
    rng = random.Random(seed)
    recs = []
    for i in range(n):
        # skewed term frequencies: a few words in most records, most words in few
        words = [WORDS[min(int(rng.expovariate(0.25)), len(WORDS) - 1)] for _ in range(rng.randint(1, 25))]
        recs.append(Record(id=f"R{i:05d}", kind=rng.choice(["expert", "achievement", "demand"]),
                           title=words[0], text="，".join(words)))
    return recs


def full_scan(idx: Index, qtokens: list[str], allowed: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    bm = lexical.scores(idx, qtokens)
    return top_k(np.where(allowed & (bm > 0), bm, -np.inf), k)[0], bm


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_top_k_equals_full_scan_with_delta_tombstones_and_filters(seed):
    rng = random.Random(seed)
    idx = Index(None, bm25_topk_threshold=0)  # top-k retrieval at every size
    idx.add(corpus(3000, seed))
    idx.compact()
    idx.remove([f"R{i:05d}" for i in rng.sample(range(3000), 150)])  # tombstones, below the rebuild
    idx.add(corpus(40, seed + 100)[:40])  # replaces R00000…R00039: tombstone + delta rows
    idx.add([Record(id=f"N{i}", kind="demand", title="储能", text="锂电池储能，固态电解质") for i in range(30)])
    assert idx._bm25_rows < len(idx._records)  # there is a delta
    checked = 0
    for _ in range(40):
        words = rng.sample(WORDS, rng.randint(1, 8))
        words += words[:2]  # repeated query terms count twice, as in bm25s
        qtokens = idx.tokenizer.tokens("，".join(words))
        allowed = idx._alive.copy()
        if rng.random() < 0.5:
            allowed &= np.isin(idx._kind, [0, 1])
        for k in (1, 5, 50, 200, 5000):
            rows, sc = lexical.top(idx, qtokens, allowed, k)
            want, bm = full_scan(idx, qtokens, allowed, k)
            assert len(rows) == len(want)
            # the same scores bit for bit, the same rows above the k-th score, ties by row; at the
            # k-th score itself any of the tied rows may fill the last places (as with argpartition)
            assert np.array_equal(sc.values[rows], bm[want])
            if len(want):
                kth = bm[want[-1]]
                assert rows[sc.values[rows] > kth].tolist() == want[bm[want] > kth].tolist()
                tied = rows[sc.values[rows] == kth]
                assert tied.tolist() == sorted(tied.tolist())
                assert set(tied.tolist()) <= set(np.flatnonzero(allowed & (bm == kth)).tolist())
            others = np.arange(len(idx._records))
            assert np.array_equal(sc.ensure(others), bm)  # any row on demand, exactly
            checked += 1
    assert checked == 200


def test_top_k_reads_only_postings_and_finds_nothing_for_unknown_terms():
    idx = Index(None, bm25_topk_threshold=0)  # top-k retrieval at every size
    idx.add(corpus(500, 9))
    rows, sc = lexical.top(idx, ["没有的词"], idx._alive.copy(), 20)
    assert len(rows) == 0 and not sc.values.any()


def test_scoring_every_row_below_the_threshold_gives_the_same_candidates():
    small, big = Index(None), Index(None, bm25_topk_threshold=0)
    for idx in (small, big):
        idx.add(corpus(2000, 5))
        idx.compact()
    for words in (["锂电池", "储能"], ["涂层", "涂层", "激光", "检测", "模具"], WORDS[:12]):
        qtokens = small.tokenizer.tokens("，".join(words))
        for k in (3, 200):
            a, sa = lexical.top(small, qtokens, small._alive.copy(), k)
            b, sb = lexical.top(big, qtokens, big._alive.copy(), k)
            assert a.tolist() == b.tolist() and np.array_equal(sa.values[a], sb.values[b])


def test_first_pass_gives_exact_bm25_for_every_candidate():
    idx = Index(None, bm25_topk_threshold=0)  # top-k retrieval at every size
    idx.add(corpus(2000, 4))
    q = Query(title="锂电池正极材料", text="储能，固态电解质，检测")
    qtokens = idx.tokenizer.tokens(q.title + q.text)
    allowed = idx._alive.copy()
    pool = first_pass(idx, q, qtokens, "bm25", allowed, 30, None)
    assert pool is not None and len(pool.rows) == 30
    full = lexical.scores(idx, qtokens)
    assert np.array_equal(pool.bm25[pool.rows], full[pool.rows])
    res = idx.search(q, k=10, method="bm25")
    assert [r.parts.bm25 for r in res] == sorted(full[full > 0].tolist(), reverse=True)[:10]


def test_exact_from_the_rows_side_equals_the_column_side_bit_for_bit():
    idx = Index(None, bm25_topk_threshold=0)
    idx.add(corpus(3000, 11))
    idx.compact()
    bm = lexical.segment(idx)
    imp = lexical.impacts(idx, bm)
    rng = random.Random(11)
    for _ in range(30):
        words = rng.sample(WORDS, rng.randint(1, 12))
        words += words[: rng.randint(0, 3)]  # repeats are added once per occurrence
        qids = np.asarray([bm.vocab_dict[t] for t in idx.tokenizer.tokens("，".join(words)) if t in bm.vocab_dict])
        rows = np.unique(np.asarray(rng.sample(range(3000), rng.randint(1, 800)), dtype=np.int64))
        want = bm.get_scores(qids.tolist())[rows]
        assert np.array_equal(lexical._exact_rows(imp, qids, rows), want)
        assert np.array_equal(lexical._exact(bm, qids, rows), want)
    assert not imp.term_slots().any()  # the per-thread scratch is left clean


def test_top_k_with_a_narrow_filter_and_from_several_threads():
    idx = Index(None, bm25_topk_threshold=0)
    idx.add(corpus(4000, 12))
    idx.compact()
    rng = random.Random(12)
    queries = [idx.tokenizer.tokens("，".join(rng.sample(WORDS, rng.randint(2, 10)))) for _ in range(24)]
    narrow = np.zeros(len(idx._records), dtype=bool)
    narrow[rng.sample(range(4000), 40)] = True  # fewer allowed rows than k: retrieval falls back to a scan
    for qt in queries[:6]:
        for allowed in (narrow, idx._alive.copy()):
            rows, sc = lexical.top(idx, qt, allowed, 100)
            want, bm = full_scan(idx, qt, allowed, 100)
            assert np.array_equal(sc.values[rows], bm[want])
            assert set(rows.tolist()) <= set(np.flatnonzero(allowed).tolist())

    def run(qts):
        return [lexical.top(idx, qt, idx._alive.copy(), 50)[0].tolist() for qt in qts * 5]

    alone = run(queries)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:  # scratch arrays are per thread
        for got in pool.map(run, [queries] * 4):
            assert got == alone
    acc, slot, _ = lexical.impacts(idx, lexical.segment(idx)).scratch(len(idx._records))
    assert not acc.any() and not slot.any()  # left clean for the next search


def test_the_threshold_is_kept_when_an_index_is_saved_and_loaded(tmp_path):
    idx = Index(None, bm25_topk_threshold=1234)
    idx.add(corpus(50, 13))
    idx.save(tmp_path)
    assert Index.load(tmp_path).bm25_topk_threshold == 1234
    off = Index(None, bm25_topk_threshold=None)
    off.add(corpus(50, 13))
    off.save(tmp_path / "off")
    assert Index.load(tmp_path / "off").bm25_topk_threshold is None
