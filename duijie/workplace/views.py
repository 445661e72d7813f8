"""The workplace (工作台): every role's home page, and its recommendations loaded after it by htmx."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from duijie.core import selectors as core_selectors
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
    return render(request, "workplace/home.html", {
        "today": today,
        "todos": selectors.todos(user, today),
        "mine": selectors.mine(user, today),
        "figures": selectors.figures(user, today),
        "actions": _actions(user),
        "recommends": user.role in RECOMMENDING_ROLES,
        "government": user.role in GOVERNMENT_ROLES,
        "platform_admin": user.role in PLATFORM_ADMIN_ROLES,
    })


@require_GET
def recommended(request: HttpRequest) -> HttpResponse:
    blocks = recommendations.for_user(request.user) if request.user.role in RECOMMENDING_ROLES else []
    return render(request, "workplace/partials/recommendations.html", {"blocks": blocks})
