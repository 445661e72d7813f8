"""Programmes: Kunshan 2017 (seed 001, 昆政办发〔2017〕163号, Annexes 2 and 3) with Kunshan's archival
projects of 2017–2020, and the programmes of seeds 000, 002, 003 and 004 (``programme_seeds``) with
their targets for the owner the document names and the demo records behind their progress
(``programme_records``), so no programme's progress is empty or all green.

Columns of the annexes with no indicator yet (人才团队, 载体建设, 引进人才数) are left for the indicators
that will count them (``programme_seeds.NOT_YET`` lists the other seeds' goals in the same case).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from duijie.accounts.models import User
from duijie.core.choices import Visibility
from duijie.core.models import ReportedValue
from duijie.demo import content as C
from duijie.demo.areas import programme_records, programme_seeds
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

THRESHOLDS_SOURCE = "演示设置：平台默认进度阈值（文件未规定），由市科技局在方案记录中维护"

# Share of each Kunshan unit's target its archival projects reach (fixed per unit, so the demo shows
# every status): ahead, on track, lagging and at risk.
KS_REACH = {
    "ks2017-kaifa": 1.2, "ks2017-gaoxin": 1.0, "ks2017-huaqiao": 0.85, "ks2017-zhangpu": 0.7,
    "ks2017-zhoushi": 0.95, "ks2017-lujia": 0.5, "ks2017-bacheng": 0.8, "ks2017-qiandeng": 0.4,
}


def make_programmes(g) -> None:
    _kunshan(g)
    for spec in programme_seeds.SPECS:
        _seed_programme(g, spec)
    _wujin_reported(g)


def _kunshan(g) -> None:
    ks_org = g.gov["昆山市科学技术局"]
    kunshan = Programme(
        code="kunshan-2017", name="关于进一步推进与大院大所合作的工作意见", document_number="昆政办发〔2017〕163号",
        issuer="昆山市人民政府办公室", period_start=KS_START, period_end=KS_END,
        source=f"{KS_SOURCE}，附件2、附件3。", thresholds_source=THRESHOLDS_SOURCE, region_id=g.region["320583"],
        visibility=Visibility.PLATFORM, **g.scope(filed_by_org=ks_org))
    (kunshan,) = g.save(Programme, [kunshan])
    industries = sorted({g.industry[C.INDUSTRIES[k]["gbt"][0]] for keys in C.KUNSHAN_UNIT_INDUSTRIES.values()
                         for k in keys})
    g.link(Programme, [kunshan], "key_industries", [industries])

    ks_projects, ks_events = g.save(ProgrammeIndicator, [
        ProgrammeIndicator(programme=kunshan, indicator="signed-projects", label="校企合作项目数（项）", order=1,
                           source="附件2“项目合作（项）”；附件3“校企合作项目数（项）”"),
        ProgrammeIndicator(programme=kunshan, indicator="events-held", label="对接活动次数（场）", order=2,
                           source="附件2“对接活动（次）”；附件3“对接活动次数（场）”"),
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
    for t in targets:  # placed as a saved target would be (bulk creation skips save())
        t.region_id = t.derived_region_id()
    g.save(Target, targets)
    _kunshan_projects(g, ks_org)


def _periods(spec, goal) -> list[tuple[str, date, date]]:
    if not goal.yearly:
        return [(PeriodKind.WHOLE, spec.start, spec.end)]
    return [(PeriodKind.YEAR, date(y, 1, 1), date(y, 12, 31)) for y in range(spec.start.year, spec.end.year + 1)]


def _seed_programme(g, spec) -> None:
    """One programme of ``programme_seeds``: its record, members, indicators and targets for the
    owner unit, then the demo records its progress counts (``programme_records.top_up``)."""
    filer, unit = g.gov[spec.filer], g.unit[spec.owner]
    city = spec.owner == "cz-city"
    programme = Programme(
        code=spec.code, name=spec.name, document_number=spec.document_number, issuer=spec.issuer,
        period_start=spec.start, period_end=spec.end, source=f"{spec.source}（{spec.issued:%Y年%-m月%-d日}印发）",
        thresholds_source=THRESHOLDS_SOURCE, region_id=g.region["3204" if city else "320412"],
        visibility=Visibility.PLATFORM, **g.scope(filed_by_org=filer))
    (programme,) = g.save(Programme, [programme])
    by_name = {i.name: i.pk for i in g.insts}
    members = ([by_name[n] for n in spec.institutions if n in by_name] if spec.institutions is not None
               else [i.pk for i in g.insts if i.is_local])
    g.link(Programme, [programme], "member_institutions", [members])
    g.link(Programme, [programme], "key_industries",
           [[g.industry[C.INDUSTRIES[k]["gbt"][0]] for k in spec.industries]])
    slugs = list(dict.fromkeys(goal.slug for goal in spec.goals))
    first = {slug: next(goal for goal in spec.goals if goal.slug == slug) for slug in slugs}
    pis = g.save(ProgrammeIndicator, [
        ProgrammeIndicator(programme=programme, indicator=slug, label=first[slug].label, order=i + 1,
                           source=first[slug].clause) for i, slug in enumerate(slugs)])
    pi_of = dict(zip(slugs, pis, strict=True))
    targets = []
    scope = g.scope(filed_by_org=filer, visibility=Visibility.RESTRICTED)
    for goal in spec.goals:
        for kind, start, end in _periods(spec, goal):
            targets.append(Target(programme_indicator=pi_of[goal.slug], owner_unit=unit, period_kind=kind,
                                  period_start=start, period_end=end, value=goal.value, text=goal.text,
                                  source=f"{goal.clause}（{unit.name}）", **scope))
    for t in targets:
        t.region_id = t.derived_region_id()
    g.save(Target, targets)
    district = "3204" if city else "320412"
    for goal in spec.goals:
        for _kind, start, end in _periods(spec, goal):
            programme_records.top_up(g, spec.code, goal.slug, unit, district, start, end, filer, goal.value)


def _wujin_reported(g) -> None:
    """Seed 002's 2016 statistics figures for Wujin, filed as reported (上报) with source and document."""
    unit = g.unit["wj2016-wujin"]
    rows = [ReportedValue(indicator=ind.value, unit=unit, period_start=date(2016, 1, 1), period_end=date(2016, 12, 31),
                          value=Decimal(value), source=programme_seeds.WUJIN_2016_SOURCE,
                          document=programme_seeds.WUJIN_2016_DOCUMENT.format(clause), region_id=g.region["320412"],
                          visibility=Visibility.RESTRICTED, **g.scope(filed_by_org=g.gov["武进区科学技术局"]))
            for ind, value, clause in programme_seeds.WUJIN_2016_REPORTED]
    rows = g.save(ReportedValue, rows)
    g.link(ReportedValue, rows, "assessment_units", [[unit.pk] for _r in rows])


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
        plans += [(g.rng.choice(ents), signed, []) for signed in sorted(days)]
    programme_records.projects(g, plans, ks_org, KS_END)


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
