"""Matching for events: the invitation planner for an event's theme (balanced sides; no one already
invited, opted out or out of the organiser's scope; reasons) and the 1:1 pair suggester (conflicts of
interest left out; the grid filled from it double-books nobody). Both reached through the events
app's setting hooks, as the product runs them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from duijie.core.models import AssessmentUnit, Industry, Organisation, Region
from duijie.core.roles import Role
from duijie.core.tests import factories as f
from duijie.events import planner
from duijie.events.models import Event, Invitation, MeetingSlot
from duijie.events.services import invitations, lifecycle, meetings
from duijie.events.suggest import suggest_pairs as events_suggest_pairs
from duijie.matching import events as mevents
from duijie.matching import services as match_services
from duijie.pairings.models import Placement

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def ev(db):
    r = {c: Region.objects.get(code=c) for c in ("3204", "320412", "320411")}
    wujin = AssessmentUnit.objects.create(name="武进区", code="pl-wujin", kind="district", city=r["3204"])
    wujin.regions.set([r["320412"]])
    xinbei = AssessmentUnit.objects.create(name="新北区", code="pl-xinbei", kind="district", city=r["3204"])
    xinbei.regions.set([r["320411"]])
    gov_wj = Organisation.objects.create(kind="government", name="武进区科技局", region=r["320412"],
                                         assessment_unit=wujin)
    gov_xb = Organisation.objects.create(kind="government", name="新北区科技局", region=r["320411"],
                                         assessment_unit=xinbei)
    battery = Industry.objects.filter(level=4, code__startswith="38").first()
    food = Industry.objects.filter(level=4, code__startswith="14").first()
    w = {"admin": f.user(role=Role.UNIT_ADMIN, organisation=gov_wj),
         "xinbei_admin": f.user(role=Role.UNIT_ADMIN, organisation=gov_xb), "industry": battery}
    loc = {"region": r["320412"], "industry": battery}
    w["e_cathode"] = f.enterprise(name="武进正极材料科技有限公司", main_products="锂电池正极材料 高镍三元正极",
                                  description="高镍三元正极材料包覆与烧结", **loc)
    w["e_recycle"] = f.enterprise(name="武进锂电回收有限公司", main_products="锂电池回收 正极材料再生",
                                  description="废旧锂电池湿法回收", **loc)
    w["e_cell"] = f.enterprise(name="武进电芯制造有限公司", main_products="锂电池电芯 正极材料应用",
                               description="动力锂电池电芯", **loc)
    w["e_invited"] = f.enterprise(name="武进已邀请锂电有限公司", main_products="锂电池正极材料", **loc)
    w["e_hidden"] = f.enterprise(name="新北保密锂电有限公司", main_products="锂电池正极材料 高镍三元正极",
                                 region=r["320411"], industry=battery, visibility="restricted")
    w["e_food"] = f.enterprise(name="武进食品有限公司", main_products="速冻水饺", region=r["320412"], industry=food)
    uni = f.institution(name="常州锂电大学", region=r["320412"])

    def expert(name, text, **kw):
        x = f.expert(name=name, research_directions=text, institution=kw.pop("institution", uni),
                     region=r["320412"], **kw)
        x.industries.set([battery])
        return x

    w["x_good"] = expert("王正极", "锂电池正极材料 高镍三元 包覆改性")
    w["x_recycle"] = expert("周回收", "锂电池回收 正极材料再生 湿法冶金")
    w["x_optout"] = expert("李退出", "锂电池正极材料 高镍三元正极", do_not_recommend=True)
    w["x_invited"] = expert("陈已邀", "锂电池正极材料 高镍三元")
    w["x_employee"] = expert("赵员工", "锂电池正极材料 烧结工艺", employer="武进正极材料科技有限公司", institution=None)
    w["x_vp"] = expert("钱副总", "锂电池正极材料 高镍三元 热稳定性")
    Placement.objects.create(scheme="tech_vp_provincial", year=2026, person_name="钱副总", expert=w["x_vp"],
                             host_enterprise=w["e_cathode"], start_on=timezone.localdate() - timedelta(days=30))
    w["x_rice"] = f.expert(name="孙水稻", research_directions="水稻育种 分子标记", institution=uni)
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    w["event"] = lifecycle.event_create(by=w["admin"], instance=Event(
        title="锂电池产业链对接会", event_type="chain_matching", starts_at=start, ends_at=start + timedelta(hours=3),
        theme="锂电池正极材料", agenda="高镍三元正极材料技术路线与回收利用", venue="武进科教城"),
        m2m={"industries": [battery.pk]})
    invitations.invitation_add(event=w["event"], by=w["admin"], enterprise=w["e_invited"])
    inv = invitations.invitation_add(event=w["event"], by=w["admin"], expert=w["x_invited"])
    invitations.invitation_set_status(invitation=inv, status="declined", by=w["admin"])  # any status counts
    match_services.rebuild()
    return w


def _pks(side):
    return [p.obj.pk for p in side]


@pytest.mark.parametrize("via_hook", [True, False])
def test_plan_is_balanced_and_excludes_invited_opted_out_and_invisible(ev, via_hook):
    plan_fn = planner.plan_invitations if via_hook else mevents.plan_invitations
    plan = plan_fn(ev["event"], ev["admin"], enterprises=3, experts=3)
    ents, exps = _pks(plan.enterprises), _pks(plan.experts)
    # balanced: each side ranked on its own and full, the enterprises' stronger texts take no expert places
    assert len(ents) == 3 and len(exps) == 3
    assert set(ents) == {ev["e_cathode"].pk, ev["e_recycle"].pk, ev["e_cell"].pk}
    assert ev["x_good"].pk in exps and ev["x_rice"].pk not in exps
    # never: already invited (any status), opted out, not visible to the organiser
    for w in ("e_invited", "e_hidden", "e_food"):
        assert ev[w].pk not in ents, w
    for w in ("x_invited", "x_optout"):
        assert ev[w].pk not in exps, w
    # every proposal has short Chinese reasons
    for p in plan.enterprises + plan.experts:
        assert p.reasons and all(CJK.search(r) and len(r) < 80 for r in p.reasons), p.reasons
    assert any("锂电池" in r or "正极" in r for r in plan.enterprises[0].reasons)


def test_plan_respects_the_viewers_scope(ev):
    # the restricted 新北 enterprise is in the 新北 bureau's scope: it is proposed to them, never to 武进
    theirs = _pks(mevents.plan_invitations(ev["event"], ev["xinbei_admin"], enterprises=5, experts=0).enterprises)
    ours = _pks(mevents.plan_invitations(ev["event"], ev["admin"], enterprises=5, experts=0).enterprises)
    assert ev["e_hidden"].pk in theirs and ev["e_hidden"].pk not in ours


def test_default_planner_without_matching(ev, settings):
    settings.EVENTS_INVITATION_PLANNER = None  # events alone: its industry match
    plan = planner.plan_invitations(ev["event"], ev["admin"], enterprises=10, experts=10)
    ents, exps = _pks(plan.enterprises), _pks(plan.experts)
    assert ev["e_cathode"].pk in ents and ev["e_food"].pk not in ents and ev["e_hidden"].pk not in ents
    assert ev["e_invited"].pk not in ents and ev["x_invited"].pk not in exps and ev["x_optout"].pk not in exps
    assert all(p.reasons for p in plan.enterprises + plan.experts)


def test_plan_page_confirm_creates_invitations_all_or_nothing(ev):
    event, admin = ev["event"], ev["admin"]
    c = Client()
    c.force_login(admin)
    page = c.get(f"/events/{event.pk}/plan/", {"n": 3})
    html = page.content.decode()
    assert page.status_code == 200 and "按主题规划邀请" in html
    assert f'name="enterprise" value="{ev["e_cathode"].pk}"' in html and "checked" in html
    assert ev["e_hidden"].name not in html and ev["x_optout"].name not in html
    # a record the organiser may not see refuses the whole batch
    before = Invitation.objects.count()
    r = c.post(f"/events/{event.pk}/plan/", {"enterprise": [ev["e_cathode"].pk, ev["e_hidden"].pk],
                                             "expert": [ev["x_good"].pk]}, follow=True)
    assert Invitation.objects.count() == before
    assert "不存在或您无权查看" in html_messages(r)
    # the adjusted list (one unticked) is invited
    r = c.post(f"/events/{event.pk}/plan/", {"enterprise": [ev["e_cathode"].pk, ev["e_cell"].pk],
                                             "expert": [ev["x_good"].pk]}, follow=True)
    assert r.status_code == 200
    got = set(Invitation.objects.filter(event=event, status="invited").exclude(
        pk__in=Invitation.objects.filter(event=event, enterprise=ev["e_invited"])).values_list("enterprise", "expert"))
    assert got == {(ev["e_cathode"].pk, None), (ev["e_cell"].pk, None), (None, ev["x_good"].pk)}
    # planned again: the invited are no longer proposed
    html = c.get(f"/events/{event.pk}/plan/", {"n": 3}).content.decode()
    assert f'name="enterprise" value="{ev["e_cathode"].pk}"' not in html
    # not the organiser: refused
    other = Client()
    other.force_login(ev["xinbei_admin"])
    assert other.get(f"/events/{event.pk}/plan/").status_code in (403, 404)
    assert other.post(f"/events/{event.pk}/plan/", {"enterprise": [ev["e_recycle"].pk]}).status_code in (403, 404)
    assert not Invitation.objects.filter(event=event, enterprise=ev["e_recycle"]).exists()


def html_messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _invite_pairs_world(ev):
    event, admin = ev["event"], ev["admin"]
    invitations.invitation_bulk_add(event=event, by=admin, enterprises=[ev["e_cathode"], ev["e_recycle"], ev["e_cell"]],
                                 experts=[ev["x_good"], ev["x_recycle"], ev["x_employee"], ev["x_vp"]])
    return event


def test_pair_suggester_leaves_out_conflicts_of_interest(ev):
    event = _invite_pairs_world(ev)
    pairs = mevents.suggest_pairs(event, limit=30)
    keys = {(p.enterprise.pk, p.expert.pk) for p in pairs}
    cathode = ev["e_cathode"].pk
    assert (cathode, ev["x_employee"].pk) not in keys  # works for the enterprise
    assert (cathode, ev["x_vp"].pk) not in keys  # already its 科技副总
    assert (ev["e_cell"].pk, ev["x_employee"].pk) in keys  # no conflict with another enterprise
    # only live invitees (not the one who declined); the cathode maker's best expert is the cathode expert
    assert all(p.expert.pk != ev["x_invited"].pk for p in pairs)
    first_for_cathode = next(p for p in pairs if p.enterprise.pk == cathode)
    assert first_for_cathode.expert == ev["x_good"] and first_for_cathode.reasons
    # every enterprise's best pair comes before any enterprise's second
    live = {cathode, ev["e_recycle"].pk, ev["e_cell"].pk, ev["e_invited"].pk}
    assert {p.enterprise.pk for p in pairs[:4]} == live
    # the events app uses it through the setting
    assert [(p.enterprise.pk, p.expert.pk) for p in events_suggest_pairs(event, limit=5)] == \
        [(p.enterprise.pk, p.expert.pk) for p in pairs[:5]]


def test_grid_filled_from_suggestions_double_books_nobody(ev):
    event = _invite_pairs_world(ev)
    booked = meetings.slot_fill_suggested(event=event, by=ev["admin"], limit=20)
    slots = list(MeetingSlot.objects.filter(event=event))
    assert booked and len(slots) == len(booked)
    for a in slots:
        assert (a.enterprise_id, a.expert_id) not in {(ev["e_cathode"].pk, ev["x_employee"].pk),
                                                      (ev["e_cathode"].pk, ev["x_vp"].pk)}
        for b in slots:
            if a.pk != b.pk and a.starts_at < b.ends_at and b.starts_at < a.ends_at:
                assert a.enterprise_id != b.enterprise_id and a.expert_id != b.expert_id and a.table != b.table
    assert len({(s.enterprise_id, s.expert_id) for s in slots}) == len(slots)  # no pair twice
    # filling again books nothing new twice
    again = meetings.slot_fill_suggested(event=event, by=ev["admin"], limit=20)
    keys = [(s.enterprise_id, s.expert_id) for s in MeetingSlot.objects.filter(event=event)]
    assert len(keys) == len(set(keys)) and len(again) == 0


def test_plan_api(ev):
    from rest_framework.test import APIClient

    event, api = ev["event"], APIClient()
    api.force_authenticate(ev["admin"])
    r = api.get(f"/api/events/{event.pk}/plan/", {"n": 2})
    assert r.status_code == 200, r.content
    body = r.json()
    assert len(body["enterprises"]) == 2 and len(body["experts"]) == 2
    assert all(p["reasons"] for p in body["enterprises"] + body["experts"])
    ids = {p["id"] for p in body["experts"]}
    assert ev["x_optout"].pk not in ids and ev["x_invited"].pk not in ids
    before = Invitation.objects.count()
    r = api.post(f"/api/events/{event.pk}/plan/", {"enterprises": [ev["e_cathode"].pk, ev["e_hidden"].pk]},
                 format="json")
    assert r.status_code == 400 and Invitation.objects.count() == before
    r = api.post(f"/api/events/{event.pk}/plan/", {"enterprises": [ev["e_cathode"].pk],
                                                   "experts": [ev["x_good"].pk]}, format="json")
    assert r.status_code == 201 and len(r.json()) == 2 and Invitation.objects.count() == before + 2
    other = APIClient()
    other.force_authenticate(ev["xinbei_admin"])
    assert other.get(f"/api/events/{event.pk}/plan/").status_code in (403, 404)
    assert other.post(f"/api/events/{event.pk}/plan/", {"enterprises": [ev["e_recycle"].pk]},
                      format="json").status_code in (403, 404)


def test_the_programmes_own_words_are_not_the_topic(ev):
    """A theme like "…企业技术需求与高校院所成果精准对接" is about its technology: the programme's words
    (对接, 高校院所, 成果, 需求 …) are left out of the query, so they are never the "shared terms"."""
    event = ev["event"]
    Event.objects.filter(pk=event.pk).update(theme="锂电池正极材料领域企业技术需求与高校院所成果精准对接",
                                             title="锂电池产业链对接会")
    event.refresh_from_db()
    q = mevents.event_query(event, "expert")
    assert "锂电池正极材料" in q.title and not re.search("对接|高校|院所|成果|需求|企业", q.title + q.text)
    assert mevents._topic("精准对接活动") == "精准对接活动"  # nothing else left: the words stay
    plan = mevents.plan_invitations(event, ev["admin"], enterprises=3, experts=3)
    assert ev["x_good"].pk in _pks(plan.experts)
    shared = " ".join(r for p in plan.enterprises + plan.experts for r in p.reasons if r.startswith("共同关键词"))
    assert "正极" in shared and not re.search("院所|高校|对接|成果|需求", shared)


def test_pair_suggestions_take_as_many_queries_for_many_invitees_as_for_few(ev):
    """The 1:1 grid's suggestions read every invited enterprise's record and its conflicts of interest
    in batches: more invitees, not more queries (it once made ~8 per enterprise: 14 s on a demo event)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event = _invite_pairs_world(ev)
    with CaptureQueriesContext(connection) as few:
        mevents.suggest_pairs(event, limit=30)
    more = [f.enterprise(name=f"武进追加锂电{i}有限公司", main_products="锂电池正极材料", region=ev["e_cell"].region,
                         industry=ev["industry"]) for i in range(6)]
    invitations.invitation_bulk_add(event=event, by=ev["admin"], enterprises=more, experts=[])
    with CaptureQueriesContext(connection) as many:
        pairs = mevents.suggest_pairs(event, limit=30)
    assert {p.enterprise.pk for p in pairs} >= {e.pk for e in more}
    assert len(many.captured_queries) <= len(few.captured_queries)
