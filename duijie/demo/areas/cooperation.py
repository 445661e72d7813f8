"""Cooperation: projects along their path, technology contracts and yearly outcomes."""

from __future__ import annotations

from datetime import date, timedelta

from duijie.accounts.models import User
from duijie.cooperation.choices import ProjectStage as S
from duijie.cooperation.models import STAGE_DATE, CooperationProject, TechContract, YearlyOutcome
from duijie.core.choices import Visibility
from duijie.core.models import Organisation
from duijie.core.roles import Role
from duijie.demands.models import Demand
from duijie.demo import content as C
from duijie.demo.areas.common import BATCH, Exp
from duijie.events.models import Intention


def make_cooperation(g) -> None:
    """Projects from event intentions (when the events part of the demo made some), from published
    demands and from other sources; stage histories; technology contracts, most of them registered
    (认定登记); yearly outcomes of implemented projects. Event-sourced projects are linked to their
    intention and its event explicitly — the effectiveness funnel counts nothing else."""
    broker = User.objects.filter(role=Role.BROKER).order_by("pk").first()
    transfer_org = Organisation.objects.filter(name="常州科技大市场技术经纪服务中心").first()
    ent_by_id = {e.obj.pk: e for e in g.ents}
    exps_by_inst: dict[int, list[Exp]] = {}
    for x in g.exps:
        if x.inst is not None:
            exps_by_inst.setdefault(x.inst.pk, []).append(x)
    local_insts = [i for i in g.insts if exps_by_inst.get(i.pk)] or g.insts
    flow = {S.INTENTION: 18, S.SIGNED: 20, S.IMPLEMENTING: 32, S.COMPLETED: 20, S.TERMINATED: 10}
    order = [S.INTENTION, S.SIGNED, S.IMPLEMENTING, S.COMPLETED]
    plans = []  # (project, parties, units, path of (stage, date, reason))

    def path_for(start: date) -> list[tuple[str, date, str]]:
        final = g.pick(flow)
        steps, day = [(S.INTENTION, start, "")], start
        reach = order.index(final) if final != S.TERMINATED else g.rng.randrange(0, 3)
        for stage in order[1:reach + 1]:
            day = min(day + timedelta(days=g.rng.randrange(20, 150)), g.today)
            steps.append((stage, day, ""))
        if final == S.TERMINATED:
            day = min(day + timedelta(days=g.rng.randrange(30, 200)), g.today)
            steps.append((S.TERMINATED, day, g.rng.choice(C.PROJECT_TERMINATION_REASONS)))
        return steps

    intentions = list(Intention.objects.filter(event__isnull=False).select_related("event")
                      .order_by("signed_on", "pk"))
    for it in intentions:
        if g.rng.random() >= 0.45:
            continue
        ent = ent_by_id.get(it.enterprise_id)
        project = CooperationProject(
            title=it.subject[:200], description=it.notes, source="event", source_event_id=it.event_id,
            source_intention=it, owner_org_id=it.owner_org_id or (ent.obj.organisation_id if ent else None),
            region_id=it.region_id, park_id=it.park_id, visibility=Visibility.RESTRICTED, **g.scope())
        parties = {"enterprises": [it.enterprise_id], "institutions": [it.institution_id] if it.institution_id else [],
                   "experts": [it.expert_id] if it.expert_id else []}
        plans.append((project, parties, ent.unit_ids if ent else [], path_for(it.signed_on)))
    demands = list(Demand.objects.filter(status__in=("published", "closed")).order_by("pk"))
    for demand in g.rng.sample(demands, k=min(len(demands), max(3, len(demands) // 4))):
        ent = ent_by_id.get(demand.enterprise_id)
        inst = g.rng.choice(local_insts)
        expert = g.rng.choice(exps_by_inst[inst.pk]) if exps_by_inst.get(inst.pk) else None
        start = g.day(g.today - timedelta(days=720), g.today - timedelta(days=60))
        project = CooperationProject(
            title=f"{demand.title[:80]}合作项目", description=demand.description[:500], source="demand",
            source_demand=demand, owner_org_id=demand.owner_org_id, region_id=demand.region_id,
            park_id=demand.park_id, visibility=Visibility.RESTRICTED, **g.scope())
        parties = {"enterprises": [demand.enterprise_id], "institutions": [inst.pk],
                   "experts": [expert.obj.pk] if expert else []}
        plans.append((project, parties, ent.unit_ids if ent else [], path_for(start)))
    for _ in range(max(3, len(g.ents) // 20)):
        ent = g.rng.choice(g.ents)
        inst = g.rng.choice(local_insts)
        source = g.pick({"challenge": 4, "visit": 4, "other": 2})
        start = g.day(g.today - timedelta(days=720), g.today - timedelta(days=60))
        project = CooperationProject(
            title=g.fill(g.rng.choice(C.PROJECT_TITLES), ent.key), source=source,
            owner_org_id=ent.obj.organisation_id, region_id=ent.obj.region_id, park=ent.park,
            visibility=Visibility.RESTRICTED, **g.scope())
        plans.append((project, {"enterprises": [ent.obj.pk], "institutions": [inst.pk], "experts": []},
                      ent.unit_ids, path_for(start)))
    if not plans:
        return
    for project, _parties, _units, steps in plans:
        for stage, day, _reason in steps:
            setattr(project, STAGE_DATE[stage], day)
        project.status = steps[-1][0]
        project.stage_reason = steps[-1][2]
        if broker is not None and g.rng.random() < 0.3:
            project.broker = broker
    projects = CooperationProject.objects.bulk_create([p for p, *_ in plans], batch_size=BATCH)
    g.count(CooperationProject, len(projects))
    # Stage history: one historical row per stage reached, dated on the stage's day.
    hist = CooperationProject.history.model
    names = [f.attname for f in CooperationProject._meta.concrete_fields]
    rows = []
    for project, (_p, _parties, _units, steps) in zip(projects, plans, strict=True):
        snapshot = {n: getattr(project, n) for n in names}
        last = None
        for i, (stage, day, reason) in enumerate(steps):
            when = g.moment(day)
            last = when = max(when, last + timedelta(minutes=1)) if last else when  # stages in order
            state = {**snapshot, "status": stage, "stage_reason": reason}
            for later in [st for st, *_ in steps[i + 1:]]:
                state[STAGE_DATE[later]] = None
            rows.append(hist(**state, history_date=when, history_type="+" if i == 0 else "~",
                             history_user=g.admin_user, history_change_reason=reason[:100] or None))
    hist.objects.bulk_create(rows, batch_size=BATCH)
    for name in ("enterprises", "institutions", "experts"):
        g.link(CooperationProject, projects, name, [parties[name] for _p, parties, *_ in plans])
    g.link(CooperationProject, projects, "assessment_units", [units for _p, _x, units, _s in plans])

    # A contract a local university sells without a broker is brought to the city by the university's own
    # technology transfer office (seed 003 三、3: 推动科技成果转化服务中心成为专业化的技术转移实体).
    tto = {i.pk: i.organisation_id for i in g.insts if i.is_local}
    contracts, contract_units, outcomes, n = [], [], [], 0
    reached = {S.SIGNED, S.IMPLEMENTING, S.COMPLETED}
    for project, (_p, parties, units, steps) in zip(projects, plans, strict=True):
        stages = {st for st, *_ in steps}
        if not stages & reached or g.rng.random() >= 0.75:
            continue
        signed = project.signed_on or steps[-1][1]
        ent = ent_by_id.get(parties["enterprises"][0])
        inst_id = parties["institutions"][0] if parties["institutions"] else g.rng.choice(local_insts).pk
        registered = g.rng.random() < 0.8
        n += 1
        reg_day = min(signed + timedelta(days=g.rng.randrange(3, 40)), g.today)
        contracts.append(TechContract(
            title=f"{project.title[:60]}{g.rng.choice(['技术开发合同', '技术服务合同', '技术转让合同', '技术咨询合同'])}",
            contract_type=g.pick({"dev_commissioned": 35, "dev_cooperative": 20, "transfer_patent": 8,
                                     "transfer_secret": 4, "licence": 6, "consulting": 9, "service": 14,
                                     "service_training": 2, "service_intermediary": 2}),
            enterprise_id=parties["enterprises"][0], institution_id=inst_id, amount=g.money(5, 300),
            signed_on=signed, registration_number=f"{reg_day.year}320400{n:06d}" if registered else "",
            registered_on=reg_day if registered else None,
            transfer_org_id=(transfer_org.pk if transfer_org and project.broker_id
                             else tto.get(inst_id) if registered else None),
            broker_id=project.broker_id,
            project=project, owner_org_id=project.owner_org_id, region_id=project.region_id,
            park_id=project.park_id, visibility=Visibility.RESTRICTED, **g.scope()))
        contract_units.append(units)
        if project.implementation_on:
            for year in range(project.implementation_on.year, g.today.year):
                outcomes.append(YearlyOutcome(
                    project=project, year=year, new_investment=g.money(20, 500, step_wan=5),
                    new_sales=g.money(50, 3000, step_wan=10) if g.rng.random() < 0.8 else None,
                    profit_tax=g.money(5, 300) if g.rng.random() < 0.7 else None))
    contracts = g.save(TechContract, contracts)
    g.link(TechContract, contracts, "assessment_units", contract_units)
    g.save(YearlyOutcome, outcomes)
