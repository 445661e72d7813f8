"""What core contributes (core/plugins.py): the reference data and scope record types."""

from duijie.core.plugins import Contributions
from duijie.core.records import RECORD_TYPES

CONTRIBUTES = Contributions(record_types=RECORD_TYPES)
