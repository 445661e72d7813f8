from django.conf import settings

from duijie.accounts import policy


def auth_policy(request):
    user = getattr(request, "user", None)
    pending = bool(user is not None and user.is_authenticated and (
        (policy.otp_required(user) and not getattr(user, "is_verified", lambda: False)())
        or policy.password_change_reason(user)))
    return {
        # the login is not complete yet (second factor or password change owed): no navigation
        "AUTH_PENDING": pending,
        "LOCKOUT_FAILURES": settings.DUIJIE_LOCKOUT_FAILURES,
        "LOCKOUT_MINUTES": settings.DUIJIE_LOCKOUT_MINUTES,
        "PASSWORD_MAX_AGE_DAYS": settings.DUIJIE_PASSWORD_MAX_AGE_DAYS,
    }
