"""Demo records behind the programmes' progress: for each goal with a demo reach (``REACH``), the
records the indicator counts are topped up until its figure for the owner reaches that share of the
pace expected at the as-of date — the period's end for a finished programme, the date the demo is
generated for one still running (三名联动 2026–2028). The figure is the indicator's own
``compute`` for the city administrator, so what exists already (the rest of the demo, an earlier
programme of the same place) counts first and nothing is made twice.

Shares are demo settings, not policy: chosen so every programme shows some goals ahead and some
lagging. A top-up is limited by what the demo world holds (a scale of 40 enterprises cannot show 150
new high-tech enterprises), so small demos lag more.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

from duijie.cooperation.choices import ProjectStage
from duijie.cooperation.models import STAGE_DATE, CooperationProject, TechContract, YearlyOutcome
from duijie.core import plugins
from duijie.core.choices import Level, Visibility
from duijie.core.plugins import Window
from duijie.demo import content as C
from duijie.events.choices import EventStatus, EventType
from duijie.events.models import Event
from duijie.experts.models import ExpertRole
from duijie.orgs.models import EnterpriseQualification
from duijie.pairings.models import Pairing, Placement, StudentTeam, Visit
from duijie.programmes.progress import elapsed
from duijie.supply.models import Carrier

# (programme code, indicator slug) → share of the expected pace the demo records reach.
REACH = {
    ("shuangshi-2016", "partner-institutions"): 1.2, ("shuangshi-2016", "paired-experts"): 0.95,
    ("shuangshi-2016", "paired-enterprises"): 0.7, ("shuangshi-2016", "students"): 0.5,
    ("shuangshi-2016", "signed-projects"): 0.45,
    ("wujin-2017", "high-tech-certified"): 0.6, ("wujin-2017", "carriers-approved-eng-center"): 0.75,
    ("wujin-2017", "events-held"): 1.2, ("wujin-2017", "implemented-projects"): 1.0,
    ("changzhou-2019", "implemented-projects"): 0.92, ("changzhou-2019", "project-new-investment"): 1.15,
    ("changzhou-2019", "project-new-sales"): 0.7, ("changzhou-2019", "project-profit-tax"): 0.5,
    ("changzhou-2019", "tech-vp-placements"): 1.05, ("changzhou-2019", "industry-professor-placements"): 0.75,
    ("changzhou-2019", "carriers-approved-key-lab"): 1.2, ("changzhou-2019", "certified-brokers"): 0.55,
    ("changzhou-2019", "ten-ten-enterprises"): 0.3,
    ("sanming-2026", "events-held-chain-matching"): 1.15, ("sanming-2026", "signed-projects"): 0.35,
    ("sanming-2026", "tech-vp-placements"): 0.95, ("sanming-2026", "partner-institutions"): 0.5,
    ("sanming-2026", "tech-contract-amount"): 0.7,
}
# At most this many records are made for one goal: the demo city is about a twentieth of the real one,
# so the largest yearly goals (1,500 projects, 600 科技副总) lag in it, and the data step stays short.
MAX_RECORDS = 300
OUTCOMES = {"project-new-investment": "new_investment", "project-new-sales": "new_sales",
            "project-profit-tax": "profit_tax"}


def top_up(g, code: str, slug: str, unit, district: str, start: date, end: date, filer, target: Decimal) -> None:
    """Make records until the indicator's figure for ``unit`` in ``start``..``end`` reaches the share
    ``REACH`` of the target expected at the as-of date (``g.today`` or the end, whichever is first)."""
    share = REACH.get((code, slug))
    asof = min(g.today, end)
    if share is None or asof < start:
        return
    ind = plugins.indicator(slug)
    window = Window(start=start, end=end, unit=unit)
    wanted = Decimal(target) * elapsed(start, end, asof) * Decimal(str(share))
    have = ind.shown(ind.compute(g.admin_user, window)) or 0
    missing = wanted - Decimal(have)
    if missing <= 0:
        return
    n = min(math.ceil(missing), MAX_RECORDS) if ind.scale == 1 else missing * ind.scale  # sums: in yuan
    ents = [e for e in g.ents if e.district.startswith(district)] or g.ents
    make = MAKERS["carriers-approved" if slug.startswith("carriers-approved-") else slug]
    make(g, slug=slug, n=n, ents=ents, start=start, asof=asof, filer=filer, district=district)


def _days(g, n: int, start: date, asof: date) -> list[date]:
    return sorted(g.day(start, asof) for _ in range(int(n)))


def projects(g, plans, filer, asof: date, implemented: bool = False) -> list[CooperationProject]:
    """Archival cooperation projects, one per (enterprise, day, institution ids): signed on the day
    (or started on it, ``implemented``), each went intention → signed → implementing (→ completed when
    that falls before ``asof``), and its history says so."""
    rows = []
    for ent, day, insts in plans:
        signed = day - timedelta(days=30) if implemented else day
        steps = [(ProjectStage.INTENTION, signed - timedelta(days=g.rng.randrange(20, 90))),
                 (ProjectStage.SIGNED, signed), (ProjectStage.IMPLEMENTING, signed + timedelta(days=30))]
        done = signed + timedelta(days=g.rng.randrange(200, 400))
        if done <= asof:
            steps.append((ProjectStage.COMPLETED, done))
        project = CooperationProject(
            title=g.fill(g.rng.choice(C.PROJECT_TITLES), ent.key), source="other", status=steps[-1][0],
            owner_org_id=ent.obj.organisation_id, region_id=ent.obj.region_id, park=ent.park,
            visibility=Visibility.RESTRICTED, **g.scope(filed_by_org=filer),
            **{STAGE_DATE[stage]: d for stage, d in steps})
        rows.append((project, ent, steps, insts))
    made = CooperationProject.objects.bulk_create([p for p, *_ in rows], batch_size=500)
    g.count(CooperationProject, len(made))
    hist = CooperationProject.history.model
    names = [f.attname for f in CooperationProject._meta.concrete_fields]
    history = []
    for project, (_p, _ent, steps, _i) in zip(made, rows, strict=True):
        snapshot = {n: getattr(project, n) for n in names}
        for i, (stage, day) in enumerate(steps):
            later = {STAGE_DATE[st]: None for st, _d in steps[i + 1:]}
            history.append(hist(**{**snapshot, "status": stage, **later}, history_date=g.moment(day),
                                history_type="+" if i == 0 else "~", history_user=g.admin_user))
    hist.objects.bulk_create(history, batch_size=500)
    g.link(CooperationProject, made, "enterprises", [[e.obj.pk] for _p, e, _s, _i in rows])
    g.link(CooperationProject, made, "institutions", [i for *_x, i in rows])
    g.link(CooperationProject, made, "assessment_units", [e.unit_ids for _p, e, _s, _i in rows])
    return made


def _projects(g, *, slug, n, ents, start, asof, filer, **_kw):
    local = [i.pk for i in g.insts if i.is_local] or [i.pk for i in g.insts]
    plans = [(g.rng.choice(ents), d, [g.rng.choice(local)]) for d in _days(g, n, start, asof)]
    projects(g, plans, filer, asof, implemented=slug == "implemented-projects")


def _partners(g, *, n, ents, start, asof, filer, **_kw):
    """Projects with institutions not yet partners in the window: one project per new partner."""
    partners = set(CooperationProject.objects.filter(signed_on__gte=start, signed_on__lte=asof)
                   .values_list("institutions", flat=True))
    fresh = [i.pk for i in g.insts if i.pk not in partners][:int(n)]
    plans = [(g.rng.choice(ents), g.day(start, asof), [pk]) for pk in fresh]
    projects(g, plans, filer, asof)


def _outcomes(g, *, slug, n, ents, start, asof, filer, **_kw):
    """Yearly outcomes adding up to ``n`` yuan of the field, over the window's implemented projects
    in the area (their existing outcomes keep their values; a project-year not yet filed is filed)."""
    field = OUTCOMES[slug]
    area = CooperationProject.objects.filter(implementation_on__gte=start, implementation_on__lte=asof,
                                             region__code__startswith=ents[0].district[:4]).order_by("pk")
    existing = {(o.project_id, o.year): o for o in YearlyOutcome.objects.filter(project__in=area)}
    slots = [(p, y) for p in area for y in range(p.implementation_on.year, asof.year + 1)]
    if not slots:
        return
    slots = g.rng.sample(slots, min(len(slots), 400))
    weights = [g.rng.uniform(0.3, 1.7) for _ in slots]
    total, new, changed = sum(weights), [], []
    for (project, year), w in zip(slots, weights, strict=True):
        amount = (Decimal(n) * Decimal(w) / Decimal(total)).quantize(Decimal("1"))
        row = existing.get((project.pk, year))
        if row is None:
            row = existing[(project.pk, year)] = YearlyOutcome(project=project, year=year)
            new.append(row)
        elif row not in changed:
            changed.append(row)
        setattr(row, field, (getattr(row, field) or Decimal(0)) + amount)
    g.save(YearlyOutcome, new)
    YearlyOutcome.objects.bulk_update(changed, [field], batch_size=500)


def _events(g, *, slug, n, ents, start, asof, filer, **_kw):
    etype = EventType.CHAIN_MATCHING if slug.endswith("chain-matching") else EventType.UNI_TO_PARK
    label = "“百场千企”{}产业链融链强链对接会" if etype == EventType.CHAIN_MATCHING else "在常高校走进园区{}专场对接会"
    events = []
    for day in _days(g, n, start, asof):
        ent = g.rng.choice(ents)
        when = g.moment(day)
        events.append(Event(title=label.format(C.INDUSTRIES[ent.key]["label"].split("/")[0]), event_type=etype,
                            organiser=filer, starts_at=when, ends_at=when + timedelta(hours=3),
                            venue=ent.park.name if ent.park else "", status=EventStatus.HELD,
                            visibility=Visibility.PUBLIC, region_id=ent.obj.region_id, park=ent.park,
                            filed_by=g.admin_user, filed_by_org=filer))
    g.save(Event, events)


def _high_tech(g, *, n, ents, start, asof, **_kw):
    held = set(EnterpriseQualification.objects.filter(kind="high_tech", valid_from__gte=start, valid_from__lte=asof)
               .values_list("enterprise_id", flat=True))
    chosen = [e for e in ents if e.obj.pk not in held][:int(n)]
    rows = []
    for ent in chosen:
        day = g.day(start, asof)
        rows.append(EnterpriseQualification(enterprise=ent.obj, kind="high_tech", level=Level.NATIONAL,
                                            certificate_no=f"GR{day.year}32{g.rng.randrange(10**6):06d}",
                                            valid_from=day, valid_to=day + timedelta(days=3 * 365 - 1)))
    g.save(EnterpriseQualification, rows)


def _carriers(g, *, slug, n, ents, start, asof, **_kw):
    kind = slug.removeprefix("carriers-approved-").replace("-", "_")
    rows = []
    for i, day in enumerate(_days(g, n, start, asof)):
        ent = g.rng.choice(ents)
        name = f"{ent.obj.name}{'重点实验室' if kind == 'key_lab' else '工程技术研究中心'}（{day.year}-{i + 1}）"
        rows.append(Carrier(name=name[:200], kind=kind, level=Level.CITY, host_id=ent.obj.organisation_id,
                            approval_date=day, approved_by="常州市科学技术局", region_id=ent.obj.region_id,
                            park=ent.park, visibility=Visibility.PUBLIC, **g.scope()))
    g.save(Carrier, rows)


def _pairings(g, *, n, ents, start, asof, **_kw):
    """Expert–enterprise pairings in force at the window's end, each a new expert and a new enterprise."""
    busy_e = set(Pairing.objects.filter(start_on__lte=asof).values_list("enterprise_id", flat=True))
    busy_x = set(Pairing.objects.filter(start_on__lte=asof).values_list("expert_id", flat=True))
    free_e = [e for e in ents if e.obj.pk not in busy_e]
    free_x = [x for x in g.exps if x.obj.pk not in busy_x]
    rows = []
    for ent, x in zip(free_e[:int(n)], free_x[:int(n)], strict=False):
        day = g.day(start, asof - timedelta(days=60))
        rows.append(Pairing(kind="expert", enterprise=ent.obj, expert=x.obj, start_on=day,
                            end_on=asof + timedelta(days=365), goals=g.fill("围绕{d}开展技术指导，协助解决{x}", ent.key),
                            region_id=ent.obj.region_id, park=ent.park, **g.scope()))
    rows = g.save(Pairing, rows)
    by_pk = {e.obj.pk: e for e in ents}
    g.link(Pairing, rows, "assessment_units", [by_pk[p.enterprise_id].unit_ids for p in rows])


def _students(g, *, n, ents, start, asof, district, **_kw):
    incubators = list(Carrier.objects.filter(kind__in=("incubator", "makerspace"),
                                             region__code__startswith=district).order_by("pk")) \
        or list(Carrier.objects.filter(kind__in=("incubator", "makerspace")).order_by("pk"))
    local = [i for i in g.insts if i.is_local] or g.insts
    if not incubators:
        return
    rows, total = [], 0
    while total < n:
        inc, members, key = g.rng.choice(incubators), g.rng.randint(3, 10), g.rng.choice(list(C.INDUSTRIES))
        total += members
        rows.append(StudentTeam(name=f"{g.fill('{d}创新创业项目', key)[:60]}（{len(rows) + 1}队）",
                                institution=g.rng.choice(local), leader_name=g.person(), members=members,
                                teacher_led=g.rng.random() < 0.15, incubator=inc,
                                project=g.fill("围绕{d}，开发{p}相关产品", key),
                                entered_on=g.day(start, asof), region_id=inc.region_id, **g.scope()))
    g.save(StudentTeam, rows)


def _placements(g, *, slug, n, ents, start, asof, **_kw):
    local = [i for i in g.insts if i.is_local] or g.insts
    experts = [x for x in g.exps if x.inst is not None] or g.exps
    rows = []
    for day in _days(g, n, start, asof):
        ent = g.rng.choice(ents)
        if slug == "industry-professor-placements":
            rows.append(Placement(scheme="industry_professor", year=day.year, person_name=g.person(),
                                  home_enterprise=ent.obj, host_institution=g.rng.choice(local), start_on=day,
                                  end_on=day + timedelta(days=3 * 365 - 1), duties="指导研究生、参与课程建设与联合攻关",
                                  region_id=ent.obj.region_id, **g.scope()))
            continue
        x = g.rng.choice(experts)
        scheme = "tech_vp_city" if day.year >= 2025 else "tech_vp_provincial"
        rows.append(Placement(scheme=scheme, year=day.year, person_name=x.obj.name, expert=x.obj,
                              home_institution=x.inst, host_enterprise=ent.obj, start_on=day,
                              end_on=day + timedelta(days=365 - 1), duties=g.fill("兼职从事{d}技术攻关与成果转化", ent.key),
                              region_id=ent.obj.region_id, park=ent.park, **g.scope()))
    rows = g.save(Placement, rows)
    by_pk = {e.obj.pk: e for e in ents}
    g.link(Placement, rows, "assessment_units",
           [by_pk[p.host_enterprise_id or p.home_enterprise_id].unit_ids for p in rows])


def _brokers(g, *, n, start, asof, district, **_kw):
    holding = set(ExpertRole.objects.filter(kind="broker").values_list("expert_id", flat=True))
    codes = {pk: code for code, pk in g.region.items()}
    free = [x for x in g.exps if x.obj.pk not in holding
            and codes.get(x.obj.region_id, "").startswith(district)][:int(n)]
    rows = []
    for x in free:
        day = g.day(start, asof)
        rows.append(ExpertRole(expert=x.obj, kind="broker", host_id=x.inst.organisation_id if x.inst else None,
                               certificate_no=f"JSJJR{day.year}{g.rng.randrange(10**5):05d}", start=day))
    g.save(ExpertRole, rows)


def _contracts(g, *, n, ents, start, asof, **_kw):
    local = [i for i in g.insts if i.is_local] or g.insts
    count = max(1, min(300, int(n / Decimal(2_000_000))))
    weights = [g.rng.uniform(0.3, 1.7) for _ in range(count)]
    rows = []
    for day, w in zip(_days(g, count, start, asof), weights, strict=True):
        ent, inst = g.rng.choice(ents), g.rng.choice(local)
        amount = (Decimal(n) * Decimal(w) / Decimal(sum(weights))).quantize(Decimal("0.01"))
        rows.append(TechContract(title=g.fill("{p}{d}技术开发合同", ent.key)[:200], contract_type="dev_commissioned",
                                 enterprise=ent.obj, institution=inst, amount=amount, signed_on=day,
                                 registered_on=day + timedelta(days=10) if day + timedelta(days=10) <= asof else day,
                                 registration_number=f"{day.year}320400{g.rng.randrange(10**6):06d}",
                                 owner_org_id=ent.obj.organisation_id, region_id=ent.obj.region_id, park=ent.park,
                                 visibility=Visibility.RESTRICTED, **g.scope()))
    g.save(TechContract, rows)


def _visits(g, *, n, ents, start, asof, **_kw):
    """十校十所进千企 visits by the local universities and institutes, each to a different enterprise."""
    local = [i for i in g.insts if i.is_local] or g.insts
    rows = []
    for ent in g.rng.sample(ents, min(len(ents), int(n))):
        inst = g.rng.choice(local)
        rows.append(Visit(enterprise=ent.obj, visited_on=g.day(start, asof), programme="ten_ten",
                          visitors="、".join(g.person() for _ in range(2)), visiting_institution=inst,
                          findings="了解企业技术需求，协同企业创新。", region_id=ent.obj.region_id, park=ent.park,
                          **g.scope()))
    rows = g.save(Visit, rows)
    by_pk = {e.obj.pk: e for e in ents}
    g.link(Visit, rows, "assessment_units", [by_pk[v.enterprise_id].unit_ids for v in rows])


MAKERS = {
    "ten-ten-enterprises": _visits,
    "signed-projects": _projects, "implemented-projects": _projects, "partner-institutions": _partners,
    "project-new-investment": _outcomes, "project-new-sales": _outcomes, "project-profit-tax": _outcomes,
    "events-held": _events, "events-held-chain-matching": _events, "high-tech-certified": _high_tech,
    "carriers-approved": _carriers, "paired-experts": _pairings, "paired-enterprises": _pairings,
    "students": _students, "tech-vp-placements": _placements, "industry-professor-placements": _placements,
    "certified-brokers": _brokers, "tech-contract-amount": _contracts,
}
