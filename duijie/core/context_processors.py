from __future__ import annotations

from django.conf import settings

from duijie.core.roles import Role


def navigation(request):
    """What every page's frame needs from core (the menu itself is the workplace's, by role)."""
    # Role: templates compare ``user.role == Role.EXPERT``, never a raw role string.
    return {"DUIJIE_DEMO": settings.DUIJIE_DEMO, "Role": Role}
