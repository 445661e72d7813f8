from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "duijie.orgs"
    label = "orgs"
    verbose_name = _("Orgs")

    def ready(self) -> None:
        # Declares this app's record types (core/registry.py).
        # deferred: app loading — registrations import models, which exist only once apps are ready
        from duijie.orgs import records  # noqa: F401
