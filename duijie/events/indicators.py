"""Indicators counted over events and cooperation intentions (contributed through plugin.py; the
library is core/indicators.py). One ``events-held-<type>`` per event type, so a programme can set a
target on 高校走进园区 or 百场千企 alone."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duijie.core.indicators import COUNT, LOCATION
from duijie.core.plugins import Figure, Indicator, Window, count, indicator_records
from duijie.events.choices import EventStatus, EventType

EVENTS = pgettext_lazy("unit of measure", "events")


def _held(event_type: str | None):
    filters = {"status": EventStatus.HELD} | ({"event_type": event_type} if event_type else {})

    def compute(user, window: Window) -> Figure:
        return count(indicator_records("events", user, window, date_field="starts_at", filters=filters,
                                       reach=LOCATION))
    return compute


def intentions_signed(user, window: Window) -> Figure:
    return count(indicator_records("intentions", user, window, date_field="signed_on", reach=LOCATION))


INDICATORS = (
    Indicator(
        slug="events-held", label=_("Events held"),
        documentation=_("Matchmaking events marked held (已举办) that started in the period; one per event; "
                        "counted where the event is located (its region or park)."),
        unit=EVENTS, record_type="events", compute=_held(None), kind=COUNT, reach=LOCATION,
        source="seed 000 (对接活动); seed 001 annex (产学研对接活动)",
    ),
    *(Indicator(
        slug=f"events-held-{value.replace('_', '-')}", label=format_lazy("{} · {}", _("Events held"), label),
        documentation=format_lazy("{} {}", _("Matchmaking events of this type marked held (已举办) that started "
                                             "in the period; one per event; counted where the event is located."),
                                  label),
        unit=EVENTS, record_type="events", compute=_held(value), kind=COUNT, reach=LOCATION,
        source="seed 000/001 (活动类型)",
    ) for value, label in EventType.choices),
    Indicator(
        slug="intentions-signed", label=_("Cooperation intentions signed"),
        documentation=_("Cooperation intentions (合作意向) whose signing date lies in the period; one per "
                        "intention; counted where the intention is located (its region or park)."),
        unit=pgettext_lazy("unit of measure", "intentions"), record_type="intentions",
        compute=intentions_signed, kind=COUNT, reach=LOCATION, source="seed 000 (达成合作意向)",
    ),
)
