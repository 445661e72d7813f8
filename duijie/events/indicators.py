"""Indicators counted over events and cooperation intentions (contributed through plugin.py; the
library, which builds each figure from its declaration, is core/indicators.py). One
``events-held-<type>`` per event type, so a programme can set a target on 高校走进园区 or 百场千企 alone."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duijie.core.indicators import RECORD, party_location
from duijie.core.plugins import Indicator
from duijie.events.choices import EventStatus, EventType

EVENTS = pgettext_lazy("unit of measure", "events")
# An event counts for the 区镇 that holds it: seed 001 "各区镇…开展大院大所对接活动" and 附件3 对接活动次数
# per 区镇; seed 002 "组织科技对接活动10场". The assessment units it is filed for (the organising 区镇,
# also for an event it takes to a university elsewhere) or where it takes place.
HELD = {"record_type": "events", "date_field": "starts_at", "reach": RECORD, "unit": EVENTS,
        "institution": "organiser__institution"}  # an institution's events: those it organised

INDICATORS = (
    Indicator(
        slug="events-held", label=_("Events held"),
        documentation=_("Matchmaking events marked held (已举办) that started in the period; one per event; "
                        "counted for the assessment units the event is filed for (the organising 区镇) and "
                        "where it is located (its region or park)."),
        filters={"status": EventStatus.HELD}, source="seed 000 (对接活动); seed 001 annex (产学研对接活动)", **HELD,
    ),
    *(Indicator(
        slug=f"events-held-{value.replace('_', '-')}", label=format_lazy("{} · {}", _("Events held"), label),
        documentation=format_lazy("{} {}", _("Matchmaking events of this type marked held (已举办) that started "
                                             "in the period; one per event; counted for the assessment units it is filed "
                                             "for and where it is located."),
                                  label),
        filters={"status": EventStatus.HELD, "event_type": value}, source="seed 000/001 (活动类型)", **HELD,
    ) for value, label in EventType.choices),
    Indicator(
        slug="intentions-signed", label=_("Cooperation intentions signed"),
        documentation=_("Cooperation intentions (合作意向) whose signing date lies in the period; one per "
                        "intention; counted where the intention's enterprise is (its region, park or "
                        "assessment units)."),
        unit=pgettext_lazy("unit of measure", "intentions"), record_type="intentions", date_field="signed_on",
        # Where the enterprise is: seed 002 counts the district's enterprises' intentions (组织企业参加…
        # 签订合作意向项目237项); every intention names its enterprise.
        reach=party_location("enterprise"), institution="institution", source="seed 000 (达成合作意向)",
    ),
)
