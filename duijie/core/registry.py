"""The registry of record types shown in the UI and the API (NetBox-style).

Each domain app declares, in its ``registry.py``, one ``RecordType`` per model: its URL slug, list
columns, FilterSet, form, serializer, selector and the related lists its detail page shows. The
generic views in ``core.views`` and ``core.api`` serve every type the same way, so a new model
gets list/detail/create/edit/delete/history/export pages and REST endpoints from one declaration
(docs/development/adding-a-model.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass
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
    extra: dict = field(default_factory=dict)

    @property
    def verbose_name(self):
        return self.model._meta.verbose_name

    @property
    def verbose_name_plural(self):
        return self.model._meta.verbose_name_plural

    def form_for(self, user) -> type | None:
        """The form this user edits with: ``extra["forms_by_role"]`` may give a role its own form
        (the system and security administrators edit different fields of an account)."""
        return self.extra.get("forms_by_role", {}).get(getattr(user, "role", None), self.form)

    def serializer_for_user(self, user) -> type | None:
        """The API serializer for this user: ``extra["serializers_by_role"]`` mirrors
        ``forms_by_role`` (each administrator duty writes its own fields of an account)."""
        return self.extra.get("serializers_by_role", {}).get(getattr(user, "role", None), self.serializer)

    def url(self, view: str = "list", pk: Any = None) -> str:
        if pk is None:
            return reverse(f"registry:{view}", args=[self.slug])
        return reverse(f"registry:{view}", args=[self.slug, pk])


REGISTRY: dict[str, RecordType] = {}
BY_MODEL: dict[type[models.Model], RecordType] = {}


def register(record_type: RecordType) -> RecordType:
    REGISTRY[record_type.slug] = record_type
    BY_MODEL[record_type.model] = record_type
    return record_type


@dataclass(frozen=True)
class NavLink:
    """A page that is not a record list (an overview, a review queue, an analytics page) shown in the
    navigation under ``group``, for the roles named (None: every logged-in user)."""

    group: Any
    label: Any
    url_name: str
    roles: frozenset[Role] | None = None
    order: int = 100


NAV_LINKS: list[NavLink] = []


def register_link(link: NavLink) -> NavLink:
    NAV_LINKS.append(link)
    return link


def record_type_for(obj_or_model) -> RecordType | None:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return BY_MODEL.get(model)


def record_url(obj) -> str | None:
    rt = record_type_for(obj)
    return rt.url("detail", obj.pk) if rt else None


def personal_fields(model: type[models.Model]) -> dict[str, str]:
    """Field name → masking kind for the model's encrypted personal-data fields."""
    return {f.name: f.kind for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)}


# Detail-page panels contributed by apps that depend on core (e.g. matching's 推荐匹配), so core
# never imports them: model → URL names reversed with (slug, pk) and loaded by htmx after the page.
DETAIL_PANELS: dict[type[models.Model], list[str]] = {}


def register_detail_panel(model: type[models.Model], url_name: str) -> None:
    names = DETAIL_PANELS.setdefault(model, [])
    if url_name not in names:
        names.append(url_name)


def detail_panel_urls(rt: RecordType, pk: Any) -> list[str]:
    return [reverse(name, args=[rt.slug, pk]) for name in DETAIL_PANELS.get(rt.model, [])]
