from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "duijie.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Declares this app's record types (core/registry.py).
        # deferred: app loading — registrations import models, which exist only once apps are ready
        from duijie.core import records  # noqa: F401
