"""Data scope by role (PRODUCT.md, "Who sees what"). Used only by core.selectors.

``edit_q(model, user)`` is what the user may edit: government roles by scope (city ⊃ assessment
unit ⊃ park), everyone else their own organisation's records and what they are party to. What a
user may *read* is that plus whatever each record's visibility allows (selectors add that).
Platform administrators (三员) have no business scope at all. Which relations give a viewer access
is written once, in ``core/access.py``; this module builds the filters from it.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Model, Q
from django.utils.translation import gettext as _

from duijie.core import access
from duijie.core.access import NOTHING, city_prefix, unit_ids, unit_reach
from duijie.core.models import AssessmentUnit, Organisation, Park, Region
from duijie.core.roles import GOVERNMENT_ROLES, PLATFORM_ADMIN_ROLES, Role


def _fields(model: type[Model]) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def organisation_q(user) -> Q:
    """The organisations (a Q over ``core.Organisation``) a government user's scope covers, for
    things that belong to a person rather than a record (import jobs and their error reports): a
    city administrator the organisations located in the city, a unit administrator those in the
    unit's regions and parks (and the unit's own offices), a park manager the park's enterprises and
    the park management itself. A city administrator without a city covers only its own bureau (an
    empty scope grants nothing); everyone else covers nothing here (they see what is theirs)."""
    if not getattr(user, "is_authenticated", False) or user.role not in GOVERNMENT_ROLES:
        return NOTHING
    if getattr(user, "is_server_operator", False):
        return Q()
    org = user.organisation
    own = Q(pk=org.pk) if org else NOTHING
    if user.role == Role.CITY_ADMIN:
        prefix = city_prefix(user)
        if prefix is None:
            return own
        return (own | Q(region__code__startswith=prefix) | Q(assessment_unit__city__code__startswith=prefix)
                | Q(enterprise__region__code__startswith=prefix) | Q(institution__region__code__startswith=prefix))
    if user.role == Role.UNIT_ADMIN:
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


def edit_q(model: type[Model], user) -> Q:
    """What ``user`` may edit of ``model`` (and read whatever the visibility): ``access.RELATIONS``
    within what the user reaches (``access.reach``)."""
    return access.reach_q(model, access.reach(user), access.edit_relations(model))


def read_scope_q(model: type[Model], user) -> Q:
    """:func:`edit_q`, and for confidential models every party the record names in any link — who may
    read a confidential record they are party to, even where ``PARTY_FIELDS`` keeps them from editing
    it (a pairing names an enterprise; the bureau keeps it)."""
    return access.reach_q(model, access.reach(user), access.read_relations(model))


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
# - A model may name further fields that hold an assessment unit and so decide whose figure or
#   target a record is (``SCOPE_UNIT_FIELDS``: a reported figure's ``unit``). They are scope fields
#   checked against ``units_in_scope``; empty means the whole city, which only a city administrator
#   may leave it as (a district files its own units' figures, never the city's nor another district's).
# ------------------------------------------------------------------------------------------------

SCOPE_FIELDS = ("region", "park", "assessment_units", "owner_org", "visibility", "owner_unit", "owner_park")
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
    return tuple(n for n in SCOPE_FIELDS if n in names) + unit_scope_fields(model)


def unit_scope_fields(model: type[Model]) -> tuple[str, ...]:
    """The model's further fields holding an assessment unit that decides whose record it is."""
    return tuple(getattr(model, "SCOPE_UNIT_FIELDS", ()))


def may_set(model: type[Model], user, name: str, instance: Model | None = None) -> bool:
    """Whether ``user`` may change the scope field ``name`` of ``instance`` (None or unsaved: a new
    record). Values are checked against :func:`allowed_values` separately."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "role", None) in PLATFORM_ADMIN_ROLES:
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
    if user.role == Role.CITY_ADMIN:
        prefix = city_prefix(user)
        if prefix:
            q = Q(code__startswith=prefix)
    elif user.role == Role.UNIT_ADMIN and org is not None and org.assessment_unit_id:
        _ids, codes, _parks = unit_reach(org.assessment_unit)
        for code in codes:
            q |= Q(code__startswith=code)
    elif user.role == Role.PARK_MANAGER and org is not None and org.park_id:
        code = Park.objects.filter(pk=org.park_id).values_list("region__code", flat=True).first()
        if code:
            q = Q(code__startswith=code)
    if model is not None and getattr(model, "REGION_BEYOND_PROVINCE", False):
        q |= ~Q(code__startswith=settings.DUIJIE_PROVINCE_CODE)
    return Region.objects.filter(q)


def units_in_scope(user):
    org = getattr(user, "organisation", None)
    if user.role == Role.CITY_ADMIN:
        # The units the city administrator reads (core.access.city_units): a county-level city's
        # bureau (昆山, 320583) holds its towns' units although they are placed in 苏州 (3205).
        prefix = city_prefix(user)
        return AssessmentUnit.objects.filter(pk__in=access.city_units(prefix)) if prefix else AssessmentUnit.objects.none()
    if user.role == Role.UNIT_ADMIN and org is not None and org.assessment_unit_id:
        return AssessmentUnit.objects.filter(pk__in=unit_ids(org.assessment_unit))
    if user.role == Role.PARK_MANAGER and org is not None and org.park_id:
        return AssessmentUnit.objects.filter(parks=org.park_id)
    return AssessmentUnit.objects.none()


def parks_in_scope(user):
    org = getattr(user, "organisation", None)
    if user.role == Role.PARK_MANAGER:
        return Park.objects.filter(pk=org.park_id) if org is not None and org.park_id else Park.objects.none()
    if user.role not in (Role.CITY_ADMIN, Role.UNIT_ADMIN):
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
    if name in ("park", "parks", "owner_park"):
        return parks_in_scope(user)
    if name in ("assessment_units", "assessment_unit", "parent", "owner_unit") or name in unit_scope_fields(model):
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
        self.government = getattr(user, "role", None) in GOVERNMENT_ROLES
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
            if name in unit_scope_fields(self.model) and not value and (pk is None or before) \
                    and not self._names_the_city():
                errors[name] = _("Only the city administrator files a figure for the whole city; "
                                 "choose one of your assessment units.")
                continue
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

    def _names_the_city(self) -> bool:
        """Whether the user may leave a unit field empty (the whole city's record)."""
        user = self.user
        return getattr(user, "is_server_operator", False) or (
            getattr(user, "role", None) == Role.CITY_ADMIN and city_prefix(user) is not None)

    def _may_set(self, name: str, pk, before, own_org: bool) -> bool:
        user = self.user
        if getattr(user, "is_server_operator", False):
            return True
        if self.model._meta.label in ("core.Organisation", "core.AssessmentUnit"):
            return user.role == Role.CITY_ADMIN and city_prefix(user) is not None and not own_org
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
