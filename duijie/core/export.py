"""xlsx export of any filtered list: chosen columns, formulas neutralised, personal data masked.

A record type that has an import (``plugins.ImportKind`` with its ``columns``) is exported in the
import's layout: its columns first, with the import's headers and spellings (codes, credit codes,
labels), then every other field as a read-only column whose header ends in “（只读）” — the
import skips those — so the file a clerk downloads imports back unchanged (0 new, 0 updated) and an
edited cell updates exactly its row. The import's column list is the one source of both.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from duijie.core import plugins
from duijie.core.masking import mask
from duijie.core.pii import mask_pii
from duijie.core.registry import RecordType, personal_fields


def read_only_mark() -> str:
    """Appended to the header of an exported column the import does not read (its state, its filer,
    its version …): the import skips such columns and says so, whatever their name (in either
    language: ``is_read_only_header``)."""
    return _("(read-only)")


def is_read_only_header(text: str) -> bool:
    folded = "".join(str(text).split()).replace("（", "(").replace("）", ")").lower()
    return folded.endswith(("(只读)", "(read-only)"))

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: str) -> str:
    """A cell that would start a formula (CSV/xlsx injection) is prefixed with an apostrophe."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def exportable_fields(record_type: RecordType) -> list[models.Field]:
    model = record_type.model
    skip = {"id", "organisation"} | set(record_type.detail_exclude)
    fields = [f for f in model._meta.concrete_fields
              if f.name not in skip and not f.name.endswith("_hash")]
    fields += list(model._meta.many_to_many)
    return fields


def export_queryset(record_type: RecordType, qs: models.QuerySet) -> models.QuerySet:
    """Join every exported foreign key and prefetch every many-to-many, so the export runs a fixed
    number of queries whatever the number of rows (the type's ``export_related`` adds deeper joins
    that related records' ``__str__`` needs)."""
    fields = exportable_fields(record_type)
    joins = [f.name for f in fields if f.many_to_one or f.one_to_one]
    joins += list(record_type.export_related)
    qs = qs.select_related(*joins)
    prefetch = [f.name for f in fields if f.many_to_many and f.name not in record_type.prefetch_related
                and not any(p.startswith(f.name + "__") for p in record_type.prefetch_related)]
    return qs.prefetch_related(*prefetch) if prefetch else qs


def sheet_title(text: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in text)[:31] or "Sheet"


def cell_value(obj, field: models.Field, masked: dict[str, str], unmask: bool = False):
    if field.many_to_many:
        return "、".join(str(o) for o in getattr(obj, field.name).all())
    if field.choices:
        value = getattr(obj, f"get_{field.name}_display")()
    else:
        value = getattr(obj, field.name)
    if field.name in masked:
        return mask(value, masked[field.name])
    if value is None:
        return None
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, (date, Decimal, int, float, bool)):
        return value
    if isinstance(value, (list, dict)):
        value = "、".join(map(str, value)) if isinstance(value, list) else str(value)
    return neutralise(str(value) if unmask else mask_pii(str(value)))


@dataclass(frozen=True)
class Column:
    header: str
    field: models.Field
    read_only: bool
    cell: Callable[[models.Model, models.Field], object] | None = None  # the import's spelling


def export_columns(record_type: RecordType, columns: list[str] | None = None) -> list[Column]:
    """The exported columns: the import's layout first where the type has an import, then the other
    exportable fields, read-only; ``columns`` (field names) keeps only those chosen."""
    fields = exportable_fields(record_type)
    out: list[Column] = []
    kind = plugins.import_kind_for(record_type.slug)
    if kind is not None and kind.columns is not None and kind.cell is not None:
        spell = kind.cell
        for name, header in kind.columns():
            f = record_type.model._meta.get_field(name)
            out.append(Column(header, f, False, lambda obj, f, spell=spell: spell(obj, f.name)))
        taken = {c.field.name for c in out}
        out += [Column(f"{f.verbose_name}{read_only_mark()}", f, True) for f in fields if f.name not in taken]
    else:
        out = [Column(str(f.verbose_name), f, False) for f in fields]
    if columns:  # in the order chosen
        by_name = {c.field.name: c for c in out}
        out = [by_name[name] for name in columns if name in by_name] or out
    return out


def export_xlsx(record_type: RecordType, rows: Iterable[models.Model], columns: list[str] | None = None,
                unmask: bool | Callable[[models.Model], bool] = False) -> bytes:
    """``unmask`` only for an approved export request (core/exports.py), as a function saying which
    rows the requester may see in full; otherwise personal data and phone/ID numbers in free text are
    masked."""
    cols = export_columns(record_type, columns)
    personal = personal_fields(record_type.model)
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet_title(str(record_type.verbose_name_plural))
    ws.append([c.header for c in cols])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for obj in rows:
        full = unmask(obj) if callable(unmask) else unmask
        ws.append([_cell(obj, c, personal, full) for c in cols])
    for i, c in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(len(c.header) * 2, 10), 50)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(obj, column: Column, personal: dict[str, str], full: bool):
    if column.cell is None:
        return cell_value(obj, column.field, {} if full else personal, full)
    value = column.cell(obj, column.field)
    if full or not isinstance(value, str):
        return value
    if column.field.name in personal:
        return mask(value, personal[column.field.name])
    return mask_pii(value)
