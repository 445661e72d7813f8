"""Programmes (行动方案/工作意见), the indicators they assess and the targets they set.

A programme names its indicators by slug (``core.plugins.indicator``); a target belongs to exactly
one owner — an assessment unit (考核板块), a park, an institution or a city department — for one
period, with the clause of the document it comes from. Progress is computed, never stored
(``progress.py``); the pace thresholds are each programme's data with their source.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from duijie.core import plugins
from duijie.core.choices import Visibility
from duijie.core.models import RecordBase, TimeStamped, Versioned
from duijie.core.roles import Role
from duijie.programmes.choices import PeriodKind

RATIO = {"max_digits": 5, "decimal_places": 2,
         "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))]}
OWNER_FIELDS = ("owner_unit", "owner_park", "owner_institution", "owner_department")


class Programme(RecordBase):
    """One programme document: who issued it, for which period, for whom. Its region is the city."""

    CREATE_ROLES = (Role.CITY_ADMIN,)

    code = models.SlugField(_("code"), max_length=50, unique=True, help_text=_("Short stable identifier, e.g. kunshan-2017."))
    name = models.CharField(_("name"), max_length=200)
    document_number = models.CharField(_("document number (文号)"), max_length=100, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    member_institutions = models.ManyToManyField("orgs.Institution", verbose_name=_("member institutions"),
                                                 blank=True, related_name="programmes")
    key_industries = models.ManyToManyField("core.Industry", verbose_name=_("key industries"), blank=True,
                                            related_name="programmes")
    source = models.TextField(_("source"), blank=True,
                              help_text=_("The document (seed) and clause this programme is copied from."))
    # Pace thresholds (actual ÷ expected at the date): data of the programme, with their source.
    ahead_from = models.DecimalField(_("ahead from"), default=Decimal("1.10"), **RATIO,
                                     help_text=_("Actual ÷ expected pace at or above this: ahead."))
    lagging_below = models.DecimalField(_("lagging below"), default=Decimal("0.90"), **RATIO,
                                        help_text=_("Actual ÷ expected pace below this: lagging."))
    at_risk_below = models.DecimalField(_("at risk below"), default=Decimal("0.60"), **RATIO,
                                        help_text=_("Actual ÷ expected pace below this: at risk."))
    thresholds_source = models.CharField(_("source of the thresholds"), max_length=300, blank=True)

    history = HistoricalRecords(m2m_fields=[member_institutions, key_industries])

    class Meta:
        ordering = ["-period_start", "code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The end of the period is before its start.")
        if (self.at_risk_below is not None and self.lagging_below is not None and self.ahead_from is not None
                and not self.at_risk_below <= self.lagging_below <= self.ahead_from):
            errors["lagging_below"] = _("Thresholds must rise: at risk ≤ lagging ≤ ahead.")
        if errors:
            raise ValidationError(errors)


class ProgrammeIndicator(Versioned, TimeStamped):
    """An indicator a programme assesses (by the slug an app contributed), with weight and order."""

    SCOPE_VIA = "programme"

    programme = models.ForeignKey(Programme, verbose_name=_("programme"), on_delete=models.CASCADE,
                                  related_name="indicators")
    indicator = models.CharField(_("indicator"), max_length=60,
                                 help_text=_("Slug of an indicator, e.g. signed-projects."))
    label = models.CharField(_("label in the document"), max_length=200, blank=True,
                             help_text=_("The column heading as printed, e.g. 校企合作项目数（项）."))
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(Decimal("0"))])
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    source = models.CharField(_("source clause"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "order", "pk"]
        verbose_name = _("programme indicator")
        verbose_name_plural = _("programme indicators")
        constraints = [models.UniqueConstraint(fields=["programme", "indicator"], name="uniq_programme_indicator")]

    def __str__(self) -> str:
        return f"{self.programme.code} · {self.label or self.indicator_label}"

    @property
    def indicator_label(self):
        return plugins.indicators()[self.indicator].label if self.indicator in plugins.indicators() else self.indicator

    def clean(self) -> None:
        if self.indicator and self.indicator not in plugins.indicators():
            raise ValidationError({"indicator": _("Unknown indicator “%(slug)s”; known: %(known)s.") % {
                "slug": self.indicator, "known": "、".join(sorted(plugins.indicators()))}})


class Target(RecordBase):
    """A target of one programme indicator for one owner and period (目标任务).

    Exactly one owner: an assessment unit, a park, an institution or a city department. Scope follows
    the owner (``core.access``: ``owner_unit`` and ``owner_park`` are relations; ``core.scope``: they
    are scope fields, so nobody names an owner outside their scope) and, for the other owners, the
    record's region (``derived_region_id``)."""

    CREATE_ROLES = (Role.CITY_ADMIN, Role.UNIT_ADMIN)

    programme_indicator = models.ForeignKey(ProgrammeIndicator, verbose_name=_("programme indicator"),
                                            on_delete=models.CASCADE, related_name="targets")
    owner_unit = models.ForeignKey("core.AssessmentUnit", verbose_name=_("assessment unit"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="targets")
    owner_park = models.ForeignKey("core.Park", verbose_name=_("park"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="targets")
    owner_institution = models.ForeignKey("orgs.Institution", verbose_name=_("institution"), null=True,
                                          blank=True, on_delete=models.PROTECT, related_name="targets")
    owner_department = models.ForeignKey("core.Organisation", verbose_name=_("city department"), null=True,
                                         blank=True, on_delete=models.PROTECT, related_name="targets",
                                         limit_choices_to={"kind": "government"})
    period_kind = models.CharField(_("period kind"), max_length=10, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0"))])
    text = models.CharField(_("target as printed"), max_length=200, blank=True,
                            help_text=_("When the document says more than a number, e.g. 5（含省级以上重点实验室1个）."))
    parent = models.ForeignKey("self", verbose_name=_("parent target"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children",
                               help_text=_("The target this one refines (district → town or park)."))
    source = models.CharField(_("source clause"), max_length=300, blank=True)
    # Targets are read within scope only (a unit its own, the city all), unless made open on purpose.
    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices,
                                  default=Visibility.RESTRICTED)

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme_indicator", "period_start", "pk"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                name="target_exactly_one_owner",
                condition=(Q(owner_unit__isnull=False, owner_park__isnull=True, owner_institution__isnull=True,
                             owner_department__isnull=True)
                           | Q(owner_unit__isnull=True, owner_park__isnull=False, owner_institution__isnull=True,
                               owner_department__isnull=True)
                           | Q(owner_unit__isnull=True, owner_park__isnull=True, owner_institution__isnull=False,
                               owner_department__isnull=True)
                           | Q(owner_unit__isnull=True, owner_park__isnull=True, owner_institution__isnull=True,
                               owner_department__isnull=False))),
            models.CheckConstraint(name="target_period_order", condition=Q(period_end__gte=models.F("period_start"))),
        ]

    def __str__(self) -> str:
        return f"{self.owner} · {self.programme_indicator.label or self.programme_indicator.indicator} · {self.value:g}"

    @property
    def owner(self):
        return next((getattr(self, name) for name in OWNER_FIELDS if getattr(self, f"{name}_id")), None)

    def clean(self) -> None:
        errors: dict[str, object] = {}
        owners = [name for name in OWNER_FIELDS if getattr(self, f"{name}_id")]
        if len(owners) != 1:
            message = _("Name exactly one owner: an assessment unit, a park, an institution or a city department.")
            for name in owners[1:] or ["owner_unit"]:
                errors[name] = message
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The end of the period is before its start.")
        if self.parent_id and self.programme_indicator_id and self.parent.programme_indicator_id != self.programme_indicator_id:
            errors["parent"] = _("The parent target must be of the same programme indicator.")
        if self.parent_id and self.parent_id == self.pk:
            errors["parent"] = _("A target cannot refine itself.")
        if errors:
            raise ValidationError(errors)
        if self.region_id is None:
            self.region_id = self.derived_region_id()

    def derived_region_id(self) -> int | None:
        """Where a target lies when nobody placed it: a unit's target is reached through its unit
        (``owner_unit`` is a relation in core.access), a park's or department's lies in their region,
        anything else in the programme's city — so the city administrators read every target."""
        if self.owner_unit_id:
            return None
        owner = self.owner_park or self.owner_department
        region = getattr(owner, "region_id", None) if owner is not None else None
        if region is None and self.programme_indicator_id:
            region = self.programme_indicator.programme.region_id
        return region

    def save(self, *args, **kwargs):
        if self.region_id is None:
            self.region_id = self.derived_region_id()
        super().save(*args, **kwargs)

    def children_shortfall(self) -> Decimal | None:
        """How much the children's targets fall short of this one (None: no children or no shortfall)."""
        values = [c.value for c in self.children.all()]
        if not values or sum(values) >= self.value:
            return None
        return self.value - sum(values)
