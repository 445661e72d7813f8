"""Events: registration, check-in, 1:1 meetings, outcomes, scope and personal data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from duijie.core.models import AuditLog
from duijie.events.models import Event, FollowUpTask, Intention, Invitation, MeetingRecord, MeetingSlot
from duijie.events.services import checkin, followups, intentions, invitations, meetings, registration
from duijie.events.tests.conftest import make_event

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _invite_all(world, event):
    invitations.invitation_bulk_add(event=event, by=world.wujin_admin, enterprises=world.ents, experts=world.experts)


# ------------------------------------------------------------------------------------- registration
def test_self_registration_respects_capacity(world):
    event = make_event(world.wujin_admin, status="open", capacity=1)
    inv = registration.event_register(event=event, by=world.ent_user)
    assert inv.status == "registered" and inv.self_registered
    with pytest.raises(ValidationError, match="此活动名额已满（1 个）"):
        registration.event_register(event=event, by=world.ent_user2)
    # the UI says so too, and the page shows the event is full
    c = _client(world.ent_user2)
    r = c.post(f"/events/{event.pk}/register/", follow=True)
    assert "此活动名额已满" in _messages(r)
    assert 'id="full-notice"' in r.content.decode()
    assert Invitation.objects.filter(event=event).count() == 1
    # registering twice is refused; declining frees the place for the other
    with pytest.raises(ValidationError, match="已报名"):
        registration.event_register(event=event, by=world.ent_user)
    registration.event_decline(event=event, by=world.ent_user)
    assert registration.event_register(event=event, by=world.ent_user2).status == "registered"


def test_registration_only_for_open_events_and_party_accounts(world):
    event = make_event(world.wujin_admin, status="open")
    with pytest.raises(ValidationError, match="只有企业、专家和高校账号"):
        registration.event_register(event=event, by=world.city_admin)
    Event.objects.filter(pk=event.pk).update(status="held")
    with pytest.raises(ValidationError, match="未开放报名"):
        registration.event_register(event=event, by=world.ent_user)


# ------------------------------------------------------------------------------------------ check-in
def test_check_in_twice_is_refused(world):
    event = make_event(world.wujin_admin, status="open")
    _invite_all(world, event)
    inv = Invitation.objects.get(event=event, enterprise=world.ent)
    c = _client(world.wujin_admin)
    r = c.post(f"/events/{event.pk}/checkin/{inv.pk}/", follow=True)
    assert "签到" in _messages(r)
    inv.refresh_from_db()
    first = inv.checked_in_at
    assert inv.status == "attended" and first is not None and inv.checked_in_by == world.wujin_admin
    r = c.post(f"/events/{event.pk}/checkin/{inv.pk}/", follow=True)
    assert "已于" in _messages(r) and "签到" in _messages(r)
    inv.refresh_from_db()
    assert inv.checked_in_at == first
    assert AuditLog.objects.filter(object_type="events.invitation", object_id=str(inv.pk),
                                   detail__check_in="desk").count() == 1


def test_check_in_page_search_and_qr_self_check_in(world):
    event = make_event(world.wujin_admin, status="open")
    _invite_all(world, event)
    c = _client(world.wujin_admin)
    page = c.get(f"/events/{event.pk}/checkin/", {"q": "智造1"}).content.decode()
    assert "武进智造1有限公司" in page and "武进智造2有限公司" not in page and "<svg" in page
    qr_url = f"/events/{event.pk}/checkin/qr/{__import__('duijie.events.views', fromlist=['x']).qr_token(event)}/"
    assert qr_url in page
    # the invitee scans the code, logs in and checks in; a forged code is refused
    ent = _client(world.ent_user)
    assert ent.get(f"/events/{event.pk}/checkin/qr/forged/").status_code == 404
    r = ent.post(qr_url, follow=True)
    assert "签到成功" in _messages(r)
    assert Invitation.objects.get(event=event, enterprise=world.ent).status == "attended"
    # the invitee cannot use the organiser's desk
    inv2 = Invitation.objects.get(event=event, enterprise=world.ent2)
    assert ent.post(f"/events/{event.pk}/checkin/{inv2.pk}/").status_code == 403
    assert ent.get(f"/events/{event.pk}/checkin/").status_code == 403


def test_qr_check_in_only_on_the_day(world):
    event = make_event(world.wujin_admin, status="open", days=3)
    _invite_all(world, event)
    with pytest.raises(ValidationError, match="仅限活动当天"):
        checkin.check_in_self(event=event, by=world.ent_user)


# ------------------------------------------------------------------------------------- 1:1 meetings
def test_double_booking_and_overlaps_are_refused(world):
    event = make_event(world.wujin_admin, status="open")
    _invite_all(world, event)
    t0 = event.starts_at
    meetings.slot_book(event=event, by=world.wujin_admin, enterprise=world.ent, expert=world.experts[0],
                       starts_at=t0, table="1号桌")
    # same enterprise, same time, other expert and table
    with pytest.raises(ValidationError, match="武进智造0有限公司”已有"):
        meetings.slot_book(event=event, by=world.wujin_admin, enterprise=world.ent, expert=world.experts[1],
                           starts_at=t0, table="2号桌")
    # same expert, overlapping but not identical time
    with pytest.raises(ValidationError, match="王教授0（常州测试大学）”已有"):
        meetings.slot_book(event=event, by=world.wujin_admin, enterprise=world.ent2, expert=world.experts[0],
                           starts_at=t0 + timedelta(minutes=10), table="2号桌")
    # same table, overlapping
    with pytest.raises(ValidationError, match="1号桌"):
        meetings.slot_book(event=event, by=world.wujin_admin, enterprise=world.ent2, expert=world.experts[1],
                           starts_at=t0 + timedelta(minutes=5), table="1号桌")
    # back to back is fine
    meetings.slot_book(event=event, by=world.wujin_admin, enterprise=world.ent, expert=world.experts[0],
                       starts_at=t0 + timedelta(minutes=20), table="1号桌")
    assert MeetingSlot.objects.filter(event=event).count() == 2
    # the database refuses an identical start for the same person even if the service is bypassed
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        MeetingSlot.objects.create(event=event, enterprise=world.ent, expert=world.experts[2], starts_at=t0,
                                   ends_at=t0 + timedelta(minutes=20))


def test_booking_needs_live_invitees(world):
    event = make_event(world.wujin_admin, status="open")
    invitations.invitation_add(event=event, by=world.wujin_admin, enterprise=world.ent)
    with pytest.raises(ValidationError, match="未受邀"):
        meetings.slot_book(event=event, by=world.wujin_admin, enterprise=world.ent, expert=world.experts[0],
                           starts_at=event.starts_at)


def test_slot_grid_page_books_and_fills_from_suggestions(world):
    event = make_event(world.wujin_admin, status="open")
    _invite_all(world, event)
    c = _client(world.wujin_admin)
    page = c.get(f"/r/events/{event.pk}/", {"tab": "meetings"}).content.decode()
    assert 'id="slot-grid"' in page and "同行业" in page
    start = timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M")
    r = c.post(f"/events/{event.pk}/slots/book/", {"starts_at": start, "table": "1号桌", "enterprise": world.ent.pk,
                                                   "expert": world.experts[0].pk}, follow=True)
    assert "已安排" in _messages(r)
    r = c.post(f"/events/{event.pk}/slots/book/", {"starts_at": start, "table": "2号桌", "enterprise": world.ent.pk,
                                                   "expert": world.experts[1].pk}, follow=True)
    assert "已有" in _messages(r)
    r = c.post(f"/events/{event.pk}/slots/fill/", follow=True)
    slots = list(MeetingSlot.objects.filter(event=event))
    assert len(slots) == 4 * 3  # every invited enterprise × expert pair shares the industry
    for a in slots:  # nobody double-booked
        for b in slots:
            if a.pk != b.pk and a.starts_at < b.ends_at and b.starts_at < a.ends_at:
                assert a.enterprise_id != b.enterprise_id and a.expert_id != b.expert_id and a.table != b.table


def test_pair_suggester_is_a_setting(world, settings):
    event = make_event(world.wujin_admin, status="open")
    _invite_all(world, event)
    settings.EVENTS_PAIR_SUGGESTER = "duijie.events.tests.test_events.reverse_suggester"
    from duijie.events.suggest import suggest_pairs

    pairs = suggest_pairs(event, limit=2)
    assert [(p.enterprise.pk, p.expert.pk) for p in pairs] == [(world.ents[-1].pk, world.experts[-1].pk),
                                                              (world.ents[-2].pk, world.experts[-1].pk)]
    assert pairs[0].reasons == ["测试"]


def reverse_suggester(event, *, limit):
    from duijie.events.models import Invitation

    ents = [i.enterprise for i in Invitation.objects.filter(event=event).exclude(enterprise=None).order_by("-pk")]
    exps = [i.expert for i in Invitation.objects.filter(event=event).exclude(expert=None).order_by("-pk")]
    return [(e, x, 1.0, ["测试"]) for x in exps for e in ents]


# ------------------------------------------------------------------------------------- role and scope
def test_enterprise_user_cannot_edit_or_organise(world):
    event = make_event(world.wujin_admin, status="open")
    c = _client(world.ent_user)
    assert c.get(f"/r/events/{event.pk}/").status_code == 200  # open events are readable
    assert c.get(f"/r/events/{event.pk}/edit/").status_code == 403
    assert c.get("/r/events/add/").status_code == 403
    assert c.post(f"/events/{event.pk}/invite/", {"kind": "enterprise", "ids": [world.ent2.pk]}).status_code == 403
    start = timezone.localtime(event.starts_at).strftime("%Y-%m-%dT%H:%M")
    assert c.post(f"/events/{event.pk}/slots/book/", {"starts_at": start}).status_code == 403
    api = APIClient()
    api.force_authenticate(world.ent_user)
    assert api.patch(f"/api/events/{event.pk}/", {"title": "改"}, format="json").status_code == 403
    assert api.post("/api/events/", {"title": "x", "event_type": "other", "starts_at": "2026-01-01T09:00"},
                    format="json").status_code == 403
    assert api.post(f"/api/events/{event.pk}/invitations/", {"enterprise": world.ent2.pk},
                    format="json").status_code == 403
    with pytest.raises(PermissionDenied):
        invitations.invitation_add(event=event, by=world.ent_user, enterprise=world.ent2)
    event.refresh_from_db()
    assert event.title == "武进智能制造老师—老板面对面" and not event.invitations.exists()


def test_district_admin_sees_only_events_in_scope(world):
    own = make_event(world.wujin_admin, title="武进活动")
    other = make_event(world.xinbei_admin, title="新北活动")
    assert list(own.assessment_units.all()) == [world.wujin_unit] and own.organiser.name == "武进区科技局"
    c = _client(world.wujin_admin)
    page = c.get("/r/events/").content.decode()
    assert "武进活动" in page and "新北活动" not in page
    assert c.get(f"/r/events/{other.pk}/").status_code == 404
    assert c.get(f"/events/{other.pk}/checkin/").status_code == 404
    api = APIClient()
    api.force_authenticate(world.wujin_admin)
    assert [e["id"] for e in api.get("/api/events/").json()["results"]] == [own.pk]
    assert api.get(f"/api/events/{other.pk}/invitations/").status_code == 404
    # once open, the other district's event is readable (published) but still not editable
    Event.objects.filter(pk=other.pk).update(status="open")
    assert c.get(f"/r/events/{other.pk}/").status_code == 200
    assert c.get(f"/r/events/{other.pk}/edit/").status_code == 403
    assert api.get(f"/api/events/{other.pk}/invitations/").json() == []
    assert c.post(f"/events/{other.pk}/invite/", {"kind": "enterprise", "ids": [world.ent.pk]}).status_code == 403
    # the city sees both
    city = _client(world.city_admin).get("/r/events/").content.decode()
    assert "武进活动" in city and "新北活动" in city


def test_invitee_sees_only_own_invitation_and_meetings(world):
    event = make_event(world.wujin_admin, status="open")
    _invite_all(world, event)
    meetings.slot_book(event=event, by=world.wujin_admin, enterprise=world.ent2, expert=world.experts[1],
                       starts_at=event.starts_at)
    api = APIClient()
    api.force_authenticate(world.ent_user)
    rows = api.get(f"/api/events/{event.pk}/invitations/").json()
    assert [r["enterprise"] for r in rows] == [world.ent.pk]
    page = _client(world.ent_user).get(f"/r/events/{event.pk}/", {"tab": "meetings"}).content.decode()
    assert "武进智造1有限公司" not in page
    page = _client(world.ent_user).get(f"/r/events/{event.pk}/", {"tab": "invitations"}).content.decode()
    assert "武进智造2有限公司" not in page


def test_park_manager_organises_in_the_park(world):
    event = make_event(world.park_manager, title="园区路演")
    assert event.park.name == "活动测试园区"
    assert _client(world.park_manager).get(f"/r/events/{event.pk}/edit/").status_code == 200


# --------------------------------------------------------------------------------------- outcomes
def test_intention_recorded_and_listed(world):
    event = make_event(world.wujin_admin, status="held")
    _invite_all(world, event)
    slot = meetings.slot_book(event=event, by=world.wujin_admin, enterprise=world.ent, expert=world.experts[0],
                              starts_at=event.starts_at)
    c = _client(world.wujin_admin)
    r = c.post(f"/events/{event.pk}/intentions/", {
        "enterprise": world.ent.pk, "expert": world.experts[0].pk, "subject": "联合开发视觉检测系统",
        "signed_on": timezone.localdate().isoformat(), "meeting_slot": slot.pk}, follow=True)
    assert "已记录合作意向" in _messages(r)
    intention = Intention.objects.get(subject="联合开发视觉检测系统")
    assert intention.institution == world.inst and intention.meeting_slot == slot
    assert list(intention.assessment_units.all()) == [world.wujin_unit]
    assert intention.visibility == "restricted"
    assert "联合开发视觉检测系统" in c.get(f"/r/events/{event.pk}/", {"tab": "outcomes"}).content.decode()
    assert "联合开发视觉检测系统" in c.get("/r/intentions/", {"event": event.pk}).content.decode()
    # the enterprise party sees it; another enterprise does not (restricted)
    assert "联合开发视觉检测系统" in _client(world.ent_user).get("/r/intentions/").content.decode()
    assert "联合开发视觉检测系统" not in _client(world.ent_user2).get("/r/intentions/").content.decode()
    # bad input: no counterpart, a future date
    r = c.post(f"/events/{event.pk}/intentions/", {"enterprise": world.ent.pk, "subject": "x",
                                                    "signed_on": timezone.localdate().isoformat()}, follow=True)
    assert "请填写对方的高校院所或专家" in _messages(r)
    with pytest.raises(ValidationError, match="签订日期不能晚于今天"):
        intentions.intention_record(event=event, by=world.wujin_admin, enterprise=world.ent, expert=world.experts[0],
                                  subject="未来", signed_on=timezone.localdate() + timedelta(days=2))
    assert Intention.objects.count() == 1


def test_followups_overdue_list(world):
    event = make_event(world.wujin_admin, status="held")
    today = timezone.localdate()
    late = followups.followup_create(event=event, by=world.wujin_admin, title="回访企业需求", owner=world.wujin_admin,
                                    due_on=today - timedelta(days=3))
    followups.followup_create(event=event, by=world.wujin_admin, title="寄送成果资料", owner=world.wujin_admin,
                             due_on=today + timedelta(days=3))
    done = followups.followup_create(event=event, by=world.wujin_admin, title="整理签到表", owner=world.wujin_admin,
                                    due_on=today - timedelta(days=5))
    done = followups.followup_set_done(task=done, by=world.wujin_admin)
    c = _client(world.wujin_admin)
    page = c.get("/events/followups/", {"overdue": "1"}).content.decode()
    assert "回访企业需求" in page and "寄送成果资料" not in page and "整理签到表" not in page
    assert late.overdue and not done.overdue
    # others see nothing of it; the owner (even without organiser rights) may tick it off
    assert "回访企业需求" not in _client(world.ent_user).get("/events/followups/").content.decode()
    r = c.post(f"/events/followups/{late.pk}/done/", {"done": "1"})
    assert r.status_code == 302
    late.refresh_from_db()
    assert late.done and late.done_at
    # bad input
    r = c.post(f"/events/{event.pk}/followups/", {"title": "x", "owner": "nobody", "due_on": today.isoformat()},
               follow=True)
    assert "没有该用户名的有效用户" in _messages(r)


def test_meeting_record_with_actions_all_or_nothing(world):
    event = make_event(world.wujin_admin, status="held", title="校地联席会议")
    c = _client(world.wujin_admin)
    today = timezone.localdate().isoformat()
    bad = f"建立联络员名单 | {world.wujin_admin.username} | {today}\n征集企业需求 | nobody | {today}"
    r = c.post(f"/events/{event.pk}/meeting-records/", {"held_on": today, "attendees": "张三 武进区科技局\n李四 常州大学",
                                                         "decisions": "每季度召开联络员会议", "actions": bad}, follow=True)
    assert "第 2 行" in _messages(r)
    assert not MeetingRecord.objects.exists() and not FollowUpTask.objects.exists()
    good = f"建立联络员名单 | {world.wujin_admin.username} | {today}"
    c.post(f"/events/{event.pk}/meeting-records/", {"held_on": today, "attendees": "张三 武进区科技局\n李四 常州大学",
                                                     "decisions": "每季度召开联络员会议", "actions": good})
    record = MeetingRecord.objects.get()
    assert record.attendee_list() == ["张三 武进区科技局", "李四 常州大学"]
    assert [t.title for t in record.actions.all()] == ["建立联络员名单"]
    page = c.get(f"/r/events/{event.pk}/", {"tab": "minutes"}).content.decode()
    assert "每季度召开联络员会议" in page and "建立联络员名单" in page
    # minutes are the organiser's: an enterprise user reading the (open) event sees none
    Event.objects.filter(pk=event.pk).update(status="open")
    assert "每季度召开联络员会议" not in _client(world.ent_user).get(
        f"/r/events/{event.pk}/", {"tab": "minutes"}).content.decode()


def test_bulk_invite_and_statuses(world):
    event = make_event(world.wujin_admin, status="open")
    c = _client(world.wujin_admin)
    page = c.get(f"/r/events/{event.pk}/", {"tab": "invitations", "kind": "enterprise", "q": "武进智造"}).content.decode()
    assert "武进智造3有限公司" in page
    r = c.post(f"/events/{event.pk}/invite/", {"kind": "enterprise", "ids": [e.pk for e in world.ents]}, follow=True)
    assert "已邀请 4 个" in _messages(r)
    r = c.post(f"/events/{event.pk}/invite/", {"kind": "enterprise", "ids": [world.ent.pk]}, follow=True)
    assert "已在邀请名单中" in _messages(r)
    inv = Invitation.objects.get(event=event, enterprise=world.ent)
    c.post(f"/events/{event.pk}/invitations/{inv.pk}/status/", {"status": "declined"})
    inv.refresh_from_db()
    assert inv.status == "declined"
    r = c.post(f"/events/{event.pk}/invitations/{inv.pk}/status/", {"status": "attended"}, follow=True)
    assert "出席以签到为准" in _messages(r)
    assert Invitation.objects.filter(event=event).count() == 4


def test_api_check_in_and_register(world):
    event = make_event(world.wujin_admin, status="open", capacity=10)
    api = APIClient()
    api.force_authenticate(world.ent_user)
    r = api.post(f"/api/events/{event.pk}/register/")
    assert r.status_code == 201 and r.json()["status"] == "registered"
    assert api.post(f"/api/events/{event.pk}/register/").status_code == 400
    inv = Invitation.objects.get(event=event, enterprise=world.ent)
    org = APIClient()
    org.force_authenticate(world.wujin_admin)
    assert org.post(f"/api/events/{event.pk}/check-in/", {"invitation": inv.pk}, format="json").json()["status"] \
        == "attended"
    r = org.post(f"/api/events/{event.pk}/check-in/", {"invitation": inv.pk}, format="json")
    assert r.status_code == 400 and "已于" in str(r.json())
    r = org.post(f"/api/events/{event.pk}/invitations/", {"expert": world.experts[0].pk, "enterprise": world.ent.pk},
                 format="json")
    assert r.status_code == 400


# ------------------------------------------------------------------------------------- personal data
def test_event_pages_show_no_phone_numbers(world):
    event = make_event(world.wujin_admin, status="open", agenda="联系人电话 13800001111")
    _invite_all(world, event)
    meetings.slot_book(event=event, by=world.wujin_admin, enterprise=world.ent, expert=world.experts[0],
                       starts_at=event.starts_at)
    for user in (world.wujin_admin, world.ent_user, world.expert_user):
        c = _client(user)
        for tab in ("details", "invitations", "meetings", "outcomes", "minutes"):
            body = c.get(f"/r/events/{event.pk}/", {"tab": tab}).content.decode()
            for phone in ("13812345678", "13912345678", "13800001111"):
                assert phone not in body, (user, tab, phone)
    body = _client(world.wujin_admin).get(f"/events/{event.pk}/checkin/").content.decode()
    assert "13812345678" not in body and "13912345678" not in body
    api = APIClient()
    api.force_authenticate(world.wujin_admin)
    assert "13812345678" not in api.get(f"/api/events/{event.pk}/invitations/").content.decode()
    assert "13800001111" not in api.get(f"/api/events/{event.pk}/").content.decode()
