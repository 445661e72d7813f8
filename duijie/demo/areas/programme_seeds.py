"""The programmes of seeds 000, 002, 003 and 004 as printed: document, issuer, period, members, and
each goal the indicator library can count, with its number, the words it is printed in and the
clause it comes from (Kunshan 2017, seed 001, is in ``programmes.py`` with its two annexes).

Goals the library has no indicator for yet are listed in ``NOT_YET`` with their numbers, so the
programme gets them as soon as the indicator exists (see the report of issue #13 item 7).
Numbers are in the indicator's unit of measure as shown (亿元 for project outcomes, 万元 for
contract amounts), as the document prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from duijie.core.choices import ReportedIndicator as R


@dataclass(frozen=True)
class Goal:
    slug: str  # the indicator (core.plugins.indicators())
    label: str  # the goal's heading, as printed
    value: Decimal  # in the indicator's unit of measure
    text: str  # the target as printed
    clause: str  # where in the document
    yearly: bool = False  # 每年: one target per calendar year of the period


@dataclass(frozen=True)
class Spec:
    code: str
    name: str
    document_number: str
    issuer: str
    issued: date
    start: date
    end: date
    source: str
    owner: str  # code of the assessment unit the targets belong to
    filer: str  # the government body that files the programme
    institutions: tuple[str, ...] | None  # named member institutions; None: the local (在常) ones
    industries: tuple[str, ...]  # demo industry keys of the key industries the document names
    goals: tuple[Goal, ...]


def _g(slug, label, value, text, clause, yearly=False) -> Goal:
    return Goal(slug, label, Decimal(value), text, clause, yearly)


SHUANGSHI = Spec(
    code="shuangshi-2016", name="科技创新“双十百千”三年行动计划（2016-2018）", document_number="",
    issuer="常州市武进区人民政府办公室", issued=date(2016, 5, 3), start=date(2016, 1, 1), end=date(2018, 12, 31),
    source=("种子文件 000：常州市武进区人民政府办公室《区政府办公室关于印发科技创新“双十百千”三年行动计划"
            "（2016-2018）的通知》（2016年5月3日，未印文号），二、主要目标。"),
    owner="wj2016-wujin", filer="武进区科学技术局", institutions=None, industries=(),
    goals=(
        _g("partner-institutions", "紧密联系在常高校（所）", 10, "紧密联系在常十所高校", "二、主要目标 1．“双十”"),
        _g("paired-experts", "对接科研骨干教师（名）", 100, "全力对接百名科研骨干教师",
           "二、主要目标 2．“双百”；三、6 百名专家教授（团队）挂钩联系百家企业"),
        _g("paired-enterprises", "培育创新型企业（家）", 100, "大力培育百家创新型企业",
           "二、主要目标 2．“双百”；三、6 百名专家教授（团队）挂钩联系百家企业"),
        _g("students", "高校学生创新创业（名）", 1000, "积极鼓励千名高校学生创新创业",
           "二、主要目标 3．“双千”；三、7（包括教师创业团队）"),
        _g("signed-projects", "科技项目（项）", 1000, "努力推动千项科技项目", "二、主要目标 3．“双千”"),
    ),
)

WUJIN = Spec(
    code="wujin-2017", name="武进区科技局2017年工作计划（主要目标）", document_number="",
    issuer="常州市武进区科学技术局", issued=date(2017, 3, 31), start=date(2017, 1, 1), end=date(2017, 12, 31),
    source=("种子文件 002：常州市武进区科学技术局《区科技局关于印发〈2016年工作总结和2017年工作计划〉的通知》"
            "（2017年3月31日，未印文号），二、2017年工作计划（一）主要目标。"),
    owner="wj2016-wujin", filer="武进区科学技术局",
    institutions=("江南石墨烯研究院", "北京化工大学常州先进材料研究院", "江苏省绿色建筑产业技术研究院",
                  "常州西南交大轨道交通研究院"),
    industries=("graphene", "robotics"),
    goals=(
        _g(R.RD_GDP.value, "R&D经费支出占GDP的比重（%）", "2.85", "2.85%（2017年预计）", "（一）主要目标 1"),
        _g(R.HIGH_TECH_OUTPUT.value, "高新技术产业产值（亿元）", 1993, "完成高新技术产业产值1993亿元",
           "（一）主要目标 2"),
        _g(R.HIGH_TECH_OUTPUT_SHARE.value, "占规上工业总产值（%）", "39.6", "占规上工业总产值39.6%", "（一）主要目标 2"),
        _g("high-tech-certified", "新增高新技术企业数（家）", 150, "全年新增高新技术企业数150家（含到期重新申报）",
           "（一）主要目标 3"),
        _g("high-tech-enterprises", "高企总数（家）", 460, "全年高企总数累计突破460家", "（一）主要目标 3"),
        _g("carriers-approved-eng-center", "新认定市级以上工程技术研究中心（家）", 20,
           "新认定市级以上工程技术研究中心20家", "（一）主要目标 5"),
        _g(R.PATENT_APPLICATIONS.value, "专利申请量（件）", 15500, "全区专利申请量15500件", "（一）主要目标 6"),
        _g(R.PATENT_GRANTS.value, "专利授权量（件）", 5500, "专利授权量5500件", "（一）主要目标 6"),
        _g(R.INVENTION_PATENTS_PER_10K.value, "万人有效发明专利拥有量（件）", "32.03", "万人有效发明专利拥有量达32.03件",
           "（一）主要目标 6"),
        _g("events-held", "科技对接活动（场）", 10, "组织科技对接活动10场", "（一）主要目标 7"),
        _g("implemented-projects", "新增实施产学研合作（项）", 80, "新增实施产学研合作80项", "（一）主要目标 7"),
    ),
)

# Seed 002 一、（一）主要目标完成情况 1–3: the 2016 figures as the bureau's review reports them (上报).
WUJIN_2016_REPORTED = (
    (R.RD_GDP, "2.77", "1、全区R&D经费支出占GDP的比重为2.77%"),
    (R.HIGH_TECH_OUTPUT, "2131", "2、全年完成高新技术产业产值2131亿元"),
    (R.HIGH_TECH_OUTPUT_SHARE, "45.2", "2、占规上工业总产值45.2%"),
    (R.HIGH_TECH_INVESTMENT, "306.4", "2、完成高新技术产业投资306.4亿元"),
    (R.PATENT_APPLICATIONS, "21441", "3、全区专利申请量21441件"),
    (R.PATENT_GRANTS, "9621", "3、专利授权量9621件"),
    (R.INVENTION_PATENTS_PER_10K, "30.52", "3、万人有效发明专利拥有量达30.52件"),
)
WUJIN_2016_SOURCE = "武进区科学技术局（年度统计）"
WUJIN_2016_DOCUMENT = "种子文件 002《2016年工作总结和2017年工作计划》一、（一）主要目标完成情况 {}"

CHANGZHOU = Spec(
    code="changzhou-2019", name="常州市深化在常高校院所与地方产业创新驱动融合发展三年行动计划（2019-2021年）",
    document_number="", issuer="常州市人民政府办公室", issued=date(2018, 12, 29), start=date(2019, 1, 1),
    end=date(2021, 12, 31),
    source=("种子文件 003：常州市人民政府办公室《常州市深化在常高校院所与地方产业创新驱动融合发展三年行动计划"
            "（2019-2021年）》（2018年12月29日印发，未印文号），二、主要目标；市科技局牵头（四、保障措施 1）。"),
    owner="cz-city", filer="常州市科学技术局", institutions=None, industries=(),
    goals=(
        _g("implemented-projects", "联合实施重大技术攻关项目（项）", 300,
           "新增在常高校院所与企业联合实施重大技术攻关项目300项以上", "二、主要目标；三、（一）2"),
        _g("project-new-investment", "新增投入（亿元）", 20, "新增投入20亿元", "二、主要目标；三、（一）2"),
        _g("project-new-sales", "新增销售（亿元）", 80, "新增销售80亿元", "二、主要目标；三、（一）2"),
        _g("project-profit-tax", "实现利税（亿元）", 15, "实现利税15亿元", "二、主要目标；三、（一）2"),
        _g("tech-vp-placements", "江苏省“双创人才”科技副总（名）", 100, "新增江苏省“双创人才”科技副总超100名",
           "二、主要目标；三、（三）1"),
        _g("industry-professor-placements", "江苏省产业教授（名）", 200, "新增江苏省产业教授200名",
           "二、主要目标；三、（三）1"),
        _g("carriers-approved-key-lab", "市级重点实验室（家）", 10, "新建市级重点实验室10家",
           "二、主要目标；三、（一）3（新增高技术重点实验室10个）"),
        _g("certified-brokers", "获资格证书的技术经纪人（人）", 200, "争取至2021年底获资格证书的经纪人达200人以上",
           "三、（二）2"),
        _g("ten-ten-universities", "“十校十所进千企”在常高校（所）", 10, "由十所在常高校……开展企业大走访", "三、（三）4"),
        _g("ten-ten-institutes", "“十校十所进千企”在常科研院所（家）", 10, "十家在常科研院所……开展企业大走访",
           "三、（三）4"),
        _g("ten-ten-enterprises", "“十校十所进千企”走访企业（家）", 1000,
           "围绕我市1000余家高新技术企业发展需求，推进“十校十所进千企”活动", "三、（三）4"),
    ),
)

SANMING = Spec(
    code="sanming-2026", name="常州市“名园名院名企”联动创新发展三年行动方案（2026—2028年）",
    document_number="常政办发〔2026〕7号", issuer="常州市人民政府办公室", issued=date(2026, 2, 3),
    start=date(2026, 1, 1), end=date(2028, 12, 31),
    source=("种子文件 004：常州市人民政府办公室《市政府办公室关于印发常州市“名园名院名企”联动创新发展三年行动方案"
            "(2026—2028年)的通知》（常政办发〔2026〕7号，2026年2月3日）。"),
    owner="cz-city", filer="常州市科学技术局",
    institutions=("常州大学", "常州工学院", "江苏理工学院", "河海大学常州校区", "南京航空航天大学天目湖校区",
                  "南京医科大学常州校区"),
    industries=("ai", "synbio", "battery", "graphene"),  # 人工智能、具身智能、合成生物、新能源、新材料（一、2）
    goals=(
        _g("events-held-chain-matching", "“百场千企”产业链融链强链对接活动（场）", 100,
           "每年开展“百场千企”产业链融链强链对接活动100场以上", "一、2", yearly=True),
        _g("signed-projects", "招引强链延链补链科技型项目（个）", 1500, "招引强链延链补链科技型项目1500个以上",
           "一、2", yearly=True),
        _g("tech-vp-placements", "市本级支持“科技副总”（名）", 600, "市本级每年支持“科技副总”600名以上", "二、8",
           yearly=True),
        _g("partner-institutions", "重点合作名院（家）", 150, "重点合作名院超150家", "一、3"),
        _g("tech-contract-amount", "在常高校技术合同登记额（万元）", 200000, "在常高校技术合同登记额超20亿元", "二、7"),
        _g("high-tech-enterprises", "高新技术企业（家）", 7000, "力争全市高新技术企业超7000家", "三、9"),
    ),
)

SPECS = (SHUANGSHI, WUJIN, CHANGZHOU, SANMING)

# Goals printed in the seeds that no indicator counts yet (slug the library lacks → number as printed).
NOT_YET = {
    "shuangshi-2016": ("重点建设武进十大产业（十大产业未列名）",),
    "wujin-2017": ("立项省级以上科技计划项目100项，争取省级以上科技经费1.5亿元", "新认定市级以上孵化器、加速器2家"),
    "changzhou-2019": ("新增高校院所与企业共建研发机构100家", "科技副总牵头承担的省级产学研合作项目50项以上"),
    "sanming-2026": ("每年新增典型应用场景100个以上（一、4）", "解决特色优势产业技术攻关需求2000项以上（二、6）",
                     "规上工业企业研发机构建有率超70%（三、10）", "每年支持人才（团队）项目不少于500个（二、8）",
                     "新增省级以上科创平台30家以上、企业研发机构200家以上（一、3）", "独角兽（潜在）企业超130家（三、9）"),
}
