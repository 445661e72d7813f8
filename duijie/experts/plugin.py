"""What experts contributes (core/plugins.py): its record types and what they feed into matching."""

from duijie.core.plugins import Contributions
from duijie.experts.indicators import INDICATORS
from duijie.experts.records import RECORD_TYPES
from duijie.experts.search import SEARCH

CONTRIBUTES = Contributions(record_types=RECORD_TYPES, matching=SEARCH, indicators=INDICATORS)
