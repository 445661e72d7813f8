"""What core contributes (core/plugins.py): the reference data and scope record types, the
reported figures (上报数) and their indicators."""

from duijie.core.plugins import Contributions
from duijie.core.records import RECORD_TYPES
from duijie.core.reported import INDICATORS

CONTRIBUTES = Contributions(record_types=RECORD_TYPES, indicators=INDICATORS)
