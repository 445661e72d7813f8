from __future__ import annotations

from django import forms
from django.db import models

from duijie.core.fields import EncryptedTextField


def widget_for(db_field: models.Field, **kwargs):
    """ModelForm widgets: HTML5 dates, single-line inputs for personal data, compact textareas."""
    if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    if isinstance(db_field, EncryptedTextField):
        return forms.TextInput(attrs={"autocomplete": "off"})
    if isinstance(db_field, models.TextField):
        return forms.Textarea(attrs={"rows": 3})
    return None


def formfield_callback(db_field: models.Field, **kwargs):
    widget = widget_for(db_field)
    if widget is not None:
        kwargs["widget"] = widget
    return db_field.formfield(**kwargs)


class RecordForm(forms.ModelForm):
    """Base for every registry form: Bootstrap classes on every widget."""

    formfield_callback = formfield_callback

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")
            if field.max_length if hasattr(field, "max_length") else False:
                widget.attrs.setdefault("maxlength", field.max_length)

    @property
    def m2m_data(self) -> dict:
        return {f.name: self.cleaned_data[f.name] for f in self._meta.model._meta.many_to_many
                if f.name in self.cleaned_data}
