from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "duijie.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Declares the account and audit-trail record types (core/registry.py), the token auth
        # scheme for the OpenAPI schema and the login/logout audit signal handlers.
        # deferred: app loading — registrations import models, which exist only once apps are ready
        from duijie.accounts import records, schema, signals  # noqa: F401
