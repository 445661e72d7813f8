"""What events contributes (core/plugins.py): events and intentions, and the events-held indicator."""

from duijie.core.plugins import Contributions
from duijie.events.indicators import INDICATORS
from duijie.events.records import RECORD_TYPES

CONTRIBUTES = Contributions(record_types=RECORD_TYPES, indicators=INDICATORS)
