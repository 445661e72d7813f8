from django.conf import settings


def auth_policy(request):
    return {
        "LOCKOUT_FAILURES": settings.DUIJIE_LOCKOUT_FAILURES,
        "LOCKOUT_MINUTES": settings.DUIJIE_LOCKOUT_MINUTES,
        "PASSWORD_MAX_AGE_DAYS": settings.DUIJIE_PASSWORD_MAX_AGE_DAYS,
    }
