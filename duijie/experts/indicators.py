"""Indicators counted over experts' roles (contributed through plugin.py; the library is
core/indicators.py)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duijie.core.indicators import STOCK, Reach, stock_records
from duijie.core.plugins import Figure, Indicator, Window, distinct
from duijie.experts.choices import ExpertRoleKind

EXPERT = Reach("any", via="expert")  # a role counts where the expert's record is


def certified_brokers(user, window: Window) -> Figure:
    return distinct(stock_records("expert-roles", user, window, from_field="start", to_field="end",
                                  filters={"kind": ExpertRoleKind.BROKER}, reach=EXPERT), "expert")


INDICATORS = (
    Indicator(
        slug="certified-brokers", label=_("Certified technology brokers"),
        documentation=_("Distinct experts holding a technology broker (技术经纪人) role on the period's last day "
                        "(a start filed on or before it, no end or an end on or after it); once per expert; "
                        "counted where the expert's record is."),
        unit=pgettext_lazy("unit of measure", "people"), record_type="expert-roles", compute=certified_brokers,
        kind=STOCK, reach=EXPERT, source="seed 001 (技术经纪人)",
    ),
)
