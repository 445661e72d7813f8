from __future__ import annotations

import django_tables2 as tables
import django_tables2.utils
from django.db import models

from duijie.core.formatting import is_money, wan_html, without_yuan_unit
from duijie.core.masking import mask
from duijie.core.pii import mask_pii
from duijie.core.registry import RecordType, personal_fields, record_url

# django-tables2 asks inspect.signature() of a column's render method, its link and attribute callables
# for every cell (call_with_appropriate): ~13% of a list page. A function's signature does not change,
# so it is read once per function (bound methods by their function: their signature drops ``self``).
_table_signature = django_tables2.utils.signature
_signatures: dict = {}


def _signature(fn):
    """The (arguments, ** name) of ``fn`` as django-tables2 reads them, remembered per function."""
    func = getattr(fn, "__func__", fn)
    key = (func, func is not fn)
    try:
        found = _signatures.get(key)
    except TypeError:  # an unhashable callable: asked every time, as django-tables2 does
        return _table_signature(fn)
    if found is None:
        if len(_signatures) > 4096:  # lambdas made per table class: never more than a few hundred
            _signatures.clear()
        found = _signatures[key] = _table_signature(fn)
    return found


django_tables2.utils.signature = _signature


class MaskedColumn(tables.Column):
    def __init__(self, *args, kind: str = "phone", **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def render(self, value):
        return mask(value, self.kind)


class TextColumn(tables.Column):
    """Free text: phones and ID numbers typed into it are masked (core/pii.py)."""

    def render(self, value):
        return mask_pii(value)


class MoneyColumn(tables.Column):
    """An amount in 万元, the exact yuan on hover (exports keep the yuan)."""

    def render(self, value):
        return wan_html(value)


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
    text_fields = {f.name for f in model._meta.concrete_fields
                   if isinstance(f, (models.CharField, models.TextField)) and not f.choices}
    for name in columns:
        if name not in masked and name in text_fields:
            attrs[name] = TextColumn()
    for f in model._meta.concrete_fields:
        if f.name in columns and is_money(f):
            attrs[f.name] = MoneyColumn(verbose_name=without_yuan_unit(f.verbose_name),
                                        attrs={"td": {"class": "text-end text-nowrap"}})
    fields = {f.name for f in model._meta.get_fields()}
    for name in columns:
        # A computed column: a property whose getter carries a short_description (its header).
        getter = getattr(getattr(model, name, None), "fget", None)
        if name not in fields and getter is not None and hasattr(getter, "short_description"):
            attrs[name] = tables.Column(verbose_name=getter.short_description, orderable=False,
                                        attrs={"td": {"class": "text-nowrap", "data-column": name}})
    first = columns[0]
    first_field = next((f for f in model._meta.concrete_fields if f.name == first), None)
    if isinstance(first_field, models.DateTimeField):
        attrs[first] = tables.DateTimeColumn(format="Y-m-d H:i:s", linkify=lambda record: record_url(record))
    else:
        attrs[first] = tables.Column(linkify=lambda record: record_url(record))
    if "status" in columns:
        attrs["status"] = tables.Column(attrs={"td": {"class": "text-nowrap"}})
    meta = type("Meta", (RegistryTable.Meta,), {"model": model, "fields": columns, "sequence": columns})
    return type(f"{model.__name__}Table", (RegistryTable,), {**attrs, "Meta": meta})
