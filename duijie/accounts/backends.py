from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' backend, marking the request when it refused a locked account (so the audit
    tells "refused: locked" from "wrong password, which locked the account")."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            if request is not None:
                request.duijie_refused_locked = True
            raise
