"""Onboarding: enterprise self-registration approved by the unit administrator, and single-use,
expiring invitation links (institution accounts created by the city; experts invited by their
institution)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duijie.core.fields import BlindIndexField, EncryptedTextField
from duijie.core.validators import validate_phone, validate_uscc


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class EnterpriseRegistration(models.Model):
    uscc = models.CharField(_("unified social credit code"), max_length=18, validators=[validate_uscc])
    enterprise_name = models.CharField(_("enterprise name"), max_length=200)
    region = models.ForeignKey("core.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = EncryptedTextField(_("contact phone"), kind="phone", hash_field="contact_phone_hash",
                                       validators=[validate_phone])
    contact_phone_hash = BlindIndexField()
    email = models.EmailField(_("email"))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE,
                                related_name="registration")
    status = models.CharField(_("status"), max_length=10, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.PENDING)
    reason = models.TextField(_("reason for rejection"), blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    enterprise = models.ForeignKey("orgs.Enterprise", verbose_name=_("enterprise"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="registrations")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("enterprise registration")
        verbose_name_plural = _("enterprise registrations")

    def __str__(self) -> str:
        return f"{self.enterprise_name}（{self.uscc}）"


class InvitationKind(models.TextChoices):
    INSTITUTION_ACCOUNT = "institution", _("Institution account")
    EXPERT = "expert", _("Expert")


class Invitation(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=InvitationKind.choices)
    email = models.EmailField(_("email"))
    organisation = models.ForeignKey("core.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE,
                                     related_name="invitations")
    expert = models.ForeignKey("experts.Expert", verbose_name=_("expert"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("invited by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.email}"

    @property
    def usable(self) -> bool:
        return self.used_at is None and timezone.now() < self.expires_at
