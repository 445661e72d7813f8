"""What events contributes (core/plugins.py): events and intentions."""

from duijie.core.plugins import Contributions
from duijie.events.records import RECORD_TYPES

CONTRIBUTES = Contributions(record_types=RECORD_TYPES)
