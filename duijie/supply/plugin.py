"""What supply contributes (core/plugins.py): its record types and what they feed into matching."""

from duijie.core.plugins import Contributions
from duijie.supply.indicators import INDICATORS
from duijie.supply.records import RECORD_TYPES
from duijie.supply.search import SEARCH

CONTRIBUTES = Contributions(record_types=RECORD_TYPES, matching=SEARCH, indicators=INDICATORS)
