"""Account rules shared by the administration forms and the API (三员分立).

A user's role and organisation together decide their data scope (core/scope.py): a government role
reads and edits what its organisation's region, unit or park covers, an enterprise or institution
user what their organisation owns or filed. The two are set by different duties — the system
administrator the organisation, the security administrator the role — so neither may combine them
into a scope nobody approved. ``role_organisation_error`` is the one rule both duties pass:

- government roles (city, unit, park) belong to a government organisation — and only they (and the
  platform administrators, who have no business scope) may belong to one: an enterprise user moved
  into a bureau's organisation would otherwise read the bureau's restricted records;
- enterprise users to an enterprise, institution users to an institution; experts and brokers act
  for themselves (their organisation grants nothing) and may belong to any non-government
  organisation; the platform administrators to a government or other organisation;
- no organisation grants nothing, so it fits every role, except that an *active* account with a
  government role needs its organisation: the security administrator may give a government role to
  an inactive account without one, and the system administrator then sets the government
  organisation and activates it (two duties, two steps; never a usable government account with an
  undecided scope).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from duijie.core.choices import OrgKind
from duijie.core.roles import GOVERNMENT_ROLES, Role

ANY_BUT_GOVERNMENT = frozenset({OrgKind.ENTERPRISE, OrgKind.INSTITUTION, OrgKind.OTHER})

ROLE_ORGANISATION_KINDS: dict[Role, frozenset[str]] = {
    Role.CITY_ADMIN: frozenset({OrgKind.GOVERNMENT}),
    Role.UNIT_ADMIN: frozenset({OrgKind.GOVERNMENT}),
    Role.PARK_MANAGER: frozenset({OrgKind.GOVERNMENT}),
    Role.ENTERPRISE: frozenset({OrgKind.ENTERPRISE}),
    Role.INSTITUTION: frozenset({OrgKind.INSTITUTION}),
    Role.EXPERT: ANY_BUT_GOVERNMENT,
    Role.BROKER: ANY_BUT_GOVERNMENT,
    Role.SYSTEM_ADMIN: frozenset({OrgKind.GOVERNMENT, OrgKind.OTHER}),
    Role.SECURITY_ADMIN: frozenset({OrgKind.GOVERNMENT, OrgKind.OTHER}),
    Role.AUDIT_ADMIN: frozenset({OrgKind.GOVERNMENT, OrgKind.OTHER}),
}


def role_organisation_error(*, role: str, organisation, is_active: bool) -> str | None:
    """Why this role may not go with this organisation (None: they agree)."""
    if organisation is None:
        if role in GOVERNMENT_ROLES and is_active:
            return _("An active account with a government role needs a government organisation: the system "
                     "administrator sets it (the account stays inactive until then).")
        return None
    allowed = ROLE_ORGANISATION_KINDS.get(role, frozenset())
    if organisation.kind in allowed:
        return None
    return _("The role “%(role)s” cannot belong to an organisation of kind “%(kind)s” (%(org)s): a role and "
             "its organisation must agree.") % {"role": Role(role).label if role in Role.values else role, "kind": OrgKind(organisation.kind).label,
                                               "org": organisation}
