"""The national template indicator set (全国核心指标), published, with its provenance.

Provenance (checked 2026-12 with the sources reachable from this project's tools):
- Public and confirmed: 科技部办公厅《“创新积分制”工作指引（全国试行版）》(2024-08; the system grew out of
  the 科技部火炬中心 企业创新积分制 pilot in national high-tech zones since 2020) — the core indicators are
  three first-level groups, 技术创新指标 / 成长经营指标 / 辅助指标, with 18 second-level indicators, and
  weights differ by enterprise stage, 初创期 / 成长期 / 稳定期 (新华社 2024-08-13 report of the guideline;
  科技部 press release). Local systems add bonus (加分) and negative (减分/负面) items (e.g. 镇江高新区: 六项
  一级指标 incl. 减分项; 常州: 6类84项积分指标, 龙城科易贷) and classify the stage by years since founding
  (镇江高新区 “根据企业成立时间，将企业划分为初创期、成长期、稳定期”).
- Not confirmed here: the guideline's exact wording of each of the 18 second-level indicators and its
  weight table (published as an annex that could not be read in full). The 18 names below follow the
  guideline's reported themes (R&D input, IP, technology transactions, revenue and its growth, tax,
  qualifications, platforms, talent) and are mapped to what the platform records; each says so in
  ``name_basis``. Every weight, group total, cap and step is local configuration: ``weight_basis``
  reads 权重为本地配置，非指引原文. A city publishes its own version (a copy) once the original table is
  checked, or with its own indicators.
"""

from django.db import migrations

SOURCE = (
    "科技部办公厅《“创新积分制”工作指引（全国试行版）》（2024年8月；源自科技部火炬中心2020年起在国家高新区开展的企业创新积分制试点）："
    "核心指标含技术创新指标、成长经营指标、辅助指标3类一级指标及18个二级指标，按初创期、成长期、稳定期分别赋权（新华社2024-08-13报道）。"
    "本模板的18项二级指标名称按指引公开报道的指标方向整理并对应平台记录，待与指引附表原文逐项核对；"
    "加分项、减分项参照地方实践（镇江高新区、常州“龙城科易贷”）设置。全部权重、分组合计、封顶值与分档为本地配置，非指引原文。"
)
NAME_GUIDE = "指引核心指标（名称按公开报道整理，待与指引附表原文核对）"
NAME_LOCAL = "地方加减分项（参照镇江高新区、常州实践，本地设置）"
WEIGHT_LOCAL = "权重为本地配置，非指引原文"
STAGE_RULE = [{"stage": "startup", "max_years": 3}, {"stage": "growth", "max_years": 10}, {"stage": "stable"}]
STAGE_CLAUSE = ("按成立年限划分企业阶段（指引按初创期、成长期、稳定期赋权；镇江高新区“根据企业成立时间，将企业划分为初创期、"
                "成长期、稳定期”）；年限界限（≤3年初创期、4–10年成长期、>10年稳定期）为本地配置，非指引原文。")
TOTALS = {
    "startup": {"tech": "60", "growth": "20", "aux": "20", "bonus": "10", "negative": "20"},
    "growth": {"tech": "50", "growth": "30", "aux": "20", "bonus": "10", "negative": "20"},
    "stable": {"tech": "40", "growth": "40", "aux": "20", "bonus": "10", "negative": "20"},
}
TOTALS_BASIS = ("分组合计为本地配置，非指引原文：突出技术创新（初创期60、成长期50、稳定期40），成长经营随阶段加重"
                "（20、30、40），辅助指标20；加分封顶10、减分封顶20。")

WAN = 10000


def lin(cap):
    return "linear_cap", {"cap": str(cap)}


# code, group, name, source, source params, unit, (method, params), weights (startup, growth, stable)
INDICATORS = [
    ("T01", "tech", "研发费用金额", "rd_spend", {}, "元", lin(5_000_000), (10, 9, 8)),
    ("T02", "tech", "研发费用占营业收入比例", "rd_intensity", {}, "%",
     ("piecewise", {"steps": [["1", "0.2"], ["3", "0.5"], ["5", "0.8"], ["8", "1"]]}), (12, 10, 7)),
    ("T03", "tech", "研发人员数量", "rd_staff", {}, "人", lin(50), (5, 4, 3)),
    ("T04", "tech", "研发人员占职工总数比例", "rd_staff_share", {}, "%",
     ("piecewise", {"steps": [["5", "0.3"], ["10", "0.6"], ["20", "1"]]}), (8, 6, 4)),
    ("T05", "tech", "有效发明专利数量（Ⅰ类知识产权）", "invention_patents", {}, "件", lin(10), (10, 8, 7)),
    ("T06", "tech", "高价值发明专利数量", "high_value_patents", {}, "件", lin(3), (5, 4, 3)),
    ("T07", "tech", "技术合同成交额（技术吸纳，作为买方）", "contracts_bought", {}, "元", lin(2_000_000), (5, 5, 4)),
    ("T08", "tech", "技术合同成交额（技术输出，作为卖方）", "contracts_sold", {}, "元", lin(1_000_000), (5, 4, 4)),
    ("G01", "growth", "营业收入", "revenue", {}, "元", ("percentile", {}), (5, 8, 12)),
    ("G02", "growth", "营业收入增长率", "revenue_growth", {}, "%",
     ("piecewise", {"steps": [["0", "0.2"], ["10", "0.5"], ["20", "0.8"], ["30", "1"]]}), (8, 10, 10)),
    ("G03", "growth", "上缴税费", "tax", {}, "元", ("percentile", {}), (3, 6, 10)),
    ("G04", "growth", "从业人员数量", "employees", {}, "人", lin(300), (2, 3, 4)),
    ("G05", "growth", "规模以上企业（当年）", "above_scale", {}, "", ("boolean", {}), (2, 3, 4)),
    ("A01", "aux", "有效期内的科技型企业资质（科技型中小企业、高新技术企业、专精特新等）", "qualifications",
     {"kinds": ["tech_sme", "high_tech", "srdi", "little_giant", "gazelle", "unicorn", "potential_unicorn",
                "innovation_leader"]}, "项", lin(2), (6, 6, 6)),
    ("A02", "aux", "依托建设的研发平台与载体（市级以上）", "carriers", {"levels": ["national", "provincial", "city"]},
     "个", lin(2), (4, 5, 5)),
    ("A03", "aux", "柔性引进人才（科技副总）", "placements", {}, "人", lin(2), (4, 3, 3)),
    ("A04", "aux", "产学研合作项目（当年签约）", "projects", {}, "项", lin(3), (4, 4, 4)),
    ("A05", "aux", "专家挂钩联系与科技顾问", "pairings", {}, "人", lin(2), (2, 2, 2)),
    ("B01", "bonus", "当年新获科技型企业资质认定", "new_qualifications",
     {"kinds": ["high_tech", "srdi", "little_giant", "gazelle", "unicorn", "innovation_leader"]}, "项", lin(1), (5, 5, 5)),
    ("B02", "bonus", "依托建设国家级平台载体", "carriers", {"levels": ["national"]}, "个", lin(1), (5, 5, 5)),
    ("B03", "bonus", "其他加分（经备案的科技奖励等）", "adjustments", {"items": ["award"]}, "项", lin(1), (5, 5, 5)),
    ("N01", "negative", "失信、违法违规等减分（经备案）", "adjustments", {"items": ["credit-default", "violation"]},
     "项", lin(1), (20, 20, 20)),
]


def create(apps, schema_editor):
    IndicatorSet = apps.get_model("innovation", "IndicatorSet")
    Indicator = apps.get_model("innovation", "Indicator")
    s = IndicatorSet.objects.create(
        code="national", number=1, name="创新积分核心指标（全国模板）", region=None, source=SOURCE,
        stage_rule=STAGE_RULE, stage_rule_clause=STAGE_CLAUSE, group_totals=TOTALS, totals_basis=TOTALS_BASIS,
        status="draft")
    for i, (code, group, name, source, sp, unit, (method, params), w) in enumerate(INDICATORS, 1):
        Indicator.objects.create(
            indicator_set=s, code=code, position=i, group=group, name=name,
            name_basis=NAME_GUIDE if group in ("tech", "growth", "aux") else NAME_LOCAL, source=source,
            source_params=sp, unit=unit, method=method, params=params,
            weights={"startup": str(w[0]), "growth": str(w[1]), "stable": str(w[2])}, weight_basis=WEIGHT_LOCAL)
    # Published at once: the historical model has no save() guard, and the services check the same
    # rules (tests/test_sets.py checks this template passes them).
    IndicatorSet.objects.filter(pk=s.pk).update(status="published", published_at=s.created_at)


def remove(apps, schema_editor):
    IndicatorSet = apps.get_model("innovation", "IndicatorSet")
    IndicatorSet.objects.filter(code="national", number=1).delete()


class Migration(migrations.Migration):
    dependencies = [("innovation", "0001_sets_runs_scores")]
    operations = [migrations.RunPython(create, remove)]
