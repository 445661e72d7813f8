from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from duijie.core.choices import Level, Visibility
from duijie.core.fields import BlindIndexField, EncryptedTextField
from duijie.core.models import ScopedRecord
from duijie.core.validators import MaxCharsValidator, parse_patent_number, validate_phone
from duijie.supply.choices import (
    AchievementField,
    AchievementStage,
    AchievementStatus,
    CarrierKind,
    IPForm,
    PatentLegalStatus,
    PatentType,
    ScenarioDomain,
    ScenarioOpenness,
    ScenarioStage,
    TransferMode,
)

MONEY = {"max_digits": 16, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class Achievement(ScopedRecord):
    """科技成果 — exactly the 大院大所科技成果信息表 of seed 001, Annex 1, plus workflow and transfer terms.

    It is filed by a unit (a district office, 填报区镇) about an institution that may have no account;
    the filer and the institution's tech-transfer office may edit it.
    """

    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices,
                                  default=Visibility.PUBLIC, help_text=_("Applies once published; drafts and records under review are restricted."))

    # --- Annex 1, in form order ---
    name = models.CharField(_("achievement name (科技成果名称)"), max_length=200)
    institution = models.ForeignKey("orgs.Institution", verbose_name=_("institution (大院大所名称)"),
                                    on_delete=models.PROTECT, related_name="achievements")
    unit_name = models.CharField(_("college, department or laboratory (成果所在院、系、实验室)"), max_length=200,
                                 blank=True)
    unit = models.ForeignKey("orgs.InstitutionUnit", verbose_name=_("unit (registry link)"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="achievements")
    lead_name = models.CharField(_("lead researcher (科技成果研发负责人)"), max_length=50)
    lead_title = models.CharField(_("post / title (职务、职称)"), max_length=100, blank=True)
    lead_phone = EncryptedTextField(_("phone (联系电话)"), kind="phone", hash_field="lead_phone_hash",
                                    validators=[validate_phone])
    lead_phone_hash = BlindIndexField()
    lead_expert = models.ForeignKey("experts.Expert", verbose_name=_("lead researcher (registry link)"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="achievements_led")
    field = models.CharField(_("field (科技成果所属领域)"), max_length=20, choices=AchievementField.choices)
    field_other = models.CharField(_("field, if other"), max_length=50, blank=True)
    stage = models.CharField(_("stage (科技成果所处阶段)"), max_length=20, choices=AchievementStage.choices)
    stage_other = models.CharField(_("stage, if other"), max_length=50, blank=True)
    introduction = models.TextField(_("achievement and team introduction (科技成果及研发团队简介, ≤500)"),
                                    validators=[MaxCharsValidator(500)])
    district_fit = models.TextField(_("fit with the district (科技成果与区镇的契合情况说明, ≤300)"), blank=True,
                                    validators=[MaxCharsValidator(300)])
    promotion_plan = models.TextField(_("promotion plan in the district (科技成果在区镇推介计划, ≤200)"), blank=True,
                                      validators=[MaxCharsValidator(200)])
    filing_unit = models.ForeignKey("core.AssessmentUnit", verbose_name=_("filing district (填报区镇)"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="achievements_filed")
    filer_name = models.CharField(_("filer (填报人)"), max_length=50, blank=True)
    filer_phone = EncryptedTextField(_("filer phone (填报人联系电话)"), kind="phone", hash_field="filer_phone_hash",
                                     validators=[validate_phone])
    filer_phone_hash = BlindIndexField()
    filing_date = models.DateField(_("filing date (填报时间)"), null=True, blank=True)
    # --- workflow ---
    status = models.CharField(_("status"), max_length=12, choices=AchievementStatus.choices,
                              default=AchievementStatus.DRAFT)
    return_reason = models.TextField(_("reason for return"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    # --- transfer terms ---
    ip_form = models.CharField(_("IP form"), max_length=20, choices=IPForm.choices, blank=True)
    transfer_modes = models.JSONField(_("transfer modes"), default=list, blank=True)
    asking_price = models.DecimalField(_("asking price (yuan)"), null=True, blank=True, **MONEY)
    patents = models.ManyToManyField("supply.Patent", verbose_name=_("patents"), blank=True,
                                     related_name="achievements")

    history = HistoricalRecords(m2m_fields=["assessment_units"])

    # Others see an achievement only in these states (selectors); drafts and reviews stay restricted.
    PUBLISHED_STATES = (AchievementStatus.PUBLISHED, AchievementStatus.TRANSFERRED)
    # Filed for an institution only by those who may change that institution (its office, a bureau in
    # scope): a university office does not create records of other universities (core.services).
    SCOPE_PARENTS = ("institution",)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("tech achievement")
        verbose_name_plural = _("tech achievements")
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="uniq_achievement_institution_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def field_display(self) -> str:
        return self.field_other if self.field == AchievementField.OTHER and self.field_other else self.field

    @property
    def stage_display(self) -> str:
        return self.stage_other if self.stage == AchievementStage.OTHER and self.stage_other else self.stage

    def clean(self) -> None:
        errors = {}
        if self.field == AchievementField.OTHER and not self.field_other.strip():
            errors["field_other"] = _("Name the field when “其他” is ticked.")
        if self.field != AchievementField.OTHER and self.field_other:
            errors["field_other"] = _("Only fill this in when the field is “其他”.")
        if self.stage == AchievementStage.OTHER and not self.stage_other.strip():
            errors["stage_other"] = _("Name the stage when “其他” is ticked.")
        if self.stage != AchievementStage.OTHER and self.stage_other:
            errors["stage_other"] = _("Only fill this in when the stage is “其他”.")
        modes = self.transfer_modes or []
        valid = set(TransferMode.values)
        if not isinstance(modes, list) or any(m not in valid for m in modes):
            errors["transfer_modes"] = _("Transfer modes must be chosen from: %(options)s.") % {
                "options": "、".join(TransferMode.values)}
        if self.unit_id and self.institution_id and self.unit.institution_id != self.institution_id:
            errors["unit"] = _("This unit belongs to another institution.")
        if errors:
            raise ValidationError(errors)


class Patent(ScopedRecord):
    application_no = models.CharField(
        _("application number"), max_length=20, unique=True,
        help_text=_("Normalised CNIPA application number with its check digit, e.g. 202310123456.7."))
    publication_no = models.CharField(_("publication number"), max_length=30, blank=True)
    title = models.CharField(_("title"), max_length=300)
    abstract = models.TextField(_("abstract"), blank=True)
    ipc_codes = models.CharField(_("IPC codes"), max_length=300, blank=True,
                                 help_text=_("e.g. H01M 10/0525; separated by semicolons or commas."))
    patent_type = models.CharField(_("type"), max_length=12, choices=PatentType.choices)
    legal_status = models.CharField(_("legal status"), max_length=12, choices=PatentLegalStatus.choices,
                                    default=PatentLegalStatus.PENDING)
    applicant_orgs = models.ManyToManyField("core.Organisation", verbose_name=_("applicants (registry)"),
                                            blank=True, related_name="patents")
    applicants = models.CharField(_("applicants"), max_length=500, blank=True)
    inventor_experts = models.ManyToManyField("experts.Expert", verbose_name=_("inventors (registry)"), blank=True,
                                              related_name="patents")
    inventors = models.CharField(_("inventors"), max_length=500, blank=True)
    application_date = models.DateField(_("application date"), null=True, blank=True)
    publication_date = models.DateField(_("publication date"), null=True, blank=True)
    grant_date = models.DateField(_("grant date"), null=True, blank=True)
    is_high_value = models.BooleanField(_("high-value patent"), default=False)
    value_score = models.DecimalField(_("value score"), max_digits=5, decimal_places=2, null=True, blank=True,
                                      validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])

    history = HistoricalRecords(m2m_fields=[applicant_orgs, inventor_experts])

    class Meta:
        ordering = ["-application_date", "application_no"]
        verbose_name = _("patent")
        verbose_name_plural = _("patents")

    def __str__(self) -> str:
        return f"{self.title}（{self.application_no}）"

    def clean_fields(self, exclude=None) -> None:
        # The type may be left out (API, imports): derive it from the number before the blank check.
        if not self.patent_type and self.application_no:
            try:
                self.patent_type = parse_patent_number(self.application_no)[1]
            except ValidationError:
                pass  # clean() reports the malformed number on application_no
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors = {}
        if self.application_no:
            try:
                canonical, type_key = parse_patent_number(self.application_no)
            except ValidationError as exc:
                errors["application_no"] = exc.messages
            else:
                self.application_no = canonical
                if not self.patent_type:
                    self.patent_type = type_key
                elif self.patent_type != type_key:
                    errors["patent_type"] = _("The application number says this is a %(expected)s patent.") % {
                        "expected": PatentType(type_key).label}
        if self.grant_date and self.application_date and self.grant_date < self.application_date:
            errors["grant_date"] = _("The grant date is before the application date.")
        if self.publication_date and self.application_date and self.publication_date < self.application_date:
            errors["publication_date"] = _("The publication date is before the application date.")
        if errors:
            raise ValidationError(errors)


class Carrier(ScopedRecord):
    """载体/平台: labs, R&D institutions, incubators, concept-verification centres …"""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("type"), max_length=30, choices=CarrierKind.choices)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    host = models.ForeignKey("core.Organisation", verbose_name=_("host organisation (依托单位)"), null=True,
                             blank=True, on_delete=models.SET_NULL, related_name="carriers_hosted")
    co_builders = models.ManyToManyField("core.Organisation", verbose_name=_("co-builders"), blank=True,
                                         related_name="carriers_cobuilt")
    co_builders_text = models.CharField(_("co-builders (other)"), max_length=500, blank=True)
    approval_date = models.DateField(_("approval date"), null=True, blank=True)
    approved_by = models.CharField(_("approved by"), max_length=200, blank=True)
    industries = models.ManyToManyField("core.Industry", verbose_name=_("industries"), blank=True,
                                        related_name="carriers")
    description = models.TextField(_("description"), blank=True)

    history = HistoricalRecords(m2m_fields=[co_builders, industries])

    class Meta:
        ordering = ["name"]
        verbose_name = _("carrier / platform")
        verbose_name_plural = _("carriers / platforms")
        constraints = [models.UniqueConstraint(fields=["name", "kind"], name="uniq_carrier_name_kind")]

    def __str__(self) -> str:
        return self.name


class Scenario(ScopedRecord):
    """应用场景: an opportunity to apply new technology, offered by a provider (seed 004)."""

    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices,
                                  default=Visibility.PUBLIC, help_text=_("Applies once published; drafts and records under review are restricted."))

    title = models.CharField(_("title"), max_length=200)
    domain = models.CharField(_("domain"), max_length=20, choices=ScenarioDomain.choices)
    provider = models.ForeignKey("core.Organisation", verbose_name=_("provider"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="scenarios")
    stage = models.CharField(_("stage"), max_length=12, choices=ScenarioStage.choices,
                             default=ScenarioStage.COLLECTING)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    openness = models.CharField(_("openness"), max_length=12, choices=ScenarioOpenness.choices,
                                default=ScenarioOpenness.OPEN)
    description = models.TextField(_("description"))
    requirements = models.TextField(_("technical requirements"), blank=True)
    investment = models.DecimalField(_("planned investment (yuan)"), null=True, blank=True, **MONEY)

    history = HistoricalRecords(m2m_fields=["assessment_units"])

    class Meta:
        ordering = ["-period_start", "title"]
        verbose_name = _("application scenario")
        verbose_name_plural = _("application scenarios")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period ends before it starts.")})
