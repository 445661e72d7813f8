from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from duijie.core.choices import Visibility
from duijie.core.fields import BlindIndexField, EncryptedTextField
from duijie.core.models import ScopedRecord
from duijie.core.validators import validate_phone
from duijie.demands.choices import CooperationMode, DemandStatus, DemandType

MONEY = {"max_digits": 16, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class Demand(ScopedRecord):
    """企业需求. Review workflow: draft → submitted → published, or returned (整改) / rejected.
    Later states (matched, in cooperation, solved) are derived from matching and cooperation records."""

    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices,
                                  default=Visibility.PUBLIC, help_text=_("Applies once published; drafts and records under review are restricted."))

    enterprise = models.ForeignKey("orgs.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="demands")
    demand_type = models.CharField(_("type"), max_length=20, choices=DemandType.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    industry = models.ForeignKey("core.Industry", verbose_name=_("industry (GB/T 4754)"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="demands")
    tech_field = models.CharField(_("technical field"), max_length=200, blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    cooperation_mode = models.CharField(_("cooperation mode"), max_length=20, choices=CooperationMode.choices,
                                        blank=True)
    budget_min = models.DecimalField(_("budget from (yuan)"), null=True, blank=True, **MONEY)
    budget_max = models.DecimalField(_("budget to (yuan)"), null=True, blank=True, **MONEY)
    budget_negotiable = models.BooleanField(_("budget negotiable (面议)"), default=False)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), kind="phone", hash_field="contact_phone_hash",
                                       validators=[validate_phone])
    contact_phone_hash = BlindIndexField()
    status = models.CharField(_("status"), max_length=12, choices=DemandStatus.choices, default=DemandStatus.DRAFT)
    return_reason = models.TextField(_("reason for return / rejection"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    source_ref = models.CharField(_("source reference"), max_length=300, blank=True,
                                  help_text=_("Where the demand was collected (survey, visit, listing)."))

    history = HistoricalRecords(m2m_fields=["assessment_units"])

    # Others see a demand only in these states (selectors); drafts and reviews stay restricted.
    PUBLISHED_STATES = (DemandStatus.PUBLISHED, DemandStatus.CLOSED)
    # The public portal lists open demands only: a closed one (by its owner or at its deadline) leaves it.
    PORTAL_STATES = (DemandStatus.PUBLISHED,)
    # Only someone who may edit the enterprise may file or move a demand for it (services).
    SCOPE_PARENTS = ("enterprise",)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("enterprise demand")
        verbose_name_plural = _("enterprise demands")
        indexes = [models.Index(fields=["status", "visibility"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.budget_min is not None and self.budget_max is not None and self.budget_max < self.budget_min:
            raise ValidationError({"budget_max": _("The upper end of the budget is below the lower end.")})

    @property
    def budget_display(self) -> str:
        if self.budget_negotiable and self.budget_min is None and self.budget_max is None:
            return "面议"

        def wan(v: Decimal) -> str:
            return f"{(v / 10000).normalize():f}万元"

        if self.budget_min is not None and self.budget_max is not None:
            return f"{wan(self.budget_min)}–{wan(self.budget_max)}"
        if self.budget_max is not None:
            return f"≤{wan(self.budget_max)}"
        if self.budget_min is not None:
            return f"≥{wan(self.budget_min)}"
        return ""
