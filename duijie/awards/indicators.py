"""Indicators the award schemes read (contributed through plugin.py; the library is core/indicators.py).

The year's registered technology contracts are the candidates of the 2% transfer reward (seed 003):
counted by their registration date (认定登记日期), not the signing date the cooperation app's
``tech-contract-amount`` uses, so a contract signed in December and registered in January is
rewarded in the year it was registered."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duijie.core.indicators import LOCATION, SUM
from duijie.core.plugins import Figure, Indicator, Window, indicator_records, total

WAN = 10_000


def registered_contract_amount(user, window: Window) -> Figure:
    records = indicator_records("tech-contracts", user, window, date_field="registered_on", reach=LOCATION,
                                filters={"registration_number__gt": ""})
    return total(records, "amount")


INDICATORS = (
    Indicator(
        slug="tech-contracts-registered", label=_("Registered technology contract amount"),
        documentation=_("Sum of the amounts of technology contracts whose registration date (认定登记日期) "
                        "lies in the period and that carry a registration number; the contracts are the "
                        "drill-down; stored in yuan, shown in 万元; counted where the contract is located."),
        unit=pgettext_lazy("unit of measure", "10 thousand yuan"), record_type="tech-contracts",
        compute=registered_contract_amount, kind=SUM, reach=LOCATION, scale=WAN,
        source="seed 003 (技术合同认定登记; 按技术合同实际成交额的2%左右给予奖补)",
    ),
)
