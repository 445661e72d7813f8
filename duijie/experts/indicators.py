"""Indicators counted over experts' roles (contributed through plugin.py; the library, which builds
each figure from its declaration, is core/indicators.py)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duijie.core.indicators import STOCK, Reach
from duijie.core.plugins import Indicator
from duijie.experts.choices import ExpertRoleKind

# A broker counts where the expert's record is (region, park or assessment units): seed 001 technology
# brokers serve the 区镇 they are registered in.
EXPERT = Reach("any", via="expert")

INDICATORS = (
    Indicator(
        slug="certified-brokers", label=_("Certified technology brokers"),
        documentation=_("Distinct experts holding a technology broker (技术经纪人) role on the period's last day "
                        "(a start filed on or before it, no end or an end on or after it); once per expert; "
                        "counted where the expert's record is."),
        unit=pgettext_lazy("unit of measure", "people"), record_type="expert-roles", kind=STOCK,
        stock_from="start", stock_to="end", filters={"kind": ExpertRoleKind.BROKER}, field_name="expert",
        reach=EXPERT, institution="expert__institution", source="seed 001 (技术经纪人)",
    ),
)
