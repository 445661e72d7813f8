"""What pairings contributes (core/plugins.py): its record types and the overview page."""

from duijie.core.plugins import Contributions
from duijie.pairings.indicators import INDICATORS
from duijie.pairings.records import OVERVIEW, RECORD_TYPES

CONTRIBUTES = Contributions(record_types=RECORD_TYPES, nav_links=(OVERVIEW,), indicators=INDICATORS)
