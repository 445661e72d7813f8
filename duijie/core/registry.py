"""The registry of record types shown in the UI and the API (NetBox-style).

Each domain app declares one ``RecordType`` per model (in its ``records.py``, contributed through its
``plugin.py``: core/plugins.py): its URL slug, list columns, FilterSet, form, serializer, selector
and the related lists its detail page shows. The generic views in ``core.views`` and ``core.api``
serve every type the same way, so a new model gets list/detail/create/edit/delete/history/export
pages and REST endpoints from one declaration (docs/development/adding-a-model.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from django.db import models
from django.urls import reverse

from duijie.core.fields import EncryptedTextField
from duijie.core.roles import Role


@dataclass(frozen=True)
class Transition:
    """A workflow step: from one of ``sources`` to ``target`` (run by core.services.record_transition)."""

    name: str
    label: Any
    sources: tuple[str, ...]
    target: str
    needs_reason: bool = False
    style: str = "primary"
    admin_only: bool = False


@dataclass(frozen=True)
class RelatedList:
    label: Any
    slug: str  # the related record type
    lookup: str  # filter on the related model, e.g. "enterprise"
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordType:
    slug: str
    model: type[models.Model]
    group: Any
    list_columns: tuple[str, ...]
    filterset: type
    form: type | None = None
    serializer: type | None = None
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    related: tuple[RelatedList, ...] = ()
    transitions: tuple[Transition, ...] = ()
    detail_exclude: tuple[str, ...] = ()
    reference_only: bool = False  # reference data: read-only in the UI and API
    icon: str = "bi-list"
    order: int = 100
    # role → the form / API serializer that role edits with (each administrator duty of an account).
    forms_by_role: Mapping[str, type] = field(default_factory=dict)
    serializers_by_role: Mapping[str, type] = field(default_factory=dict)
    export_related: tuple[str, ...] = ()  # deeper joins of the list export (core/export.py)
    # (request, obj, can_edit) → more detail-page context; "panel_template" is included above the lists.
    detail_context: Callable[[Any, models.Model, bool], dict] | None = None
    list_actions: tuple[tuple[Any, str], ...] = ()  # (label, URL name) buttons on the list page

    def __post_init__(self) -> None:
        # Read-only mappings: a contributed type cannot be changed after start-up, by anyone.
        object.__setattr__(self, "forms_by_role", MappingProxyType(dict(self.forms_by_role)))
        object.__setattr__(self, "serializers_by_role", MappingProxyType(dict(self.serializers_by_role)))

    @property
    def verbose_name(self):
        return self.model._meta.verbose_name

    @property
    def verbose_name_plural(self):
        return self.model._meta.verbose_name_plural

    def form_for(self, user) -> type | None:
        """The form this user edits with: ``forms_by_role`` may give a role its own form (the system
        and security administrators edit different fields of an account)."""
        return self.forms_by_role.get(getattr(user, "role", None), self.form)

    def serializer_for_user(self, user) -> type | None:
        """The API serializer for this user: ``serializers_by_role`` mirrors ``forms_by_role``."""
        return self.serializers_by_role.get(getattr(user, "role", None), self.serializer)

    def url(self, view: str = "list", pk: Any = None) -> str:
        if pk is None:
            return reverse(f"registry:{view}", args=[self.slug])
        return reverse(f"registry:{view}", args=[self.slug, pk])


_by_slug: dict[str, RecordType] = {}
_by_model: dict[type[models.Model], RecordType] = {}
# Read-only views, filled once at start-up by core.plugins.collect from each app's plugin.py.
REGISTRY: Mapping[str, RecordType] = MappingProxyType(_by_slug)
BY_MODEL: Mapping[type[models.Model], RecordType] = MappingProxyType(_by_model)
_sealed = False


def _add(record_type: RecordType) -> None:
    """Only core.plugins.collect calls this (apps contribute record types in their plugin.py)."""
    if _sealed:
        raise RuntimeError("the registry is frozen after start-up: contribute record types in plugin.py")
    if record_type.slug in _by_slug or record_type.model in _by_model:
        raise ValueError(f"record type {record_type.slug!r} ({record_type.model._meta.label}) is declared twice")
    _by_slug[record_type.slug] = record_type
    _by_model[record_type.model] = record_type


def _seal() -> None:
    global _sealed
    _sealed = True


@dataclass(frozen=True)
class NavLink:
    """A page that is not a record list (an overview, a review queue, an analytics page) shown in the
    navigation under ``group``, for the roles named (None: every logged-in user)."""

    group: Any
    label: Any
    url_name: str
    roles: frozenset[Role] | None = None
    order: int = 100


def record_type_for(obj_or_model) -> RecordType | None:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return BY_MODEL.get(model)


def record_url(obj) -> str | None:
    rt = record_type_for(obj)
    return rt.url("detail", obj.pk) if rt else None


def personal_fields(model: type[models.Model]) -> dict[str, str]:
    """Field name → masking kind for the model's encrypted personal-data fields."""
    return {f.name: f.kind for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)}
