from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PairingsConfig(AppConfig):
    """挂钩联系, 科技辅导员, 走访, 派驻 (科技副总 / 产业教授 / 双岗互聘) and student teams."""

    name = "duijie.pairings"
    label = "pairings"
    verbose_name = _("Pairings & placements")
