"""Demo events (对接活动) over the demo year: invitations (most attended), 1:1 meetings, cooperation
intentions, follow-up tasks and two meeting records. Called by the generator after the accounts
exist; deterministic (the generator's random source) and bulk-written.

Proportions follow seed 002 (2016 review of the Wujin science bureau): 12 larger events produced 237
signed intentions; here the intention count scales with the number of enterprises generated (400 of
a district's ~1,600 innovative enterprises → ~59 intentions).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from duijie.accounts.models import User
from duijie.core.choices import Visibility
from duijie.core.models import Organisation
from duijie.core.roles import Role
from duijie.demo import content
from duijie.events.choices import EventStatus, EventType, InvitationStatus
from duijie.events.models import Event, FollowUpTask, Intention, Invitation, MeetingRecord, MeetingSlot
from duijie.experts.models import Expert
from duijie.orgs.models import Enterprise

# title, type, organiser, days before the demo's "today" (negative: upcoming), venue, industry key
EVENTS = [
    ("武进区—在常高校“双十百千”校地联席会议", EventType.JOINT_MEETING, "武进区科学技术局", 330, "武进区科技局三楼会议室", None),
    ("常州大学走进武进高新区智能装备专场对接会", EventType.UNI_TO_PARK, "武进区科学技术局", 300, "武进高新区科创中心", "robotics"),
    ("武进新能源企业江苏理工学院高校行", EventType.ENTERPRISE_TO_UNI, "武进区科学技术局", 265, "江苏理工学院图书馆报告厅", "battery"),
    ("“老师—老板面对面”石墨烯新材料专场", EventType.FACE_TO_FACE, "武进区科学技术局", 235, "西太湖科技产业园石墨烯创新中心", "graphene"),
    ("轨道交通装备科技项目路演", EventType.ROADSHOW, "武进区科学技术局", 205, "武进国家高新区轨道交通产业园", "rail"),
    ("“百场千企”生物医药产业链融链强链对接会", EventType.CHAIN_MATCHING, "常州市科学技术局", 175, "常州科教城创研港", "biomed"),
    ("新北区碳纤维及复合材料科技成果发布会", EventType.ACHIEVEMENT_LAUNCH, "新北区科学技术局", 150, "常州国家高新区科技金融中心", "carbonfiber"),
    ("“合成π对”合成生物产业链共享沙龙", EventType.CHAIN_SALON, "常州市科学技术局", 120, "常州科教城合成生物创新中心", "synbio"),
    ("“老师—老板面对面”人工智能与软件专场", EventType.FACE_TO_FACE, "常州市科学技术局", 90, "常州市科技大市场路演厅", "ai"),
    ("在常高校科技处联络员会议（一季度）", EventType.LIAISON_MEETING, "武进区科学技术局", 62, "武进区科技局二楼会议室", None),
    ("“百场千企”新能源汽车零部件产业链对接会", EventType.CHAIN_MATCHING, "金坛区科学技术局", 30, "金坛华罗庚科技园", "battery"),
    ("“老师—老板面对面”智能制造专场（报名中）", EventType.FACE_TO_FACE, "武进区科学技术局", -18, "武进高新区科创中心", "robotics"),
]
WITH_MEETINGS = {EventType.FACE_TO_FACE, EventType.CHAIN_MATCHING, EventType.UNI_TO_PARK, EventType.ENTERPRISE_TO_UNI,
                 EventType.ROADSHOW}
SUBJECTS = ["{p}{d}联合研发", "{x}技术攻关合作", "共建{t}联合实验室", "{t}科技成果转化", "{p}关键工艺委托开发"]
MINUTES = {
    EventType.JOINT_MEETING: (
        "坚持联席会议制度，校地双方每年召开一次联席会议；\n"
        "2026 年组织高校走进园区、企业高校行对接活动各 4 场；\n"
        "“双十百千”专家库按十大产业补充专家，推动百名专家挂钩联系百家企业。",
        [("汇总十大产业企业技术需求清单并分送各高校", 20), ("各高校推荐挂钩联系专家名单", 45),
         ("拟订年度优秀教师、优秀学生评选方案", 90)]),
    EventType.LIAISON_MEETING: (
        "各高校科技处通报一季度对接进展；\n"
        "二季度前完成企业需求逐项回复，回复率纳入联络员考核；\n"
        "对接活动改为小而精的专题对接，会前由平台推荐参会企业与专家。",
        [("逐项回复一季度征集的企业需求", 14), ("报送二季度专题对接活动计划", 30)]),
}
SCHOOL_LIAISONS = ["常州大学科技处", "河海大学常州校区科技处", "江苏理工学院科技处", "常州工学院科技处",
                   "常州信息职业技术学院科技处", "常州机电职业技术学院科技处"]


def make_events(gen) -> None:
    rng, ref, tz = gen.rng, gen.now, gen.now.tzinfo
    orgs = {o.name: o for o in Organisation.objects.filter(name__in={e[2] for e in EVENTS})}
    users_by_org = {u.organisation_id: u for u in User.objects.filter(role__in=[Role.CITY_ADMIN, Role.UNIT_ADMIN])
                    .order_by("pk")}
    demo_ent = Enterprise.objects.filter(organisation=User.objects.get(username="enterprise").organisation_id).first()
    demo_exp = Expert.objects.filter(user__username="expert").first()
    ents_all = [e for e in gen.ents if e.district != "320583"]  # Changzhou enterprises
    exps_all = [x for xs in gen.exps_by_key.values() for x in xs]

    events = []
    plan = []
    for title, etype, org_name, days, venue, key in EVENTS:
        org = orgs[org_name]
        day = (ref - timedelta(days=days)).date()
        start = datetime(day.year, day.month, day.day, 9 if days % 2 else 14, 0, tzinfo=tz)
        upcoming = days < 0
        meeting = etype in (EventType.JOINT_MEETING, EventType.LIAISON_MEETING)
        theme = (f"{gen.vals(key)['label']}领域企业技术需求与高校院所成果精准对接" if key
                 else "校地合作年度工作部署与任务分解")
        events.append(Event(
            title=title, event_type=etype, organiser=org, starts_at=start,
            ends_at=start + timedelta(hours=3 if not meeting else 2), venue=venue, theme=theme,
            capacity=None if meeting else rng.choice([60, 80, 100, 120]),
            agenda="领导致辞；高校院所成果推介；企业需求发布；一对一洽谈；签约仪式" if not meeting
            else "通报工作进展；研究年度计划；部署重点任务",
            status=EventStatus.OPEN if upcoming else EventStatus.HELD, visibility=Visibility.PUBLIC,
            region_id=org.region_id, filed_by=users_by_org.get(org.pk, gen.admin_user), filed_by_org=org,
        ))
        plan.append((etype, org, key, upcoming, meeting))
    events = gen.save(Event, events)
    gen.link(Event, events, "assessment_units",
             [[o.assessment_unit_id] if o.assessment_unit_id else [] for _e, o, *_r in plan])
    gen.link(Event, events, "industries",
             [[gen.industry[_gbt(key)]] if key else [] for _e, _o, key, *_r in plan])

    invitations, slots_plan, attended_by_event = [], [], {}
    for ev, (etype, _org, key, upcoming, meeting) in zip(events, plan, strict=True):
        if meeting:
            continue
        pool_e = [e.obj for e in gen.ents_by_key.get(key, []) if e.district != "320583"] or [e.obj for e in ents_all]
        pool_x = [x.obj for x in gen.exps_by_key.get(key, [])] or [x.obj for x in exps_all]
        ents = rng.sample(pool_e, k=min(len(pool_e), rng.randint(12, 20)))
        exps = rng.sample(pool_x, k=min(len(pool_x), rng.randint(5, 8)))
        if etype == EventType.FACE_TO_FACE and not upcoming and ev.pk == events[3].pk:
            ents = [demo_ent] + [e for e in ents if e.pk != demo_ent.pk] if demo_ent else ents
            exps = [demo_exp] + [x for x in exps if x.pk != demo_exp.pk] if demo_exp else exps
        elif upcoming and demo_ent:
            ents = [e for e in ents if e.pk != demo_ent.pk]  # the demo enterprise can sign up itself
        att_e, att_x = [], []
        for party, obj in [("enterprise", e) for e in ents] + [("expert", x) for x in exps]:
            if upcoming:
                status, checked = rng.choice([InvitationStatus.INVITED, InvitationStatus.REGISTERED]), None
            else:
                r = rng.random()
                status = (InvitationStatus.ATTENDED if r < 0.8 or obj in (demo_ent, demo_exp)
                          else InvitationStatus.ABSENT if r < 0.92 else InvitationStatus.DECLINED)
                checked = ev.starts_at - timedelta(minutes=rng.randint(0, 40)) \
                    if status == InvitationStatus.ATTENDED else None
            if status == InvitationStatus.ATTENDED:
                (att_e if party == "enterprise" else att_x).append(obj)
            invitations.append(Invitation(event=ev, status=status, self_registered=rng.random() < 0.2,
                                          checked_in_at=checked, **{party: obj}))
        attended_by_event[ev.pk] = (att_e, att_x)
        if etype in WITH_MEETINGS and not upcoming:
            slots_plan.append((ev, att_e, att_x))
    gen.save(Invitation, invitations)

    slots = []
    for ev, att_e, att_x in slots_plan:
        tables = min(ev.table_count, len(att_x))
        for k in range(6):  # six 20-minute rounds; each person at most once a round
            start = ev.starts_at + timedelta(minutes=60 + 20 * k)
            es, xs = rng.sample(att_e, k=min(tables, len(att_e))), rng.sample(att_x, k=min(tables, len(att_x)))
            for t, (e, x) in enumerate(zip(es, xs, strict=False)):
                slots.append(MeetingSlot(event=ev, enterprise=e, expert=x, starts_at=start,
                                         ends_at=start + timedelta(minutes=20), table=f"{t + 1}号桌",
                                         held=rng.random() < 0.93))
    slots = gen.save(MeetingSlot, slots)
    slots_by_event: dict[int, list] = {}
    for s in slots:
        slots_by_event.setdefault(s.event_id, []).append(s)

    # Intentions: seed 002's 237 per 12 events, scaled by the enterprise count; spread by attendance.
    total = max(12, round(237 * gen.scale.enterprises / 1600))
    held = [(ev, p) for ev, p in zip(events, plan, strict=True)
            if not p[3] and not p[4] and all(attended_by_event.get(ev.pk, ((), ())))]
    weights = [len(attended_by_event[ev.pk][0]) * (1.5 if p[0] in WITH_MEETINGS else 1) for ev, p in held]
    intentions, units = [], []
    for _ in range(total if held else 0):
        ev, (etype, org, key, *_r) = rng.choices(held, weights=weights)[0]
        att_e, att_x = attended_by_event[ev.pk]
        met = [s for s in slots_by_event.get(ev.pk, []) if s.held]
        slot = rng.choice(met) if met and rng.random() < 0.7 else None
        ent, exp = (slot.enterprise, slot.expert) if slot else (rng.choice(att_e), rng.choice(att_x))
        v = gen.vals(key)
        signed = min(ev.starts_at.date() + timedelta(days=rng.choice([0, 0, 0, 3, 7, 14, 21])), ref.date())
        intentions.append(Intention(
            event=ev, enterprise=ent, expert=exp, institution_id=exp.institution_id,
            subject=rng.choice(SUBJECTS).format(**v)[:300], signed_on=signed, meeting_slot=slot,
            owner_org_id=ent.organisation_id, region_id=ev.region_id, park_id=ev.park_id,
            visibility=Visibility.RESTRICTED, filed_by=ev.filed_by, filed_by_org=ev.filed_by_org))
        units.append([org.assessment_unit_id] if org.assessment_unit_id else [])
    intentions = gen.save(Intention, intentions)
    gen.link(Intention, intentions, "assessment_units", units)

    tasks = []
    for it in intentions[::3]:
        owner = users_by_org.get(it.filed_by_org_id, gen.admin_user)
        due = it.signed_on + timedelta(days=30)
        done = rng.random() < 0.8
        if not done and rng.random() < 0.5:
            due = ref.date() + timedelta(days=rng.randint(200, 300))  # still open, not yet due
        tasks.append(FollowUpTask(event_id=it.event_id, intention=it, title=f"回访：{it.subject}"[:300], owner=owner,
                                  due_on=due, done=done, done_at=gen.now if done else None))
    records = []
    for ev, (etype, org, *_r) in zip(events, plan, strict=True):
        if etype not in MINUTES:
            continue
        decisions, actions = MINUTES[etype]
        attendees = ["张建国 武进区科学技术局", "李卫东 武进区科学技术局", *rng.sample(SCHOOL_LIAISONS, k=4)]
        records.append((MeetingRecord(event=ev, held_on=ev.starts_at.date(), attendees="\n".join(attendees),
                                      decisions=decisions), actions, org))
    saved = gen.save(MeetingRecord, [r[0] for r in records])
    for rec, (_r, actions, org) in zip(saved, records, strict=True):
        owner = users_by_org.get(org.pk, gen.admin_user)
        for title, days in actions:
            due = rec.held_on + timedelta(days=days)
            tasks.append(FollowUpTask(event_id=rec.event_id, meeting_record=rec, title=title, owner=owner,
                                      due_on=due, done=due < ref.date() - timedelta(days=10)))
    gen.save(FollowUpTask, tasks)


def _gbt(key: str) -> str:
    return content.INDUSTRIES[key]["gbt"][0]
