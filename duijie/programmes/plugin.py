"""What programmes contribute (core/plugins.py): programmes, their indicators and targets as record
types, and the progress pages for government roles."""

from django.utils.translation import gettext_lazy as _

from duijie.core.plugins import Contributions
from duijie.core.registry import NavLink
from duijie.core.roles import Role
from duijie.programmes.records import RECORD_TYPES

CONTRIBUTES = Contributions(
    record_types=RECORD_TYPES,
    nav_links=(NavLink(_("Programmes"), _("Programme progress"), "programmes:index",
                       roles=frozenset({Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.PARK_MANAGER}), order=89),),
)
