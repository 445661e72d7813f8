from __future__ import annotations

from django.conf import settings

from duijie.core import plugins, selectors
from duijie.core.registry import REGISTRY
from duijie.core.roles import Role


def navigation(request):
    user = request.user
    groups: dict[str, list] = {}
    entries = [(rt.order, rt) for rt in REGISTRY.values() if selectors.may_list(user, rt)]
    role = getattr(user, "role", None)
    entries += [(link.order, link) for link in plugins.nav_links() if link.roles is None or role in link.roles]
    for _order, entry in sorted(entries, key=lambda e: e[0]):
        groups.setdefault(str(entry.group), []).append(entry)
    # Role: templates compare ``user.role == Role.EXPERT``, never a raw role string.
    return {"nav_groups": groups, "DUIJIE_DEMO": settings.DUIJIE_DEMO, "Role": Role}
