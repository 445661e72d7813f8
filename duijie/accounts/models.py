from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from duijie.core.fields import BlindIndexField, EncryptedTextField


class Role(models.TextChoices):
    """Business roles (scope: city ⊃ unit ⊃ park ⊃ own organisation) and the three separated
    platform-administration duties of 等保 level 3 (三员分立). Data scope comes from the user's
    organisation: a government unit's assessment unit, a park management's park, an enterprise or
    an institution."""

    CITY_ADMIN = "city_admin", _("City administrator")
    UNIT_ADMIN = "unit_admin", _("Assessment-unit administrator")
    PARK_MANAGER = "park_manager", _("Park manager")
    ENTERPRISE = "enterprise", _("Enterprise user")
    INSTITUTION = "institution", _("Institution tech-transfer office")
    EXPERT = "expert", _("Expert")
    BROKER = "broker", _("Technology broker")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDIT_ADMIN = "audit_admin", _("Audit administrator")


GOVERNMENT_ROLES = {Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.PARK_MANAGER}
PLATFORM_ADMIN_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
# Back-office roles: second factor and password rotation apply (issue: auth policy).
BACK_OFFICE_ROLES = GOVERNMENT_ROLES | PLATFORM_ADMIN_ROLES


class User(AbstractUser):
    organisation = models.ForeignKey("core.Organisation", verbose_name=_("organisation"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="users")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.ENTERPRISE)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = EncryptedTextField(_("phone"), kind="phone", hash_field="phone_hash")
    phone_hash = BlindIndexField()
    is_demo = models.BooleanField(_("demo account"), default=False,
                                  help_text=_("Demo accounts are exempt from forced password change and second factor."))

    # Platform administration (三员分立): the system administrator manages accounts, the security
    # administrator assigns roles; neither reads business data, the audit administrator reads only
    # the audit trail (selectors).
    READ_ROLES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN)
    EDIT_ROLES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN)
    CREATE_ROLES = (Role.SYSTEM_ADMIN,)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_city_admin(self) -> bool:
        return self.role == Role.CITY_ADMIN

    @property
    def is_government(self) -> bool:
        """City, unit and park administrators: review and approve records within their scope."""
        return self.role in GOVERNMENT_ROLES

    @property
    def is_back_office(self) -> bool:
        return self.role in BACK_OFFICE_ROLES
