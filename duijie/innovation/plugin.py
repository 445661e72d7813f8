"""What the innovation app contributes (core/plugins.py): the innovation score and enterprise tier
pages in the navigation, and the 小升高 indicator."""

from django.utils.translation import gettext_lazy as _

from duijie.core.plugins import Contributions
from duijie.core.registry import NavLink
from duijie.core.roles import GOVERNMENT_ROLES, Role
from duijie.innovation.indicators import INDICATORS

CONTRIBUTES = Contributions(
    nav_links=(NavLink(_("Awards"), _("Innovation score (创新积分)"), "innovation:index",
                       roles=frozenset({Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.PARK_MANAGER, Role.ENTERPRISE}),
                       order=100),
               NavLink(_("Awards"), _("Enterprise tiers (梯度培育)"), "innovation:tiers",
                       roles=frozenset(GOVERNMENT_ROLES), order=101)),
    indicators=INDICATORS,
)
