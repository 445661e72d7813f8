"""Experts (at institutions, and engineers in enterprises) and the roles they hold."""

from __future__ import annotations

from datetime import date, timedelta

from duijie.core.choices import Visibility
from duijie.demo import content as C
from duijie.demo import duplicates
from duijie.demo.areas.common import Exp, add_years
from duijie.experts.models import Expert, ExpertRole
from duijie.pairings.models import Placement


def make_experts(g) -> None:
    n = g.scale.experts
    exps: list[Exp] = []
    title_weights = {v: w for v, _d, w in C.TITLES}
    inst_experts = 0
    local_weight = {True: 3, False: 1}
    for i in range(n):
        if i % 8 == 7 and g.ents:  # an enterprise engineer
            ent = g.rng.choice(g.ents)
            key = ent.key
            e = Expert(name=g.person(unique=True), employer=ent.obj.name,
                       title=g.pick({"senior_engineer": 3, "prof_senior_engineer": 1, "engineer": 2}),
                       position=g.rng.choice(["技术总监", "研发中心主任", "总工程师", "研发经理"]),
                       owner_org_id=ent.obj.organisation_id, region_id=ent.obj.region_id, park=ent.park,
                       **g.scope())
            exps.append(Exp(e, key, None, None, ent, ent.unit_ids))
            continue
        key = g.pick(C.INDUSTRY_WEIGHTS)
        pairs = g.by_key[key]
        inst, unit = g.rng.choices(pairs, weights=[local_weight[p[0].is_local] for p in pairs])[0]
        inst_experts += 1
        title = g.pick(title_weights)
        if inst.kind != "university" and title in ("professor", "assoc_professor", "lecturer"):
            title = {"professor": "researcher", "assoc_professor": "assoc_researcher", "lecturer": "engineer"}[title]
        e = Expert(name=g.person(unique=True), institution=inst, unit=unit, title=title,
                   position=g.rng.choice(C.POSITIONS) if title in ("professor", "researcher") else "",
                   owner_org_id=inst.organisation_id, region_id=inst.region_id, **g.scope())
        exps.append(Exp(e, key, inst, unit, None, g.inst_units[inst.pk]))
    inst_slugs = {i.pk: g.inst_row[i.pk][5] for i in g.insts}
    ent_index = {id(e): i + 1 for i, e in enumerate(g.ents)}
    for idx, x in enumerate(exps):
        ind = C.INDUSTRIES[x.key]
        e = x.obj
        directions = g.rng.sample(ind["directions"], k=2 + (g.rng.random() < 0.4))
        e.research_directions = "；".join(directions)
        e.keywords = "、".join(g.rng.sample(ind["terms"], k=g.rng.randint(4, 6)))
        e.phone = g.mobile()
        domain = f"{inst_slugs[x.inst.pk]}.example" if x.inst else f"ent{ent_index[id(x.ent)]:04d}.example"
        e.email = f"expert{idx + 1:04d}@{domain}"
        e.do_not_recommend = g.rng.random() < 0.03
        e.visibility = Visibility.PLATFORM
        where = x.inst.name if x.inst else x.ent.obj.name
        unit_name = x.unit.name if x.unit else ""
        title_disp = C.TITLE_DISPLAY.get(e.title, "")
        sentences = [C.BIO_TEMPLATES[0].format(name=e.name, inst=where, unit=unit_name, title=title_disp,
                                               pos=f"、{e.position}" if e.position else "", d=directions[0])]
        sentences += [g.fill(s, x.key) for s in g.rng.sample(C.BIO_TEMPLATES[1:], k=2)]
        e.bio = "".join(sentences)
    duplicates.plant_expert(exps)
    objs = g.save(Expert, [x.obj for x in exps])
    for x, o in zip(exps, objs, strict=True):
        x.obj = o
    g.link(Expert, objs, "industries",
              [[g.industry[c] for c in g.rng.sample(C.INDUSTRIES[x.key]["gbt"], k=g.rng.randint(1, 2))]
               for x in exps])
    g.link(Expert, objs, "disciplines",
              [[g.discipline[c] for c in g.rng.sample(C.INDUSTRIES[x.key]["nsfc"], k=g.rng.randint(1, 2))]
               for x in exps])
    g.link(Expert, objs, "assessment_units", [x.unit_ids for x in exps])
    g.exps = exps
    g.exps_by_key: dict[str, list[Exp]] = {k: [] for k in C.INDUSTRY_KEYS}
    for x in exps:
        if x.inst:
            g.exps_by_key[x.key].append(x)
    make_roles(g)


def make_roles(g) -> None:
    """Certified roles (技术经纪人, 技术经理人, 院士) as expert roles; 科技副总 / 产业教授 / 双岗互聘 as
    placements — their one record (``pairings.Placement``), with host and term."""
    roles, placements = [], []
    academicians = 0
    for x in g.exps:
        if x.inst is None:
            continue
        r = g.rng.random()
        senior = x.obj.title in ("professor", "researcher", "assoc_professor", "assoc_researcher")
        hosts = g.ents_by_key[x.key] or g.ents
        if senior and r < 0.2 and hosts:
            start = g.recent(g.rng.choice([date(2024, 3, 1), date(2025, 3, 1), date(2026, 3, 1)]))
            ent = g.rng.choice(hosts)
            placements.append((Placement(scheme="tech_vp_provincial", host_enterprise=ent.obj, home_institution=x.inst,
                                         start_on=start, end_on=add_years(start, 1) - timedelta(days=1)), x, ent))
        elif senior and r < 0.28 and hosts:
            start = g.recent(g.rng.choice([date(2023, 9, 1), date(2024, 9, 1), date(2025, 9, 1)]))
            ent = g.rng.choice(hosts)
            placements.append((Placement(scheme="industry_professor", home_enterprise=ent.obj, host_institution=x.inst,
                                         start_on=start, end_on=add_years(start, 3) - timedelta(days=1)), x, ent))
        elif r < 0.31 and hosts:
            ent = g.rng.choice(hosts)
            placements.append((Placement(scheme="tech_vp_city", host_enterprise=ent.obj, home_institution=x.inst,
                                         start_on=g.recent(date(2025, 7, 1)), end_on=g.recent(date(2027, 6, 30))), x, ent))
        elif r < 0.37:
            year = g.rng.randint(2019, 2025)
            roles.append(ExpertRole(expert=x.obj, kind="broker", host_id=x.inst.organisation_id,
                                    certificate_no=f"JSJJR{year}{g.rng.randrange(10**5):05d}",
                                    start=date(year, g.rng.randint(1, 12), 1)))
        elif r < 0.42:
            year = g.rng.randint(2021, 2025)
            roles.append(ExpertRole(expert=x.obj, kind="tech_manager", host_id=x.inst.organisation_id,
                                    certificate_no=f"JSJSJLR{year}{g.rng.randrange(10**5):05d}",
                                    start=date(year, g.rng.randint(1, 12), 1)))
        elif (not x.inst.is_local and x.obj.title in ("professor", "researcher") and academicians < 2
              and r < 0.47):
            academicians += 1
            roles.append(ExpertRole(expert=x.obj, kind="academician", host_id=x.inst.organisation_id,
                                    start=date(2017 + 2 * academicians, 11, 22)))
    g.save(ExpertRole, roles)
    for p, x, ent in placements:
        p.year, p.person_name, p.expert = p.start_on.year, x.obj.name, x.obj
        p.region_id, p.park = ent.obj.region_id, ent.park
        p.duties = g.fill("兼职从事{d}技术攻关与成果转化", ent.key)
        for name, value in g.scope().items():
            setattr(p, name, value)
    made = g.save(Placement, [p for p, _x, _e in placements])
    g.link(Placement, made, "assessment_units", [ent.unit_ids for _p, _x, ent in placements])
