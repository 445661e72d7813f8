from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from duijie.core import scope
from duijie.core.fields import EncryptedTextField
from duijie.core.masking import looks_masked, mask
from duijie.core.models import Region
from duijie.core.registry import personal_fields, record_type_for
from duijie.core.selectors import editable_queryset, is_scoped, visible_queryset


def widget_for(db_field: models.Field, **kwargs):
    """ModelForm widgets: HTML5 dates, single-line inputs for personal data, compact textareas."""
    if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    if isinstance(db_field, EncryptedTextField):
        return forms.TextInput(attrs={"autocomplete": "off"})
    if isinstance(db_field, models.TextField):
        return forms.Textarea(attrs={"rows": 3})
    return None


# A record dropdown offering more than this many records renders only the record(s) chosen; the
# page's script asks the picker endpoint (core.views.record_pick) for the others as the user types.
# Rendering 400 enterprises or 1,600 regions as <option>s was most of an add form's time.
PICKER_LIMIT = 60


class RemoteChoices:
    """Mixin for a record dropdown: over ``PICKER_LIMIT`` records (read when rendered), only the
    chosen ones are rendered and ``data-url`` names the endpoint that searches the rest — the same
    queryset, so the same scope: the endpoint builds the same form for the same user."""

    url: str | None = None
    remote = False

    def optgroups(self, name, value, attrs=None):
        choices = self.choices
        qs = getattr(choices, "queryset", None)
        self.remote = False
        if not self.url or not isinstance(qs, models.QuerySet) or qs._prefetch_related_lookups:
            return super().optgroups(name, value, attrs)
        # One query tells both: up to the limit, these rows are the options (no count beforehand).
        rows = list(qs[:PICKER_LIMIT + 1])
        self.remote = len(rows) > PICKER_LIMIT
        if self.remote:
            pk = qs.model._meta.pk
            chosen = [c for c in (_pk_or_none(pk, v) for v in value) if c not in (None, "")]
            rows = list(qs.filter(pk__in=chosen)) if chosen else []
        empty = choices.field.empty_label
        self.choices = ([("", empty)] if empty is not None else []) + [choices.choice(obj) for obj in rows]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = choices

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)  # calls optgroups, which decides
        if self.remote:
            context["widget"]["attrs"]["data-url"] = self.url
        return context


def _pk_or_none(pk, value):
    """``value`` as a primary key, or None for a bad submitted value (shown as nothing chosen; the
    field's own validation names the error)."""
    try:
        return pk.to_python(value)
    except (ValidationError, ValueError, TypeError):
        return None


class PickerSelect(RemoteChoices, forms.Select):
    pass


class PickerSelectMultiple(RemoteChoices, forms.SelectMultiple):
    pass


class CodedSelect(RemoteChoices, forms.Select):
    """A dropdown of records whose options carry data attributes (``data(obj) -> dict``) for the
    page's script: region codes and levels for the city → district → town cascade, a park's region."""

    def __init__(self, *args, data=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.data = data

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        obj = getattr(value, "instance", None)
        if obj is not None and self.data is not None:
            option["attrs"].update({f"data-{k}": v for k, v in self.data(obj).items() if v is not None})
        return option


def _region_data(region) -> dict:
    return {"code": region.code, "level": region.level}


def _park_data(park) -> dict:
    return {"region": getattr(park.region, "code", None) if park.region_id else None}


def picker_widgets(fields, url: str | None = None) -> None:
    """Record dropdowns become searchable (a filter box above them: duijie.js) and a region dropdown
    a city → district → town cascade whose park dropdown follows the region chosen. Given ``url``
    (the form's picker endpoint, ``…/pick/``), a dropdown of more than ``PICKER_LIMIT`` records
    renders only what is chosen and searches the rest there (``url?field=<name>&q=…``)."""
    for name, field in fields.items():
        if not isinstance(field, forms.ModelChoiceField) or type(field.widget) not in (
                forms.Select, forms.SelectMultiple, CodedSelect, PickerSelect, PickerSelectMultiple):
            continue
        model = field.queryset.model
        multiple = isinstance(field, forms.ModelMultipleChoiceField)
        if model is Region and not multiple:
            field.widget = CodedSelect(attrs={**field.widget.attrs, "data-cascade": "region"}, data=_region_data,
                                       choices=field.widget.choices)
            field.queryset = field.queryset.order_by("code")
        elif model._meta.label == "core.Park" and not multiple:
            field.widget = CodedSelect(attrs={**field.widget.attrs, "data-follows": "region"}, data=_park_data,
                                       choices=field.widget.choices)
            field.queryset = field.queryset.select_related("region")
        elif type(field.widget) in (forms.Select, forms.SelectMultiple):
            widget_class = PickerSelectMultiple if multiple else PickerSelect
            field.widget = widget_class(attrs=field.widget.attrs, choices=field.widget.choices)
        field.widget.is_required = field.required
        field.widget.attrs["data-search"] = str(_("Type to filter…"))
        if url is not None and not field.disabled:
            field.widget.url = f"{url}?field={name}"


def local_regions():
    """The regions a record can be placed in: the province's cities, districts and towns."""
    return Region.objects.filter(code__startswith=settings.DUIJIE_PROVINCE_CODE, level__gte=2)


def limit_to_visible(fields, user, instance=None) -> None:
    """Limit every record dropdown in ``fields`` (form fields or DRF serializer fields) to the records
    ``user`` may see, so a form never lists — and a submission never links to — a demand, event or
    enterprise outside the user's scope. Values the instance already holds stay valid (an edit must
    not fail on a link someone else made)."""
    for name, field in fields.items():
        target = getattr(field, "child_relation", field)  # DRF many=True wraps the related field
        qs = getattr(target, "queryset", None)
        if isinstance(qs, models.Manager):  # DRF builds related fields on the default manager
            qs = qs.all()
        if not isinstance(qs, models.QuerySet) or not is_scoped(qs.model):
            continue  # reference tables (regions, industries) and accounts are not narrowed here
        model = qs.model
        visible = visible_queryset(model, user, qs)
        held = _held_pks(instance, name)
        if held:
            visible = qs.filter(models.Q(pk__in=visible.values("pk")) | models.Q(pk__in=held))
        target.queryset = visible


def limit_scope_fields(fields, user, instance=None) -> None:
    """The fields that decide who sees a record (core.scope): shown read-only to a user who may not
    set them (the service takes their value from what the record belongs to), and offering only
    values inside the user's scope to one who may. Works on form fields and DRF serializer fields."""
    model = getattr(instance, "__class__", None) if instance is not None else None
    if model is None:
        return
    for name in scope.scope_field_names(model):
        field = fields.get(name)
        if field is None:
            continue
        if not scope.may_set(model, user, name, instance):
            # Forms show it read-only; the API keeps it writable so a record sent back unchanged
            # passes, and the service answers a changed value with a 400 naming the field.
            if isinstance(field, forms.Field):
                field.disabled = True
                field.help_text = _("Set by the science bureau; it decides who sees the record.")
            continue
        allowed = scope.allowed_values(model, user, name)
        target = getattr(field, "child_relation", field)
        qs = getattr(target, "queryset", None)
        if allowed is None or qs is None:
            continue
        if isinstance(qs, models.Manager):
            qs = qs.all()
        held = _held_pks(instance, name)
        target.queryset = qs.filter(models.Q(pk__in=allowed.values("pk")) | models.Q(pk__in=held))


def limit_parents(fields, user, instance=None) -> list:
    """The records a record is filed for (``SCOPE_PARENTS``: a demand's enterprise, an achievement's
    institution, a challenge's demand) offer only those the user may file for — their own
    organisation's for an enterprise or an institution's office, their area's for a government role —
    so a submission naming another is refused with an error on that field, before the service would
    refuse it (core.services). Works on form and DRF fields; returns the names it limited."""
    model = type(instance) if instance is not None else None
    limited = []
    for name in getattr(model, "SCOPE_PARENTS", ()):
        field = fields.get(name)
        target = getattr(field, "child_relation", field)
        qs = getattr(target, "queryset", None)
        if isinstance(qs, models.Manager):
            qs = qs.all()
        if not isinstance(qs, models.QuerySet):
            continue
        allowed = models.Q(pk__in=editable_queryset(qs.model, user).values("pk"))
        held = _held_pks(instance, name)
        if held:
            allowed |= models.Q(pk__in=held)
        target.queryset = qs.filter(allowed)
        if isinstance(field, forms.ModelChoiceField):
            field.error_messages["invalid_choice"] = _(
                "You may only file for a %(what)s you are responsible for; the one chosen is not.") % {
                "what": qs.model._meta.verbose_name}
        limited.append(name)
    return limited


def fix_own_parent(form_fields, user, names, initial: dict) -> None:
    """Where a non-government user may file for one organisation only (an enterprise user's own
    enterprise, an office's own institution), that one is preselected and offered alone."""
    if getattr(user, "is_government", False):
        return
    for name in names:
        field = form_fields[name]
        options = list(field.queryset[:2])
        if len(options) == 1:
            field.empty_label = None
            initial.setdefault(name, options[0].pk)
            field.widget.attrs["data-fixed"] = "1"
            field.help_text = _("Your own organisation: you file for it only.")


def _held_pks(instance, name: str) -> list:
    if instance is None or not instance.pk:
        return []
    try:
        db_field = instance._meta.get_field(name)
    except Exception:
        return []
    if db_field.many_to_many:
        return list(getattr(instance, name).values_list("pk", flat=True))
    value = getattr(instance, db_field.attname, None) if db_field.is_relation else None
    return [value] if value is not None else []


VERSION_FIELD = "record_version"


class RecordForm(forms.ModelForm):
    """Base for every registry form: HTML5 date inputs, compact textareas, single-line personal
    data inputs and Bootstrap classes on every widget; region dropdowns offer the province's places,
    and, given the ``user``, every record dropdown only what that user may see."""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        model = self._meta.model
        self.user = user

        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField) and field.queryset.model is Region \
                    and name in ("region", "regions"):
                field.queryset = self.region_queryset()
        if user is not None:
            limit_to_visible(self.fields, user, self.instance)
            limit_scope_fields(self.fields, user, self.instance)
            fix_own_parent(self.fields, user, limit_parents(self.fields, user, self.instance), self.initial)
            if not getattr(user, "is_government", False):
                # Where the record lies and whom it counts for are the bureau's to set (core.scope): a
                # new record takes them from what it belongs to; they are not even shown here.
                hidden = (*scope.DERIVED_FIELDS, "owner_org", *self.government_fields) \
                    if scope.scope_field_names(model) else self.government_fields
                for name in hidden:
                    self.fields.pop(name, None)
            else:
                self.government_defaults(user)
        picker_widgets(self.fields, url=self.picker_url())
        if self.instance.pk and any(f.name == "version" for f in model._meta.concrete_fields):
            # The version the user read travels with the form; the save is refused if it moved.
            self.fields[VERSION_FIELD] = forms.IntegerField(widget=forms.HiddenInput, min_value=1,
                                                            initial=self.instance.version, error_messages={
                "required": _("This form lacks the version of the record it edits; reload the page and edit again.")})
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

    def picker_url(self) -> str | None:
        """Where this form's big dropdowns search (core.views.record_pick): the registry type's
        ``pick/`` endpoint, with ``?for=<pk>`` on an edit form (the endpoint builds the same form)."""
        rt = record_type_for(self._meta.model)
        if rt is None or self.user is None:
            return None
        if self.instance.pk:
            return reverse("registry:pick_for", args=[rt.slug, self.instance.pk])
        return reverse("registry:pick", args=[rt.slug])

    # Fields only government roles fill in (an achievement's 填报区镇): hidden from everyone else.
    government_fields: tuple[str, ...] = ()

    def government_defaults(self, user) -> None:
        """Preset the government-only fields from the government user (their own unit); a hook."""

    def region_queryset(self):
        """Where records of this form may lie (before the user's own scope narrows it)."""
        return local_regions()

    # Optional sections: ((title, (field names…)), …); fields not named fall into a last section.
    fieldsets: tuple = ()

    @property
    def grouped_fields(self) -> list[dict]:
        used: set[str] = {VERSION_FIELD}  # hidden: the template renders form.hidden_fields
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
        return {n: k for n, k in personal_fields(self._meta.model).items() if n in self.fields}

    def clean(self):
        """Forms show personal data masked; a masked value submitted back unchanged keeps the stored
        value (it never overwrites it)."""
        cleaned = super().clean()
        if cleaned.get(VERSION_FIELD) is not None:
            # core.services.record_save writes only over the version the user read.
            self.instance.version = cleaned[VERSION_FIELD]
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
