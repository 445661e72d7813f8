from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' backend, marking the request when it refused a locked account (so the audit
    tells "refused: locked" from "wrong password, which locked the account")."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            # Every web path (login form, DRF Basic) passes the request; only code such as the test
            # client's login() calls without one. axes would raise; let the next backend decide.
            return None
        try:
            return super().authenticate(request, username=username, password=password, **kwargs)
        except AxesBackendPermissionDenied:
            if request is not None:
                request.duijie_refused_locked = True
            raise
