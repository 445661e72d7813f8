"""Indicators counted over innovation carriers (contributed through plugin.py; the library, which
builds each figure from its declaration, is core/indicators.py). One ``carriers-approved-<kind>``
per carrier kind; the level is a filter a programme target names through the kind's indicator and a
breakdown (not yet built)."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duijie.core.indicators import LOCATION
from duijie.core.plugins import Indicator
from duijie.supply.choices import CarrierKind

# A carrier counts where it is built (its region or park): seed 001 附件2/3 载体建设（个） per 区镇, "协调各区镇建设
# 载体"; a carrier is placed in the 区镇 that hosts it whoever its 依托单位 is.
APPROVED = {"record_type": "carriers", "date_field": "approval_date", "reach": LOCATION,
            "unit": pgettext_lazy("unit of measure", "carriers"),
            "institution": "host__institution"}  # the institution the carrier relies on (依托单位)

INDICATORS = (
    Indicator(
        slug="carriers-approved", label=_("Innovation carriers approved"),
        documentation=_("Innovation carriers (any kind, any level) whose approval date lies in the period; one "
                        "per carrier; counted where the carrier is located (its region or park)."),
        source="seed 001 annex (载体建设（个）)", **APPROVED,
    ),
    *(Indicator(
        slug=f"carriers-approved-{value.replace('_', '-')}",
        label=format_lazy("{} · {}", _("Innovation carriers approved"), label),
        documentation=format_lazy("{} {}", _("Innovation carriers of this kind (any level) whose approval date "
                                             "lies in the period; one per carrier; counted where the carrier "
                                             "is located."), label),
        filters={"kind": value}, source="seed 001/002/003 (载体)", **APPROVED,
    ) for value, label in CarrierKind.choices),
)
