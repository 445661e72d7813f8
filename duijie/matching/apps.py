from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "duijie.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        # deferred: app loading — registrations import models, which exist only once apps are ready
        from duijie.matching import declarations, subscriptions

        # Check and resolve the MatchingSource declarations the domain apps contributed (core/plugins.py).
        declarations.load()
        subscriptions.subscribe()  # index refreshes follow the writes' change announcements
