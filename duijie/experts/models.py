from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from duijie.core.fields import BlindIndexField, EncryptedTextField
from duijie.core.models import ScopedRecord, TimeStamped, Versioned
from duijie.core.validators import validate_phone
from duijie.experts.choices import ExpertRoleKind, ExpertTitle


class Expert(ScopedRecord):
    """An expert (professor, researcher, engineer, broker). Profiles default to platform visibility."""

    name = models.CharField(_("full name"), max_length=50)
    institution = models.ForeignKey("orgs.Institution", verbose_name=_("institution"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="experts")
    unit = models.ForeignKey("orgs.InstitutionUnit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="experts")
    employer = models.CharField(_("employer (if not a registered institution)"), max_length=200, blank=True)
    title = models.CharField(_("professional title"), max_length=30, choices=ExpertTitle.choices, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    research_directions = models.TextField(_("research directions"), blank=True)
    keywords = models.CharField(_("keywords"), max_length=500, blank=True,
                                help_text=_("Separated by commas or “、”."))
    disciplines = models.ManyToManyField("core.Discipline", verbose_name=_("disciplines (NSFC)"), blank=True,
                                         related_name="experts")
    industries = models.ManyToManyField("core.Industry", verbose_name=_("industries served"), blank=True,
                                        related_name="experts")
    bio = models.TextField(_("biography"), blank=True)
    phone = EncryptedTextField(_("phone"), kind="phone", hash_field="phone_hash", validators=[validate_phone])
    phone_hash = BlindIndexField()
    email = EncryptedTextField(_("email"), kind="email", hash_field="email_hash")
    email_hash = BlindIndexField()
    do_not_recommend = models.BooleanField(
        _("do not recommend me"), default=False,
        help_text=_("The expert opted out of being recommended by matching (PIPL)."))
    user = models.OneToOneField("accounts.User", verbose_name=_("account"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="expert_profile")
    # PIPL: the notice the expert was given and when they consented; erasure of personal fields.
    consent_notice = models.CharField(_("privacy notice version"), max_length=20, blank=True, editable=False)
    consent_at = models.DateTimeField(_("consented at"), null=True, blank=True, editable=False)
    personal_data_erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True,
                                                   editable=False)

    history = HistoricalRecords(m2m_fields=[disciplines, industries])

    class Meta:
        ordering = ["name"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")

    def __str__(self) -> str:
        unit = self.institution.name if self.institution_id else self.employer
        return f"{self.name}（{unit}）" if unit else self.name

    def clean(self) -> None:
        if self.email:
            try:
                validate_email(self.email)
            except ValidationError:
                raise ValidationError({"email": _("“%(value)s” is not a valid email address.") % {"value": self.email}})
        if self.unit_id and self.institution_id and self.unit.institution_id != self.institution_id:
            raise ValidationError({"unit": _("This unit belongs to another institution.")})


class ExpertRole(Versioned, TimeStamped):
    """技术经纪人 / 技术经理人 (with certificate), 院士 … held by an expert. 科技副总 / 产业教授 / 双岗互聘
    are placements (``pairings.Placement``), never roles — one record each."""
    SCOPE_VIA = "expert"  # read/edit scope follows the expert


    expert = models.ForeignKey(Expert, verbose_name=_("expert"), on_delete=models.CASCADE, related_name="roles")
    kind = models.CharField(_("role"), max_length=30, choices=ExpertRoleKind.choices)
    certificate_no = models.CharField(_("certificate number"), max_length=100, blank=True)
    host = models.ForeignKey("core.Organisation", verbose_name=_("host organisation"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="hosted_expert_roles")
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["expert__name", "kind"]
        verbose_name = _("expert role")
        verbose_name_plural = _("expert roles")

    def __str__(self) -> str:
        return f"{self.expert.name} · {self.get_kind_display()}"

    def clean(self) -> None:
        if self.kind in {ExpertRoleKind.BROKER, ExpertRoleKind.TECH_MANAGER} and not self.certificate_no:
            raise ValidationError({"certificate_no": _("Brokers and technology managers need a certificate number.")})
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end is before the start.")})
