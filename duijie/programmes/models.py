"""Programmes (行动方案/工作意见), the indicators they assess and the targets they set.

A programme names its indicators by slug (``core.plugins.indicator``); a target belongs to exactly
one owner — an assessment unit (考核板块), a park, an institution or a city department — for one
period, with the clause of the document it comes from. Progress is computed, never stored
(``progress.py``); the pace thresholds are each programme's data with their source.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from duijie.core import plugins
from duijie.core.choices import UnitKind, Visibility
from duijie.core.models import RecordBase, TimeStamped, Versioned
from duijie.core.roles import Role
from duijie.programmes.choices import PeriodKind, RoundKind, RoundStatus, RuleKind

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


# --------------------------------------------------------------------------------- supervision
# A scoring rule is data with its clause (scoring.py computes it); a round assesses units for the
# targets of one period at an as-of date; issuing it freezes its figures (supervision.py).

class ScoringRule(Versioned, TimeStamped):
    """How one programme indicator is scored in supervision rounds (评分办法), with its source clause
    and validity. ``points``: the full mark (ratio, average, yes/no) or the bonus maximum. Kinds:
    ``ratio_cap`` points × min(actual ÷ target, cap); ``average_steps`` points plus the points of the
    first step whose ``from`` (actual ÷ average of the units) is reached, never below 0; ``yes_no``
    points when the target is met (no target: when anything is counted); ``bonus`` min(points, per ×
    actual), on top of the full marks. ``unit_kinds``: the kinds of assessment unit the rule applies
    to (empty: all)."""

    SCOPE_VIA = "programme_indicator"

    programme_indicator = models.ForeignKey(ProgrammeIndicator, verbose_name=_("programme indicator"),
                                            on_delete=models.CASCADE, related_name="scoring_rules")
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices)
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))],
                                 help_text=_("Full mark of the item, or the most a bonus item adds."))
    cap = models.DecimalField(_("cap"), max_digits=5, decimal_places=2, null=True, blank=True,
                              validators=[MinValueValidator(Decimal("0"))],
                              help_text=_("Ratio to target: the highest completion ratio that scores, e.g. 1.2."))
    per = models.DecimalField(_("points per unit counted"), max_digits=7, decimal_places=2, null=True, blank=True,
                              validators=[MinValueValidator(Decimal("0"))], help_text=_("Bonus item only."))
    steps = models.JSONField(_("steps"), default=list, blank=True,
                             help_text=_("Steps relative to the average: [[ratio from, points], …], e.g. "
                                         "[[1.2, 2], [1, 0], [0.8, -2], [0, -4]]."))
    unit_kinds = models.JSONField(_("applies to unit kinds"), default=list, blank=True,
                                  help_text=_("Kinds of assessment unit, e.g. [\"district\"]; empty: all units."))
    source = models.CharField(_("source clause"), max_length=300)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme_indicator", "pk"]
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")

    def __str__(self) -> str:
        return f"{self.programme_indicator} · {self.get_kind_display()} · {self.points:g}"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.kind == RuleKind.RATIO_CAP and (self.cap is None or self.cap <= 0):
            errors["cap"] = _("A ratio-to-target rule needs a cap above 0, e.g. 1.2.")
        if self.kind == RuleKind.BONUS and (self.per is None or self.per <= 0):
            errors["per"] = _("A bonus item needs the points per unit counted.")
        if self.kind == RuleKind.AVERAGE_STEPS:
            ok = isinstance(self.steps, list) and self.steps and all(
                isinstance(s, list | tuple) and len(s) == 2
                and all(isinstance(v, int | float | str) and _number(v) is not None for v in s) for s in self.steps)
            if not ok:
                errors["steps"] = _("Give the steps as [[ratio from, points], …] with numbers, e.g. [[1, 2], [0, -2]].")
        if not isinstance(self.unit_kinds, list) or any(k not in UnitKind.values for k in self.unit_kinds):
            errors["unit_kinds"] = _("Unknown unit kind; known: %(known)s.") % {"known": "、".join(UnitKind.values)}
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The end of the period is before its start.")
        if errors:
            raise ValidationError(errors)

    def valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def definition(self) -> dict:
        """The rule as data (what an issued report stores and scoring.py reads)."""
        return {"kind": self.kind, "points": str(self.points), "cap": None if self.cap is None else str(self.cap),
                "per": None if self.per is None else str(self.per),
                "steps": [[str(a), str(b)] for a, b in self.steps] if self.kind == RuleKind.AVERAGE_STEPS else [],
                "unit_kinds": sorted(self.unit_kinds), "source": self.source}


def _number(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


class SupervisionRound(Versioned, TimeStamped):
    """A half-yearly supervision (半年督查) or annual assessment (年度考核) of a programme: the targets
    of one period (``period_start``..``period_end``), counted up to ``as_of`` and paced at it, for the
    units assessed (``RoundUnit``). Issued: frozen (``ReportIssue``); reopened only with a reason."""

    SCOPE_VIA = "programme"

    programme = models.ForeignKey(Programme, verbose_name=_("programme"), on_delete=models.PROTECT,
                                  related_name="rounds")
    kind = models.CharField(_("kind"), max_length=10, choices=RoundKind.choices)
    name = models.CharField(_("name"), max_length=200)
    period_start = models.DateField(_("period start"), help_text=_("Start of the targets' period assessed."))
    period_end = models.DateField(_("period end"))
    as_of = models.DateField(_("as of"), help_text=_("Records are counted up to this date; pace is measured at it."))
    status = models.CharField(_("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    comment = models.TextField(_("overall comment of the supervising office"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "-as_of", "pk"]
        verbose_name = _("supervision round")
        verbose_name_plural = _("supervision rounds")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.period_start and self.period_end and self.period_end < self.period_start:
            errors["period_end"] = _("The end of the period is before its start.")
        if self.as_of and self.period_start and self.as_of < self.period_start:
            errors["as_of"] = _("The as-of date is before the period starts.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_issued(self) -> bool:
        return self.status == RoundStatus.ISSUED


class RoundUnit(TimeStamped):
    """A unit assessed in a round: its own submission (text and attachment) and the supervising
    office's comment on it."""

    SCOPE_VIA = "round"

    round = models.ForeignKey(SupervisionRound, verbose_name=_("round"), on_delete=models.CASCADE,
                              related_name="round_units")
    unit = models.ForeignKey("core.AssessmentUnit", verbose_name=_("assessment unit"), on_delete=models.PROTECT,
                             related_name="+")
    submission = models.TextField(_("submission of the unit"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to="supervision/%Y/", blank=True, validators=[
        FileExtensionValidator(["pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png", "zip"])])
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    comment = models.TextField(_("comment of the supervising office"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "pk"]
        verbose_name = _("unit in a round")
        verbose_name_plural = _("units in a round")
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="uniq_round_unit")]

    def __str__(self) -> str:
        return f"{self.round} · {self.unit}"


class ReportIssue(TimeStamped):
    """One issue of a round's report: who issued it when, the content hash of its figures, and —
    when reopened — who, when and why; ``diff`` lists the figures that changed against the issue
    before it (old → new). The figures are ``ReportFigure`` rows, never changed once stored."""

    SCOPE_VIA = "round"

    round = models.ForeignKey(SupervisionRound, verbose_name=_("round"), on_delete=models.PROTECT,
                              related_name="issues")
    number = models.PositiveSmallIntegerField(_("issue number"))
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64)
    diff = models.JSONField(_("changes against the previous issue"), default=list, blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reopened by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "number"]
        verbose_name = _("report issue")
        verbose_name_plural = _("report issues")
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="uniq_report_issue_number")]

    def __str__(self) -> str:
        return f"{self.round} #{self.number}"


class FrozenReport(Exception):
    """A write to an issued report (its figures never change; reopen the round instead)."""


class ReportFigure(models.Model):
    """One unit × indicator of an issued report, as it was at issue: the definition (indicator,
    label, target, rules with their parameters and the average they used), the value, the record
    ids counted, the score and the status. Written once (``save`` refuses an update)."""

    SCOPE_VIA = "issue"

    issue = models.ForeignKey(ReportIssue, verbose_name=_("issue"), on_delete=models.PROTECT, related_name="figures")
    unit = models.ForeignKey("core.AssessmentUnit", verbose_name=_("assessment unit"), on_delete=models.PROTECT,
                             related_name="+")
    indicator = models.CharField(_("indicator"), max_length=60)
    definition = models.JSONField(_("definition"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4, null=True, blank=True)
    record_type = models.CharField(_("record type"), max_length=60, blank=True)
    record_ids = models.JSONField(_("record ids"), default=list)
    score = models.DecimalField(_("score"), max_digits=9, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("status"), max_length=16)

    class Meta:
        ordering = ["issue", "pk"]
        verbose_name = _("report figure")
        verbose_name_plural = _("report figures")
        constraints = [models.UniqueConstraint(fields=["issue", "unit", "indicator"], name="uniq_report_figure")]

    def __str__(self) -> str:
        return f"{self.issue} · {self.unit} · {self.indicator}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise FrozenReport(_("An issued report's figures never change; reopen the round and issue it again."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenReport(_("An issued report's figures never change; reopen the round and issue it again."))
