from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "duijie.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from duijie.accounts import schema, signals  # noqa: F401
