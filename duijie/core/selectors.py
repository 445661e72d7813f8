"""Reads. Every list and record a user sees comes through here, filtered by role, data scope
(core/scope.py) and each record's visibility (PRODUCT.md, "Who sees what"):

- what a user may edit: their scope (government roles: city ⊃ unit ⊃ park; others: their
  organisation's records and what they are party to);
- what a user may read: that, plus published public/platform records of others; restricted and
  classified (不宜公开) records only within scope;
- anonymous visitors: published public records; platform administrators (三员): no business data.
Views and the API never filter by scope themselves.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from duijie.core import scope
from duijie.core.access import OPEN_VISIBILITIES
from duijie.core.choices import Visibility
from duijie.core.models import Grant, RecordBase
from duijie.core.registry import RecordType
from duijie.core.roles import PLATFORM_ADMIN_ROLES


def _has_scope_fields(model: type[Model]) -> bool:
    return issubclass(model, RecordBase)


def published_q(model: type[Model]) -> Q:
    states = getattr(model, "PUBLISHED_STATES", None)
    return Q(status__in=states) if states else Q()


def _scope_parent(model: type[Model]) -> tuple[str, type[Model]] | None:
    """Sub-records (qualifications, metrics, units, roles) take their scope from their parent."""
    name = getattr(model, "SCOPE_VIA", None)
    return (name, model._meta.get_field(name).related_model) if name else None


def is_scoped(model: type[Model]) -> bool:
    """Records whose visibility depends on who asks (registry records and their sub-records)."""
    return _has_scope_fields(model) or _scope_parent(model) is not None


def _is_platform_admin(user) -> bool:
    return getattr(user, "role", None) in PLATFORM_ADMIN_ROLES


def visible_queryset(model: type[Model], user, qs: QuerySet | None = None) -> QuerySet:
    qs = model._default_manager.all() if qs is None else qs
    parent = _scope_parent(model)
    if parent:
        if getattr(model, "CONFIDENTIAL", False):  # business data: the parent's parties and scope only
            return qs.filter(**{f"{parent[0]}__in": confidential_queryset(parent[1], user).values("pk")})
        return qs.filter(**{f"{parent[0]}__in": visible_queryset(parent[1], user).values("pk")})
    if hasattr(model, "READ_ROLES"):  # platform-administration tables (accounts, audit trail)
        return qs if getattr(user, "role", None) in model.READ_ROLES else qs.none()
    if not _has_scope_fields(model):  # reference and scope tables: any logged-in user
        return qs if user.is_authenticated else qs.none()
    if getattr(model, "CONFIDENTIAL", False):  # whatever the visibility says, also for anonymous visitors
        return confidential_queryset(model, user, qs)
    if not user.is_authenticated:
        return qs.filter(Q(visibility=Visibility.PUBLIC) & published_q(model))
    if _is_platform_admin(user):
        return qs.none()
    mine = scope.edit_q(model, user)
    if mine == Q():
        return qs
    granted = Q(pk__in=granted_ids(model, user)) & ~Q(visibility=Visibility.CLASSIFIED)
    return qs.filter(mine | (Q(visibility__in=OPEN_VISIBILITIES) & published_q(model)) | granted)


def confidential_queryset(model: type[Model], user, qs: QuerySet | None = None) -> QuerySet:
    """Records whose content is business-confidential (PRODUCT.md: an enterprise's yearly metrics, the
    terms of pairings and placements): read by their parties and government roles whose scope covers
    them, whatever the visibility says; never by other enterprises, experts or brokers."""
    qs = model._default_manager.all() if qs is None else qs
    if not user.is_authenticated or _is_platform_admin(user):
        return qs.none()
    return qs.filter(scope.read_scope_q(model, user))


def mine_queryset(model: type[Model], user, qs: QuerySet | None = None) -> QuerySet:
    """The records in the user's own scope, whatever their visibility: their organisation's records and
    those they are party to (enterprise, institution, expert, broker), or their area (government roles:
    city ⊃ unit ⊃ park). The "mine" filter of every list and the workplace's sections read this, so a
    district's to-dos never hold another district's records even where those are public."""
    qs = model._default_manager.all() if qs is None else qs
    if not getattr(user, "is_authenticated", False) or _is_platform_admin(user):
        return qs.none()
    parent = _scope_parent(model)
    if parent:
        return qs.filter(**{f"{parent[0]}__in": mine_queryset(parent[1], user).values("pk")})
    if not _has_scope_fields(model):
        return qs
    return qs.filter(scope.read_scope_q(model, user))


def granted_ids(model: type[Model], user) -> QuerySet:
    """Ids of ``model`` records explicitly granted to ``user`` (unexpired)."""
    return (Grant.objects.filter(content_type=ContentType.objects.get_for_model(model), user=user.pk)
            .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=timezone.localdate())).values("object_id"))


def editable_queryset(model: type[Model], user, qs: QuerySet | None = None) -> QuerySet:
    qs = model._default_manager.all() if qs is None else qs
    if not user.is_authenticated:
        return qs.none()
    parent = _scope_parent(model)
    if parent:
        return qs.filter(**{f"{parent[0]}__in": editable_queryset(parent[1], user).values("pk")})
    if hasattr(model, "EDIT_ROLES"):
        if getattr(user, "role", None) not in model.EDIT_ROLES:
            return qs.none()
        # Nobody administers their own account (no self-elevation).
        return qs.exclude(pk=user.pk) if model._meta.label == "accounts.User" else qs
    if not _has_scope_fields(model):
        if not getattr(user, "is_city_admin", False):
            return qs.none()
        if getattr(user, "is_server_operator", False):
            return qs
        label = model._meta.label
        if label == "core.AssessmentUnit":
            return qs.filter(scope.edit_q(model, user))
        if label == "core.Organisation":
            # Inside the city only; their own bureau too, but never its scope fields (scope.may_set).
            return qs.filter(Q(pk__in=scope.organisations_in_scope(user).values("pk"))
                             | Q(pk=getattr(user, "organisation_id", None) or 0))
        return qs
    return qs.filter(scope.edit_q(model, user))


def can_edit(user, obj) -> bool:
    return editable_queryset(type(obj), user).filter(pk=obj.pk).exists()


def can_delete(user, obj) -> bool:
    """Edit rights, and for types that name them (``DELETE_ROLES``: accounts, which only the system
    administrator removes) the role too."""
    roles = getattr(type(obj), "DELETE_ROLES", None)
    return can_edit(user, obj) and (roles is None or getattr(user, "role", None) in roles)


def can_create(user, record_type: RecordType) -> bool:
    if record_type.reference_only or not user.is_authenticated:
        return False
    create_roles = getattr(record_type.model, "CREATE_ROLES", None)
    if create_roles is not None:
        return user.role in create_roles
    if _is_platform_admin(user):
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


def record_exists(*, record_type: RecordType, pk: Any) -> bool:
    """Whether a record with this pk exists at all, whoever may see it: only to tell, for the audit
    trail, a probe of a hidden record from a mistyped id (the answer to the user is 404 either way)."""
    try:
        return record_type.model._default_manager.filter(pk=pk).exists()
    except (ValueError, TypeError, ValidationError):
        return False


def can_review(user, obj) -> bool:
    """Approve/return/reject (workflow steps marked admin_only): government roles within scope."""
    return bool(getattr(user, "is_government", False)) and can_edit(user, obj)


def personal_access(user, obj) -> str:
    """How personal data (phones, emails, ID numbers) of ``obj`` is shown to ``user``: always masked
    on pages, lists, exports and API reads; "reveal" means the user may take the audited "show full"
    action — the record's own party (its organisation, the expert themself) and government roles
    within scope; everyone else only ever sees "masked"."""
    if not user.is_authenticated or _is_platform_admin(user):
        return "masked"
    model = type(obj)
    parent = _scope_parent(model)
    if parent:
        obj, model = getattr(obj, parent[0]), parent[1]
    if not _has_scope_fields(model):
        return "reveal" if getattr(obj, "pk", None) == getattr(user, "pk", None) else "masked"
    return "reveal" if can_edit(user, obj) else "masked"


def revealable_ids(user, qs: QuerySet) -> set:
    """The pks of ``qs`` whose personal data ``user`` may reveal (``personal_access(user, obj) ==
    "reveal"``), in one query: an approved full export unmasks these rows and no others."""
    if not user.is_authenticated or _is_platform_admin(user):
        return set()
    model = qs.model
    if not is_scoped(model):
        return set(qs.filter(pk=user.pk).values_list("pk", flat=True))
    return set(editable_queryset(model, user, qs).values_list("pk", flat=True))


def may_list(user, record_type: RecordType) -> bool:
    """Whether navigation and the overview offer ``record_type`` to ``user``. The selectors decide
    what a list holds; this only hides lists that are empty for the role by construction (platform
    tables for business roles, business records for the platform administrators)."""
    model = record_type.model
    if hasattr(model, "READ_ROLES"):
        return getattr(user, "role", None) in model.READ_ROLES
    if _is_platform_admin(user):
        return not _has_scope_fields(model) and _scope_parent(model) is None
    return True
