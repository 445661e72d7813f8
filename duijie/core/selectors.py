"""Reads. Every list and record a user sees comes through here, filtered by role and visibility.

The foundation has one administrator role (city administrator: everything). Everyone else reads
published public/platform records plus their own organisation's; the roles issue refines scope
(unit, park, institution) here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q, QuerySet

from duijie.core.choices import Visibility
from duijie.core.models import RecordBase
from duijie.core.registry import RecordType

OPEN_VISIBILITIES = (Visibility.PUBLIC, Visibility.PLATFORM)


def _has_scope_fields(model: type[Model]) -> bool:
    return issubclass(model, RecordBase)


def published_q(model: type[Model]) -> Q:
    states = getattr(model, "PUBLISHED_STATES", None)
    return Q(status__in=states) if states else Q()


def own_q(user) -> Q:
    q = Q(filed_by=user.pk)
    if getattr(user, "organisation_id", None):
        q |= Q(owner_org=user.organisation_id) | Q(filed_by_org=user.organisation_id)
    return q


def _scope_parent(model: type[Model]) -> tuple[str, type[Model]] | None:
    """Sub-records (qualifications, metrics, units, roles) take their scope from their parent."""
    name = getattr(model, "SCOPE_VIA", None)
    return (name, model._meta.get_field(name).related_model) if name else None


def visible_queryset(model: type[Model], user, qs: QuerySet | None = None) -> QuerySet:
    qs = model._default_manager.all() if qs is None else qs
    if user.is_authenticated and getattr(user, "is_city_admin", False):
        return qs  # everything in the city (the only administrator role so far)
    parent = _scope_parent(model)
    if parent:
        return qs.filter(**{f"{parent[0]}__in": visible_queryset(parent[1], user).values("pk")})
    if not _has_scope_fields(model):
        return qs if user.is_authenticated else qs.none()
    if not user.is_authenticated:
        return qs.filter(Q(visibility=Visibility.PUBLIC) & published_q(model))
    return qs.filter((Q(visibility__in=OPEN_VISIBILITIES) & published_q(model)) | own_q(user))


def editable_queryset(model: type[Model], user, qs: QuerySet | None = None) -> QuerySet:
    qs = model._default_manager.all() if qs is None else qs
    if not user.is_authenticated:
        return qs.none()
    if getattr(user, "is_city_admin", False):
        return qs
    parent = _scope_parent(model)
    if parent:
        return qs.filter(**{f"{parent[0]}__in": editable_queryset(parent[1], user).values("pk")})
    if not _has_scope_fields(model):
        return qs.none()
    return qs.filter(own_q(user))


def can_edit(user, obj) -> bool:
    return editable_queryset(type(obj), user).filter(pk=obj.pk).exists()


def can_create(user, record_type: RecordType) -> bool:
    if record_type.reference_only or not user.is_authenticated:
        return False
    if getattr(user, "is_city_admin", False):
        return True
    return _has_scope_fields(record_type.model) or _scope_parent(record_type.model) is not None


def record_list(*, record_type: RecordType, user, filters: Any = None) -> QuerySet:
    """The records of one type the user may read, with the type's joins, filtered by ``filters``
    (a QueryDict or dict for the type's FilterSet)."""
    qs = visible_queryset(record_type.model, user)
    if record_type.select_related:
        qs = qs.select_related(*record_type.select_related)
    if record_type.prefetch_related:
        qs = qs.prefetch_related(*record_type.prefetch_related)
    if filters is not None:
        fs = record_type.filterset(filters, queryset=qs)
        qs = fs.qs
    return qs


def record_get(*, record_type: RecordType, user, pk: Any) -> Model:
    """One record the user may read; raises ``model.DoesNotExist`` otherwise (no hint it exists)."""
    return record_list(record_type=record_type, user=user).get(pk=pk)
