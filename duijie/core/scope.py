"""Data scope by role (PRODUCT.md, "Who sees what"). Used only by core.selectors.

``edit_q(model, user)`` is what the user may edit: government roles by scope (city ⊃ assessment
unit ⊃ park), everyone else their own organisation's records and what they are party to. What a
user may *read* is that plus whatever each record's visibility allows (selectors add that).
Platform administrators (三员) have no business scope at all. Roles are compared as strings so
this module needs nothing from the accounts app at import time.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Model, Q
from django.utils.translation import gettext as _

from duijie.core.models import AssessmentUnit, Organisation, Park, Region

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
    """Region-code prefix of a city administrator's city (None: no city, so no scope)."""
    org = getattr(user, "organisation", None)
    if org is None or org.region_id is None:
        return None
    return org.region.code


def unit_ids(unit) -> list[int]:
    """The unit and every unit inside it."""
    ids, frontier = [unit.pk], [unit.pk]
    while frontier:
        frontier = list(AssessmentUnit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


def unit_reach(unit) -> tuple[list[int], set[str], list[int]]:
    """What a unit administrator's unit reaches: the ids of the unit and the units inside it, the codes
    of the regions they map to, and the parks they map to."""
    ids = unit_ids(unit)
    units = AssessmentUnit.objects.filter(pk__in=ids)
    codes = set(units.values_list("regions__code", flat=True)) - {None}
    parks = list(units.values_list("parks", flat=True).exclude(parks=None))
    return ids, codes, parks


def _gov_q(model: type[Model], user) -> Q:
    fields = _fields(model)
    org = user.organisation
    q = Q(filed_by_org=org.pk) if org else NOTHING
    if user.role == CITY_ADMIN:
        prefix = city_prefix(user)
        if prefix is None:  # a bureau without a city sees what it filed, never the whole platform
            return q
        units = AssessmentUnit.objects.filter(
            Q(city__code__startswith=prefix) | Q(regions__code__startswith=prefix)
            | Q(organisations__region__code__startswith=prefix)).values("pk")
        if model is AssessmentUnit:
            return Q(pk__in=units)
        q |= Q(region__code__startswith=prefix) | Q(owner_org__region__code__startswith=prefix)
        q |= Q(filed_by_org__region__code__startswith=prefix)
        q |= _in(model, assessment_units__in=units)
        return q
    if user.role == UNIT_ADMIN:
        unit = org.assessment_unit if org else None
        if unit is None:
            return q
        ids, codes, parks = unit_reach(unit)
        if model is AssessmentUnit:
            return Q(pk__in=ids)
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
    the park management itself. A city administrator without a city covers only its own bureau (an
    empty scope grants nothing); everyone else covers nothing here (they see what is theirs)."""
    if not getattr(user, "is_authenticated", False) or user.role not in GOVERNMENT:
        return NOTHING
    if getattr(user, "is_server_operator", False):
        return Q()
    org = user.organisation
    own = Q(pk=org.pk) if org else NOTHING
    if user.role == CITY_ADMIN:
        prefix = city_prefix(user)
        if prefix is None:
            return own
        return (own | Q(region__code__startswith=prefix) | Q(assessment_unit__city__code__startswith=prefix)
                | Q(enterprise__region__code__startswith=prefix) | Q(institution__region__code__startswith=prefix))
    if user.role == UNIT_ADMIN:
        unit = org.assessment_unit if org else None
        if unit is None:
            return own
        ids, codes, parks = unit_reach(unit)
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


def party_read_q(model: type[Model], user) -> Q:
    """Records naming the user's enterprise or institution, or the expert themself, in any link —
    who may *read* a confidential record they are party to, even where ``PARTY_FIELDS`` keeps them
    from editing it (a pairing names an enterprise; the bureau keeps it)."""
    org_id = getattr(user, "organisation_id", None)
    q = NOTHING
    for f in model._meta.get_fields():
        if not (f.is_relation and f.concrete and f.related_model is not None):
            continue
        target = f.related_model._meta.label
        lookup = _in if f.many_to_many else (lambda m, **kw: Q(**kw))
        if target in ("orgs.Enterprise", "orgs.Institution") and org_id and user.role in {ENTERPRISE, INSTITUTION}:
            q |= lookup(model, **{f"{f.name}__organisation": org_id})
        elif target == "experts.Expert" and user.role == EXPERT:
            q |= lookup(model, **{f"{f.name}__user": user.pk})
    return q


def edit_q(model: type[Model], user) -> Q:
    if not user.is_authenticated or user.role in PLATFORM_ADMINS:
        return NOTHING
    if getattr(user, "is_server_operator", False):
        return Q()  # the command-line operator on the server (accounts.models.SERVER_OPERATOR_USERNAME)
    if user.role in GOVERNMENT:
        return _gov_q(model, user)
    return _party_q(model, user)


# ------------------------------------------------------------------------------------------------
# Who may set the fields that decide scope (PRODUCT.md: "set only by those entitled to; an empty
# value grants nothing"). One rule, used by forms (core.forms), API serializers (core.api), imports
# (imports.engine) and the write services (core.services.record_save), which refuse what it refuses.
#
# - Government roles (city, unit, park) set a record's region, park, assessment units, owner
#   organisation and visibility — only to values inside their own scope.
# - Enterprise, institution, expert and broker users never set region, park, assessment units or
#   owner organisation: on a new record they are taken from what the record belongs to (a demand's
#   enterprise, the user's own enterprise or institution); on an existing one they stay as they are.
#   They choose visibility, but only a government role in scope lifts 不宜公开 (classified).
# - The filing account and organisation are set by the service from the writer, never by input.
# - Organisations (what users belong to) are edited by city administrators only, inside their city,
#   and never the scope fields of their own bureau; assessment units likewise.
# ------------------------------------------------------------------------------------------------

SCOPE_FIELDS = ("region", "park", "assessment_units", "owner_org", "visibility")
ORGANISATION_SCOPE_FIELDS = ("kind", "region", "assessment_unit", "park")
UNIT_SCOPE_FIELDS = ("city", "parent", "regions", "parks")
DERIVED_FIELDS = ("region", "park", "assessment_units")


def scope_field_names(model: type[Model]) -> tuple[str, ...]:
    label = model._meta.label
    if label == "core.Organisation":
        return ORGANISATION_SCOPE_FIELDS
    if label == "core.AssessmentUnit":
        return UNIT_SCOPE_FIELDS
    names = _fields(model)
    if "visibility" not in names or "filed_by_org" not in names:
        return ()
    return tuple(n for n in SCOPE_FIELDS if n in names)


def may_set(model: type[Model], user, name: str, instance: Model | None = None) -> bool:
    """Whether ``user`` may change the scope field ``name`` of ``instance`` (None or unsaved: a new
    record). Values are checked against :func:`allowed_values` separately."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "role", None) in PLATFORM_ADMINS:
        return False
    pk = getattr(instance, "pk", None)
    before = _stored(instance, "visibility") if pk is not None and name == "visibility" else None
    own = model._meta.label == "core.Organisation" and pk is not None and pk == getattr(user, "organisation_id", None)
    return ScopeFieldRule(model, user)._may_set(name, pk, before, own)


def _stored(instance: Model, name: str):
    return type(instance)._default_manager.filter(pk=instance.pk).values_list(name, flat=True).first()


def regions_in_scope(user, model: type[Model] | None = None):
    """Regions a government user may place records in (an institution may also lie outside the
    province: universities come from all over China)."""
    org = getattr(user, "organisation", None)
    q = NOTHING
    if user.role == CITY_ADMIN:
        prefix = city_prefix(user)
        if prefix:
            q = Q(code__startswith=prefix)
    elif user.role == UNIT_ADMIN and org is not None and org.assessment_unit_id:
        _ids, codes, _parks = unit_reach(org.assessment_unit)
        for code in codes:
            q |= Q(code__startswith=code)
    elif user.role == PARK_MANAGER and org is not None and org.park_id:
        code = Park.objects.filter(pk=org.park_id).values_list("region__code", flat=True).first()
        if code:
            q = Q(code__startswith=code)
    if model is not None and getattr(model, "REGION_BEYOND_PROVINCE", False):
        q |= ~Q(code__startswith=settings.DUIJIE_PROVINCE_CODE)
    return Region.objects.filter(q)


def units_in_scope(user):
    org = getattr(user, "organisation", None)
    if user.role == CITY_ADMIN:
        prefix = city_prefix(user)
        return AssessmentUnit.objects.filter(city__code__startswith=prefix) if prefix else AssessmentUnit.objects.none()
    if user.role == UNIT_ADMIN and org is not None and org.assessment_unit_id:
        return AssessmentUnit.objects.filter(pk__in=unit_ids(org.assessment_unit))
    if user.role == PARK_MANAGER and org is not None and org.park_id:
        return AssessmentUnit.objects.filter(parks=org.park_id)
    return AssessmentUnit.objects.none()


def parks_in_scope(user):
    org = getattr(user, "organisation", None)
    if user.role == PARK_MANAGER:
        return Park.objects.filter(pk=org.park_id) if org is not None and org.park_id else Park.objects.none()
    if user.role not in (CITY_ADMIN, UNIT_ADMIN):
        return Park.objects.none()
    units = units_in_scope(user)
    return Park.objects.filter(Q(region__in=regions_in_scope(user)) | Q(pk__in=units.values("parks"))
                               | Q(assessment_units_mapped__in=units)).distinct()


def organisations_in_scope(user):
    """Organisations inside a government user's scope (:func:`organisation_q`)."""
    return Organisation.objects.filter(pk__in=Organisation.objects.filter(organisation_q(user)).values("pk"))


def allowed_values(model: type[Model], user, name: str):
    """The values ``user`` may give the scope field ``name`` (a queryset for links, a set of codes for
    plain choices), or None when any value of the field's own choices will do."""
    if name in ("region", "regions"):
        return regions_in_scope(user, model)
    if name in ("park", "parks"):
        return parks_in_scope(user)
    if name in ("assessment_units", "assessment_unit", "parent"):
        return units_in_scope(user)
    if name == "owner_org":
        return organisations_in_scope(user)
    if name == "city":
        prefix = city_prefix(user)
        return Region.objects.filter(code=prefix[:4], level=2) if prefix else Region.objects.none()
    return None


class ScopeFieldRule:
    """:func:`may_set` and :func:`allowed_values` for one user and model, with the allowed ids
    fetched once: the services check one record with it, imports check every row with it."""

    def __init__(self, model: type[Model], user):
        self.model, self.user = model, user
        self.names = scope_field_names(model) if getattr(user, "is_authenticated", False) else ()
        self.government = getattr(user, "role", None) in GOVERNMENT
        self.derives = not self.government and model._meta.label not in ("core.Organisation", "core.AssessmentUnit")
        self._allowed: dict[str, set | None] = {}

    def is_m2m(self, name: str) -> bool:
        return self.model._meta.get_field(name).many_to_many

    def allowed(self, name: str) -> set | None:
        if getattr(self.user, "is_server_operator", False):
            return None
        if name not in self._allowed:
            qs = allowed_values(self.model, self.user, name)
            self._allowed[name] = None if qs is None else set(qs.values_list("pk", flat=True))
        return self._allowed[name]

    def errors(self, new: dict, old: dict, *, pk=None, own_org: bool = False) -> dict[str, str]:
        """``new``/``old``: field → value (ids; frozensets for many-to-many); a field missing from
        ``new`` is not being set. ``old`` of a new record holds its defaults or derived place."""
        errors: dict[str, str] = {}
        for name in self.names:
            if name not in new:
                continue
            value, before = new[name], old.get(name)
            if value == before or (not value and not before):
                continue
            if not self._may_set(name, pk, before, own_org):
                errors[name] = _("You may not set this field; it decides who sees the record.")
                continue
            allowed = self.allowed(name)
            if allowed is None or not value:
                continue  # an empty value grants nothing
            wanted = set(value) if self.is_m2m(name) else {value}
            held = set(before) if self.is_m2m(name) and before else set()
            if wanted - allowed - held:
                errors[name] = _("This value lies outside your scope.")
        return errors

    def _may_set(self, name: str, pk, before, own_org: bool) -> bool:
        user = self.user
        if getattr(user, "is_server_operator", False):
            return True
        if self.model._meta.label in ("core.Organisation", "core.AssessmentUnit"):
            return user.role == CITY_ADMIN and city_prefix(user) is not None and not own_org
        if self.government:
            return True
        # Anyone who may edit the record sets its visibility, except lifting 不宜公开 (classified).
        return name == "visibility" and not (pk is not None and before == "classified")


def _value(instance: Model, name: str, m2m: dict | None):
    field = instance._meta.get_field(name)
    if field.many_to_many:
        if m2m is not None and name in m2m:
            return frozenset(getattr(v, "pk", v) for v in m2m[name])
        return None  # not being set
    return getattr(instance, field.attname)


def _old_value(instance: Model, name: str):
    field = instance._meta.get_field(name)
    if instance.pk is None:
        if field.many_to_many:
            return frozenset()
        return field.get_default()
    if field.many_to_many:
        return frozenset(getattr(instance, name).values_list("pk", flat=True))
    return _stored(instance, field.attname)


def derived_location(instance: Model, user) -> dict:
    """Where a record filed by a non-government user lies: its scope parent's place (a demand's
    enterprise), else the user's own enterprise or institution, else the user's organisation."""
    source = None
    for name in getattr(type(instance), "SCOPE_PARENTS", ()):
        source = getattr(instance, name, None)
        if source is not None:
            break
    org = getattr(user, "organisation", None)
    if source is None and org is not None:
        for backing in ("enterprise", "institution"):
            source = getattr(org, backing, None) if hasattr(org, backing) else None
            if source is not None:
                break
    out: dict = {"region": None, "park": None, "assessment_units": frozenset(),
                 "owner_org": getattr(source, "organisation_id", None) if source is not None else None}
    if source is not None:
        out["region"] = getattr(source, "region_id", None)
        out["park"] = getattr(source, "park_id", None)
        if source.pk and hasattr(source, "assessment_units"):
            out["assessment_units"] = frozenset(source.assessment_units.values_list("pk", flat=True))
    elif org is not None:
        out["region"], out["park"] = org.region_id, org.park_id
    return out


def scope_field_errors(instance: Model, user, m2m: dict | None = None) -> dict[str, str]:
    """Field → reason for every scope field of ``instance`` that ``user`` changed but may not, or
    set to a value outside their scope. A new record by a non-government user gets its location from
    :func:`derived_location` wherever the input left it empty (``instance`` and ``m2m`` are filled in)."""
    rule = ScopeFieldRule(type(instance), user)
    if not rule.names:
        return {}
    creating = instance.pk is None
    derived = derived_location(instance, user) if creating and rule.derives else None
    new, old = {}, {}
    for name in rule.names:
        field = instance._meta.get_field(name)
        value = _value(instance, name, m2m)
        before = _old_value(instance, name)
        if derived is not None and name in DERIVED_FIELDS:
            before = derived[name]
            if not value:  # left empty: the record lies where what it belongs to lies
                if field.many_to_many:
                    if m2m is not None and before:
                        m2m[name] = list(before)
                else:
                    setattr(instance, field.attname, before)
                continue
        if name == "owner_org" and derived is not None and value in (None, user.organisation_id, derived["owner_org"]):
            continue  # its own organisation, or what it files for (a parent it must be entitled to: services)
        if value is not None or not field.many_to_many:
            new[name] = value
        old[name] = before
    own = instance._meta.label == "core.Organisation" and instance.pk is not None \
        and instance.pk == getattr(user, "organisation_id", None)
    return rule.errors(new, old, pk=instance.pk, own_org=own)
