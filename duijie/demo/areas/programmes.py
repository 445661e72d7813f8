"""Programmes: Kunshan 2017 (seed 001, 昆政办发〔2017〕163号, Annexes 2 and 3) and Changzhou 2019–2021
(seed 003), with their targets copied as printed for the indicators that exist now (signed-projects,
events-held), and Kunshan's archival projects of 2017–2020 so its progress is neither empty nor green.

Columns of the annexes with no indicator yet (人才团队, 载体建设, 引进人才数) are left for the indicators
that will count them; so are the Changzhou goals other than the 300 joint projects.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from duijie.accounts.models import User
from duijie.cooperation.choices import ProjectStage
from duijie.cooperation.models import STAGE_DATE, CooperationProject
from duijie.core.choices import Visibility
from duijie.demo import content as C
from duijie.programmes import supervision
from duijie.programmes.choices import PeriodKind, RoundKind, RuleKind
from duijie.programmes.models import Programme, ProgrammeIndicator, ScoringRule, Target

KS_START, KS_END = date(2017, 1, 1), date(2020, 12, 31)  # 《工作意见》 2017 to the end of “十三五”
KS_SOURCE = "种子文件 001：昆山市人民政府办公室《关于进一步推进与大院大所合作的工作意见》（昆政办发〔2017〕163号）"
# Annex 2 (部门、区镇对接清单和目标任务表, “十三五”期间目标任务): unit → (项目合作（项）, 对接活动（次）);
# Annex 3 (2017年主要任务指标): unit → (校企合作项目数（项）, 对接活动次数（场）). Units as printed.
KS_ANNEX2 = {
    "ks2017-kaifa": (60, 50), "ks2017-gaoxin": (65, 50), "ks2017-huaqiao": (40, 30), "ks2017-zhangpu": (30, 20),
    "ks2017-zhoushi": (25, 20), "ks2017-lujia": (20, 20), "ks2017-bacheng": (15, 15), "ks2017-qiandeng": (15, 15),
    "ks2017-dianshanhu": (10, 10), "ks2017-zhouzhuang": (10, 10), "ks2017-jinxi": (10, 10),
}  # 总计 300 / 250
KS_ANNEX3 = {
    "ks2017-kaifa": (20, 16), "ks2017-gaoxin": (22, 16), "ks2017-huaqiao": (13, 10), "ks2017-zhangpu": (10, 6),
    "ks2017-zhoushi": (8, 6), "ks2017-lujia": (6, 6), "ks2017-bacheng": (5, 5), "ks2017-qiandeng": (5, 5),
    "ks2017-dianshanhu": (3, 3), "ks2017-zhouzhuang": (3, 3), "ks2017-jinxi": (3, 3),
}  # 合计 98 / 79
# Annex 2, row 1 (市科技局、智能装备与半导体产业促进中心、招商中心): 举办市级产学研对接活动10场.
KS_CITY_EVENTS = 10

CZ_START, CZ_END = date(2019, 1, 1), date(2021, 12, 31)
CZ_SOURCE = ("种子文件 003：常州市人民政府办公室《常州市深化在常高校院所与地方产业创新驱动融合发展三年行动计划"
             "（2019-2021年）》（2018年12月29日印发）")
# 二、主要目标: 新增在常高校院所与企业联合实施重大技术攻关项目300项以上 (市科技局牵头, 四、保障措施 1).
CZ_PROJECTS = 300

THRESHOLDS_SOURCE = "演示设置：平台默认进度阈值（文件未规定），由市科技局在方案记录中维护"

# Share of each Kunshan unit's target its archival projects reach (fixed per unit, so the demo shows
# every status): ahead, on track, lagging and at risk.
KS_REACH = {
    "ks2017-kaifa": 1.2, "ks2017-gaoxin": 1.0, "ks2017-huaqiao": 0.85, "ks2017-zhangpu": 0.7,
    "ks2017-zhoushi": 0.95, "ks2017-lujia": 0.5, "ks2017-bacheng": 0.8, "ks2017-qiandeng": 0.4,
}


def make_programmes(g) -> None:
    ks_org, cz_org = g.gov["昆山市科学技术局"], g.city_org
    kunshan = Programme(
        code="kunshan-2017", name="关于进一步推进与大院大所合作的工作意见", document_number="昆政办发〔2017〕163号",
        issuer="昆山市人民政府办公室", period_start=KS_START, period_end=KS_END,
        source=f"{KS_SOURCE}，附件2、附件3。", thresholds_source=THRESHOLDS_SOURCE, region_id=g.region["320583"],
        visibility=Visibility.PLATFORM, **g.scope(filed_by_org=ks_org))
    changzhou = Programme(
        code="changzhou-2019", name="常州市深化在常高校院所与地方产业创新驱动融合发展三年行动计划（2019-2021年）",
        issuer="常州市人民政府办公室", period_start=CZ_START, period_end=CZ_END, source=f"{CZ_SOURCE}，二、主要目标。",
        thresholds_source=THRESHOLDS_SOURCE, region_id=g.region["3204"], visibility=Visibility.PLATFORM,
        **g.scope(filed_by_org=cz_org))
    kunshan, changzhou = g.save(Programme, [kunshan, changzhou])
    industries = sorted({g.industry[C.INDUSTRIES[k]["gbt"][0]] for keys in C.KUNSHAN_UNIT_INDUSTRIES.values()
                         for k in keys})
    g.link(Programme, [kunshan], "key_industries", [industries])
    g.link(Programme, [changzhou], "member_institutions", [[i.pk for i in g.insts if i.is_local]])

    ks_projects, ks_events, cz_projects = g.save(ProgrammeIndicator, [
        ProgrammeIndicator(programme=kunshan, indicator="signed-projects", label="校企合作项目数（项）", order=1,
                           source="附件2“项目合作（项）”；附件3“校企合作项目数（项）”"),
        ProgrammeIndicator(programme=kunshan, indicator="events-held", label="对接活动次数（场）", order=2,
                           source="附件2“对接活动（次）”；附件3“对接活动次数（场）”"),
        ProgrammeIndicator(programme=changzhou, indicator="signed-projects", label="联合实施重大技术攻关项目（项）",
                           order=1, source="二、主要目标"),
    ])
    targets = []
    ks_scope = g.scope(filed_by_org=ks_org, visibility=Visibility.RESTRICTED)
    for code, (projects, events) in KS_ANNEX2.items():
        for pi, value in ((ks_projects, projects), (ks_events, events)):
            targets.append(Target(programme_indicator=pi, owner_unit=g.unit[code], period_kind=PeriodKind.WHOLE,
                                  period_start=KS_START, period_end=KS_END, value=Decimal(value),
                                  source=f"附件2 部门、区镇对接清单和目标任务表（{g.unit[code].name}）", **ks_scope))
    for code, (projects, events) in KS_ANNEX3.items():
        for pi, value in ((ks_projects, projects), (ks_events, events)):
            targets.append(Target(programme_indicator=pi, owner_unit=g.unit[code], period_kind=PeriodKind.YEAR,
                                  period_start=KS_START, period_end=date(2017, 12, 31), value=Decimal(value),
                                  source=f"附件3 2017年主要任务指标（{g.unit[code].name}）", **ks_scope))
    targets.append(Target(programme_indicator=ks_events, owner_department=ks_org, period_kind=PeriodKind.WHOLE,
                          period_start=KS_START, period_end=KS_END, value=Decimal(KS_CITY_EVENTS),
                          text="举办市级产学研对接活动10场",
                          source="附件2 第1行（市科技局、智能装备与半导体产业促进中心、招商中心）", **ks_scope))
    targets.append(Target(programme_indicator=cz_projects, owner_department=cz_org, period_kind=PeriodKind.WHOLE,
                          period_start=CZ_START, period_end=CZ_END, value=Decimal(CZ_PROJECTS), text="300项以上",
                          source="二、主要目标", **g.scope(visibility=Visibility.RESTRICTED)))
    for t in targets:  # placed as a saved target would be (bulk creation skips save())
        t.region_id = t.derived_region_id()
    g.save(Target, targets)
    _kunshan_projects(g, ks_org)


def _kunshan_projects(g, ks_org) -> None:
    """Archival cooperation projects of the Kunshan units' enterprises, 2017–2020: each unit reaches
    its share (KS_REACH) of the Annex 3 target in 2017 and of the Annex 2 target over the whole
    period (a unit without demo enterprises has none). Each project went intention → signed →
    implementing → completed, and its history says so."""
    plans = []
    for code, share in KS_REACH.items():
        unit = g.unit[code]
        ents = [e for e in g.ents if unit.pk in e.unit_ids]
        if not ents:
            continue
        first_year = round(KS_ANNEX3[code][0] * share)
        later = max(0, round(KS_ANNEX2[code][0] * share) - first_year)
        days = [g.day(date(2017, 1, 10), date(2017, 12, 20)) for _ in range(first_year)]
        days += [g.day(date(2018, 1, 10), date(2020, 12, 20)) for _ in range(later)]
        for signed in sorted(days):
            ent = g.rng.choice(ents)
            steps = [(ProjectStage.INTENTION, signed - timedelta(days=g.rng.randrange(20, 90))),
                     (ProjectStage.SIGNED, signed), (ProjectStage.IMPLEMENTING, signed + timedelta(days=30)),
                     (ProjectStage.COMPLETED, signed + timedelta(days=g.rng.randrange(200, 400)))]
            project = CooperationProject(
                title=g.fill(g.rng.choice(C.PROJECT_TITLES), ent.key), source="other", status=ProjectStage.COMPLETED,
                owner_org_id=ent.obj.organisation_id, region_id=ent.obj.region_id, park=ent.park,
                visibility=Visibility.RESTRICTED, **g.scope(filed_by_org=ks_org),
                **{STAGE_DATE[stage]: day for stage, day in steps})
            plans.append((project, ent, steps))
    projects = CooperationProject.objects.bulk_create([p for p, *_ in plans])
    g.count(CooperationProject, len(projects))
    hist = CooperationProject.history.model
    names = [f.attname for f in CooperationProject._meta.concrete_fields]
    rows = []
    for project, (_p, _ent, steps) in zip(projects, plans, strict=True):
        snapshot = {n: getattr(project, n) for n in names}
        for i, (stage, day) in enumerate(steps):
            later = {STAGE_DATE[st]: None for st, _d in steps[i + 1:]}
            rows.append(hist(**{**snapshot, "status": stage, **later}, history_date=g.moment(day),
                             history_type="+" if i == 0 else "~", history_user=g.admin_user))
    hist.objects.bulk_create(rows)
    g.link(CooperationProject, projects, "enterprises", [[e.obj.pk] for _p, e, _s in plans])
    g.link(CooperationProject, projects, "assessment_units", [e.unit_ids for _p, e, _s in plans])


# ------------------------------------------------------------------------------------ supervision
# Seed 001, 三、3: 大院大所领导小组每半年组织一次工作督查，并将工作成效纳入区镇年度目标管理考核（附件3）.
# The document gives no scoring method: the demo's rules are settings the bureau keeps as data.
KS_RULES_SOURCE = "演示设置：文件未规定评分办法（附件3纳入区镇年度目标管理考核），由市科技局在评分规则中维护"
KS_ROUND = ("2017年上半年督查", date(2017, 6, 30))


def make_supervision(g) -> None:
    """Kunshan's scoring rules and its issued 2017 first-half supervision round (as 昆山市科技局)."""
    kunshan = Programme.objects.get(code="kunshan-2017")
    pis = {pi.indicator: pi for pi in kunshan.indicators.all()}
    rules = [
        ScoringRule(programme_indicator=pis["signed-projects"], kind=RuleKind.RATIO_CAP, points=Decimal(60),
                    cap=Decimal("1.2"), source=KS_RULES_SOURCE + "：校企合作项目 60 分，按完成比例计分，最高 1.2 倍"),
        ScoringRule(programme_indicator=pis["events-held"], kind=RuleKind.RATIO_CAP, points=Decimal(40),
                    cap=Decimal("1.2"), source=KS_RULES_SOURCE + "：对接活动 40 分，按完成比例计分，最高 1.2 倍"),
        ScoringRule(programme_indicator=pis["signed-projects"], kind=RuleKind.AVERAGE_STEPS, points=Decimal(10),
                    steps=[["1.2", "2"], ["1", "0"], ["0.8", "-2"], ["0", "-4"]], unit_kinds=["town"],
                    source=KS_RULES_SOURCE + "：各镇校企合作项目与各镇平均数比较，高于平均 20% 加 2 分，低于平均扣分"),
    ]
    g.save(ScoringRule, rules)
    office = User.objects.get(username="kunshan")
    name, as_of = KS_ROUND
    rnd = supervision.create_round(programme=kunshan, by=office, kind=RoundKind.HALF_YEAR, name=name,
                                   period_start=KS_START, period_end=date(2017, 12, 31), as_of=as_of)
    supervision.comment(rnd=rnd, by=office, text="上半年全市校企合作项目推进总体平稳，个别区镇对接活动偏少，"
                                                 "请落后区镇于7月底前报送整改措施。")
    for ru in rnd.round_units.select_related("unit").order_by("pk")[:2]:
        supervision.comment(rnd=rnd, by=office, unit=ru.unit, text=f"{ru.unit.name}项目合作进度较好，请保持。")
        supervision.submit(rnd=rnd, by=office, unit=ru.unit,
                           text=f"{ru.unit.name}上半年与大院大所对接情况汇报：已签约项目按计划推进，下半年继续举办对接活动。")
    supervision.issue(rnd=rnd, by=office)
