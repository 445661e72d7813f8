"""The workplace (工作台): every role's home page, and its recommendations loaded after it by htmx."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from duijie.core import selectors as core_selectors
from duijie.core.access import unit_reach_memo
from duijie.core.registry import REGISTRY
from duijie.core.roles import GOVERNMENT_ROLES, PLATFORM_ADMIN_ROLES, Role
from duijie.workplace import recommendations, selectors

# Buttons at the top of the home: (label, record type to create, or URL name; roles).
ACTIONS = (
    (_("Publish a demand"), "demands", {Role.ENTERPRISE, *GOVERNMENT_ROLES}),
    (_("Add an achievement"), "achievements", {Role.INSTITUTION, *GOVERNMENT_ROLES}),
    (_("Plan an event"), "events", set(GOVERNMENT_ROLES)),
    (_("Record a cooperation project"), "projects", {Role.ENTERPRISE, Role.INSTITUTION, Role.BROKER,
                                                     *GOVERNMENT_ROLES}),
)
FIGURE_ROLES = {Role.INSTITUTION, *GOVERNMENT_ROLES}
FIGURES_CACHE_SECONDS = 300
RECOMMENDING_ROLES = {Role.ENTERPRISE, Role.INSTITUTION, Role.EXPERT, Role.BROKER, *GOVERNMENT_ROLES}


def _actions(user) -> list[dict]:
    out = []
    for label, slug, roles in ACTIONS:
        rt = REGISTRY.get(slug)
        if user.role in roles and rt is not None and core_selectors.can_create(user, rt):
            out.append({"label": label, "url": rt.url("add")})
    if user.role == Role.EXPERT:
        out.append({"label": _("My expert profile"), "url": reverse("experts:me")})
    return out


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    with unit_reach_memo():  # a district's reach is read once for all the sections
        todos, mine = selectors.todos(user, today), selectors.mine(user, today)
    return render(request, "workplace/home.html", {
        "today": today,
        "todos": todos,
        "mine": mine,
        "figures_shown": user.role in FIGURE_ROLES,
        "actions": _actions(user),
        "recommends": user.role in RECOMMENDING_ROLES,
        "government": user.role in GOVERNMENT_ROLES,
        "platform_admin": user.role in PLATFORM_ADMIN_ROLES,
    })


@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    """The programme figures of the home, loaded after it (each target's figure is counted by its
    indicator) and kept per user and language for ``FIGURES_CACHE_SECONDS``."""
    user = request.user
    if user.role not in FIGURE_ROLES:
        return HttpResponse("")
    today = timezone.localdate()
    key = f"workplace:figures:{user.pk}:{get_language()}:{today.isoformat()}"
    html = cache.get(key)
    if html is None:
        with unit_reach_memo():
            rows = selectors.figures(user, today)
        html = render_to_string("workplace/partials/figures.html", {"figures": rows}, request=request)
        cache.set(key, html, FIGURES_CACHE_SECONDS)
    return HttpResponse(html)


@require_GET
def recommended(request: HttpRequest) -> HttpResponse:
    blocks = recommendations.for_user(request.user) if request.user.role in RECOMMENDING_ROLES else []
    return render(request, "workplace/partials/recommendations.html", {"blocks": blocks})
