"""What accounts contributes (core/plugins.py): the account and audit-trail record types."""

from duijie.accounts.records import RECORD_TYPES
from duijie.core.plugins import Contributions

CONTRIBUTES = Contributions(record_types=RECORD_TYPES)
