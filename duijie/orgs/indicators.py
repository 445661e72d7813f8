"""Indicators counted over enterprise qualifications (contributed through plugin.py; the library,
which builds each figure from its declaration, is core/indicators.py)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duijie.core.indicators import DISTINCT, STOCK, party_location
from duijie.core.plugins import Indicator
from duijie.orgs.choices import QualificationKind

# A certificate counts where its enterprise is (region, park or assessment units): seed 002 counts the
# district's high-tech enterprises (高新技术企业总数累计突破460家).
ENTERPRISE = party_location("enterprise")
HIGH_TECH = {"record_type": "qualifications", "filters": {"kind": QualificationKind.HIGH_TECH},
             "field_name": "enterprise", "reach": ENTERPRISE, "unit": pgettext_lazy("unit of measure", "enterprises"),
             "no_institution": _("High-tech certificates belong to enterprises; an institution holds none.")}

INDICATORS = (
    Indicator(
        slug="high-tech-enterprises", label=_("High-tech enterprises (stock)"),
        documentation=_("Distinct enterprises holding a high-tech enterprise certificate valid on the period's "
                        "last day (valid from on or before it, valid to empty or on or after it); once per "
                        "enterprise; counted where the enterprise is."),
        kind=STOCK, stock_from="valid_from", stock_to="valid_to",
        source="seed 002 (高新技术企业总数累计突破460家)", **HIGH_TECH,
    ),
    Indicator(
        slug="high-tech-certified", label=_("High-tech enterprises certified"),
        documentation=_("Distinct enterprises whose high-tech enterprise certificate starts (valid from) in the "
                        "period, renewals included (含到期重新申报); once per enterprise; counted where the "
                        "enterprise is."),
        kind=DISTINCT, date_field="valid_from",
        source="seed 002 (新增高新技术企业数150家（含到期重新申报）)", **HIGH_TECH,
    ),
)
