"""API authentication with personal tokens: ``Authorization: Token <key>`` (or ``Bearer <key>``).

The request acts exactly as the token's user: same role, same data scope (the selectors see the
user, not the token)."""

from __future__ import annotations

import base64
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from duijie.accounts import policy, throttling
from duijie.accounts.models import ApiToken, hash_token
from duijie.core.audit import audit_failure
from duijie.core.choices import AuditAction

KEYWORDS = {b"token", b"bearer"}
LAST_USED_GRANULARITY = timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Invalid token header."))
        try:
            key = parts[1].decode()
        except UnicodeError:
            raise AuthenticationFailed(_("Invalid token header."))
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(key)).first()
        if token is None or not token.is_usable or not token.user.is_active:
            audit_failure(user=None, action=AuditAction.LOGIN_FAILED, object_type="accounts.apitoken",
                          object_id=token.pk if token else "", object_repr=key[:8], request=request,
                          detail={"reason": "bad_token" if token is None else "revoked_or_expired", "via": "api"})
            raise AuthenticationFailed(_("Invalid, expired or revoked token."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request):
        return "Token"


class BasicAuthentication(authentication.BasicAuthentication):
    """HTTP Basic on the API, only where DUIJIE_API_BASIC_AUTH is on (off by default). A password
    cannot carry the second factor, so users who need one (``policy.otp_required``: back-office
    roles) are refused here in every settings — they use a personal API token, created after the
    full login. Failures are counted per client IP and per username in the shared cache
    (accounts/throttling.py) and further attempts refused (429) before any password is checked."""

    def authenticate(self, request):
        if not settings.DUIJIE_API_BASIC_AUTH:
            return None
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"basic":
            return None
        username = ""
        if len(parts) == 2:
            try:
                username = base64.b64decode(parts[1]).decode().partition(":")[0]
            except (TypeError, ValueError, UnicodeDecodeError):
                username = ""
        if throttling.basic_refused(request, username):
            audit_failure(user=None, action=AuditAction.LOGIN_FAILED, object_type="accounts.user",
                          object_repr=username[:150], request=request,
                          detail={"username": username[:150], "reason": "rate_limited", "via": "api"})
            raise exceptions.Throttled(detail=_("Too many failed attempts. Try again later."))
        try:
            result = super().authenticate(request)
        except exceptions.AuthenticationFailed:
            throttling.basic_failed(request, username)
            raise
        if result is not None and policy.otp_required(result[0]):
            audit_failure(user=None, action=AuditAction.LOGIN_FAILED, object_type="accounts.user",
                          object_id=result[0].pk, object_repr=username[:150], request=request,
                          detail={"username": username[:150], "reason": "second_factor_required", "via": "api"})
            raise exceptions.AuthenticationFailed(
                _("This account needs a second factor, which HTTP Basic cannot carry: use a personal API token."))
        return result
