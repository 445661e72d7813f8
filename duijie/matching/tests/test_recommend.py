"""Recommendations: true reasons, visibility inside and after the index, opt-out, conflict of
interest, load, feedback."""

from django.utils import timezone

from duijie.core.roles import Role
from duijie.matching import declarations, documents, services, store
from duijie.matching import selectors as ms
from duijie.matching.models import Feedback
from duijie.matching.visibility import viewer_labels
from matchkit import normalize


def ids(matches):
    return [m.obj.pk for m in matches]


def test_demand_gets_experts_with_true_reasons(built):
    w = built
    got = ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert", k=10)
    assert w["e_good"] in [m.obj for m in got[:2]] and w["e_other"] not in [m.obj for m in got]
    demand_text = normalize(w["demand"].title + w["demand"].description)
    for m in got:
        terms = m.terms
        assert terms, m.reasons
        expert_text = normalize(m.obj.research_directions + m.obj.bio)
        for t in terms:
            assert t in demand_text and t in expert_text
    assert "<mark>" in str(got[0].snippet)


def test_demand_gets_achievements_patents_and_institutions(built):
    w = built
    assert ids(ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="achievement")) == [w["ach"].pk]
    assert ids(ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="patent")) == [w["patent"].pk]
    inst = ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="institution")
    assert inst and inst[0].obj == w["uni"]
    assert "1" in inst[0].reasons[0].text  # "1 related expert(s), 1 related achievement(s)"


def test_restricted_demand_never_reaches_another_organisation(built, client):
    w = built
    # the index itself masks it: enterprise A's labels do not cover B's restricted demand
    idx = store.get_index()
    q = documents.build(declarations.for_model(w["secret"]), w["secret"])
    hits = idx.search(q.title + q.text, k=50, groups=viewer_labels(w["user_a"]))
    assert f"demand:{w['secret'].pk}" not in [h.id for h in hits]
    # and nothing of it comes back through recommendations, reasons or the panel HTML
    for source in (w["ach"], w["patent"], w["e_good"]):
        got = ms.recommend(user=w["user_a"], obj=source, target_kind="demand", k=20)
        assert w["secret"].pk not in ids(got)
        for m in got:
            assert all("硫化物" not in r.text and "机密" not in r.text for r in m.reasons)
    client.force_login(w["user_a"])
    html = client.get(f"/match/panel/achievements/{w['ach'].pk}/").content.decode()
    assert "固态电解质" not in html and "机密" not in html
    # its owner does see it
    got_b = ms.recommend(user=w["user_b"], obj=w["ach"], target_kind="demand", k=20)
    assert w["secret"].pk in ids(got_b)


def test_opted_out_expert_never_recommended(built):
    w = built
    assert w["e_optout"].pk not in ids(ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert", k=20))
    assert f"expert:{w['e_optout'].pk}" not in store.get_index()
    # opting out after indexing, before any refresh: the re-check still drops them
    w["e_good"].do_not_recommend = True
    type(w["e_good"]).objects.filter(pk=w["e_good"].pk).update(do_not_recommend=True)
    assert w["e_good"].pk not in ids(ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert", k=20))


def test_conflict_of_interest_excluded_or_flagged(built):
    w = built
    got = ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert", k=20)
    assert w["e_employee"].pk not in ids(got)  # employed by the enterprise: excluded
    vp = next(m for m in got if m.obj == w["e_vp"])  # paid role there: flagged
    assert vp.flags and "科技副总" in vp.flags[0]
    # the same expert seen from another enterprise's demand carries no flag
    from duijie.core.tests import factories as f

    d2 = f.demand(w["b"], title="高镍三元正极材料热稳定性", description="锂电池正极材料", status="published",
                  visibility="public")
    services.rebuild()
    got2 = ms.recommend(user=w["user_b"], obj=d2, target_kind="expert", k=20)
    assert w["e_employee"].pk in ids(got2)
    assert not next(m for m in got2 if m.obj == w["e_vp"]).flags


def test_workload_lowers_rank(built):
    from duijie.core.tests import factories as f
    from duijie.pairings.models import Placement

    w = built
    before = ms.recommend(user=w["user_b"], obj=w["demand"], target_kind="expert", k=20)
    top = before[0].obj
    for _ in range(8):  # 科技副总 placements in term are the expert's load (their one record)
        Placement.objects.create(scheme="tech_vp_city", year=2026, person_name=top.name, expert=top,
                                 host_enterprise=f.enterprise(), start_on=timezone.localdate())
    after = ms.recommend(user=w["user_b"], obj=w["demand"], target_kind="expert", k=20)
    moved = next(m for m in after if m.obj == top)
    assert moved.score < before[0].score
    assert any(r.code == "load" for r in moved.reasons)


def test_feedback_moves_a_result_in_the_expected_direction(built, client):
    w = built
    client.force_login(w["user_a"])
    source = f"demand:{w['demand'].pk}"
    client.get(f"/match/panel/demands/{w['demand'].pk}/?kind=expert")
    first = ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert", k=20)
    top, second = first[0], first[1]
    r = client.post("/match/feedback/", {"source": source, "target": top.id, "verdict": "irrelevant",
                                         "reason": "field"})
    assert r.status_code == 200 and "反馈" in r.content.decode()
    fb = Feedback.objects.get(target=top.id)
    assert fb.reason == "field" and fb.rank == 1 and fb.user_id == w["user_a"].pk
    after = ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert", k=20)
    assert [m.id for m in after].index(top.id) > [m.id for m in first].index(top.id)
    other = after[-1] if after[-1].id != second.id else after[-2]

    def ratio(matches):
        by = {m.id: m.score for m in matches}
        return by[second.id] / by[other.id]

    services.feedback_record(user=w["user_b"], source=source, target=second.id, verdict="contacted")
    boosted = ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert", k=20)
    assert ratio(boosted) > ratio(after)


def test_platform_admin_and_anonymous_get_nothing(built):
    from django.contrib.auth.models import AnonymousUser

    from duijie.core.tests import factories as f

    w = built
    admin3 = f.user(role=Role.SYSTEM_ADMIN)
    assert ms.recommend(user=admin3, obj=w["demand"], target_kind="expert") == []
    assert viewer_labels(AnonymousUser()) == []


def _shown(matches):
    """What a section shows of its matches: record, rank, score, reasons, flags, snippet, members."""
    return [(m.id, m.rank, m.score, [(r.code, r.text, r.terms) for r in m.reasons], list(m.flags), str(m.snippet),
             [x.id for x in getattr(m, "members", [])]) for m in matches]


def test_panel_shows_what_each_kind_asked_alone_shows(built, client):
    """The panel reads records, conflicts, loads and feedback once for all its sections (and ranks the
    institutions first): each section still shows exactly what ``recommend`` for that kind alone,
    outside the panel's memo, returns — here with an excluded employee, a flagged 科技副总 (also a
    load), a boosted and a hidden expert."""
    from duijie.core.tests import factories as f

    w = built
    for name in ("周正极", "吴包覆"):
        f.expert(name=name, research_directions="锂电池正极材料 高镍三元 包覆改性 循环寿命", institution=w["uni"])
    services.rebuild()
    source = f"demand:{w['demand'].pk}"
    experts = ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert", k=20)
    assert len(experts) >= 4
    services.feedback_record(user=w["user_b"], source=source, target=experts[-1].id, verdict="contacted")
    services.feedback_record(user=w["user_a"], source=source, target=experts[1].id, verdict="irrelevant",
                             reason="known")
    client.force_login(w["user_a"])
    r = client.get(f"/match/panel/demands/{w['demand'].pk}/")
    assert r.status_code == 200
    sections = {s["kind"]: s["matches"] for s in r.context["sections"]}
    assert list(sections) == list(ms.TARGETS["demand"])  # shown in the declared order
    for kind, matches in sections.items():
        alone = ms.recommend(user=w["user_a"], obj=w["demand"], target_kind=kind, k=5)
        assert _shown(matches) == _shown(alone), kind
    shown = sections["expert"]
    assert experts[1].id not in [m.id for m in shown]  # hidden by the user's 已知悉
    assert any(m.flags for m in shown) and w["e_employee"].pk not in ids(shown)
    assert any(r.code == "feedback" for m in shown for r in m.reasons)
    assert sections["institution"] and sections["institution"][0].members
