"""xlsx export of any filtered list: chosen columns, formulas neutralised, personal data masked."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from duijie.core.masking import mask
from duijie.core.pii import mask_pii
from duijie.core.registry import RecordType, personal_fields

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


def export_xlsx(record_type: RecordType, rows: Iterable[models.Model], columns: list[str] | None = None,
                unmask: bool | Callable[[models.Model], bool] = False) -> bytes:
    """``unmask`` only for an approved export request (core/exports.py), as a function saying which
    rows the requester may see in full; otherwise personal data and phone/ID numbers in free text are
    masked."""
    fields = exportable_fields(record_type)
    if columns:
        by_name = {f.name: f for f in fields}
        fields = [by_name[c] for c in columns if c in by_name] or fields
    personal = personal_fields(record_type.model)
    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = sheet_title(str(record_type.verbose_name_plural))
    ws.append([str(f.verbose_name) for f in fields])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for obj in rows:
        full = unmask(obj) if callable(unmask) else unmask
        ws.append([cell_value(obj, f, {} if full else personal, full) for f in fields])
    for i, f in enumerate(fields, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(len(str(f.verbose_name)) * 2, 10), 50)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
