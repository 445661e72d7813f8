"""matchkit.feedback: learnt weights move rankings the right way, and stay near the defaults on little data."""

from __future__ import annotations

import pytest

from matchkit import Index, Query, Record, Weights
from matchkit.feedback import FEATURES, Event, Impression, learn, pairs, weight_changes

QUERIES = [
    ("Q1", "高镍正极材料烧结工艺优化"),
    ("Q2", "正极材料包覆改性提升循环寿命"),
    ("Q3", "高镍三元正极材料量产工艺"),
    ("Q4", "正极材料烧结窑炉温度控制"),
]


@pytest.fixture
def idx(encoder):
    i = Index(encoder)
    # T*: texts close to the queries but another field; F*: the query's field, texts a little further
    i.add([Record(id="T1", kind="expert", title="正极材料烧结工艺", text="高镍正极材料烧结工艺与包覆改性、窑炉控制",
                  field="电子信息"),
           Record(id="F1", kind="expert", title="锂电材料", text="正极材料制备，烧结与包覆，三元材料量产",
                  field="新材料"),
           Record(id="T2", kind="expert", title="正极材料量产", text="三元正极材料量产与循环寿命提升工艺",
                  field="电子信息"),
           Record(id="F2", kind="expert", title="电池材料", text="电池正极材料改性研究", field="新材料"),
           Record(id="Z1", kind="expert", title="纺织印染", text="印染废水处理与回用", field="资源与环境")])
    return i


def _log(idx, weights=None):
    """Impressions as the product logs them: every result shown, with its features."""
    shown = {}
    for qid, text in QUERIES:
        res = idx.search(Query(id=qid, text=text, field="新材料"), k=5, weights=weights)
        shown[qid] = [r.id for r in res]
        yield from (Impression.from_result(qid, "demand", r) for r in res)


def _users_prefer_field(shown_ids):
    """Users contact experts of their field and reject the others as 'wrong field'."""
    evs = []
    for qid, _ in QUERIES:
        evs += [Event(qid, "F1", "contacted"), Event(qid, "F2", "useful"),
                Event(qid, "T1", "not_useful", reason="wrong_field"), Event(qid, "T2", "not_useful", reason="wrong_field")]
    return evs


def _mean_rank(idx, rid, weights=None):
    ranks = []
    for qid, text in QUERIES:
        ids = [r.id for r in idx.search(Query(id=qid, text=text, field="新材料"), k=5, weights=weights)]
        ranks.append(ids.index(rid) + 1)
    return sum(ranks) / len(ranks)


def test_no_feedback_gives_defaults(idx):
    imps = list(_log(idx))
    assert learn([], imps) == Weights()
    assert learn([Event("Q1", "T1", "not_useful", reason="already_known")], imps) == Weights()  # ignored reason
    assert learn([Event("nope", "T1", "useful")], imps) == Weights()  # never shown: nothing to learn from


def test_feedback_moves_ranking_in_expected_direction(idx):
    imps = list(_log(idx))
    before = _mean_rank(idx, "F1")
    w = learn(_users_prefer_field(None), imps, prior=2.0)
    d = Weights()
    assert w.field > d.field  # what users rewarded
    assert w.bm25 < d.bm25 or w.dense < d.dense  # what the rejected results had more of
    after = _mean_rank(idx, "F1", weights=w)
    assert after < before
    assert _mean_rank(idx, "T1", weights=w) > _mean_rank(idx, "T1")
    assert set(weight_changes(d, w)) >= {"field"}


def test_little_feedback_stays_near_defaults(idx):
    imps = list(_log(idx))
    few = [Event("Q1", "F1", "useful"), Event("Q1", "T1", "not_useful", reason="wrong_field")]
    w, d = learn(few, imps), Weights()
    for f in FEATURES:
        assert abs(getattr(w, f) - getattr(d, f)) <= 0.25 * max(getattr(d, f), 0.05), f
    assert w.field >= d.field
    # the ranking is (almost) what it was
    assert _mean_rank(idx, "T1", weights=w) <= _mean_rank(idx, "T1") + 0.5


def test_bounded_under_a_flood_of_feedback(idx):
    imps = list(_log(idx))
    flood = _users_prefer_field(None) * 200
    w, d = learn(flood, imps, prior=0.1), Weights()
    for f in FEATURES:
        base = getattr(d, f)
        assert max(base - max(base, 0.05), 0.0) - 1e-9 <= getattr(w, f) <= base + max(base, 0.05) + 1e-9, f
    assert w.bm25 >= 0.05 and w.dense >= 0.05


def test_became_project_is_the_strongest_signal(idx):
    imps = list(_log(idx))
    weak = [Event(q, "F1", "useful") for q, _ in QUERIES] + [Event(q, "T1", "not_useful") for q, _ in QUERIES]
    strong = [Event(q, "F1", "became_project") for q, _ in QUERIES] + [Event(q, "T1", "not_useful") for q, _ in QUERIES]
    d = Weights()
    assert learn(strong, imps).field - d.field > learn(weak, imps).field - d.field > 0


def test_pairs_use_skip_above_and_kinds(idx):
    imps = list(_log(idx))
    # one liked result and nothing else said: the unlabelled results shown above it become the "other" side
    liked = next(i for i in imps if i.query_id == "Q1" and i.rank == 3)
    got = pairs([Event("Q1", liked.record_id, "useful")], imps)
    assert len(got) == 2 and all(c == pytest.approx(0.3) for _, _, c in got)
    assert pairs([Event("Q1", liked.record_id, "useful")], imps, kinds=("demand", "achievement")) == []
    with pytest.raises(ValueError):
        Event("Q1", "F1", "love")


def test_learning_is_deterministic(idx):
    imps = list(_log(idx))
    evs = _users_prefer_field(None)
    assert learn(evs, imps) == learn(list(reversed(evs)), list(reversed(imps)))
