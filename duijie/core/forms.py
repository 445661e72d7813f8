from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from duijie.core.fields import EncryptedTextField
from duijie.core.masking import looks_masked, mask


def widget_for(db_field: models.Field, **kwargs):
    """ModelForm widgets: HTML5 dates, single-line inputs for personal data, compact textareas."""
    if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    if isinstance(db_field, EncryptedTextField):
        return forms.TextInput(attrs={"autocomplete": "off"})
    if isinstance(db_field, models.TextField):
        return forms.Textarea(attrs={"rows": 3})
    return None


class RecordForm(forms.ModelForm):
    """Base for every registry form: HTML5 date inputs, compact textareas, single-line personal
    data inputs and Bootstrap classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = self._meta.model
        if self.instance.pk:
            for name, kind in self.personal_fields().items():
                self.initial[name] = mask(getattr(self.instance, name), kind)
        for name, field in self.fields.items():
            try:
                db_field = model._meta.get_field(name)
            except Exception:
                db_field = None
            if db_field is not None and type(field.widget) in (forms.Textarea, forms.TextInput, forms.DateInput):
                widget = widget_for(db_field)
                if widget is not None:
                    widget.attrs.update({k: v for k, v in field.widget.attrs.items() if k not in {"cols", "rows"}})
                    field.widget = widget
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            if field.max_length if hasattr(field, "max_length") else False:
                widget.attrs.setdefault("maxlength", field.max_length)

    # Optional sections: ((title, (field names…)), …); fields not named fall into a last section.
    fieldsets: tuple = ()

    @property
    def grouped_fields(self) -> list[dict]:
        used: set[str] = set()
        groups = []
        for title, names in self.fieldsets:
            fields = [self[n] for n in names if n in self.fields]
            used.update(names)
            if fields:
                groups.append({"title": title, "fields": fields})
        rest = [self[n] for n in self.fields if n not in used]
        if rest:
            groups.append({"title": _("Location and visibility") if self.fieldsets else "", "fields": rest})
        return groups

    def personal_fields(self) -> dict[str, str]:
        from duijie.core.registry import personal_fields

        return {n: k for n, k in personal_fields(self._meta.model).items() if n in self.fields}

    def clean(self):
        """Forms show personal data masked; a masked value submitted back unchanged keeps the stored
        value (it never overwrites it)."""
        cleaned = super().clean()
        if self.instance.pk:
            for name, kind in self.personal_fields().items():
                stored = getattr(self.instance, name)
                if cleaned.get(name) and looks_masked(cleaned[name]) and cleaned[name] == mask(stored, kind):
                    cleaned[name] = stored
        return cleaned

    @property
    def m2m_data(self) -> dict:
        return {f.name: self.cleaned_data[f.name] for f in self._meta.model._meta.many_to_many
                if f.name in self.cleaned_data}
