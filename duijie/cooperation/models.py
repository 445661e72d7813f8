"""Cooperation projects, their documents and yearly outcomes, and technology contracts (技术合同).

A project counts for an event only through its explicit source link (``source_event`` or
``source_intention.event``); the effectiveness analytics (analytics.py) never guess.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from duijie.cooperation.choices import (
    STAGE_ORDER,
    ContractType,
    DocumentKind,
    ProjectSource,
    ProjectStage,
    contract_category,
)
from duijie.core.choices import Visibility
from duijie.core.models import ScopedRecord, TimeStamped, Versioned
from duijie.core.roles import Role

MONEY = {"max_digits": 16, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
S = ProjectStage

# Stage → the date field stamped when a project reaches it.
STAGE_DATE = {S.INTENTION: "intention_on", S.SIGNED: "signed_on", S.IMPLEMENTING: "implementation_on",
              S.COMPLETED: "completed_on", S.TERMINATED: "terminated_on"}


class CooperationProject(ScopedRecord):
    """产学研合作项目: 意向 → 签约 → 实施 → 验收/完成, or 终止 with a reason."""

    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices,
                                  default=Visibility.RESTRICTED)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=12, choices=ProjectSource.choices)
    source_demand = models.ForeignKey("demands.Demand", verbose_name=_("source demand"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="projects")
    source_event = models.ForeignKey("events.Event", verbose_name=_("source event"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="projects")
    source_intention = models.ForeignKey("events.Intention", verbose_name=_("source intention"), null=True,
                                         blank=True, on_delete=models.PROTECT, related_name="projects")
    enterprises = models.ManyToManyField("orgs.Enterprise", verbose_name=_("enterprises"), blank=True,
                                         related_name="cooperation_projects")
    institutions = models.ManyToManyField("orgs.Institution", verbose_name=_("institutions"), blank=True,
                                          related_name="cooperation_projects")
    experts = models.ManyToManyField("experts.Expert", verbose_name=_("experts"), blank=True,
                                     related_name="cooperation_projects")
    broker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("technology broker"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="brokered_projects",
                               limit_choices_to={"role": Role.BROKER})
    status = models.CharField(_("stage"), max_length=12, choices=ProjectStage.choices, default=S.INTENTION)
    stage_reason = models.TextField(_("reason for the last stage change"), blank=True, editable=False)
    intention_on = models.DateField(_("intention date"), null=True, blank=True)
    signed_on = models.DateField(_("signing date"), null=True, blank=True)
    implementation_on = models.DateField(_("implementation start"), null=True, blank=True)
    completed_on = models.DateField(_("acceptance / completion date"), null=True, blank=True)
    terminated_on = models.DateField(_("termination date"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=["assessment_units", "enterprises", "institutions", "experts"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("cooperation project")
        verbose_name_plural = _("cooperation projects")
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def counted_event_id(self) -> int | None:
        """The event this project counts for: only through its explicit source link."""
        if self.source_event_id:
            return self.source_event_id
        return self.source_intention.event_id if self.source_intention_id else None

    def clean(self) -> None:
        errors: dict[str, str] = {}
        links = {"source_demand": self.source_demand_id, "source_event": self.source_event_id,
                 "source_intention": self.source_intention_id}
        allowed = {ProjectSource.DEMAND: {"source_demand"},
                   ProjectSource.EVENT: {"source_event", "source_intention"}}.get(self.source, set())
        for name, value in links.items():
            if value and name not in allowed:
                errors[name] = _("This link does not match the source “%(source)s”; clear it or change the "
                                 "source.") % {"source": self.get_source_display()}
        if self.source == ProjectSource.DEMAND and not self.source_demand_id:
            errors["source_demand"] = _("A project from a demand must name that demand.")
        if self.source == ProjectSource.EVENT:
            if not self.source_event_id and not self.source_intention_id:
                errors["source_event"] = _("A project from an event must name the event or the intention "
                                           "signed there.")
            elif self.source_intention_id:
                intention_event = self.source_intention.event_id
                if intention_event is None:
                    errors["source_intention"] = _("This intention was not signed at an event; choose another "
                                                   "source.")
                elif self.source_event_id and self.source_event_id != intention_event:
                    errors["source_event"] = _("The intention was signed at another event (“%(event)s”).") % {
                        "event": self.source_intention.event}
        previous = None
        for stage in (*STAGE_ORDER, S.TERMINATED):
            name = STAGE_DATE[stage]
            value = getattr(self, name)
            if value and previous and value < previous[1] and name not in errors:
                errors[name] = _("“%(field)s” cannot be before “%(earlier)s”.") % {
                    "field": self._meta.get_field(name).verbose_name,
                    "earlier": self._meta.get_field(previous[0]).verbose_name}
            if value and stage != S.TERMINATED:
                previous = (name, value)
        if errors:
            raise ValidationError(errors)

    # ---- workflow hooks (core.services.record_transition) ----
    def check_transition(self, transition, reason: str) -> None:
        """Refusals in the user's words before the generic checks: no 实施 before 签约, no 验收 before
        实施, 终止 and every step back need a reason."""
        if transition.target == S.IMPLEMENTING and self.status == S.INTENTION:
            raise ValidationError(_("The project has not been signed yet; it cannot move to implementation."))
        if transition.target == S.COMPLETED and self.status in (S.INTENTION, S.SIGNED):
            raise ValidationError(_("The project is not being implemented yet; it cannot be accepted or "
                                    "completed."))
        if transition.needs_reason and not reason.strip():
            if transition.target == S.TERMINATED:
                raise ValidationError({"reason": _("Terminating a project needs a reason.")})
            raise ValidationError({"reason": _("Going back to an earlier stage needs a reason.")})

    def apply_transition(self, transition, reason: str) -> None:
        """Stage dates: stamp the date of the stage reached (unless already filled in); going back
        clears the dates of the stages left."""
        today = timezone.localdate()
        target = transition.target
        if target in STAGE_ORDER:
            rank = STAGE_ORDER.index(target)
            for stage in STAGE_ORDER[rank + 1:]:
                setattr(self, STAGE_DATE[stage], None)
            self.terminated_on = None
        date_field = STAGE_DATE[target]
        if getattr(self, date_field) is None:
            setattr(self, date_field, today)
        self.stage_reason = reason.strip() if transition.needs_reason else ""


class StoredFile(TimeStamped):
    """An uploaded file kept encrypted outside the web root (services.document_dir), served only by
    a download view that checks who may read what it belongs to: what it was called, its checked
    type, size and digest, and who uploaded it."""

    title = models.CharField(_("title"), max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_type = models.CharField(_("file type"), max_length=8)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    stored_name = models.CharField(max_length=64, unique=True, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title or self.file_name


class ProjectDocument(StoredFile):
    """A project document (contract, certificate, sign-in sheet…)."""

    SCOPE_VIA = "project"

    project = models.ForeignKey(CooperationProject, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="documents")
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("project document")
        verbose_name_plural = _("project documents")


class YearlyOutcome(Versioned, TimeStamped):
    """新增投入, 新增销售 and 利税 of one project in one year (yuan, like every money field)."""

    SCOPE_VIA = "project"

    project = models.ForeignKey(CooperationProject, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="outcomes")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000),
                                                                   MaxValueValidator(2100)])
    new_investment = models.DecimalField(_("new investment (yuan)"), null=True, blank=True, **MONEY)
    new_sales = models.DecimalField(_("new sales (yuan)"), null=True, blank=True, **MONEY)
    profit_tax = models.DecimalField(_("profit and tax (yuan)"), null=True, blank=True, **MONEY)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "-year"]
        verbose_name = _("yearly outcome")
        verbose_name_plural = _("yearly outcomes")
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="outcome_one_per_project_year")]

    def __str__(self) -> str:
        return f"{self.project} · {self.year}"

    def clean(self) -> None:
        if self.year and self.year > timezone.localdate().year:
            raise ValidationError({"year": _("Outcomes can only be recorded for past or current years.")})
        if self.new_investment is None and self.new_sales is None and self.profit_tax is None:
            raise ValidationError({"new_investment": _("Fill in at least one of new investment, new sales "
                                                       "or profit and tax.")})


class TechContract(ScopedRecord):
    """技术合同 and its 认定登记."""

    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices,
                                  default=Visibility.RESTRICTED)
    title = models.CharField(_("contract name"), max_length=200)
    contract_type = models.CharField(_("contract type"), max_length=24, choices=ContractType.choices)
    enterprise = models.ForeignKey("orgs.Enterprise", verbose_name=_("buyer (enterprise)"),
                                   on_delete=models.PROTECT, related_name="tech_contracts_bought")
    institution = models.ForeignKey("orgs.Institution", verbose_name=_("seller (institution)"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="tech_contracts")
    seller_enterprise = models.ForeignKey("orgs.Enterprise", verbose_name=_("seller (enterprise)"), null=True,
                                          blank=True, on_delete=models.PROTECT, related_name="tech_contracts_sold")
    amount = models.DecimalField(_("contract amount (yuan)"), **MONEY)
    signed_on = models.DateField(_("signing date"))
    registration_number = models.CharField(_("registration number (认定登记号)"), max_length=50, blank=True)
    registered_on = models.DateField(_("registration date (认定登记日期)"), null=True, blank=True)
    transfer_org = models.ForeignKey("core.Organisation", verbose_name=_("technology transfer institution"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="brokered_contracts")
    broker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("technology broker"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="brokered_contracts",
                               limit_choices_to={"role": Role.BROKER})
    project = models.ForeignKey(CooperationProject, verbose_name=_("project"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="contracts")

    history = HistoricalRecords(m2m_fields=["assessment_units"])

    class Meta:
        ordering = ["-signed_on"]
        verbose_name = _("technology contract")
        verbose_name_plural = _("technology contracts")
        constraints = [
            models.UniqueConstraint(fields=["registration_number"], condition=~Q(registration_number=""),
                                    name="techcontract_registration_number_unique"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def category(self) -> str:
        return contract_category(self.contract_type) if self.contract_type else ""

    def clean(self) -> None:
        errors: dict[str, str] = {}
        self.registration_number = (self.registration_number or "").strip()
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = _("The contract amount must be greater than zero.")
        if not self.institution_id and not self.seller_enterprise_id:
            errors["institution"] = _("Name the seller: an institution or an enterprise.")
        elif self.institution_id and self.seller_enterprise_id:
            errors["seller_enterprise"] = _("Name one seller only: an institution or an enterprise.")
        elif self.seller_enterprise_id and self.seller_enterprise_id == self.enterprise_id:
            errors["seller_enterprise"] = _("The buyer and the seller cannot be the same enterprise.")
        if self.signed_on and self.signed_on > timezone.localdate():
            errors["signed_on"] = _("The signing date cannot be in the future.")
        if self.registered_on and self.signed_on and self.registered_on < self.signed_on:
            errors["registered_on"] = _("The registration date cannot be before the signing date.")
        if self.registration_number and not self.registered_on:
            errors["registered_on"] = _("Give the registration date with the registration number.")
        if self.registered_on and not self.registration_number:
            errors["registration_number"] = _("Give the registration number with the registration date.")
        if self.registration_number and "registration_number" not in errors:
            clash = TechContract.objects.filter(registration_number=self.registration_number).exclude(pk=self.pk)
            if clash.exists():
                errors["registration_number"] = _("Registration number %(number)s is already used by another "
                                                  "contract.") % {"number": self.registration_number}
        if errors:
            raise ValidationError(errors)
