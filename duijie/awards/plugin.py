"""What the awards app contributes (core/plugins.py): schemes, rule versions, applications, rounds,
lines and payout lists as record types, and the indicator of registered contracts it reads."""

from duijie.awards.indicators import INDICATORS
from duijie.awards.records import RECORD_TYPES
from duijie.core.plugins import Contributions

CONTRIBUTES = Contributions(record_types=RECORD_TYPES, indicators=INDICATORS)
