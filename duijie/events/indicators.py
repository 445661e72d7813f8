"""Indicators counted over events (contributed through plugin.py; core/plugins.py)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duijie.core.plugins import Figure, Indicator, Window, count, indicator_records
from duijie.events.choices import EventStatus


def events_held(user, window: Window) -> Figure:
    """Events marked held whose start lies in the window, among those the user may see."""
    return count(indicator_records("events", user, window, date_field="starts_at",
                                   filters={"status": EventStatus.HELD}))


INDICATORS = (
    Indicator(
        slug="events-held", label=_("Events held"),
        documentation=_("Matchmaking events marked held (已举办) that started in the period; one per event."),
        unit=pgettext_lazy("unit of measure", "events"), record_type="events", compute=events_held,
    ),
)
