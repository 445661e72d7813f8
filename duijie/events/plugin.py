"""What events contributes (core/plugins.py): events and intentions, and the events-held indicator."""

from duijie.core.plugins import Contributions, DailyJob
from duijie.events.indicators import INDICATORS
from duijie.events.records import RECORD_TYPES
from duijie.events.services.lifecycle import events_mark_held

CONTRIBUTES = Contributions(record_types=RECORD_TYPES, indicators=INDICATORS,
                            daily_jobs=(DailyJob("events_mark_held", events_mark_held),))
