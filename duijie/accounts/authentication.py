"""API authentication with personal tokens: ``Authorization: Token <key>`` (or ``Bearer <key>``).

The request acts exactly as the token's user: same role, same data scope (the selectors see the
user, not the token)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

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
