"""The one way an app plugs into the platform: what it contributes, declared as typed data.

An app contributes in a module ``<app>/plugin.py`` that holds ``CONTRIBUTES = Contributions(...)``.
Core's ``ready()`` imports every installed project app's ``plugin.py`` once, in ``INSTALLED_APPS`` order
(``collect``), files each contribution under its kind and then freezes the registry: nothing can
be added or changed afterwards, and no app edits an entry another app contributed. A consumer asks
the registry (``import_kind_for(slug)``, ``detail_panels(model)``, ``detail_links(slug)``,
``indicator(slug)`` …) instead of reading keys other apps wrote into its entries.

Why a module and not an attribute on the ``AppConfig``: ``apps.py`` is imported before the models
are loaded, so it cannot name forms, filtersets or models; ``plugin.py`` is imported after every
model is loaded (like ``admin.py``), and a newcomer finds every contribution of an app in one file.

Kinds of contribution (one frozen dataclass each):

- ``RecordType`` (``core/registry.py``): a record type with list/detail/form/API pages;
- ``NavLink`` (``core/registry.py``): a navigation entry that is not a record list;
- ``DetailPanel``: a URL loaded by htmx into the detail page of a model (matching's 推荐匹配);
- ``DetailLink``: buttons on the detail page of a record type (cooperation: an intention's projects);
- ``Export``: downloads of one record in an official form, shown on its detail page (imports' Annex 1);
- ``ImportKind``: the record type an import kind fills (the list page links to its template);
- ``MatchingSource``: what a model feeds into the matching index (read by ``matching.declarations``);
- ``Indicator``: a figure counted over the records a user may see (``core/indicators.py``, the library);
- ``DailyJob``: work the calendar does once a day (``core/calendar.py``: demands past their deadline
  close, events past their end are marked held).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from importlib.util import find_spec
from types import MappingProxyType
from typing import Any

from django.apps import apps
from django.db import models
from django.urls import reverse

from duijie.core import registry
from duijie.core.indicators import (  # re-exported: indicators.py modules import them from here
    Figure,
    Indicator,
    Window,
    batch_values,
    count,
    distinct,
    indicator_records,
    ratio,
    stock_records,
    total,
)
from duijie.core.registry import NavLink, RecordType

__all__ = ["Contributions", "DailyJob", "DetailLink", "DetailPanel", "Export", "Figure", "ImportKind", "Indicator",
           "MatchingSource", "NavLink", "RecordType", "Window", "batch_values", "count", "distinct", "indicator_records",
           "ratio", "stock_records", "total"]

MODULE = "plugin"  # <app>/plugin.py
ATTRIBUTE = "CONTRIBUTES"

LinkFunction = Callable[[Any, models.Model], list[tuple[str, str]]]  # (request, obj) → [(label, url)]


@dataclass(frozen=True)
class DetailPanel:
    """An htmx panel on the detail page of ``model`` (``"app_label.Model"``): ``url_name`` is reversed
    with (record type slug, pk) and loaded after the page."""

    model: str
    url_name: str


@dataclass(frozen=True)
class DetailLink:
    """Buttons on the detail page of record type ``record_type``: ``links(request, obj)`` returns
    (label, url) pairs, checking the user's rights itself."""

    record_type: str
    links: LinkFunction


@dataclass(frozen=True)
class Export:
    """Downloads of one record of ``record_type`` in an official form (``name``), shown as buttons on
    its detail page: ``links(request, obj)`` returns (label, url) pairs."""

    record_type: str
    name: str
    links: LinkFunction


@dataclass(frozen=True)
class ImportKind:
    """Import kind ``name`` fills record type ``record_type``; the list page links to its template
    (for city administrators only when ``city_admin_only``)."""

    record_type: str
    name: str
    city_admin_only: bool = False
    # The import's layout, so the list's xlsx export re-imports unchanged (core/export.py): the
    # columns the import reads as (field name, header) in its order, and how a record's field is
    # spelled in a cell so that the import finds the same value again (a code, a credit code, a label).
    columns: Callable[[], list[tuple[str, str]]] | None = None
    cell: Callable[[models.Model, str], Any] | None = None


@dataclass(frozen=True)
class MatchingSource:
    """What ``model`` (``"app_label.Model"``) feeds into the matching index as matchkit ``kind``.

    ``title``: a field path (``a__b`` follows relations) or None; ``text``: ``((path, weight), …)``,
    higher weight first (weight >= 2 is repeated once for BM25); ``keywords``: a path split on
    ,，、;；; ``structured``: matchkit field → path (the field signals declared in ``matchkit.signals``);
    ``select_related`` / ``prefetch_related``: joins for building many records; ``index_exclude``:
    records matching it are never indexed; ``recommend_filter``: a record must pass it to be
    recommended; ``inactive``: records matching it (rejected, withdrawn, closed, lapsed) are neither
    recommended nor recommended to. ``matching.declarations`` checks the kind and fields at start-up."""

    model: str
    kind: str
    title: str | None = None
    text: tuple[tuple[str, float], ...] = ()
    keywords: str | None = None
    structured: Mapping[str, str] = field(default_factory=dict)
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    index_exclude: Mapping[str, Any] = field(default_factory=dict)
    recommend_filter: Mapping[str, Any] = field(default_factory=dict)
    inactive: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DailyJob:
    """``run(today)`` once a day (``manage.py calendar_tick`` or the self-rescheduling task); it must be
    idempotent (a second run the same day changes nothing) and returns counts for the log."""

    name: str
    run: Callable[[date], Mapping[str, Any]]


@dataclass(frozen=True)
class Contributions:
    record_types: tuple[RecordType, ...] = ()
    nav_links: tuple[NavLink, ...] = ()
    detail_panels: tuple[DetailPanel, ...] = ()
    detail_links: tuple[DetailLink, ...] = ()
    exports: tuple[Export, ...] = ()
    import_kinds: tuple[ImportKind, ...] = ()
    matching: tuple[MatchingSource, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    daily_jobs: tuple[DailyJob, ...] = ()


class RegistryFrozen(RuntimeError):
    """Raised when something tries to contribute after start-up."""


_contributions: dict[str, Contributions] = {}  # app label → what it contributed, INSTALLED_APPS order
_nav_links: list[NavLink] = []
_panels: dict[type[models.Model], list[DetailPanel]] = {}
_links: dict[str, list[DetailLink | Export]] = {}
_imports: dict[str, ImportKind] = {}
_matching: list[MatchingSource] = []
_indicators: dict[str, Indicator] = {}
_daily: list[DailyJob] = []
_frozen = False


def _add(app_label: str, c: Contributions) -> None:
    if _frozen:
        raise RegistryFrozen(f"{app_label}: contributions after start-up; declare them in its plugin.py")
    for rt in c.record_types:
        registry._add(rt)
    _nav_links.extend(c.nav_links)
    for panel in c.detail_panels:
        names = _panels.setdefault(apps.get_model(panel.model), [])
        if panel not in names:
            names.append(panel)
    for link in (*c.exports, *c.detail_links):
        _links.setdefault(link.record_type, []).append(link)
    for kind in c.import_kinds:
        if kind.record_type in _imports:
            raise ValueError(f"{app_label}: record type {kind.record_type!r} has two import kinds")
        _imports[kind.record_type] = kind
    _matching.extend(c.matching)
    for ind in c.indicators:
        if ind.slug in _indicators:
            raise ValueError(f"{app_label}: indicator {ind.slug!r} is declared twice")
        _indicators[ind.slug] = ind
    _daily.extend(c.daily_jobs)
    _contributions[app_label] = c


def collect() -> None:
    """Import every installed app's ``plugin.py`` in INSTALLED_APPS order, file what it contributes
    and freeze the registry (core's ``AppConfig.ready``; a second call does nothing)."""
    global _frozen
    if _frozen:
        return
    project = __name__.split(".")[0]  # only the project's apps: a library's "plugin" module is not ours
    for config in apps.get_app_configs():
        name = f"{config.name}.{MODULE}"
        if not config.name.startswith(f"{project}.") or find_spec(name) is None:
            continue
        contributes = getattr(import_module(name), ATTRIBUTE)
        if not isinstance(contributes, Contributions):
            raise TypeError(f"{name}.{ATTRIBUTE} must be a Contributions, got {type(contributes).__name__}")
        _add(config.label, contributes)
    unknown = {s for s in (*_links, *_imports) if s not in registry.REGISTRY}
    unknown |= {i.record_type for i in _indicators.values() if i.record_type not in registry.REGISTRY}
    if unknown:
        raise ValueError(f"contributions name unknown record types: {sorted(unknown)}")
    registry._seal()
    _frozen = True


def frozen() -> bool:
    return _frozen


def contributions() -> Mapping[str, Contributions]:
    """App label → what it contributed, in INSTALLED_APPS order."""
    return MappingProxyType(_contributions)


def nav_links() -> tuple[NavLink, ...]:
    return tuple(_nav_links)


def detail_panels(model: type[models.Model]) -> tuple[DetailPanel, ...]:
    return tuple(_panels.get(model, ()))


def detail_panel_urls(rt: RecordType, pk: Any) -> list[str]:
    return [reverse(panel.url_name, args=[rt.slug, pk]) for panel in detail_panels(rt.model)]


def detail_links(record_type: str, request, obj: models.Model) -> list[tuple[str, str]]:
    """The buttons other apps put on this record's detail page (exports and links), in app order."""
    return [link for contribution in _links.get(record_type, ()) for link in contribution.links(request, obj)]


def import_kind_for(record_type: str) -> ImportKind | None:
    return _imports.get(record_type)


def matching_sources() -> tuple[MatchingSource, ...]:
    return tuple(_matching)


def indicators() -> Mapping[str, Indicator]:
    return MappingProxyType(_indicators)


def indicator(slug: str) -> Indicator:
    return _indicators[slug]


def daily_jobs() -> tuple[DailyJob, ...]:
    return tuple(_daily)
