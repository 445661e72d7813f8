"""What each domain app feeds into the matching index, checked and resolved.

Each domain app contributes ``MatchingSource`` declarations (``core/plugins.py``; typically kept in
its ``search.py`` and listed in its ``plugin.py``), so the app never imports ``matching``. ``load()``
reads them from the plug-in registry at start-up and checks them: the model exists, the kind is a
matchkit kind, the structured fields are known, each kind is declared once. The fields are
documented on ``core.plugins.MatchingSource``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models

from duijie.core import plugins
from duijie.core.plugins import MatchingSource
from matchkit import KINDS, signals

# the record fields an app may feed: one per field signal declared in matchkit.signals
STRUCTURED = tuple(s.name for s in signals.STRUCTURED if s.kind == "field")


@dataclass(frozen=True)
class Declaration:
    model: type[models.Model]
    kind: str
    title: str | None
    text: tuple[tuple[str, float], ...]
    keywords: str | None = None
    structured: dict[str, str] = field(default_factory=dict)
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()
    index_exclude: dict[str, Any] = field(default_factory=dict)
    recommend_filter: dict[str, Any] = field(default_factory=dict)
    inactive: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.model._meta.label

    def queryset(self) -> models.QuerySet:
        qs = self.model._default_manager.all()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        if self.index_exclude:
            qs = qs.exclude(**self.index_exclude)
        return qs

    def is_inactive(self, obj: models.Model) -> bool:
        """Rejected, withdrawn, closed or lapsed: neither recommended nor recommended to."""
        return bool(self.inactive) and self.model._default_manager.filter(pk=obj.pk, **self.inactive).exists()

    def indexable(self, obj: models.Model) -> bool:
        return not self.index_exclude or not self.model._default_manager.filter(
            pk=obj.pk, **self.index_exclude).exists()


_BY_MODEL: dict[type[models.Model], Declaration] = {}
_BY_KIND: dict[str, Declaration] = {}


def parse(raw: MatchingSource) -> Declaration:
    try:
        model = apps.get_model(raw.model)
    except (LookupError, ValueError) as e:
        raise ValueError(f"search declaration {raw!r}: unknown model ({e})") from e
    kind = raw.kind
    if kind not in KINDS:
        raise ValueError(f"search declaration for {raw.model}: kind must be one of {KINDS}, got {kind!r}")
    unknown = set(raw.structured) - set(STRUCTURED)
    if unknown:
        raise ValueError(f"search declaration for {raw.model}: unknown structured fields {sorted(unknown)}")
    text = tuple((str(p), float(w)) for p, w in raw.text)
    if not raw.title and not text:
        raise ValueError(f"search declaration for {raw.model}: needs a title or text fields")
    return Declaration(
        model=model, kind=kind, title=raw.title, text=text, keywords=raw.keywords,
        structured=dict(raw.structured), select_related=tuple(raw.select_related),
        prefetch_related=tuple(raw.prefetch_related), index_exclude=dict(raw.index_exclude),
        recommend_filter=dict(raw.recommend_filter), inactive=dict(raw.inactive),
    )


def register(raw: MatchingSource) -> Declaration:
    decl = parse(raw)
    if decl.kind in _BY_KIND and _BY_KIND[decl.kind].model is not decl.model:
        raise ValueError(f"kind {decl.kind!r} is declared twice ({_BY_KIND[decl.kind].label}, {decl.label})")
    _BY_MODEL[decl.model] = decl
    _BY_KIND[decl.kind] = decl
    return decl


def load() -> None:
    """Check and resolve every ``MatchingSource`` the apps contributed (matching's ``ready``)."""
    for raw in plugins.matching_sources():
        register(raw)


def for_model(model_or_obj) -> Declaration | None:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    return _BY_MODEL.get(model)


def by_kind() -> dict[str, Declaration]:
    return dict(_BY_KIND)


def get(kind: str) -> Declaration:
    return _BY_KIND[kind]
