from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    HALF_YEAR = "half_year", _("Half-year")
    WHOLE = "whole", _("Whole programme")


class Status(models.TextChoices):
    """Progress of one target at a date (progress.py); thresholds are the programme's data."""

    AHEAD = "ahead", _("Ahead")
    ON_TRACK = "on_track", _("On track")
    LAGGING = "lagging", _("Lagging")
    AT_RISK = "at_risk", _("At risk")
    NOT_COMPUTED = "not_computed", _("Not computed")


class RoundKind(models.TextChoices):
    """Supervision rounds of seed 001 (三、3): 每半年组织一次工作督查 and 年度目标管理考核."""

    HALF_YEAR = "half_year", _("Half-yearly supervision")
    ANNUAL = "annual", _("Annual assessment")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class RuleKind(models.TextChoices):
    """The kinds of scoring clause the Wujin rule books use (scoring.py computes each)."""

    RATIO_CAP = "ratio_cap", _("Ratio to target, capped")
    AVERAGE_STEPS = "average_steps", _("Steps relative to the average")
    YES_NO = "yes_no", _("Yes/no item")
    BONUS = "bonus", _("Bonus item")
