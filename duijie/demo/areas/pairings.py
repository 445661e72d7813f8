"""Demo data for pairings, visits, placements and student teams (called by ``generator._Generator.run``).

Shapes follow the seeds: 百名专家教授挂钩联系百家企业 (seed 000), 高企科技辅导员 one-to-one (seed 002),
十校十所进千企 visits by local universities and institutes (seed 003), 科技副总 / 产业教授 quotas
(seeds 003, 004), students' teams in incubators (seed 000, 千名学生).
"""
from __future__ import annotations

from datetime import date, timedelta

from duijie.accounts.models import User
from duijie.core.roles import GOVERNMENT_ROLES
from duijie.orgs.models import EnterpriseQualification
from duijie.pairings.models import Pairing, Placement, PlacementQuota, StudentTeam, Visit
from duijie.supply.models import Carrier

NEED_TEMPLATES = ("{x}，希望与高校联合攻关", "需要{d}方面的技术支持", "{p}的{m}指标达不到客户要求",
                  "希望引进熟悉{t}的研发人员", "需要第三方检测{p}的可靠性")
FINDINGS = ("企业研发投入逐年增加，已建市级企业技术中心。", "企业订单充足，但核心工艺依赖外部技术。",
            "企业有意申报高新技术企业，研发管理制度尚不健全。", "企业希望与在常高校共建研发平台。")
TEAM_PROJECTS = ("基于{t}的{p}原型开发", "{d}创新创业项目", "面向{p}的智能检测小程序")


def make_pairings(g) -> None:
    rng, today = g.rng, g.now.date()
    local_insts = [i for i in g.insts if i.is_local]
    experts = [x for x in g.exps if x.inst is not None]
    gov_users = list(User.objects.filter(role__in=GOVERNMENT_ROLES))

    ent_by_pk = {e.obj.pk: e for e in g.ents}

    # 百名专家教授挂钩联系百家企业 + 科技顾问进高企: experts linked to enterprises of their industry
    pairings = []
    for x in rng.sample(experts, min(len(experts), 60)):
        pool = g.ents_by_key[x.key] or g.ents
        ent = rng.choice(pool)
        start = g.day(g.recent(date(2024, 1, 1)), g.recent(date(2026, 3, 1)))
        pairings.append(Pairing(kind=rng.choice(("expert", "expert", "adviser")), enterprise=ent.obj, expert=x.obj,
                                start_on=start, end_on=start + timedelta(days=rng.choice((365, 730, 1095))),
                                goals=g.fill("围绕{d}开展技术指导，协助解决{x}", ent.key),
                                region_id=ent.obj.region_id, park=ent.park, **g.scope()))
    # 高企科技辅导员: one liaison at a time per high-tech enterprise
    high_tech = list(EnterpriseQualification.objects.filter(kind="high_tech").values_list("enterprise_id", flat=True)
                     .distinct()[:40])
    for pk in high_tech:
        ent = ent_by_pk.get(pk)
        if ent is None or not gov_users:
            continue
        pairings.append(Pairing(kind="liaison", enterprise=ent.obj, liaison=rng.choice(gov_users),
                                start_on=g.recent(date(2026, 1, 1)), goals="一对一宣传政策，掌握企业信息和需求",
                                region_id=ent.obj.region_id, park=ent.park, **g.scope()))
    pairings = g.save(Pairing, pairings)
    g.link(Pairing, pairings, "assessment_units", [ent_by_pk[p.enterprise_id].unit_ids for p in pairings])

    # 十校十所进千企 visits (and some liaison / pairing visits)
    visits = []
    for _i in range(140):
        ent = rng.choice(g.ents)
        inst = rng.choice(local_insts) if local_insts else None
        programme = "ten_ten" if inst and rng.random() < 0.75 else "survey"
        needs = "\n".join(g.fill(t, ent.key) for t in rng.sample(NEED_TEMPLATES, rng.choice((0, 1, 1, 2, 3))))
        visits.append(Visit(enterprise=ent.obj, visited_on=g.day(g.recent(date(2025, 3, 1)), today), programme=programme,
                            visitors="、".join(g.person() for _ in range(rng.choice((1, 2, 2, 3)))),
                            visiting_institution=inst if programme == "ten_ten" else None,
                            findings=rng.choice(FINDINGS), needs=needs,
                            region_id=ent.obj.region_id, park=ent.park, **g.scope()))
    for p in pairings[:30]:
        visits.append(Visit(enterprise=p.enterprise, visited_on=g.day(p.start_on, today) if p.start_on < today else today,
                            programme="liaison" if p.kind == "liaison" else "pairing", pairing=p,
                            visitors=p.liaison.display_name or p.liaison.username if p.liaison_id else p.expert.name,
                            findings=rng.choice(FINDINGS), region_id=p.enterprise.region_id, park=p.park,
                            **g.scope()))
    visits = g.save(Visit, visits)
    g.link(Visit, visits, "assessment_units", [ent_by_pk[v.enterprise_id].unit_ids for v in visits])

    # 科技副总 / 产业教授 / 双岗互聘. The one yearly quota a seed prints: 市本级每年支持“科技副总”600名以上
    # (seed 004, 2026–2028). Seed 003's 100 科技副总 and 200 产业教授 are three-year totals: programme
    # targets of changzhou-2019, not yearly quotas.
    quotas = [PlacementQuota(scheme="tech_vp_city", year=y, quota=600,
                             basis="种子文件 004 二、8（常政办发〔2026〕7号）：市本级每年支持“科技副总”600名以上",
                             region_id=g.region["3204"], **g.scope()) for y in (2026, 2027, 2028)]
    g.save(PlacementQuota, quotas)
    placements = []
    for _i in range(90):
        x = rng.choice(experts)
        ent = rng.choice(g.ents_by_key[x.key] or g.ents)
        year = rng.choice((2025, 2026))
        start = date(year, rng.choice((3, 6, 9)), 1)
        if start > today:
            start = date(year, 3, 1)
        scheme = rng.choice(("tech_vp_city", "tech_vp_city", "tech_vp_city", "tech_vp_provincial"))
        placements.append(Placement(scheme=scheme, year=year, person_name=x.obj.name, expert=x.obj,
                                    home_institution=x.inst, host_enterprise=ent.obj, start_on=start,
                                    end_on=start + timedelta(days=3 * 365 - 1),
                                    duties=g.fill("兼职从事{d}技术攻关与成果转化", ent.key),
                                    outputs=g.fill("协助企业解决{x}", ent.key) if rng.random() < 0.5 else "",
                                    region_id=ent.obj.region_id, park=ent.park, **g.scope()))
    for _i in range(25):
        ent = rng.choice(g.ents)
        year = rng.choice((2025, 2026))
        placements.append(Placement(scheme="industry_professor", year=year, person_name=g.person(),
                                    home_enterprise=ent.obj, host_institution=rng.choice(local_insts or g.insts),
                                    start_on=date(year, 3, 1), end_on=date(year + 3, 2, 28),
                                    duties="指导研究生、参与课程建设与联合攻关",
                                    region_id=ent.obj.region_id, **g.scope()))
    placements = g.save(Placement, placements)
    g.link(Placement, placements, "assessment_units",
           [ent_by_pk[(p.host_enterprise_id or p.home_enterprise_id)].unit_ids for p in placements])

    # 千名学生: students' and teachers' teams in incubators
    incubators = list(Carrier.objects.filter(kind__in=("incubator", "makerspace", "accelerator")))
    if incubators and local_insts:
        teams = []
        for i in range(40):
            inc, inst = rng.choice(incubators), rng.choice(local_insts)
            key = rng.choice(list(g.ents_by_key))
            teams.append(StudentTeam(name=g.fill(rng.choice(TEAM_PROJECTS), key)[:60] + f"（{i + 1}队）",
                                     institution=inst, leader_name=g.person(), members=rng.randint(2, 8),
                                     teacher_led=rng.random() < 0.15, incubator=inc,
                                     project=g.fill("围绕{d}，开发{p}相关产品", key),
                                     entered_on=g.day(g.recent(date(2024, 9, 1)), today),
                                     region_id=inc.region_id, **g.scope()))
        g.save(StudentTeam, teams)
