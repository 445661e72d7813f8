"""Indicators counted over cooperation projects, their yearly outcomes and technology contracts
(contributed through plugin.py; the library, which builds each figure from its declaration, is
core/indicators.py)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duijie.core.indicators import DISTINCT, LOCATION, SUM, party_location
from duijie.core.plugins import Indicator

# Reach. A cooperation project counts for the 区镇 where its enterprise is: seed 001 has each 区镇
# "推动产业领军企业与大院大所合作" and assesses 校企合作项目数 per 区镇 (附件3), seed 000/002 count the
# district's enterprises' projects (新增实施产学研项目90项). The enterprise's region, park or assessment
# units; a project with no enterprise on file falls back to its own place and assessment units.
PROJECT = party_location("enterprises", fallback="")
OUTCOME = party_location("project__enterprises", fallback="project")  # an outcome counts where its project does
YI = 100_000_000  # yuan in one 亿元
WAN = 10_000  # yuan in one 万元
PROJECTS = pgettext_lazy("unit of measure", "projects")
YI_YUAN = pgettext_lazy("unit of measure", "100 million yuan")
WAN_YUAN = pgettext_lazy("unit of measure", "10 thousand yuan")
OUTCOMES = {"record_type": "project-outcomes", "year_field": "year", "kind": SUM, "reach": OUTCOME,
            "unit": YI_YUAN, "scale": YI,
            "institution": "project__institutions"}  # an institution's outcomes: those of its projects
# A technology contract counts where it is filed (its region or park): seed 001 names 技术合同 and
# 技术合同成交额 without a party; the contract is registered (技术合同登记) at the place it records.
CONTRACTS = {"record_type": "tech-contracts", "date_field": "signed_on", "reach": LOCATION,
             "institution": "institution"}  # the institution selling the technology (卖方)

INDICATORS = (
    Indicator(
        slug="signed-projects", label=_("Signed cooperation projects"),
        documentation=_("Cooperation projects whose signing date (签约日期) lies in the period, whatever "
                        "their stage now; one per project; a project counts for the unit where its "
                        "enterprise is (the enterprise's region, park or assessment units; a project with no "
                        "enterprise on file: its own)."),
        unit=PROJECTS, record_type="projects", date_field="signed_on", reach=PROJECT, institution="institutions",
        source="seed 000 (签约项目); seed 001 annex (签约合作项目)",
    ),
    Indicator(
        slug="implemented-projects", label=_("Cooperation projects started"),
        documentation=_("Cooperation projects whose implementation start (实施开始) lies in the period; "
                        "one per project; counted where its enterprise is (a project with no enterprise on "
                        "file: where it is)."),
        unit=PROJECTS, record_type="projects", date_field="implementation_on", reach=PROJECT,
        institution="institutions",
        source="seed 003 (联合实施重大技术攻关项目300项以上)",
    ),
    Indicator(
        slug="project-new-investment", label=_("New investment of cooperation projects"),
        documentation=_("Sum of the new investment (新增投入) filed in the yearly outcomes of cooperation "
                        "projects for the years the period touches; one amount per project and year; "
                        "stored in yuan, shown in 亿元; counted where the project's enterprise is (no "
                        "enterprise on file: where the project is)."),
        field_name="new_investment", source="seed 003 (新增投入20亿元)", **OUTCOMES,
    ),
    Indicator(
        slug="project-new-sales", label=_("New sales of cooperation projects"),
        documentation=_("Sum of the new sales (新增销售) filed in the yearly outcomes of cooperation "
                        "projects for the years the period touches; one amount per project and year; "
                        "stored in yuan, shown in 亿元; counted where the project's enterprise is (no "
                        "enterprise on file: where the project is)."),
        field_name="new_sales", source="seed 003 (新增销售80亿元)", **OUTCOMES,
    ),
    Indicator(
        slug="project-profit-tax", label=_("Profit and tax of cooperation projects"),
        documentation=_("Sum of the profit and tax (利税) filed in the yearly outcomes of cooperation "
                        "projects for the years the period touches; one amount per project and year; "
                        "stored in yuan, shown in 亿元; counted where the project's enterprise is (no "
                        "enterprise on file: where the project is)."),
        field_name="profit_tax", source="seed 003 (实现利税15亿元)", **OUTCOMES,
    ),
    Indicator(
        slug="tech-contracts-signed", label=_("Technology contracts signed"),
        documentation=_("Technology contracts whose signing date lies in the period; one per contract; "
                        "counted where the contract is located (its region or park)."),
        unit=pgettext_lazy("unit of measure", "contracts"), source="seed 001 (技术合同)", **CONTRACTS,
    ),
    Indicator(
        slug="tech-contract-amount", label=_("Technology contract amount"),
        documentation=_("Sum of the contract amounts of technology contracts signed in the period; "
                        "stored in yuan, shown in 万元; counted where the contract is located."),
        unit=WAN_YUAN, kind=SUM, field_name="amount", scale=WAN, source="seed 001 (技术合同成交额)", **CONTRACTS,
    ),
    Indicator(
        slug="partner-institutions", label=_("Partner institutions"),
        documentation=_("Distinct universities and institutes named in cooperation projects signed in the "
                        "period; once per institution, however many projects; the projects are the "
                        "drill-down; counted where the project's enterprise is (no enterprise on file: where "
                        "the project is)."),
        unit=pgettext_lazy("unit of measure", "institutions"), record_type="projects", date_field="signed_on",
        kind=DISTINCT, field_name="institutions", reach=PROJECT, source="seed 001 (合作大院大所)",
        no_institution=_("An institution is not its own partner institution; count its signed projects instead."),
    ),
)


INDICATORS += (
    Indicator(
        slug="tech-contracts-registered", label=_("Registered technology contract amount"),
        documentation=_("Sum of the amounts of technology contracts whose registration date (认定登记日期) "
                        "lies in the period and that carry a registration number; the contracts are the "
                        "drill-down; stored in yuan, shown in 万元; counted where the contract is located."),
        unit=WAN_YUAN, kind=SUM, field_name="amount", scale=WAN,
        source="seed 003 (技术合同认定登记; 按技术合同实际成交额的2%左右给予奖补; the awards app reads it)",
        **CONTRACTS | {"date_field": "registered_on", "filters": {"registration_number__gt": ""}},
    ),
)
