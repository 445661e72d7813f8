"""The authentication policy: who must change their password, who needs a second factor.

Every threshold is a setting (config/settings/__init__.py, "Authentication policy"). Demo accounts
(``User.is_demo``) are exempt from forced change, rotation and the second factor, but only in a demo
deployment (``settings.DUIJIE_DEMO``); every page of such a deployment says so.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone


def is_exempt(user) -> bool:
    return bool(settings.DUIJIE_DEMO and getattr(user, "is_demo", False))


def password_expired(user) -> bool:
    """Back-office passwords older than DUIJIE_PASSWORD_MAX_AGE_DAYS must be changed (0: never)."""
    days = settings.DUIJIE_PASSWORD_MAX_AGE_DAYS
    if not days or not getattr(user, "is_back_office", False):
        return False
    changed = user.password_changed_at or user.date_joined
    return changed < timezone.now() - timedelta(days=days)


def password_change_reason(user) -> str | None:
    """"initial", "expired" or None."""
    if not user.is_authenticated or is_exempt(user):
        return None
    if user.must_change_password:
        return "initial"
    if password_expired(user):
        return "expired"
    return None


def otp_required(user) -> bool:
    return bool(user.is_authenticated and settings.DUIJIE_OTP_REQUIRED and getattr(user, "is_back_office", False)
                and not is_exempt(user))
