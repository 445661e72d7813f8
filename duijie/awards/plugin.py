"""What the awards app contributes (core/plugins.py): schemes, rule versions, applications, rounds,
lines and payout lists as record types, and the awards page. (The indicator of registered contracts
it reads is the cooperation app's, tech-contracts-registered.)"""

from django.utils.translation import gettext_lazy as _

from duijie.awards.records import GROUP, RECORD_TYPES
from duijie.core.plugins import Contributions
from duijie.core.registry import NavLink
from duijie.core.roles import Role

CONTRIBUTES = Contributions(
    record_types=RECORD_TYPES,
    nav_links=(NavLink(GROUP, _("Awards and payouts"), "awards:index",
                       roles=frozenset({Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.PARK_MANAGER, Role.ENTERPRISE,
                                        Role.INSTITUTION, Role.EXPERT}), order=99),),
)
