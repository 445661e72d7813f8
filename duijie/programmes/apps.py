from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "duijie.programmes"
    label = "programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        # deferred: app loading — tasks imports the indicator library, which imports models
        from duijie.core import changes
        from duijie.programmes import tasks

        changes.subscribe(tasks.on_change)  # every announced write: figures computed afresh (and warmed up)
