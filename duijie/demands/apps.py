from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "duijie.demands"
    label = "demands"
    verbose_name = _("Demands")

    def ready(self) -> None:
        # Declares this app's record types (core/registry.py).
        # deferred: app loading — registrations import models, which exist only once apps are ready
        from duijie.demands import records  # noqa: F401
