from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplyConfig(AppConfig):
    name = "duijie.supply"
    label = "supply"
    verbose_name = _("Supply")

    def ready(self) -> None:
        # Declares this app's record types (core/registry.py).
        # deferred: app loading — registrations import models, which exist only once apps are ready
        from duijie.supply import records  # noqa: F401
