"""What the innovation app contributes (core/plugins.py): the innovation score and enterprise tier
pages in the navigation (the tiers themselves and the 小升高 indicator are orgs', over its records)."""

from django.utils.translation import gettext_lazy as _

from duijie.core.plugins import Contributions
from duijie.core.registry import NavLink
from duijie.core.roles import GOVERNMENT_ROLES, Role

CONTRIBUTES = Contributions(
    nav_links=(NavLink(_("Awards"), _("Innovation score (创新积分)"), "innovation:index",
                       roles=frozenset({Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.PARK_MANAGER, Role.ENTERPRISE}),
                       order=100),
               NavLink(_("Awards"), _("Enterprise tiers (梯度培育)"), "innovation:tiers",
                       roles=frozenset(GOVERNMENT_ROLES), order=101)),
)
