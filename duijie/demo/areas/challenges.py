"""Challenges (揭榜挂帅 / 赛马制, seed 004): one in every state, most posted by the demo enterprise from its
own demands (企业榜), some by the city bureau (政府榜); bids with milestone plans by university teams (the
demo expert leads one), panels with their conflict screen results, scorecards, and a 赛马制 challenge with
three funded teams of which one was stopped at the first gate. Dates derive from the day the demo is
built (``g.today``); the open challenge's deadline lies well after it so it still takes bids. One
challenge's decision is in 公示 today, with an objection waiting for the bureau.

Every bid is written with the status its challenge's story gives it (won, not chosen, stopped at a
gate, proposed in 公示), and awarded challenges are written with their project: the generator never
edits a record it wrote."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count

from duijie.challenges.choices import BidStatus, ChallengeKind, ChallengeMode, GateDecision, IpTerms
from duijie.challenges.choices import ChallengeStatus as S
from duijie.challenges.models import (
    Bid,
    BidAnswer,
    Challenge,
    Criterion,
    Gate,
    Milestone,
    Objection,
    PanelMember,
    Score,
    Scorecard,
)
from duijie.challenges.services import tranches
from duijie.cooperation.choices import ProjectSource
from duijie.cooperation.choices import ProjectStage as P
from duijie.cooperation.models import CooperationProject
from duijie.core.choices import Visibility
from duijie.demands.models import Demand
from duijie.demo.areas.common import TZ
from duijie.experts.models import Expert
from duijie.orgs.models import Enterprise

CRITERIA = (("技术方案可行性", 40), ("团队能力与基础", 30), ("经费与进度合理性", 20), ("成果转化前景", 10))
# name, kind, mode, state, budget (万元; None = 面议), teams funded, bids, project stage (if awarded)
PLAN = (
    ("draft", ChallengeKind.ENTERPRISE, ChallengeMode.OPEN, S.DRAFT, 80, 1, 0, None),
    ("review", ChallengeKind.ENTERPRISE, ChallengeMode.OPEN, S.REVIEW, None, 1, 0, None),
    ("open", ChallengeKind.ENTERPRISE, ChallengeMode.OPEN, S.PUBLISHED, 120, 1, 2, None),
    ("closed", ChallengeKind.GOVERNMENT, ChallengeMode.OPEN, S.CLOSED, 200, 1, 2, None),
    ("scoring", ChallengeKind.ENTERPRISE, ChallengeMode.OPEN, S.UNDER_REVIEW, 150, 1, 3, None),
    ("publicity", ChallengeKind.ENTERPRISE, ChallengeMode.OPEN, S.UNDER_REVIEW, 110, 1, 2, None),
    ("awarded", ChallengeKind.GOVERNMENT, ChallengeMode.OPEN, S.AWARDED, 100, 1, 2, P.INTENTION),
    ("race", ChallengeKind.ENTERPRISE, ChallengeMode.HORSE_RACE, S.IN_DELIVERY, 300, 3, 3, P.IMPLEMENTING),
    ("solved", ChallengeKind.ENTERPRISE, ChallengeMode.OPEN, S.IN_DELIVERY, 90, 1, 2, P.COMPLETED),
    ("failed", ChallengeKind.GOVERNMENT, ChallengeMode.OPEN, S.FAILED, 60, 1, 1, None),
)
GOV_TITLES = {"closed": "高端装备关键零部件国产化替代攻关", "awarded": "城市污水处理厂低碳运行关键技术",
              "failed": "新型储能电池热失控预警技术"}
SHARES = ((Decimal(30), Decimal(30), Decimal(40)), (Decimal(40), Decimal(60)), (Decimal(20), Decimal(30), Decimal(50)))


def _at(g, days: int) -> datetime:
    return datetime.combine(g.today + timedelta(days=days), time(17, 0), tzinfo=TZ)


def make_challenges(g) -> None:
    ent = Enterprise.objects.annotate(n=Count("demands")).order_by("-n", "pk").first()
    demands = list(Demand.objects.filter(enterprise=ent, demand_type__in=("tech_challenge", "process")).order_by("pk"))
    others = list(Demand.objects.filter(status="published", demand_type="tech_challenge").exclude(enterprise=ent)
                  .order_by("pk"))
    experts = list(Expert.objects.filter(institution__isnull=False).select_related("institution").order_by("pk"))
    demo_expert = Expert.objects.filter(user__isnull=False).order_by("pk").first()
    by_inst: dict[int, list[Expert]] = {}
    for x in experts:
        by_inst.setdefault(x.institution_id, []).append(x)
    # teams come from institutions with three experts or more (fewer in a small demo: the largest ones)
    insts = sorted(by_inst, key=lambda i: (-min(len(by_inst[i]), 3), i))
    if demo_expert is not None and demo_expert.institution_id in insts:
        insts.remove(demo_expert.institution_id)
        insts.insert(0, demo_expert.institution_id)
    challenges, pool = [], demands + others
    for i, (key, kind, mode, state, budget, teams, _bids, _stage) in enumerate(PLAN):
        demand = pool[i % len(pool)] if kind == ChallengeKind.ENTERPRISE and pool else None
        if kind == ChallengeKind.ENTERPRISE and demand is None:
            kind = ChallengeKind.GOVERNMENT
        deadline = _at(g, 240) if state == S.PUBLISHED else _at(g, -150 + 10 * i)
        challenges.append(Challenge(
            kind=kind, demand=demand, office=g.city_org if kind == ChallengeKind.GOVERNMENT else None,
            title=(f"{demand.title[:60]}（揭榜）" if demand else GOV_TITLES.get(key, "技术攻关")),
            problem=demand.description[:800] if demand else "面向全市重点产业链的共性关键技术难题，公开张榜、择优揭榜。",
            indicators="关键性能指标提升30%以上；形成样机并通过第三方检测；申请发明专利2项以上。",
            budget=Decimal(budget * 10000) if budget else None, budget_negotiable=budget is None,
            deadline=deadline, eligibility="在常或与常州企业有合作基础的高校院所、新型研发机构团队；负责人具有高级职称。",
            ip_terms=g.rng.choice(IpTerms.values), payment_terms="按里程碑节点评审结果分期拨付。",
            mode=mode, teams_funded=teams, status=state,
            return_reason="揭榜团队关键指标均未达到，经评审终止。" if state == S.FAILED else "",
            published_at=deadline - timedelta(days=60) if state not in (S.DRAFT, S.REVIEW) else None,
            owner_org_id=demand.owner_org_id if demand else g.city_org.pk,
            region_id=demand.region_id if demand else g.region["3204"], park_id=demand.park_id if demand else None,
            visibility=Visibility.PUBLIC, **_publicity(g, key, deadline), **g.scope()))
    for c, (_key, _k, _m, _state, _b, _t, _n, stage) in zip(challenges, PLAN, strict=True):
        if stage is not None:  # awarded: its delivery project exists before the challenge is written
            c.project, c.awarded_at = _project(g, c, stage), c.deadline + timedelta(days=15)
    challenges = g.save(Challenge, challenges)
    criteria = g.save(Criterion, [Criterion(challenge=c, name=n, weight=Decimal(w), order=k)
                                  for c in challenges for k, (n, w) in enumerate(CRITERIA, start=1)])
    crit_by = {c.pk: [x for x in criteria if x.challenge_id == c.pk] for c in challenges}

    bids_by: dict[int, list[Bid]] = {}
    for c, (key, _k, _m, state, budget, _t, n_bids, stage) in zip(challenges, PLAN, strict=True):
        chosen = insts[:n_bids] if key == "open" else g.rng.sample(insts, min(n_bids, len(insts)))
        rows = []
        for j, inst in enumerate(chosen):
            lead = demo_expert if key == "open" and j == 0 and demo_expert else by_inst[inst][0]
            cap = Decimal((budget or 100) * 10000)
            asked = (cap / 3 if c.mode == ChallengeMode.HORSE_RACE else cap * Decimal("0.9")).quantize(Decimal(1000))
            rows.append(Bid(challenge=c, lead_expert=lead, institution_id=lead.institution_id, approach=f"{lead.institution.name}团队：采用"
                            f"{g.rng.choice(('多尺度仿真+试验验证', '新材料体系设计', '智能算法优化', '工艺参数优化'))}路线攻关。",
                            maturity=g.rng.choice(("lab", "pilot")), budget=asked, conflict_declaration="无",
                            status=_bid_status(key, stage, j)))
        bids = g.save(Bid, rows)
        bids_by[c.pk] = bids
        g.link(Bid, bids, "members", [[x.pk for x in by_inst[b.institution_id][1:3]] for b in bids])
        g.save(BidAnswer, [BidAnswer(bid=b, criterion=cr, text=f"针对“{cr.name}”：已有相关基础和前期成果。")
                           for b in bids for cr in crit_by[c.pk]])
        ms = []
        for j, b in enumerate(bids):
            for k, share in enumerate(SHARES[j % len(SHARES)], start=1):
                ms.append(Milestone(bid=b, order=k, title=f"阶段{k}", deliverable=("方案验证报告", "样机", "中试与验收")[min(k, 3) - 1],
                                    due_on=g.today + timedelta(days=120 * k), share=share))
        g.save(Milestone, ms)
        if state in (S.UNDER_REVIEW, S.AWARDED, S.IN_DELIVERY, S.FAILED):
            _panel(g, c, bids, crit_by[c.pk], by_inst, complete=key != "scoring")
    for c, (key, _k, _m, _state, _b, _t, _n, stage) in zip(challenges, PLAN, strict=True):
        if stage is not None:
            _award(g, c, bids_by[c.pk], race=key == "race")
        if key == "publicity":
            objector = get_user_model().objects.filter(username="park").first() or g.admin_user
            g.save(Objection, [Objection(challenge=c, lodged_by=objector,
                                         reason="拟定揭榜团队的负责人曾在发榜企业兼职，请核查是否存在利益冲突。")])


def _publicity(g, key: str, deadline) -> dict:
    """The 公示 of the decision: running today for the "publicity" challenge; over before the award of
    the awarded ones (the award came 15 days after the deadline)."""
    if key == "publicity":
        start = g.today - timedelta(days=2)
    elif key in ("awarded", "race", "solved"):
        start = (deadline + timedelta(days=5)).date()
    else:
        return {}
    return {"publicity_start": start, "publicity_end": start + timedelta(days=6), "publicity_days": 7}


def _bid_status(key: str, stage, j: int) -> str:
    """A bid's status in its challenge's story: the race's three teams won and the first was stopped at
    gate one; an awarded open challenge's first bid won; the 公示 challenge's first bid is proposed."""
    if key == "race":
        return BidStatus.STOPPED if j == 0 else BidStatus.WON
    if stage is not None:
        return BidStatus.WON if j == 0 else BidStatus.NOT_CHOSEN
    if key == "publicity" and j == 0:
        return BidStatus.PROPOSED
    return BidStatus.SUBMITTED


def _panel(g, c, bids, criteria, by_inst, complete: bool) -> None:
    bidder_insts = {b.institution_id for b in bids}
    pool = [xs[-1] for i, xs in sorted(by_inst.items()) if i not in bidder_insts and len(xs) >= 4]
    members = g.save(PanelMember, [PanelMember(challenge=c, expert=x, added_by=g.admin_user)
                                   for x in g.rng.sample(pool, min(3, len(pool)))])
    cards, scores = [], []
    for m_i, m in enumerate(members):
        for b in bids:
            if not complete and m_i == len(members) - 1:
                continue  # the last reviewer has not scored yet: their view stays blind
            cards.append(Scorecard(member=m, bid=b, comment="方案较完整。", submitted_at=_at(g, -20)))
    cards = g.save(Scorecard, cards)
    for card in cards:
        strict = 1.5 if card.member_id == members[0].pk else 0  # a stricter reviewer: normalisation evens it out
        scores += [Score(scorecard=card, criterion=cr, value=Decimal(str(round(g.rng.uniform(5.5, 9.5) - strict, 1))))
                   for cr in criteria]
    g.save(Score, scores)


def _project(g, c, stage):
    """The cooperation project an awarded challenge created, in the stage its delivery reached."""
    start = (c.deadline + timedelta(days=20)).date()
    dates = {"intention_on": start}
    if stage in (P.IMPLEMENTING, P.COMPLETED):
        dates.update(signed_on=start + timedelta(days=10), implementation_on=start + timedelta(days=20))
    if stage == P.COMPLETED:
        dates["completed_on"] = min(start + timedelta(days=100), g.today)
    (project,) = g.save(CooperationProject, [CooperationProject(
        title=c.title[:200], description=c.problem[:500], source=ProjectSource.CHALLENGE, status=stage,
        owner_org_id=c.owner_org_id, region_id=c.region_id, park_id=c.park_id, visibility=Visibility.RESTRICTED,
        **dates, **g.scope())])
    _stage_history(g, project, stage, dates)
    return project


def _award(g, c, bids, race: bool) -> None:
    """The parties of the project the award created, and the race's first gate."""
    winners = bids if race else bids[:1]
    project = c.project
    g.link(CooperationProject, [project], "enterprises", [[c.demand.enterprise_id] if c.demand_id else []])
    g.link(CooperationProject, [project], "institutions", [[b.institution_id for b in winners]])
    g.link(CooperationProject, [project], "experts", [[b.lead_expert_id for b in winners]])
    if not race:
        return
    # 赛马制: gate one — the first team stopped (its bid was written stopped), the other two continue
    # and receive their first tranche.
    gates = []
    for j, b in enumerate(winners):
        first = Milestone.objects.filter(bid=b, order=1).get()
        stop = j == 0
        gates.append(Gate(bid=b, milestone=first, decision=GateDecision.STOP if stop else GateDecision.CONTINUE,
                          reason="第一节点关键指标未达到，停止资助。" if stop else "第一节点指标达到，继续资助。",
                          released=Decimal(0) if stop else tranches(b)[first.pk],
                          decided_by=g.admin_user))
    g.save(Gate, gates)


def _stage_history(g, project, stage, dates) -> None:
    """The project's history as the stages it went through (intention first), like every demo project."""
    hist = CooperationProject.history.model
    names = [f.attname for f in CooperationProject._meta.concrete_fields]
    snapshot = {n: getattr(project, n) for n in names}
    order = [(P.INTENTION, "intention_on"), (P.SIGNED, "signed_on"), (P.IMPLEMENTING, "implementation_on"),
             (P.COMPLETED, "completed_on")]
    steps = [(st, dates[f]) for st, f in order if f in dates]
    hist.objects.filter(id=project.pk).delete()
    hist.objects.bulk_create([
        hist(**{**snapshot, "status": st, **{f: None for _s, f in order[i + 1:]}}, history_date=g.moment(day),
             history_type="+" if i == 0 else "~", history_user=g.admin_user)
        for i, (st, day) in enumerate(steps)])
