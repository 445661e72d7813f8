"""The ``solved-challenges`` indicator (seed 004: 2000+ solved technology challenges over 2026–2028),
contributed through plugin.py; the library, which builds the figure from the declaration, is
core/indicators.py."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from duijie.cooperation.choices import ProjectStage
from duijie.core.indicators import COUNT, LOCATION
from duijie.core.plugins import Indicator

# A solved challenge counts where the challenge lies (its publisher's region or park): seed 004
# 解决技术难题 is counted for the city and district that posted the challenge.
INDICATORS = (
    Indicator(slug="solved-challenges", label=_("Solved technology challenges"),
              documentation=_("Challenges (揭榜挂帅 / 赛马制) whose awarded cooperation project was accepted / "
                              "completed in the period, dated by the project's completion date; once per "
                              "challenge, counted where the challenge lies."),
              unit=pgettext_lazy("unit of measure", "challenges"), record_type="challenges",
              date_field="project__completed_on", filters={"project__status": ProjectStage.COMPLETED},
              kind=COUNT, reach=LOCATION, institution="project__institutions",
              source="seed 004 (解决技术难题2000项以上)"),
)
