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
