from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from duijie.core.fields import BlindIndexField, EncryptedTextField


class Role(models.TextChoices):
    """Roles. The foundation needs only the city administrator; the roles issue adds the rest."""

    CITY_ADMIN = "city_admin", _("City administrator")
    UNIT_ADMIN = "unit_admin", _("Assessment-unit administrator")
    PARK_MANAGER = "park_manager", _("Park manager")
    ENTERPRISE = "enterprise", _("Enterprise user")
    INSTITUTION = "institution", _("Institution tech-transfer office")
    EXPERT = "expert", _("Expert")
    BROKER = "broker", _("Technology broker")


class User(AbstractUser):
    organisation = models.ForeignKey("core.Organisation", verbose_name=_("organisation"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="users")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.ENTERPRISE)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = EncryptedTextField(_("phone"), kind="phone", hash_field="phone_hash")
    phone_hash = BlindIndexField()
    is_demo = models.BooleanField(_("demo account"), default=False,
                                  help_text=_("Demo accounts are exempt from forced password change and second factor."))

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_city_admin(self) -> bool:
        return self.is_superuser or self.role == Role.CITY_ADMIN
