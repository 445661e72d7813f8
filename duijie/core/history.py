"""A record's change history as people read it: field names, choice labels (意向 → 已签约), related
records and many-to-many sets by name, dates as the offices write them, masked personal values."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.utils import get_m2m_reverse_field_name

from duijie.core.formatting import office_date
from duijie.core.masking import mask

SKIPPED = ("updated_at", "version")


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except Exception:
        return None


def _related_pks(field, value) -> list:
    """The ids of the records a change's value points at (a foreign key, the rows of a set)."""
    if field is None or value in (None, ""):
        return []
    if field.many_to_many:
        key = get_m2m_reverse_field_name(field)
        return [row.get(key) for row in value or () if row.get(key) is not None]
    if field.many_to_one or field.one_to_one:
        return [value]
    return []


def _choice_label(field, value) -> str:
    labels = {str(k): v for k, v in field.flatchoices}
    return str(labels.get(str(value), value))


def display(field, value, names: dict) -> str:
    """One value of ``field`` as text; ``names`` maps (related model, pk) to the record's name."""
    if field is None:
        return "" if value in (None, "") else str(value)
    if field.many_to_many:
        key = get_m2m_reverse_field_name(field)
        model = field.related_model
        return "、".join(names.get((model, row.get(key)), f"#{row.get(key)}") for row in value or ())
    if value is None or value == "" or value == []:
        return ""
    if field.many_to_one or field.one_to_one:
        return names.get((field.related_model, value), _("#%(pk)s (deleted)") % {"pk": value})
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field.choices:
        return _choice_label(field, value)
    if isinstance(field, ArrayField):
        base = field.base_field
        return "、".join(_choice_label(base, v) if base.choices else str(v) for v in value)
    if isinstance(field, models.DateTimeField):
        return office_date(value, with_time=True)
    if isinstance(field, models.DateField):
        return office_date(value)
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def readable_changes(model, changes, masked: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """simple_history's ModelChange list (raw ids, ``foreign_keys_are_objs=False``) as
    ``{"field", "old", "new"}`` texts, with one query per related model for all the names."""
    masked = masked or {}
    wanted: dict[type, set] = defaultdict(set)
    rows = []
    for ch in changes:
        if ch.field.endswith("_hash") or ch.field in SKIPPED:
            continue
        field = _field(model, ch.field)
        rows.append((ch, field))
        for value in (ch.old, ch.new):
            for pk in _related_pks(field, value):
                wanted[field.related_model].add(pk)
    names = {(m, pk): str(obj) for m, pks in wanted.items()
             for pk, obj in m._base_manager.in_bulk(list(pks)).items()}
    out = []
    for ch, field in rows:
        if ch.field in masked:
            old, new = mask(ch.old, masked[ch.field]), mask(ch.new, masked[ch.field])
        else:
            old, new = display(field, ch.old, names), display(field, ch.new, names)
        label = capfirst(field.verbose_name) if field is not None and hasattr(field, "verbose_name") else ch.field
        out.append({"field": label, "old": old, "new": new})
    return out
