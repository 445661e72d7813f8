"""Session lifetime, forced password change, second factor and no-store, as middleware.

Order (config/settings): after AuthenticationMiddleware and django-otp's OTPMiddleware.
Requests authenticated by DRF (token, Basic) carry no session user here: for them the API's own
authentication and permissions apply.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django_otp import user_has_device

from duijie.accounts import policy

LOGIN_AT = "duijie_login_at"
LAST_SEEN = "duijie_last_seen"
LOGOUT_REASON = "duijie_logout_reason"
LAST_SEEN_GRANULARITY = 30  # seconds

# Pages a user who still owes a password change or a second factor may reach.
ALWAYS_ALLOWED = ("/static/", "/i18n/", "/healthz", "/favicon.ico", "/accounts/logout/", "/api/openapi.json",
                  "/api/docs/")


def now() -> float:
    return timezone.now().timestamp()  # timezone.now, so that time-travel tests move it


class SessionLifetimeMiddleware:
    """Ends a session after DUIJIE_SESSION_IDLE_MINUTES without a request, and in any case
    DUIJIE_SESSION_MAX_HOURS after the login (absolute lifetime). Ending it logs the user out,
    which deletes the session from the store."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            t = now()
            login_at = request.session.get(LOGIN_AT)
            last = request.session.get(LAST_SEEN, login_at)
            reason = None
            if login_at is None:
                request.session[LOGIN_AT] = t  # a session from before this policy: start counting now
            elif t - login_at > settings.DUIJIE_SESSION_MAX_HOURS * 3600:
                reason = "absolute"
            elif last is not None and t - last > settings.DUIJIE_SESSION_IDLE_MINUTES * 60:
                reason = "idle"
            if reason:
                request.duijie_logout_reason = reason
                logout(request)
                request.session[LOGOUT_REASON] = reason
                if request.path_info.startswith("/api/"):
                    return JsonResponse({"detail": _("Your session has expired. Log in again.")}, status=401)
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if last is None or t - last >= LAST_SEEN_GRANULARITY:  # spare a session write per request
                request.session[LAST_SEEN] = t
        return self.get_response(request)


class AuthPolicyMiddleware:
    """A back-office user completes the second factor (enrolling a TOTP device first if they have
    none), then a user who must change their password (initial password set by someone else, or a
    back-office password past its maximum age) changes it, before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path_info.startswith(ALWAYS_ALLOWED):
            return self.get_response(request)
        path = request.path_info
        target = None
        if policy.otp_required(user) and not user.is_verified():
            target = reverse("otp-verify") if user_has_device(user, confirmed=True) else reverse("otp-setup")
        elif policy.password_change_reason(user):
            target = reverse("password-change")
        if target is None or path == target:
            return self.get_response(request)
        if path.startswith("/api/"):
            return JsonResponse({"detail": _("Complete the login in the browser first (second factor or "
                                             "password change).")}, status=403)
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}" if request.method == "GET" else target)


class NoStoreMiddleware:
    """Pages and API answers for a logged-in user may hold personal data: browsers and proxies
    must not keep them (Cache-Control: no-store)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or getattr(request, "_duijie_no_store", False):
            if not request.path_info.startswith("/static/"):
                patch_cache_control(response, no_store=True, private=True, max_age=0)
        return response


def mark_login(request) -> None:
    request.session[LOGIN_AT] = request.session[LAST_SEEN] = now()


