"""Indicators counted over cooperation projects (contributed through plugin.py; core/plugins.py)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duijie.core.plugins import Figure, Indicator, Window, count, indicator_records


def signed_projects(user, window: Window) -> Figure:
    """Cooperation projects signed in the window (any stage since: signed, implementing, completed,
    even terminated later), among those the user may see."""
    return count(indicator_records("projects", user, window, date_field="signed_on"))


INDICATORS = (
    Indicator(
        slug="signed-projects", label=_("Signed cooperation projects"),
        documentation=_("Cooperation projects whose signing date (签约日期) lies in the period, whatever "
                        "their stage now; one per project."),
        unit=pgettext_lazy("unit of measure", "projects"), record_type="projects", compute=signed_projects,
    ),
)
