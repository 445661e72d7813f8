"""Audit of authentication: login, logout and failed login (with the reason), each with the
client IP. Failed attempts are written in their own transaction (core.audit.audit_failure)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from duijie.accounts.middleware import mark_login
from duijie.accounts.models import User
from duijie.core.audit import audit, audit_failure
from duijie.core.choices import AuditAction


def _via(request) -> str:
    path = getattr(request, "path_info", "") or ""
    return "api" if path.startswith("/api/") else "web"


@receiver(user_logged_in, dispatch_uid="duijie-audit-login")
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        mark_login(request)
    audit(user=user, action=AuditAction.LOGIN, obj=user, request=request, detail={"via": _via(request)})


@receiver(user_logged_out, dispatch_uid="duijie-audit-logout")
def on_logout(sender, request, user, **kwargs):
    if user is None:
        return
    reason = getattr(request, "duijie_logout_reason", "") or "user"
    audit(user=user, action=AuditAction.LOGOUT, obj=user, request=request, detail={"reason": reason})


@receiver(user_login_failed, dispatch_uid="duijie-audit-login-failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    user = User.objects.filter(username=username).first() if username else None
    if request is not None and getattr(request, "duijie_refused_locked", False):
        reason = "locked"
    elif user is None:
        reason = "unknown_user"
    elif not user.is_active:
        reason = "inactive"
    else:
        reason = "bad_password"
    detail = {"username": username, "reason": reason, "via": _via(request)}
    if reason != "locked" and request is not None and getattr(request, "axes_locked_out", False):
        detail["locked_now"] = True  # this failure reached the limit
    audit_failure(user=None, action=AuditAction.LOGIN_FAILED, object_type="accounts.user",
                  object_id=user.pk if user else "", object_repr=username, request=request,
                  detail=detail)
