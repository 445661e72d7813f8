"""What the awards app contributes (core/plugins.py): schemes, rule versions, applications, rounds,
lines and payout lists as record types, the awards page, and the indicator of registered contracts
it reads."""

from django.utils.translation import gettext_lazy as _

from duijie.awards.indicators import INDICATORS
from duijie.awards.records import GROUP, RECORD_TYPES
from duijie.core.plugins import Contributions
from duijie.core.registry import NavLink
from duijie.core.roles import Role

CONTRIBUTES = Contributions(
    record_types=RECORD_TYPES, indicators=INDICATORS,
    nav_links=(NavLink(GROUP, _("Awards and payouts"), "awards:index",
                       roles=frozenset({Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.PARK_MANAGER, Role.ENTERPRISE,
                                        Role.INSTITUTION, Role.EXPERT}), order=99),),
)
