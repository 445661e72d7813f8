"""What orgs contributes (core/plugins.py): its record types and what they feed into matching."""

from duijie.core.plugins import Contributions
from duijie.orgs.indicators import INDICATORS
from duijie.orgs.records import RECORD_TYPES
from duijie.orgs.search import SEARCH

CONTRIBUTES = Contributions(record_types=RECORD_TYPES, matching=SEARCH, indicators=INDICATORS)
