"""The enterprise innovation score (创新积分): versioned indicator sets, score runs, objections, consent.

- ``IndicatorSet``: one version of an indicator system — national (no region) or a city's own — with
  its stage rule (bands of years since founding, with the clause), the group totals per stage and
  its provenance. Published versions are immutable; a change is a new version (a copy).
- ``Indicator``: one second-level indicator, bonus or negative item of a set: group, name, where its
  raw value is read from (``source`` + ``source_params``), how it is scored (``method`` + ``params``),
  its weight per stage, and where each came from (``name_basis``; ``weight_basis`` says when the
  weights are local configuration, not the guideline's text).
- ``Adjustment``: a bonus or negative item filed by an office for an enterprise and year, with the
  reason and document (e.g. a 失信 record): the record a bonus/negative indicator reads.
- ``ScoreRun``: the set applied to a city's enterprises for a year: computed (draft) → 公示 (objections
  may be filed) → published (frozen: the lines are immutable and ``content_hash`` covers them).
- ``EnterpriseScore``: one enterprise's line: stage, total, maximum, and the breakdown — per indicator
  the raw value, the share, the points and the records behind it (type, id, label) — plus where it
  counted (unit, park, industry) for the ranks, as of the run.
- ``Objection``: an enterprise objects to its line during 公示; an office resolves it.
- ``BankConsent``: the enterprise's consent that its score go to banks (龙城科易贷); the bank export
  includes only enterprises with a consent in force.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from duijie.core.models import TimeStamped, Versioned
from duijie.innovation.choices import Group, Method, ObjectionStatus, RunStatus, SetStatus, Source

YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]
POINTS = {"max_digits": 8, "decimal_places": 2}


class IndicatorSet(Versioned, TimeStamped):
    """One version of an indicator system. ``region`` empty: the national template; a city's own set
    names the city."""

    code = models.SlugField(_("code"), max_length=60, help_text=_("The same code across the versions of one system."))
    number = models.PositiveIntegerField(_("version number"))
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey("core.Region", verbose_name=_("city"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", help_text=_("Empty: the national template; a city may hold its own set."))
    source = models.TextField(_("source and provenance"),
                              help_text=_("The document the indicators come from, and what of it is public."))
    stage_rule = models.JSONField(_("stage rule"), default=list,
                                  help_text=_("Bands of years since founding, e.g. [{\"stage\": \"startup\", \"max_years\": 3}, …]."))
    stage_rule_clause = models.CharField(_("stage rule basis"), max_length=400)
    group_totals = models.JSONField(_("group totals per stage"), default=dict)
    totals_basis = models.CharField(_("group totals basis"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=SetStatus.choices, default=SetStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    derived_from = models.ForeignKey("self", verbose_name=_("copied from"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="copies")

    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "-number"]
        verbose_name = _("indicator set")
        verbose_name_plural = _("indicator sets")
        constraints = [models.UniqueConstraint(fields=["code", "number"], name="innovation_set_code_number")]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = IndicatorSet.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == SetStatus.PUBLISHED:
                raise ValidationError(_("A published indicator set cannot be changed; create a new version."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == SetStatus.PUBLISHED:
            raise ValidationError(_("A published indicator set cannot be deleted."))
        return super().delete(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == SetStatus.PUBLISHED


class Indicator(Versioned, TimeStamped):
    """A second-level indicator (or a bonus / negative item) of a set."""

    indicator_set = models.ForeignKey(IndicatorSet, verbose_name=_("indicator set"), on_delete=models.CASCADE,
                                      related_name="indicators")
    code = models.CharField(_("code"), max_length=10)
    position = models.PositiveSmallIntegerField(_("order"))
    group = models.CharField(_("group"), max_length=10, choices=Group.choices)
    name = models.CharField(_("name"), max_length=200)
    name_basis = models.CharField(_("name basis"), max_length=300,
                                  help_text=_("Where the indicator's name comes from (the guideline, or local)."))
    source = models.CharField(_("read from"), max_length=24, choices=Source.choices)
    source_params = models.JSONField(_("read-from parameters"), default=dict, blank=True)
    unit = models.CharField(_("unit of measure"), max_length=20, blank=True)
    method = models.CharField(_("scoring method"), max_length=12, choices=Method.choices)
    params = models.JSONField(_("scoring parameters"), default=dict, blank=True)
    weights = models.JSONField(_("weight per stage"), default=dict)
    weight_basis = models.CharField(_("weight basis"), max_length=300,
                                    help_text=_("e.g. 权重为本地配置，非指引原文"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator_set", "position"]
        verbose_name = _("score indicator")
        verbose_name_plural = _("score indicators")
        constraints = [models.UniqueConstraint(fields=["indicator_set", "code"], name="innovation_indicator_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs):
        if IndicatorSet.objects.filter(pk=self.indicator_set_id, status=SetStatus.PUBLISHED).exists():
            raise ValidationError(_("The indicators of a published set cannot be changed; create a new version."))
        super().save(*args, **kwargs)


class Adjustment(Versioned, TimeStamped):
    """A bonus or negative item filed for an enterprise and year by an office, with its reason and
    document: what an indicator reading ``adjustments`` counts (by its ``item`` code)."""

    SCOPE_VIA = "enterprise"
    CONFIDENTIAL = True

    enterprise = models.ForeignKey("orgs.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                   related_name="score_adjustments")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    item = models.SlugField(_("item"), max_length=40, help_text=_("e.g. credit-default, national-award"))
    reason = models.CharField(_("reason"), max_length=300)
    document = models.CharField(_("document"), max_length=300)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filed by"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "pk"]
        verbose_name = _("score adjustment")
        verbose_name_plural = _("score adjustments")

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.year} · {self.item}"


class ScoreRun(Versioned, TimeStamped):
    """A set applied to a city's enterprises for a year."""

    indicator_set = models.ForeignKey(IndicatorSet, verbose_name=_("indicator set"), on_delete=models.PROTECT,
                                      related_name="runs")
    region = models.ForeignKey("core.Region", verbose_name=_("city"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    skipped = models.JSONField(_("enterprises not scored"), default=list, blank=True)
    publicity_start = models.DateField(_("publicity from"), null=True, blank=True)
    publicity_end = models.DateField(_("publicity until"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "-pk"]
        verbose_name = _("score run")
        verbose_name_plural = _("score runs")
        constraints = [models.UniqueConstraint(fields=["region", "year", "indicator_set"], name="innovation_one_run")]

    def __str__(self) -> str:
        return f"{self.region} {self.year} · {self.indicator_set}"


class EnterpriseScore(TimeStamped):
    """One enterprise's line of a run: what it scored and why (the breakdown), as computed."""

    SCOPE_VIA = "enterprise"
    CONFIDENTIAL = True

    run = models.ForeignKey(ScoreRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="scores")
    enterprise = models.ForeignKey("orgs.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="innovation_scores")
    stage = models.CharField(_("stage"), max_length=10)
    founded_year = models.PositiveSmallIntegerField(_("founding year"))
    total = models.DecimalField(_("score"), **POINTS)
    maximum = models.DecimalField(_("highest possible"), **POINTS)
    breakdown = models.JSONField(_("breakdown"), default=list)
    unit_ids = models.JSONField(_("assessment units"), default=list)
    park_id_at_run = models.IntegerField(_("park"), null=True, blank=True)
    industry_code = models.CharField(_("industry"), max_length=5, blank=True)

    class Meta:
        ordering = ["run", "-total", "enterprise_id"]
        verbose_name = _("enterprise innovation score")
        verbose_name_plural = _("enterprise innovation scores")
        constraints = [models.UniqueConstraint(fields=["run", "enterprise"], name="innovation_one_score")]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.total}"

    def save(self, *args, **kwargs):
        if ScoreRun.objects.filter(pk=self.run_id, status=RunStatus.PUBLISHED).exists():
            raise ValidationError(_("A published score run is frozen; its lines cannot change."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if ScoreRun.objects.filter(pk=self.run_id, status=RunStatus.PUBLISHED).exists():
            raise ValidationError(_("A published score run is frozen; its lines cannot change."))
        return super().delete(*args, **kwargs)


class Objection(Versioned, TimeStamped):
    """An enterprise's objection to its line during 公示, and the office's resolution."""

    SCOPE_VIA = "enterprise"
    CONFIDENTIAL = True

    run = models.ForeignKey(ScoreRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="objections")
    enterprise = models.ForeignKey("orgs.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                   related_name="score_objections")
    indicator_code = models.CharField(_("indicator"), max_length=10, blank=True)
    reason = models.TextField(_("reason"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filed by"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("score objection")
        verbose_name_plural = _("score objections")

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_status_display()}"


class BankConsent(Versioned, TimeStamped):
    """The enterprise's consent that its innovation score be given to banks (龙城科易贷), given by a
    user of the enterprise; withdrawn by setting ``withdrawn_at`` (a new consent is a new row)."""

    SCOPE_VIA = "enterprise"
    CONFIDENTIAL = True

    enterprise = models.ForeignKey("orgs.Enterprise", verbose_name=_("enterprise"), on_delete=models.CASCADE,
                                   related_name="bank_consents")
    purpose = models.CharField(_("purpose"), max_length=200)
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("given by"), on_delete=models.PROTECT,
                                 related_name="+")
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("bank consent")
        verbose_name_plural = _("bank consents")

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.purpose}"

