"""Indicators counted over enterprise qualifications (contributed through plugin.py; the library is
core/indicators.py)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duijie.core.indicators import DISTINCT, STOCK, party_location, stock_records
from duijie.core.plugins import Figure, Indicator, Window, distinct, indicator_records
from duijie.orgs.choices import QualificationKind

ENTERPRISE = party_location("enterprise")  # a certificate counts where its enterprise is
HIGH_TECH = {"kind": QualificationKind.HIGH_TECH}
ENTERPRISES = pgettext_lazy("unit of measure", "enterprises")


def high_tech_enterprises(user, window: Window) -> Figure:
    return distinct(stock_records("qualifications", user, window, from_field="valid_from", to_field="valid_to",
                                  filters=HIGH_TECH, reach=ENTERPRISE), "enterprise")


def high_tech_certified(user, window: Window) -> Figure:
    return distinct(indicator_records("qualifications", user, window, date_field="valid_from",
                                      filters=HIGH_TECH, reach=ENTERPRISE), "enterprise")


INDICATORS = (
    Indicator(
        slug="high-tech-enterprises", label=_("High-tech enterprises (stock)"),
        documentation=_("Distinct enterprises holding a high-tech enterprise certificate valid on the period's "
                        "last day (valid from on or before it, valid to empty or on or after it); once per "
                        "enterprise; counted where the enterprise is."),
        unit=ENTERPRISES, record_type="qualifications", compute=high_tech_enterprises, kind=STOCK,
        reach=ENTERPRISE, source="seed 002 (高新技术企业总数累计突破460家)",
    ),
    Indicator(
        slug="high-tech-certified", label=_("High-tech enterprises certified"),
        documentation=_("Distinct enterprises whose high-tech enterprise certificate starts (valid from) in the "
                        "period, renewals included (含到期重新申报); once per enterprise; counted where the "
                        "enterprise is."),
        unit=ENTERPRISES, record_type="qualifications", compute=high_tech_certified, kind=DISTINCT,
        reach=ENTERPRISE, source="seed 002 (新增高新技术企业数150家（含到期重新申报）)",
    ),
)
