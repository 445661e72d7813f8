from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login

from duijie.core.audit import client_ip, current_ip
from duijie.core.versioning import busy_response, is_database_busy

PUBLIC_PREFIXES = ("/accounts/login/", "/onboarding/register/", "/onboarding/accept/", "/portal/", "/static/", "/i18n/", "/healthz", "/api/openapi.json", "/api/docs/",
                   "/favicon.ico")


class LoginRequiredMiddleware:
    """Login is required everywhere except the login page, static files, the OpenAPI schema and its
    docs page. ``/api/`` paths are left to DRF, which answers 401/403 (never a redirect)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if (not request.user.is_authenticated and not path.startswith("/api/")
                and not path.startswith(PUBLIC_PREFIXES)):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


class AuditContextMiddleware:
    """Makes the client IP available to audit entries written anywhere during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)


class DatabaseBusyMiddleware:
    """A write that could not get SQLite's lock within the busy timeout answers 503 with Retry-After
    (nothing was written; the client may send it again), never a 500. ``core.views.server_error``
    does the same for such an error raised outside the view (a session save)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_busy(exception):
            return busy_response(request)
        return None
