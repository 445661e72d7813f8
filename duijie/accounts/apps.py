from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "duijie.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # The token auth scheme for the OpenAPI schema and the login/logout audit signal handlers
        # (record types: plugin.py, collected by core/plugins.py).
        # deferred: app loading — registrations import models, which exist only once apps are ready
        from duijie.accounts import schema, signals  # noqa: F401
