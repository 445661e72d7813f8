from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "duijie.matching"
    label = "matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        # deferred: app loading — registrations import models, which exist only once apps are ready
        from duijie.matching import declarations, signals

        # Like admin.autodiscover(): every installed app's search.py declares what it feeds in.
        declarations.autodiscover()
        signals.connect()
        # deferred: app loading — registrations import models, which exist only once apps are ready
        from duijie.core.registry import register_detail_panel

        for decl in declarations.by_kind().values():
            if decl.kind in declarations.PANEL_KINDS:
                register_detail_panel(decl.model, "matching:panel")
