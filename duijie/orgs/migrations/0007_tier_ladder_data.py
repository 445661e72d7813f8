"""The enterprise tier ladder and two cultivation rules (培育库), with their provenance.

Provenance (checked 2026-12 with the documents reachable from this project):
- The ladder: seed 004, 常州市“三名联动”行动方案 第9条“形成梯度培育”: “构建科技型中小企业、高新技术企业、
  专精特新(小巨人)企业、瞪羚企业、独角兽企业等创新型企业培育梯队 … 力争全市高新技术企业超7000家、独角兽(潜在)
  企业超130家” — five rungs in that order; 潜在独角兽 sits with 独角兽 (“独角兽(潜在)”). Where the platform's
  other qualification kinds sit (科技型上市培育 with 专精特新, 创新型领军企业 with 瞪羚) is local configuration
  and each rung's ``basis`` says so. The ladder is dated from 2000 so that past years' transitions are read
  with the same rungs (a later version of the ladder starts when the city changes it).
- 高企培育库 (科小 → 高企): 科技部 财政部 国家税务总局《高新技术企业认定管理办法》（国科发火〔2016〕32号）
  第十一条 — (一) 注册成立一年以上; (四) 科技人员占当年职工总数的比例不低于10%; (五) 近三个会计年度研究开发
  费用占同期销售收入比例：最近一年销售收入5,000万元以下（含）不低于5%，5,000万元至2亿元（含）不低于4%，2亿元
  以上不低于3%; (六) 近一年高新技术产品（服务）收入占同期总收入的比例不低于60%. These thresholds are the
  public text (``public: true``); the platform reads the last year's figures (not three years) and R&D staff
  for 科技人员, and says so. (二) asks for IP supporting the core technology without a number: “at least one
  invention patent” is local configuration (``public: false``).
- 专精特新培育库 (高企 → 专精特新): modelled on 工业和信息化部《优质中小企业梯度培育管理暂行办法》（2022）
  专精特新中小企业认定条件 (研发费用及其占营业收入比重、营业收入、知识产权); the figures below are local
  configuration until checked against the text and the province's 认定细则 (``public: false``).
"""

from datetime import date

from django.db import migrations

SEED_004 = ("常州市“三名联动”行动方案（seed 004）第9条：构建科技型中小企业、高新技术企业、专精特新(小巨人)企业、"
            "瞪羚企业、独角兽企业等创新型企业培育梯队")
LADDER_SOURCE = (SEED_004 + "；力争全市高新技术企业超7000家、独角兽(潜在)企业超130家。"
                 "科技型上市培育列入第3级、创新型领军企业列入第4级为本地配置。梯队自2000年起适用，以便按同一梯队比较历年升级。")
RUNGS = [
    (1, "科技型中小企业", "科小", ["tech_sme"], SEED_004 + "（第1级）"),
    (2, "高新技术企业", "高企", ["high_tech"], SEED_004 + "（第2级）"),
    (3, "专精特新（小巨人）企业", "专精特新", ["srdi", "little_giant", "listing_cultivation"],
     SEED_004 + "（第3级：专精特新、专精特新小巨人）；科技型上市培育列入本级为本地配置"),
    (4, "瞪羚企业", "瞪羚", ["gazelle", "innovation_leader"],
     SEED_004 + "（第4级：瞪羚企业）；创新型领军企业列入本级为本地配置"),
    (5, "独角兽（含潜在）企业", "独角兽", ["unicorn", "potential_unicorn"],
     SEED_004 + "（第5级）；同条“独角兽(潜在)企业超130家”将潜在独角兽计入本级"),
]
HT = "《高新技术企业认定管理办法》（国科发火〔2016〕32号）第十一条"
HIGH_TECH_RULE = [
    {"measure": "years_founded", "min": "1", "public": True, "basis": HT + "（一）：企业申请认定时须注册成立一年以上"},
    {"measure": "rd_intensity", "public": True,
     "bands": [{"revenue_up_to": "50000000", "min": "5"}, {"revenue_up_to": "200000000", "min": "4"}, {"min": "3"}],
     "basis": HT + "（五）：最近一年销售收入小于5,000万元（含）的企业比例不低于5%；5,000万元至2亿元（含）不低于4%；"
                   "2亿元以上不低于3%（原文为近三个会计年度合计，平台按最近一年数据判断）"},
    {"measure": "rd_staff_share", "min": "10", "public": True,
     "basis": HT + "（四）：从事研发和相关技术创新活动的科技人员占企业当年职工总数的比例不低于10%（平台以研发人员数判断）"},
    {"measure": "manual", "label": "近一年高新技术产品（服务）收入占企业同期总收入的比例不低于60%", "public": True,
     "basis": HT + "（六）（平台未记录，申报时核对）"},
    {"measure": "invention_patents", "min": "1", "public": False,
     "basis": "本地配置：" + HT + "（二）要求拥有对主要产品（服务）核心技术起支持作用的知识产权，未规定件数；培育库取至少1件发明专利"},
]
SRDI = "参照工业和信息化部《优质中小企业梯度培育管理暂行办法》（2022）专精特新中小企业认定条件，本地配置，待与原文及省认定细则核对"
SRDI_RULE = [
    {"measure": "revenue", "min": "10000000", "public": False, "basis": SRDI + "：上年度营业收入1000万元以上"},
    {"measure": "rd_spend", "min": "1000000", "public": False, "basis": SRDI + "：上年度研发费用不低于100万元"},
    {"measure": "rd_intensity", "min": "3", "public": False, "basis": SRDI + "：研发费用占营业收入比重不低于3%"},
    {"measure": "invention_patents", "min": "1", "public": False, "basis": SRDI + "：拥有有效发明专利"},
    {"measure": "years_founded", "min": "2", "public": False, "basis": SRDI + "：从事特定细分市场时间2年以上（以成立年限近似）"},
]


def load(apps, schema_editor):
    TierLadder = apps.get_model("orgs", "TierLadder")
    TierRung = apps.get_model("orgs", "TierRung")
    CultivationRule = apps.get_model("orgs", "CultivationRule")
    ladder = TierLadder.objects.create(code="cz-tiers", number=1, name="创新型企业梯度培育梯队",
                                       source=LADDER_SOURCE, valid_from=date(2000, 1, 1))
    for rank, name, short, kinds, basis in RUNGS:
        TierRung.objects.create(ladder=ladder, rank=rank, name=name, short=short, kinds=kinds, basis=basis)
    CultivationRule.objects.create(
        ladder=ladder, code="high-tech", name="高新技术企业培育库（小升高）", from_rank=1, to_rank=2,
        conditions=HIGH_TECH_RULE,
        source=HT + "。门槛（成立年限、研发费用占比分档、科技人员占比、高新技术产品收入占比）为公开认定条件；"
                    "发明专利件数为本地配置。平台按最近一个有数据的会计年度判断，供培育筛选，不替代认定。")
    CultivationRule.objects.create(
        ladder=ladder, code="srdi", name="专精特新培育库（高企→专精特新）", from_rank=2, to_rank=3,
        conditions=SRDI_RULE, source=SRDI + "。全部门槛为本地配置。")


def unload(apps, schema_editor):
    apps.get_model("orgs", "TierLadder").objects.filter(code="cz-tiers", number=1).delete()


class Migration(migrations.Migration):
    dependencies = [("orgs", "0006_tier_ladder")]
    operations = [migrations.RunPython(load, unload)]
