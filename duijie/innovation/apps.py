from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InnovationConfig(AppConfig):
    name = "duijie.innovation"
    label = "innovation"
    verbose_name = _("Enterprise innovation score")
