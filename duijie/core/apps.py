from django.apps import AppConfig
from django.core.signals import request_finished
from django.utils import translation
from django.utils.translation import gettext_lazy as _


def _language_back_to_default(sender, **kwargs) -> None:
    """LocaleMiddleware activates the request's language for the thread and never takes it back: the
    thread's next work outside a request (a task run in-process, the next test after a test client
    request) would speak the previous user's language. The response is fully sent (streamed exports
    included) when this runs."""
    translation.deactivate()


class CoreConfig(AppConfig):
    name = "duijie.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Every installed app's plugin.py, once, in INSTALLED_APPS order; then the registry is frozen.
        # deferred: app loading — the plug-in modules import models, which exist only once apps are ready
        from duijie.core import plugins

        plugins.collect()
        request_finished.connect(_language_back_to_default, dispatch_uid="duijie.core.language_back_to_default")
