"""Model instance → ``matchkit.Record`` per its declaration. Ids are ``<kind>:<pk>``.

Typed phone or ID numbers in free text are masked before anything reaches the index (the index
files hold no personal data); personal fields (encrypted) are never declared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import models

from duijie.core.pii import mask_pii
from duijie.matching import cooperation
from duijie.matching.declarations import Declaration
from duijie.matching.visibility import grants_by_object, label_prefetch, record_labels
from matchkit import Record

_SPLIT = re.compile(r"[,，、;；\n]+")
_IPC_SPLIT = re.compile(r"[,，;；\s]+")


def record_id(kind: str, pk: Any) -> str:
    return f"{kind}:{pk}"


def parse_id(rid: str) -> tuple[str, str]:
    kind, _, pk = rid.partition(":")
    return kind, pk


def value(obj: Any, path: str) -> Any:
    """Follow ``a__b__c``; a many-to-many step gives a list of values (None/empty dropped)."""
    head, _, rest = path.partition("__")
    v = getattr(obj, head, None)
    if isinstance(v, models.Manager):
        out = []
        for item in v.all():
            x = value(item, rest) if rest else item
            out.extend(x if isinstance(x, list) else [x])
        return [x for x in out if x not in (None, "")]
    if rest:
        return None if v is None else value(v, rest)
    return v


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return "、".join(str(x) for x in v)
    return str(v)


def build(decl: Declaration, obj: models.Model, grants: set[int] | None = None,
          partners: list[str] | None = None) -> Record | None:
    """The index record of ``obj``. ``partners`` (past cooperation, ``matching.cooperation``) are
    looked up when not given (``build_many`` gives them for a whole batch)."""
    title = mask_pii(_text(value(obj, decl.title))).strip() if decl.title else ""
    parts, repeats = [], []
    for path, weight in sorted(decl.text, key=lambda pw: -pw[1]):
        t = mask_pii(_text(value(obj, path))).strip()
        if t:
            parts.append(t)
            if weight >= 2:
                repeats.append(t)
    text = "\n".join(parts + repeats)
    if not title and not text:
        return None
    keywords = [k.strip() for k in _SPLIT.split(_text(value(obj, decl.keywords)))] if decl.keywords else []
    st: dict[str, Any] = {}
    for name, path in decl.structured.items():
        v = value(obj, path)
        if name == "ipc":
            items = v if isinstance(v, list) else [v]
            st[name] = sorted({c for x in items if x for c in _IPC_SPLIT.split(str(x)) if c})
        elif name == "industry":
            st[name] = (v[0] if v else None) if isinstance(v, list) else (v or None)
        else:
            st[name] = _text(v) or None
    if partners is None:
        partners = cooperation.partners_for(decl.kind, [obj]).get(obj.pk, [])
    return Record(id=record_id(decl.kind, obj.pk), kind=decl.kind, title=title, text=text,
                  keywords=[k for k in keywords if k], groups=record_labels(obj, grants), partners=partners, **st)


def build_many(decl: Declaration, pks: Iterable[Any]) -> tuple[list[Record], list[str]]:
    """Records for ``pks`` (those that exist and are indexable) and the ids to remove (the rest)."""
    pks = list(pks)
    found = {}
    sel, pre = label_prefetch(decl.model)
    grants = grants_by_object(decl.model, pks)
    objs = list(decl.queryset().select_related(*sel).prefetch_related(*pre).filter(pk__in=pks))
    partners = cooperation.partners_for(decl.kind, objs)
    for obj in objs:
        rec = build(decl, obj, grants.get(str(obj.pk), set()), partners.get(obj.pk, []))
        if rec is not None:
            found[str(obj.pk)] = rec
    gone = [record_id(decl.kind, pk) for pk in pks if str(pk) not in found]
    return list(found.values()), gone
