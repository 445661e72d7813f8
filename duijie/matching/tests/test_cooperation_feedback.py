"""Cooperation records in matching (issue #6): the past-cooperation signal with its reason, the index
kept fresh when projects, contracts and pairings change, restricted projects never named to others,
and feedback — verdicts and a match that became a project — moving rankings through the Django path."""

from datetime import date, timedelta

import pytest
from django.db import transaction

from duijie.core.services import record_bulk_upsert, record_delete, record_save
from duijie.core.tests import factories as f
from duijie.matching import cooperation, learning, services
from duijie.matching import selectors as ms
from duijie.matching.models import DirtyRecord, Impression
from matchkit import Weights
from matchkit import feedback as mk

PROJECT = "高镍正极包覆联合攻关项目"


def project(**kw):
    """A project as the product writes it (through the write service, which announces it)."""
    from duijie.cooperation.models import CooperationProject

    parties = {k: kw.pop(k, []) for k in ("enterprises", "experts", "institutions")}
    kw.setdefault("source", "other")
    return record_save(instance=CooperationProject(**kw), by=None, m2m=parties, validate=False)


def written(model, **kw):
    return record_save(instance=model(**kw), by=None, validate=False)


def coop_reason(matches, obj):
    m = next((m for m in matches if m.obj == obj), None)
    assert m is not None, f"{obj} not recommended"
    return next((r.text for r in m.reasons if r.code == "cooperation"), None)


def test_a_project_gives_both_sides_the_signal_with_a_named_reason(built, django_capture_on_commit_callbacks):
    w = built
    assert coop_reason(ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert", k=10), w["e_good"]) is None
    with django_capture_on_commit_callbacks(execute=True):
        project(title=PROJECT, enterprises=[w["a"]], experts=[w["e_good"]], status="signed")
    # demand of enterprise A → the expert who worked with A
    text = coop_reason(ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert", k=10), w["e_good"])
    assert text == f"曾与需求企业合作：{PROJECT}"
    # and the other way: the expert → enterprise A and A's demand
    text = coop_reason(ms.recommend(user=w["user_a"], obj=w["e_good"], target_kind="demand", k=10), w["demand"])
    assert text == f"曾与该企业合作：{PROJECT}"
    ent = coop_reason(ms.recommend(user=w["user_a"], obj=w["e_good"], target_kind="enterprise", k=10), w["a"])
    assert ent == f"曾与该企业合作：{PROJECT}"


def test_the_signal_raises_the_partner(built, django_capture_on_commit_callbacks):
    w = built
    before = {m.obj: m.score for m in ms.recommend(user=w["user_b"], obj=w["demand"], target_kind="expert", k=10)}
    with django_capture_on_commit_callbacks(execute=True):
        project(title=PROJECT, enterprises=[w["a"]], experts=[w["e_vp"]], status="implementing")
    after = {m.obj: m.score for m in ms.recommend(user=w["user_b"], obj=w["demand"], target_kind="expert", k=10)}
    assert after[w["e_vp"]] - after[w["e_good"]] > before[w["e_vp"]] - before[w["e_good"]]


def test_a_restricted_project_is_never_named_to_another_organisation(built, client,
                                                                     django_capture_on_commit_callbacks):
    w = built
    with django_capture_on_commit_callbacks(execute=True):
        project(title=PROJECT, enterprises=[w["a"]], experts=[w["e_good"]], status="signed",
                visibility="restricted")
    # enterprise B reads A's public demand and the expert: the cooperation shows, the project does not
    for src, kind, target in ((w["demand"], "expert", w["e_good"]), (w["e_good"], "demand", w["demand"]),
                              (w["e_good"], "enterprise", w["a"])):
        got = ms.recommend(user=w["user_b"], obj=src, target_kind=kind, k=20)
        text = coop_reason(got, target)
        assert text and PROJECT not in text
        assert all(PROJECT not in r.text for m in got for r in m.reasons)
    client.force_login(w["user_b"])
    html = client.get(f"/match/panel/demands/{w['demand'].pk}/?kind=expert").content.decode()
    assert "曾与需求企业有过合作" in html and PROJECT not in html
    # a party of the project sees its name
    client.force_login(w["user_a"])
    assert PROJECT in client.get(f"/match/panel/demands/{w['demand'].pk}/?kind=expert").content.decode()


def test_contracts_and_pairings_count_and_terminated_projects_do_not(built, django_capture_on_commit_callbacks):
    from duijie.cooperation.models import TechContract
    from duijie.pairings.models import Pairing

    w = built
    with django_capture_on_commit_callbacks(execute=True):
        written(TechContract, title="正极材料技术转让合同", contract_type="transfer_patent", enterprise=w["a"],
                institution=w["uni"], amount=100000, signed_on=date(2025, 6, 1), visibility="public")
        written(Pairing, enterprise=w["a"], expert=w["e_vp"], start_on=date(2024, 1, 1))
    ach = coop_reason(ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="achievement"), w["ach"])
    assert ach == "所属单位曾与需求企业合作：正极材料技术转让合同"
    back = coop_reason(ms.recommend(user=w["user_a"], obj=w["ach"], target_kind="demand"), w["demand"])
    assert back == "所属单位曾与该企业合作：正极材料技术转让合同"
    got = ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert", k=10)
    assert coop_reason(got, w["e_vp"]) == "曾与需求企业合作：挂钩联系"
    # a terminated project is no cooperation
    with django_capture_on_commit_callbacks(execute=True):
        p = project(title=PROJECT, enterprises=[w["b"]], experts=[w["e_good"]], status="signed")
    assert "enterprise:%d" % w["b"].pk in cooperation.partners_for("expert", [w["e_good"]])[w["e_good"].pk]
    with django_capture_on_commit_callbacks(execute=True):
        p.status = "terminated"
        record_save(instance=p, by=None, validate=False)
    assert cooperation.partners_for("expert", [w["e_good"]]).get(w["e_good"].pk) is None


def test_project_and_party_changes_mark_the_records_dirty(world, settings, django_capture_on_commit_callbacks):
    settings.DUIJIE_MATCH_AUTO_REFRESH = False
    w = world
    services.rebuild()
    with django_capture_on_commit_callbacks(execute=True):
        p = project(title=PROJECT, enterprises=[w["a"]], experts=[w["e_good"]], institutions=[w["uni"]])
    dirty = set(DirtyRecord.objects.values_list("model", "object_id"))
    assert {("orgs.Enterprise", str(w["a"].pk)), ("demands.Demand", str(w["demand"].pk)),
            ("experts.Expert", str(w["e_good"].pk)), ("supply.Achievement", str(w["ach"].pk))} <= dirty
    services.refresh(lane=None, limit=1000)
    assert not DirtyRecord.objects.exists()
    # replacing a party marks both the old and the new one
    with django_capture_on_commit_callbacks(execute=True):
        p.refresh_from_db()
        record_save(instance=p, by=None, m2m={"experts": [w["e_vp"]]}, validate=False)
    experts = set(DirtyRecord.objects.filter(model="experts.Expert").values_list("object_id", flat=True))
    assert experts == {str(w["e_good"].pk), str(w["e_vp"].pk)}
    services.refresh(lane=None, limit=1000)
    # deleting the project marks the parties it had
    with django_capture_on_commit_callbacks(execute=True):
        record_delete(instance=p, by=None)
    dirty = set(DirtyRecord.objects.values_list("model", "object_id"))
    assert {("orgs.Enterprise", str(w["a"].pk)), ("demands.Demand", str(w["demand"].pk)),
            ("experts.Expert", str(w["e_vp"].pk))} <= dirty


def test_a_pairing_moved_to_another_expert_marks_both(world, settings, django_capture_on_commit_callbacks):
    from duijie.pairings.models import Pairing

    settings.DUIJIE_MATCH_AUTO_REFRESH = False
    w = world
    with django_capture_on_commit_callbacks(execute=True):
        pairing = written(Pairing, enterprise=w["a"], expert=w["e_good"], start_on=date(2024, 1, 1))
    DirtyRecord.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        pairing.expert = w["e_vp"]
        record_save(instance=pairing, by=None, validate=False)
    experts = set(DirtyRecord.objects.filter(model="experts.Expert").values_list("object_id", flat=True))
    assert experts == {str(w["e_good"].pk), str(w["e_vp"].pk)}
    assert DirtyRecord.objects.filter(model="orgs.Enterprise", object_id=str(w["a"].pk)).exists()


# ------------------------------------------------------------------ feedback
@pytest.fixture
def crowd(built):
    """More experts around the demand, so there is a ranking to move."""
    w = built
    w["e_mid"] = f.expert(name="周材料", research_directions="锂电池正极材料 热稳定性", bio="正极材料")
    w["e_low"] = f.expert(name="吴电池", research_directions="锂电池 循环寿命", bio="电池管理")
    w["e_far"] = f.expert(name="郑储能", research_directions="储能 锂电池", bio="储能系统集成")
    services.rebuild()
    return w


def _margin(matches, target_id):
    by = {m.id: m.score for m in matches}
    best_other = max(s for i, s in by.items() if i != target_id)
    return by[target_id] - best_other


def _after(w, client, target_id, verdict):
    """Margin of ``target_id`` over the best other result after ``verdict``; rolled back afterwards."""
    source = f"demand:{w['demand'].pk}"
    with transaction.atomic():
        client.force_login(w["user_b"])
        client.get(f"/match/panel/demands/{w['demand'].pk}/?kind=expert")  # logs the impressions
        if verdict == "became_project":
            from duijie.experts.models import Expert

            expert = Expert.objects.get(pk=target_id.split(":")[1])
            project(title=PROJECT, source="demand", source_demand=w["demand"], enterprises=[w["a"]],
                    experts=[expert], status="signed")
        else:
            client.post("/match/feedback/", {"source": source, "target": target_id, "verdict": verdict,
                                             "reason": "field" if verdict == "irrelevant" else ""})
        got = ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert", k=10)
        rank = [m.id for m in got].index(target_id) + 1
        margin = _margin(got, target_id)
        transaction.set_rollback(True)
    return rank, margin


def test_feedback_moves_the_ranking_and_a_project_moves_it_most(crowd, client):
    w = crowd
    first = ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert", k=10)
    assert len(first) >= 4
    target = first[2].id
    base_margin = _margin(first, target)
    useful = _after(w, client, target, "useful")
    irrelevant = _after(w, client, target, "irrelevant")
    contacted = _after(w, client, target, "contacted")
    became = _after(w, client, target, "became_project")
    assert irrelevant[1] < base_margin < useful[1] < contacted[1] < became[1]
    assert irrelevant[0] > 3 and became[0] == 1
    # rolled back: the defaults again
    assert _margin(ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert", k=10), target) \
        == pytest.approx(base_margin)


def test_learner_gets_verdicts_projects_and_logged_features(crowd, client):
    w = crowd
    client.force_login(w["user_b"])
    client.get(f"/match/panel/demands/{w['demand'].pk}/?kind=expert")
    imps = list(Impression.objects.filter(source_kind="demand", target_kind="expert").order_by("rank"))
    assert imps and all("bm25" in i.features for i in imps)
    liked = imps[-1]
    source = liked.source
    project(title=PROJECT, source="demand", source_demand=w["demand"], enterprises=[w["a"]],
            experts=[ms.documents.parse_id(liked.target)[1]], status="intention")
    events, logged = learning.events_for("demand", "expert")
    assert (source, liked.target, "became_project") in [(e.query_id, e.record_id, e.label) for e in events]
    assert (source, liked.target) in [(i.query_id, i.record_id) for i in logged]
    base = Weights()
    learnt = learning.weights_for("demand", "expert")
    assert learnt != base

    def score(weights, imp):
        return sum(getattr(weights, k) * v for k, v in imp.features.items() if k in mk.FEATURES)

    above = [i for i in imps if i.rank < liked.rank]
    # the learnt weights put the result that became a project nearer to those shown above it
    for i in above:
        assert score(learnt, liked) - score(learnt, i) > score(base, liked) - score(base, i)
    # cached until something changes; a terminated project takes its feedback back
    assert learning.weights_for("demand", "expert") is learnt
    from duijie.cooperation.models import CooperationProject

    CooperationProject.objects.update(status="terminated")
    assert learning.weights_for("demand", "expert") == base


def test_a_project_from_an_event_meeting_or_intention_is_feedback_on_expert_to_enterprise(built):
    from duijie.cooperation.tests import helpers as h
    from duijie.events.models import MeetingSlot

    w = built
    ev = h.event()
    MeetingSlot.objects.create(event=ev, starts_at=ev.starts_at, ends_at=ev.starts_at + timedelta(minutes=20),
                               enterprise=w["a"],
                               expert=w["e_good"])
    pair = (f"expert:{w['e_good'].pk}", f"enterprise:{w['a'].pk}")
    # the meeting alone is not a project; a project from the event with both as parties is
    assert pair not in cooperation.became_project_pairs()
    p = project(title=PROJECT, source="event", source_event=ev, enterprises=[w["a"]], experts=[w["e_good"]])
    assert pair in cooperation.became_project_pairs(source_kind="expert", target_kind="enterprise")
    assert pair in cooperation.became_project_pairs(sources=[pair[0]])
    # a project whose parties did not meet there gives nothing for them
    p.experts.set([w["e_vp"]])
    assert not cooperation.became_project_pairs(source_kind="expert")
    # from an intention signed there (no slot needed)
    intent = h.intention(ev, enterprise=w["b"], expert=w["e_vp"])
    project(title="意向转化项目", source="event", source_intention=intent, enterprises=[w["b"]], experts=[w["e_vp"]])
    assert (f"expert:{w['e_vp'].pk}", f"enterprise:{w['b'].pk}") in cooperation.became_project_pairs()
    factors, _hidden = learning.pair_adjustments(f"expert:{w['e_vp'].pk}", [f"enterprise:{w['b'].pk}"], w["user_a"])
    assert factors[f"enterprise:{w['b'].pk}"] == pytest.approx(learning.BECAME_PROJECT)


def test_links_written_in_bulk_mark_their_parties_on_the_bulk_lane(world, settings,
                                                                   django_capture_on_commit_callbacks):
    from duijie.pairings.models import Pairing

    settings.DUIJIE_MATCH_AUTO_REFRESH = False
    w = world
    DirtyRecord.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        record_bulk_upsert(model=Pairing, creates=[Pairing(enterprise=w["b"], expert=w["e_good"],
                                                           start_on=date(2024, 1, 1))], by=None)
    assert set(DirtyRecord.objects.values_list("model", "object_id", "lane")) == {
        ("orgs.Enterprise", str(w["b"].pk), "bulk"), ("demands.Demand", str(w["secret"].pk), "bulk"),
        ("experts.Expert", str(w["e_good"].pk), "bulk")}
