from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from duijie.core.masking import mask
from duijie.core.registry import RecordType, personal_fields, record_url


class MaskedColumn(tables.Column):
    def __init__(self, *args, kind: str = "phone", **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def render(self, value):
        return mask(value, self.kind)


class RegistryTable(tables.Table):
    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        template_name = "django_tables2/bootstrap5.html"
        empty_text = "—"


def build_table(record_type: RecordType) -> type[tables.Table]:
    model = record_type.model
    columns = list(record_type.list_columns)
    attrs: dict = {}
    masked = personal_fields(model)
    for name in columns:
        if name in masked:
            attrs[name] = MaskedColumn(kind=masked[name], orderable=False)
    first = columns[0]
    attrs[first] = tables.Column(linkify=lambda record: record_url(record))
    if "status" in columns:
        attrs["status"] = tables.Column(attrs={"td": {"class": "text-nowrap"}})
    meta = type("Meta", (RegistryTable.Meta,), {"model": model, "fields": columns, "sequence": columns})
    return type(f"{model.__name__}Table", (RegistryTable,), {**attrs, "Meta": meta})


def status_badge(value: str, label: str) -> str:
    colours = {"draft": "secondary", "submitted": "info", "published": "success", "returned": "warning",
               "rejected": "danger", "transferred": "primary", "closed": "dark"}
    return format_html('<span class="badge text-bg-{}">{}</span>', colours.get(value, "secondary"), label)
