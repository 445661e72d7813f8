"""What demands contributes (core/plugins.py): its record types and what they feed into matching."""

from duijie.core.plugins import Contributions
from duijie.demands.records import RECORD_TYPES
from duijie.demands.search import SEARCH

CONTRIBUTES = Contributions(record_types=RECORD_TYPES, matching=SEARCH)
