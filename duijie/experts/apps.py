from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    name = "duijie.experts"
    label = "experts"
    verbose_name = _("Experts")

    def ready(self) -> None:
        # Declares this app's record types (core/registry.py).
        # deferred: app loading — registrations import models, which exist only once apps are ready
        from duijie.experts import records  # noqa: F401
