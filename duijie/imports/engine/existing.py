"""Existing records: the ones the file's keys may name, read as plain values (personal fields by
their blind index), and which of them the user may change."""

from __future__ import annotations

from django.db import models

from duijie.core import crypto
from duijie.core.fields import EncryptedTextField
from duijie.core.selectors import editable_queryset
from duijie.imports import m2m
from duijie.imports.kinds import Kind

CHUNK = 2000  # keys per IN (…) query


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _candidates(kind: Kind, parsed: list[dict], names: list[str]) -> list[dict]:
    """The existing records the file's keys may name, as dicts of ``names`` (attnames and "pk")."""
    manager = kind.model._default_manager
    if kind.name in ("enterprise", "patent"):
        name = kind.key[0]
        keys = sorted({p[name] for p in parsed if name in p})
        return [o for chunk in _chunks(keys) for o in manager.filter(**{f"{name}__in": chunk}).values(*names)]
    if kind.key and kind.key[0] in ("enterprise", "institution"):
        fk = kind.key[0]
        ids = sorted({p[fk] for p in parsed if isinstance(p.get(fk), int)})
        return [o for chunk in _chunks(ids) for o in manager.filter(**{f"{fk}_id__in": chunk}).values(*names)]
    if kind.name == "expert":
        names_ = sorted({p["name"] for p in parsed if "name" in p})
        index = crypto.blind_indexer()
        hashes = sorted({index(p["phone"]) for p in parsed if p.get("phone")})
        found: dict[int, dict] = {}
        for chunk in _chunks(names_):
            found.update((o["pk"], o) for o in manager.filter(name__in=chunk).values(*names))
        for chunk in _chunks(hashes):
            found.update((o["pk"], o) for o in manager.filter(phone_hash__in=chunk).values(*names))
        return list(found.values())
    return list(manager.values(*names))


def _editable_ids(kind: Kind, user, ids: list[int]) -> set[int]:
    allowed: set[int] = set()
    for chunk in _chunks(sorted(ids)):
        allowed.update(editable_queryset(kind.model, user).filter(pk__in=chunk).values_list("pk", flat=True))
    return allowed


def _current_values(kind: Kind, fields: dict[str, models.Field]) -> list[str]:
    """What to read of existing records to compare with the file: personal fields only by their
    blind index (decrypting 100,000 phones to compare them costs more than the rest of the plan);
    many-to-many fields separately (``m2m.current``)."""
    names = {"pk"} | {kind.field(n).attname for n in kind.key}
    for f in fields.values():
        if m2m.is_m2m(f):
            continue
        names.add(f.hash_field if isinstance(f, EncryptedTextField) and f.hash_field else f.attname)
    if kind.name == "expert":
        names.add("phone_hash")
    return sorted(names)
