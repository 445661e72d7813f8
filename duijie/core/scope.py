"""Data scope by role (PRODUCT.md, "Who sees what"). Used only by core.selectors.

``edit_q(model, user)`` is what the user may edit: government roles by scope (city ⊃ assessment
unit ⊃ park), everyone else their own organisation's records and what they are party to. What a
user may *read* is that plus whatever each record's visibility allows (selectors add that).
Platform administrators (三员) have no business scope at all. Roles are compared as strings so
this module needs nothing from the accounts app at import time.
"""

from __future__ import annotations

from django.db.models import Model, Q

NOTHING = Q(pk__in=[])

CITY_ADMIN, UNIT_ADMIN, PARK_MANAGER = "city_admin", "unit_admin", "park_manager"
ENTERPRISE, INSTITUTION, EXPERT, BROKER = "enterprise", "institution", "expert", "broker"
PLATFORM_ADMINS = {"system_admin", "security_admin", "audit_admin"}
GOVERNMENT = {CITY_ADMIN, UNIT_ADMIN, PARK_MANAGER}


def _fields(model: type[Model]) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def _own_fields(model: type[Model]) -> set[str]:
    """Fields declared on the model itself (no reverse relations, which may share a name)."""
    return {f.name for f in model._meta.get_fields() if not f.auto_created or f.concrete}


def _in(model: type[Model], **lookup) -> Q:
    """pk__in subquery, so many-to-many conditions never duplicate rows."""
    return Q(pk__in=model._default_manager.filter(**lookup).values("pk"))


def city_prefix(user) -> str | None:
    """Region-code prefix of a city administrator's city (None: the whole platform)."""
    org = getattr(user, "organisation", None)
    if org is None or org.region_id is None:
        return None
    return org.region.code


def unit_ids(unit) -> list[int]:
    """The unit and every unit inside it."""
    from duijie.core.models import AssessmentUnit

    ids, frontier = [unit.pk], [unit.pk]
    while frontier:
        frontier = list(AssessmentUnit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


def _gov_q(model: type[Model], user) -> Q:
    from duijie.core.models import AssessmentUnit, Park

    fields = _fields(model)
    org = user.organisation
    q = Q(filed_by_org=org.pk) if org else NOTHING
    if user.role == CITY_ADMIN:
        prefix = city_prefix(user)
        if prefix is None:
            return Q()
        units = AssessmentUnit.objects.filter(
            Q(city__code__startswith=prefix) | Q(regions__code__startswith=prefix)
            | Q(organisations__region__code__startswith=prefix)).values("pk")
        if model is AssessmentUnit:
            return Q(pk__in=units)
        q |= Q(region__code__startswith=prefix) | Q(owner_org__region__code__startswith=prefix)
        q |= Q(filed_by_org__region__code__startswith=prefix)
        q |= _in(model, assessment_units__in=units)
        q |= Q(region__isnull=True, filed_by_org__isnull=True, owner_org__isnull=True)
        return q
    if user.role == UNIT_ADMIN:
        unit = org.assessment_unit if org else None
        if unit is None:
            return q
        ids = unit_ids(unit)
        if model is AssessmentUnit:
            return Q(pk__in=ids)
        units = AssessmentUnit.objects.filter(pk__in=ids)
        codes = set(units.values_list("regions__code", flat=True)) - {None}
        parks = list(units.values_list("parks", flat=True).exclude(parks=None))
        q |= _in(model, assessment_units__in=ids)
        for code in codes:
            q |= Q(region__code__startswith=code)
        if "park" in fields:
            q |= Q(park__in=parks)
        if model is Park:
            q |= Q(pk__in=parks)
        return q
    if user.role == PARK_MANAGER:
        park_id = org.park_id if org else None
        if park_id is None:
            return q
        if "park" in fields:
            q |= Q(park=park_id)
        if "enterprise" in fields:
            q |= Q(enterprise__park=park_id)
        if "enterprises" in _own_fields(model):
            q |= _in(model, enterprises__park=park_id)
        if model is Park:
            q |= Q(pk=park_id)
        return q
    return NOTHING


def organisation_q(user) -> Q:
    """The organisations (a Q over ``core.Organisation``) a government user's scope covers, for
    things that belong to a person rather than a record (import jobs and their error reports): a
    city administrator the organisations located in the city, a unit administrator those in the
    unit's regions and parks (and the unit's own offices), a park manager the park's enterprises and
    the park management itself. ``Q()`` is the whole platform (a city administrator without a city);
    everyone else covers nothing here (they see what is theirs)."""
    from duijie.core.models import AssessmentUnit, Organisation

    if not getattr(user, "is_authenticated", False) or user.role not in GOVERNMENT:
        return NOTHING
    org = user.organisation
    own = Q(pk=org.pk) if org else NOTHING
    if user.role == CITY_ADMIN:
        prefix = city_prefix(user)
        if prefix is None:
            return Q()
        return (own | Q(region__code__startswith=prefix) | Q(assessment_unit__city__code__startswith=prefix)
                | Q(enterprise__region__code__startswith=prefix) | Q(institution__region__code__startswith=prefix))
    if user.role == UNIT_ADMIN:
        unit = org.assessment_unit if org else None
        if unit is None:
            return own
        ids = unit_ids(unit)
        units = AssessmentUnit.objects.filter(pk__in=ids)
        codes = set(units.values_list("regions__code", flat=True)) - {None}
        parks = list(units.values_list("parks", flat=True).exclude(parks=None))
        q = own | Q(assessment_unit__in=ids) | Q(park__in=parks) | Q(enterprise__park__in=parks)
        q |= Q(pk__in=Organisation.objects.filter(enterprise__assessment_units__in=ids).values("pk"))
        for code in codes:
            q |= Q(region__code__startswith=code)
        return q
    park_id = org.park_id if org else None
    if park_id is None:
        return own
    return own | Q(park=park_id) | Q(enterprise__park=park_id)


def _is_expert_fk(model: type[Model]) -> bool:
    field = model._meta.get_field("expert")
    return bool(field.is_relation and field.related_model and field.related_model._meta.label == "experts.Expert")


def _party_q(model: type[Model], user) -> Q:
    """Enterprise, institution, expert and broker users: their organisation's records and what they
    are party to."""
    fields = _fields(model)
    own = _own_fields(model)
    # A model may limit which of its relations make a user a party (``PARTY_FIELDS``): a visit log
    # names an enterprise, but the enterprise does not edit the bureau's notes about it.
    party = getattr(model, "PARTY_FIELDS", None)
    if party is not None:
        fields = (fields - {"enterprise", "institution", "applicant_orgs", "user", "lead_expert",
                            "inventor_experts", "expert"}) | (fields & set(party))
    org_id = getattr(user, "organisation_id", None)
    q = Q(filed_by=user.pk)
    # Experts and brokers act for themselves, not for the organisation they work at.
    if org_id and user.role in {ENTERPRISE, INSTITUTION}:
        q |= Q(owner_org=org_id) | Q(filed_by_org=org_id)
        if "enterprise" in fields:
            q |= Q(enterprise__organisation=org_id)
        if "institution" in fields:
            q |= Q(institution__organisation=org_id)
        if "applicant_orgs" in fields:
            q |= _in(model, applicant_orgs=org_id)
        # Cooperation records name their parties in many-to-many fields (projects) or as seller.
        if "enterprises" in own:
            q |= _in(model, enterprises__organisation=org_id)
        if "institutions" in own:
            q |= _in(model, institutions__organisation=org_id)
        if "seller_enterprise" in own:
            q |= Q(seller_enterprise__organisation=org_id)
    if user.role == EXPERT:
        if "user" in fields:
            q |= Q(user=user.pk)
        if "lead_expert" in fields:
            q |= Q(lead_expert__user=user.pk)
        if "inventor_experts" in fields:
            q |= _in(model, inventor_experts__user=user.pk)
        if "experts" in own:
            q |= _in(model, experts__user=user.pk)
        # A record naming one expert (an intention, a placement): that expert's account is a party.
        if "expert" in own and "expert" in fields and _is_expert_fk(model):
            q |= Q(expert__user=user.pk)
    if user.role == BROKER and "broker" in own:
        q |= Q(broker=user.pk)
    return q


def edit_q(model: type[Model], user) -> Q:
    if not user.is_authenticated or user.role in PLATFORM_ADMINS:
        return NOTHING
    if user.role in GOVERNMENT:
        return _gov_q(model, user)
    return _party_q(model, user)
