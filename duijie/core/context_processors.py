from __future__ import annotations

from django.conf import settings

from duijie.core.registry import REGISTRY


def navigation(request):
    groups: dict[str, list] = {}
    for rt in sorted(REGISTRY.values(), key=lambda r: r.order):
        groups.setdefault(str(rt.group), []).append(rt)
    return {"nav_groups": groups, "DUIJIE_DEMO": settings.DUIJIE_DEMO}
