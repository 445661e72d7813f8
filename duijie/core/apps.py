from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "duijie.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Every installed app's plugin.py, once, in INSTALLED_APPS order; then the registry is frozen.
        # deferred: app loading — the plug-in modules import models, which exist only once apps are ready
        from duijie.core import plugins

        plugins.collect()
