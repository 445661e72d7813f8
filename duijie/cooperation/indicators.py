"""Indicators counted over cooperation projects, their yearly outcomes and technology contracts
(contributed through plugin.py; the library is core/indicators.py)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duijie.core.indicators import COUNT, DISTINCT, LOCATION, SUM, Reach, distinct, total
from duijie.core.plugins import Figure, Indicator, Window, count, indicator_records

PROJECT_LOCATION = Reach("location", via="project")  # an outcome counts where its project is
YI = 100_000_000  # yuan in one 亿元
WAN = 10_000  # yuan in one 万元


def signed_projects(user, window: Window) -> Figure:
    return count(indicator_records("projects", user, window, date_field="signed_on", reach=LOCATION))


def implemented_projects(user, window: Window) -> Figure:
    return count(indicator_records("projects", user, window, date_field="implementation_on", reach=LOCATION))


def _outcomes(user, window: Window):
    return indicator_records("project-outcomes", user, window, date_field=None, reach=PROJECT_LOCATION,
                             filters={"year__gte": window.start.year, "year__lte": window.end.year})


def new_investment(user, window: Window) -> Figure:
    return total(_outcomes(user, window), "new_investment")


def new_sales(user, window: Window) -> Figure:
    return total(_outcomes(user, window), "new_sales")


def profit_tax(user, window: Window) -> Figure:
    return total(_outcomes(user, window), "profit_tax")


def _contracts(user, window: Window):
    return indicator_records("tech-contracts", user, window, date_field="signed_on", reach=LOCATION)


def contracts_signed(user, window: Window) -> Figure:
    return count(_contracts(user, window))


def contract_amount(user, window: Window) -> Figure:
    return total(_contracts(user, window), "amount")


PROJECTS = pgettext_lazy("unit of measure", "projects")
YI_YUAN = pgettext_lazy("unit of measure", "100 million yuan")
WAN_YUAN = pgettext_lazy("unit of measure", "10 thousand yuan")

INDICATORS = (
    Indicator(
        slug="signed-projects", label=_("Signed cooperation projects"),
        documentation=_("Cooperation projects whose signing date (签约日期) lies in the period, whatever "
                        "their stage now; one per project; a project counts for the unit where it is "
                        "located (its region or park)."),
        unit=PROJECTS, record_type="projects", compute=signed_projects, kind=COUNT, reach=LOCATION,
        source="seed 000 (签约项目); seed 001 annex (签约合作项目)",
    ),
    Indicator(
        slug="implemented-projects", label=_("Cooperation projects started"),
        documentation=_("Cooperation projects whose implementation start (实施开始) lies in the period; "
                        "one per project; counted where the project is located."),
        unit=PROJECTS, record_type="projects", compute=implemented_projects, kind=COUNT, reach=LOCATION,
        source="seed 003 (联合实施重大技术攻关项目300项以上)",
    ),
    Indicator(
        slug="project-new-investment", label=_("New investment of cooperation projects"),
        documentation=_("Sum of the new investment (新增投入) filed in the yearly outcomes of cooperation "
                        "projects for the years the period touches; one amount per project and year; "
                        "stored in yuan, shown in 亿元; counted where the project is located."),
        unit=YI_YUAN, record_type="project-outcomes", compute=new_investment, kind=SUM,
        reach=PROJECT_LOCATION, scale=YI, source="seed 003 (新增投入20亿元)",
    ),
    Indicator(
        slug="project-new-sales", label=_("New sales of cooperation projects"),
        documentation=_("Sum of the new sales (新增销售) filed in the yearly outcomes of cooperation "
                        "projects for the years the period touches; one amount per project and year; "
                        "stored in yuan, shown in 亿元; counted where the project is located."),
        unit=YI_YUAN, record_type="project-outcomes", compute=new_sales, kind=SUM,
        reach=PROJECT_LOCATION, scale=YI, source="seed 003 (新增销售80亿元)",
    ),
    Indicator(
        slug="project-profit-tax", label=_("Profit and tax of cooperation projects"),
        documentation=_("Sum of the profit and tax (利税) filed in the yearly outcomes of cooperation "
                        "projects for the years the period touches; one amount per project and year; "
                        "stored in yuan, shown in 亿元; counted where the project is located."),
        unit=YI_YUAN, record_type="project-outcomes", compute=profit_tax, kind=SUM,
        reach=PROJECT_LOCATION, scale=YI, source="seed 003 (实现利税15亿元)",
    ),
    Indicator(
        slug="tech-contracts-signed", label=_("Technology contracts signed"),
        documentation=_("Technology contracts whose signing date lies in the period; one per contract; "
                        "counted where the contract is located (its region or park)."),
        unit=pgettext_lazy("unit of measure", "contracts"), record_type="tech-contracts",
        compute=contracts_signed, kind=COUNT, reach=LOCATION, source="seed 001 (技术合同)",
    ),
    Indicator(
        slug="tech-contract-amount", label=_("Technology contract amount"),
        documentation=_("Sum of the contract amounts of technology contracts signed in the period; "
                        "stored in yuan, shown in 万元; counted where the contract is located."),
        unit=WAN_YUAN, record_type="tech-contracts", compute=contract_amount, kind=SUM, reach=LOCATION,
        scale=WAN, source="seed 001 (技术合同成交额)",
    ),
)


def partner_institutions(user, window: Window) -> Figure:
    return distinct(indicator_records("projects", user, window, date_field="signed_on", reach=LOCATION),
                    "institutions")


INDICATORS += (
    Indicator(
        slug="partner-institutions", label=_("Partner institutions"),
        documentation=_("Distinct universities and institutes named in cooperation projects signed in the "
                        "period; once per institution, however many projects; the projects are the "
                        "drill-down; counted where the project is located."),
        unit=pgettext_lazy("unit of measure", "institutions"), record_type="projects",
        compute=partner_institutions, kind=DISTINCT, reach=LOCATION, source="seed 001 (合作大院大所)",
    ),
)


def registered_contract_amount(user, window: Window) -> Figure:
    """Contracts by their registration date (认定登记日期): the candidates of the 2% transfer reward
    (seed 003; the awards app reads it), so a contract signed in December and registered in January
    counts in the year it was registered."""
    records = indicator_records("tech-contracts", user, window, date_field="registered_on", reach=LOCATION,
                                filters={"registration_number__gt": ""})
    return total(records, "amount")


INDICATORS += (
    Indicator(
        slug="tech-contracts-registered", label=_("Registered technology contract amount"),
        documentation=_("Sum of the amounts of technology contracts whose registration date (认定登记日期) "
                        "lies in the period and that carry a registration number; the contracts are the "
                        "drill-down; stored in yuan, shown in 万元; counted where the contract is located."),
        unit=WAN_YUAN, record_type="tech-contracts", compute=registered_contract_amount, kind=SUM, reach=LOCATION,
        scale=WAN, source="seed 003 (技术合同认定登记; 按技术合同实际成交额的2%左右给予奖补)",
    ),
)
