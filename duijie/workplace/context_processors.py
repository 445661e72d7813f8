from __future__ import annotations

from duijie.workplace.menu import menus_for


def navigation(request):
    """The user's main menu (``workplace.menu``): only what their role can use."""
    return {"nav_menus": menus_for(getattr(request, "user", None))}
