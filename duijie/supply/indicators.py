"""Indicators counted over innovation carriers (contributed through plugin.py; the library is
core/indicators.py). One ``carriers-approved-<kind>`` per carrier kind; the level is a filter a
programme target names through the kind's indicator and a breakdown (not yet built)."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duijie.core.indicators import COUNT, LOCATION
from duijie.core.plugins import Figure, Indicator, Window, count, indicator_records
from duijie.supply.choices import CarrierKind

CARRIERS = pgettext_lazy("unit of measure", "carriers")


def _approved(kind: str | None):
    filters = {"kind": kind} if kind else {}

    def compute(user, window: Window) -> Figure:
        return count(indicator_records("carriers", user, window, date_field="approval_date", filters=filters,
                                       reach=LOCATION))
    return compute


INDICATORS = (
    Indicator(
        slug="carriers-approved", label=_("Innovation carriers approved"),
        documentation=_("Innovation carriers (any kind, any level) whose approval date lies in the period; one "
                        "per carrier; counted where the carrier is located (its region or park)."),
        unit=CARRIERS, record_type="carriers", compute=_approved(None), kind=COUNT, reach=LOCATION,
        source="seed 001 annex (载体建设（个）)",
    ),
    *(Indicator(
        slug=f"carriers-approved-{value.replace('_', '-')}",
        label=format_lazy("{} · {}", _("Innovation carriers approved"), label),
        documentation=format_lazy("{} {}", _("Innovation carriers of this kind (any level) whose approval date "
                                             "lies in the period; one per carrier; counted where the carrier "
                                             "is located."), label),
        unit=CARRIERS, record_type="carriers", compute=_approved(value), kind=COUNT, reach=LOCATION,
        source="seed 001/002/003 (载体)",
    ) for value, label in CarrierKind.choices),
)
