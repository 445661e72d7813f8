"""What the innovation app contributes (core/plugins.py): the innovation score page in the navigation."""

from django.utils.translation import gettext_lazy as _

from duijie.core.plugins import Contributions
from duijie.core.registry import NavLink
from duijie.core.roles import Role

CONTRIBUTES = Contributions(
    nav_links=(NavLink(_("Awards"), _("Innovation score (创新积分)"), "innovation:index",
                       roles=frozenset({Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.PARK_MANAGER, Role.ENTERPRISE}),
                       order=100),),
)
