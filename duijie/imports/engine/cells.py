"""Parsing cells: from a raw cell of a field to the value to store (or the reasons it cannot be),
column by column, remembering outcomes per distinct raw value."""

from __future__ import annotations

import importlib
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _

from duijie.core.fields import EncryptedTextField
from duijie.core.masking import mask
from duijie.core.validators import normalise_uscc, parse_patent_number
from duijie.imports import m2m, readers
from duijie.imports import values as V
from duijie.imports.engine.reading import column_unit
from duijie.imports.kinds import Kind, is_money
from duijie.imports.resolvers import NewInstitution, Resolvers

_choice_cache: dict[tuple[str, str], dict[str, Any]] = {}


def _choices(f: models.Field, choices) -> dict[str, Any]:
    key = (f.model._meta.label if hasattr(f, "model") else "", f.name)
    if key not in _choice_cache:
        mapping: dict[str, Any] = {}
        for value, label in choices:
            mapping[V.fold_key(str(value))] = value
            for lang in ("zh-hans", "en"):
                with translation.override(lang):
                    for k in V.label_keys(str(label)):
                        mapping.setdefault(k, value)
        _choice_cache[key] = mapping
    return _choice_cache[key]


def _parse_choice(f: models.Field, raw, choices=None) -> Any:
    text = V.cell_text(raw)
    value = _choices(f, choices or f.choices).get(V.fold_key(text))
    if value is None:
        options = "、".join(str(label) for _v, label in (choices or f.choices))
        raise ValueError(_("“%(value)s” is not one of the options: %(options)s.") % {"value": text, "options": options})
    return value


def cell_parser(kind: Kind, f: models.Field, resolvers: Resolvers):
    """The function from a raw cell of field ``f`` to the value to store (ValueError with a reason).
    Cells a layout already interpreted (``readers.Parsed``) or rejected (``readers.Invalid``) are
    handled by ``parse_layout_cell`` before this function is called."""
    if f.name in kind.list_fields:
        spec = kind.list_fields[f.name]
        if spec == "int":
            return lambda raw: [V.parse_int(p) for p in V.split_list(raw)]
        app, cls = spec.split(".")
        choices = getattr(importlib.import_module(f"duijie.{app}.choices"), cls).choices
        return lambda raw: [_parse_choice(f, p, choices) for p in V.split_list(raw)]
    if m2m.is_m2m(f):
        return lambda raw: m2m.parse(resolvers, f, raw)
    if f.is_relation:
        label = f.related_model._meta.label_lower
        allow_new = kind.name == "achievement" and f.name == "institution"
        return lambda raw: resolvers.resolve(f.name, label, raw, allow_new_institution=allow_new)
    if f.choices:
        return lambda raw: _parse_choice(f, raw)
    if isinstance(f, models.DateField):
        return V.parse_date
    if isinstance(f, models.DecimalField):
        return V.parse_money if is_money(f) else V.parse_decimal
    if isinstance(f, models.BooleanField):
        return V.parse_bool
    if isinstance(f, (models.IntegerField, models.PositiveSmallIntegerField)):
        return V.parse_int
    if isinstance(f, EncryptedTextField):
        return lambda raw: V.nfkc(V.cell_text(raw)).strip()
    if f.name == "uscc":
        return lambda raw: normalise_uscc(V.cell_text(raw))
    if f.name == "application_no":
        def patent_number(raw):
            try:
                return parse_patent_number(V.cell_text(raw))[0]
            except ValidationError as exc:
                raise ValueError(" ".join(exc.messages))
        return patent_number
    return V.parse_text


_LAYOUT_CELLS = (readers.Parsed, readers.Invalid)


def parse_layout_cell(raw) -> Any:
    """The value of a cell a layout already read: an Invalid cell is an error with its message, a
    Parsed cell is the value it means."""
    if raw.__class__ is readers.Invalid:  # a layout already knows what is wrong with this cell
        raise ValueError(raw.message)
    return raw.value  # … or what it means


_PLAIN_VALIDATORS = (MaxLengthValidator, ProhibitNullCharactersValidator)


def _quick_check(f: models.Field):
    """For a text field whose only validators are its length (and no NUL): a check that passes
    exactly the values ``f.clean`` passes, without its machinery; None for other fields."""
    if f.get_internal_type() not in ("CharField", "TextField") or f.choices or not f.editable:
        return None
    if any(not isinstance(v, _PLAIN_VALIDATORS) for v in f.validators):
        return None
    limit = f.max_length or 10**9
    return lambda v: v.__class__ is str and 0 < len(v) <= limit and "\x00" not in v


def _key_part(value) -> Any:
    if isinstance(value, NewInstitution):
        return ("new", value.key)
    if isinstance(value, str):
        return V.fold_key(value)
    return value


def _exact_part(value) -> Any:
    """A key part as written (width folded only): two records whose names differ only in script
    (常州大学 and a traditional-script 常州大學 awaiting merge) keep apart when the file spells them
    exactly; ``_key_part`` finds either otherwise."""
    if isinstance(value, NewInstitution):
        return ("new", value.key)
    if isinstance(value, str):
        return V.nfkc(value).strip()
    return value


class _Column:
    """One column of the file: where it is, its field, and a reader from raw cell to
    (value, errors) — parsed and validated once per distinct raw value (industry codes, regions,
    dates and choices repeat on every row; a 100,000-row file has a few hundred of them)."""

    __slots__ = ("attname", "field", "header", "idx", "name", "personal", "read")

    def __init__(self, kind: Kind, idx: int, name: str, header: str, resolvers: Resolvers, validate: bool):
        f = kind.field(name)
        self.idx, self.name, self.header, self.field, self.attname = idx, name, header, f, f.attname
        self.personal = f.kind if isinstance(f, EncryptedTextField) else None
        unit = column_unit(header) if is_money(f) else None
        checked = validate and not f.is_relation
        quick = _quick_check(f) if checked else None
        parse = cell_parser(kind, f, resolvers)
        personal = self.personal
        # Remember outcomes per distinct raw value — until a column turns out to hold mostly distinct
        # values (names, codes, phones), where remembering costs more than it saves.
        memo: dict | None = None if name in kind.list_fields else {}
        calls = 0

        def read(raw) -> tuple[Any, tuple]:
            nonlocal memo, calls
            if raw.__class__ in _LAYOUT_CELLS:
                # str subclasses that compare and hash as their text: two such cells with the same
                # text may mean different values (or carry different messages), so never remembered.
                return compute(raw)
            if memo is not None:
                calls += 1
                if calls == MEMO_PROBE and len(memo) > MEMO_PROBE // 2:
                    memo = None  # mostly distinct values
                else:
                    key = (raw.__class__, raw)
                    hit = memo.get(key)
                    if hit is not None:
                        return hit
            out = compute(raw)
            if memo is not None and len(memo) < MEMO_LIMIT:
                memo[key] = out
            return out

        def compute(raw) -> tuple[Any, tuple]:
            errors = []
            value = None
            try:
                if raw.__class__ in _LAYOUT_CELLS:
                    value = parse_layout_cell(raw)
                else:
                    cell = raw
                    if unit and (isinstance(raw, (int, float)) or V.is_plain_number(raw)):
                        cell = f"{V.cell_text(raw)}{unit}"
                    value = parse(cell)
            except ValueError as exc:
                msg = str(exc)
                if personal:
                    msg = msg.replace(V.cell_text(raw), mask(V.cell_text(raw), personal))
                errors.append((header, msg))
            except ValidationError as exc:
                errors.append((header, " ".join(exc.messages)))
            else:
                if checked and not (quick is not None and quick(value)) and not (f.blank and value in f.empty_values):
                    try:  # what Model.clean_fields does for this field
                        value = f.clean(value, None)
                    except ValidationError as exc:
                        for msg in exc.messages:
                            if personal and isinstance(value, str) and value:
                                msg = msg.replace(value, mask(value, personal))
                            errors.append((header, msg))
            return value, tuple(errors)

        self.read = read


MEMO_LIMIT = 20_000


MEMO_PROBE = 2_000
