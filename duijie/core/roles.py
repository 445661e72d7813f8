"""The business roles and the role sets every app uses: one type, owned by core.

Stored values (``User.role``) are the enum's values; compare and store the members, never the
strings (``core/tests/test_role_literals.py`` fails on a raw role string in product code).
A new role: ``docs/development/adding-a-role.md``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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


# Review and approve records within their scope (city ⊃ assessment unit ⊃ park).
GOVERNMENT_ROLES: frozenset[Role] = frozenset({Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.PARK_MANAGER})
# 三员分立: no business data at all.
PLATFORM_ADMIN_ROLES: frozenset[Role] = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Back-office roles: second factor and password rotation apply (issue: auth policy).
BACK_OFFICE_ROLES: frozenset[Role] = GOVERNMENT_ROLES | PLATFORM_ADMIN_ROLES
# Act for an organisation they belong to (an enterprise, an institution's tech-transfer office).
ORGANISATION_ROLES: frozenset[Role] = frozenset({Role.ENTERPRISE, Role.INSTITUTION})
