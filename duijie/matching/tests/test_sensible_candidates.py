"""Only sensible candidates (issue 17, item 4): closed, rejected and lapsed records are neither
recommended nor recommended to, and a candidate with no evidence beyond the domain's usual closeness
is left out — the panel says there is no good match yet instead of showing filler."""

from types import SimpleNamespace

from duijie.core.tests import factories as f
from duijie.matching import selectors as ms
from duijie.matching import services
from matchkit import Reason


def ids(matches):
    return [m.obj.pk for m in matches]


def test_a_closed_or_rejected_demand_gets_no_recommendations_and_the_panel_says_why(built, client):
    w = built
    assert ids(ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert"))  # live: it does
    for status in ("closed", "rejected"):
        type(w["demand"]).objects.filter(pk=w["demand"].pk).update(status=status)  # the state only
        w["demand"].refresh_from_db()
        assert ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert") == []
        client.force_login(w["user_a"])
        html = client.get(f"/match/panel/demands/{w['demand'].pk}/").content.decode()
        assert "data-inactive" in html and "不再为其推荐" in html


def test_a_lapsed_patent_is_never_recommended(built):
    w = built
    assert w["patent"].pk in ids(ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="patent"))
    for status in ("lapsed", "rejected", "withdrawn"):
        type(w["patent"]).objects.filter(pk=w["patent"].pk).update(legal_status=status)
        services.rebuild()
        assert w["patent"].pk not in ids(ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="patent"))


def test_a_candidate_sharing_only_generic_words_is_filler(built):
    w = built
    demand = f.demand(w["a"], title="渠道销售经验积累", description="多年销售经验积累，从事成果推广",
                      status="published", visibility="public")
    # shares only 销售, 经验, 积累, 从事, 成果 (BM25 finds it; none reads as a reason) and nothing structured
    f.expert(name="周泛泛", research_directions="销售 经验 积累", bio="从事成果销售")
    f.expert(name="吴渠道", research_directions="渠道管理 销售", bio="渠道建设与销售经验积累")
    services.rebuild()
    got = ms.recommend(user=w["user_a"], obj=demand, target_kind="expert", k=10)
    assert [m.obj.name for m in got] == ["吴渠道"]  # shares the phrase 渠道
    assert all(any(r.code == "terms" for r in m.reasons) for m in got)


def test_evidence_rule():
    def result(codes, dense):
        return SimpleNamespace(reasons=[Reason(c, c) for c in codes], parts=SimpleNamespace(dense=dense))

    nan = float("nan")
    assert ms.has_evidence(result(["terms"], nan), "expert")
    assert not ms.has_evidence(result(["region", "stage"], nan), "expert")  # where, not what about
    assert ms.has_evidence(result(["industry", "semantic"], 0.5), "expert")
    assert not ms.has_evidence(result(["semantic", "inferred_field"], 0.80), "expert")
    assert ms.has_evidence(result(["semantic"], 0.90), "expert")
    assert not ms.has_evidence(result(["load"], nan), "expert")
