"""Small request helpers shared by the apps' views."""

from __future__ import annotations

from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _


def safe_next(request: HttpRequest, default: str = "home") -> str:
    """The ``next`` the request names (POST, then GET) when it points at this site, else ``default``
    (a URL or a URL name): a form's "back to" never sends the user to another host."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return default


class Outcome:
    """What :func:`service_messages` saw: ``ok`` is False when the service refused."""

    ok = True


@contextmanager
def service_messages(request: HttpRequest, success=None, *, refusals: tuple[type[Exception], ...] = (ValidationError,)):
    """Runs the block (a service call) and tells the user how it went: each message of a refusal
    (``ValidationError``, and whatever else ``refusals`` names, e.g. ``PermissionDenied``) as an error,
    else ``success`` (if any) as a success. The refusal does not propagate; the yielded
    :class:`Outcome` says whether there was one::

        with service_messages(request, _("Done.")) as outcome:
            services.run_publish(run=run, by=request.user)
        if not outcome.ok: ...
    """
    outcome = Outcome()
    try:
        yield outcome
    except refusals as exc:
        outcome.ok = False
        texts = getattr(exc, "messages", None) or [str(exc) or _("This action is not allowed.")]
        for text in texts:
            messages.error(request, text)
    else:
        if success is not None:
            messages.success(request, success)
