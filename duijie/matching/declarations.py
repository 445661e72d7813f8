"""Declarations of what each domain app feeds into the matching index.

Each domain app may have a ``search.py`` with ``SEARCH = [ {...}, ... ]`` (plain data; the app
never imports ``matching``). ``autodiscover()`` reads them at start-up, like the admin's
``autodiscover()``. Keys of one declaration:

- ``model``: ``"app_label.Model"``; ``kind``: the matchkit kind (expert, achievement, patent,
  enterprise, demand, carrier);
- ``title``: a field path (``a__b`` follows relations) or None; ``text``: ``[(path, weight), …]``;
  higher weight comes first (the encoder reads the first ~200 characters), weight >= 2 is
  repeated once for BM25;
- ``keywords``: a path whose value is split on ,，、;；;
- ``structured``: matchkit field → path, for the record fields matchkit's field signals compare
  (``STRUCTURED``, read from ``matchkit.signals``: industry = GB/T 4754 code, field, region = NBS code,
  ipc, institution, stage, tier); a many-to-many path gives a list (industry takes the first);
- ``select_related`` / ``prefetch_related``: joins used when building many records at once;
- ``index_exclude``: a filter; matching records are never in the index (e.g. experts who opted out);
- ``recommend_filter``: a filter a record must pass to be recommended (e.g. published demands).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.module_loading import autodiscover_modules

from matchkit import KINDS, signals

# the record fields an app may feed: one per field signal declared in matchkit.signals
STRUCTURED = tuple(s.name for s in signals.STRUCTURED if s.kind == "field")
PANEL_KINDS = ("demand", "achievement", "patent", "expert")  # detail pages with a 推荐匹配 panel


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

    def indexable(self, obj: models.Model) -> bool:
        return not self.index_exclude or not self.model._default_manager.filter(
            pk=obj.pk, **self.index_exclude).exists()


_BY_MODEL: dict[type[models.Model], Declaration] = {}
_BY_KIND: dict[str, Declaration] = {}


def parse(raw: dict[str, Any]) -> Declaration:
    try:
        model = apps.get_model(raw["model"])
    except (KeyError, LookupError, ValueError) as e:
        raise ValueError(f"search declaration {raw!r}: unknown model ({e})") from e
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ValueError(f"search declaration for {raw['model']}: kind must be one of {KINDS}, got {kind!r}")
    unknown = set(raw.get("structured", {})) - set(STRUCTURED)
    if unknown:
        raise ValueError(f"search declaration for {raw['model']}: unknown structured fields {sorted(unknown)}")
    text = tuple((str(p), float(w)) for p, w in raw.get("text", ()))
    if not raw.get("title") and not text:
        raise ValueError(f"search declaration for {raw['model']}: needs a title or text fields")
    return Declaration(
        model=model, kind=kind, title=raw.get("title"), text=text, keywords=raw.get("keywords"),
        structured=dict(raw.get("structured", {})), select_related=tuple(raw.get("select_related", ())),
        prefetch_related=tuple(raw.get("prefetch_related", ())), index_exclude=dict(raw.get("index_exclude", {})),
        recommend_filter=dict(raw.get("recommend_filter", {})),
    )


def register(raw: dict[str, Any]) -> Declaration:
    decl = parse(raw)
    if decl.kind in _BY_KIND and _BY_KIND[decl.kind].model is not decl.model:
        raise ValueError(f"kind {decl.kind!r} is declared twice ({_BY_KIND[decl.kind].label}, {decl.label})")
    _BY_MODEL[decl.model] = decl
    _BY_KIND[decl.kind] = decl
    return decl


def autodiscover() -> None:
    modules = autodiscover_modules("search")  # imports every installed app's search.py
    del modules
    for config in apps.get_app_configs():
        module = getattr(config.module, "search", None)
        for raw in getattr(module, "SEARCH", ()) or ():
            register(raw)


def for_model(model_or_obj) -> Declaration | None:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    return _BY_MODEL.get(model)


def by_kind() -> dict[str, Declaration]:
    return dict(_BY_KIND)


def get(kind: str) -> Declaration:
    return _BY_KIND[kind]
