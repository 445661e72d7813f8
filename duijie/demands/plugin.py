"""What demands contributes (core/plugins.py): its record types and what they feed into matching."""

from duijie.core.plugins import Contributions, DailyJob
from duijie.demands.records import RECORD_TYPES
from duijie.demands.search import SEARCH
from duijie.demands.services import demands_close_expired

CONTRIBUTES = Contributions(record_types=RECORD_TYPES, matching=SEARCH,
                            daily_jobs=(DailyJob("demands_close_expired", demands_close_expired),))
