"""Small request helpers shared by the apps' views."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str = "home") -> str:
    """The ``next`` the request names (POST, then GET) when it points at this site, else ``default``
    (a URL or a URL name): a form's "back to" never sends the user to another host."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return default
