"""Base FilterSet: a free-text ``q`` over the type's search fields, plus the scope filters every
record has. One FilterSet per model serves both the list page and the API."""

from __future__ import annotations

import copy

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django_filters.filterset import FilterSetMetaclass
from django_filters.utils import label_for_filter

from duijie.core.choices import Visibility
from duijie.core.models import AssessmentUnit, Industry, Park, Region
from duijie.core.selectors import mine_queryset


def id_filter(field_name: str, label) -> django_filters.NumberFilter:
    """Filter by the id of a record from a large table (enterprises, experts, organisations): a
    hidden field, set by the "view all" links of detail pages, instead of a dropdown of thousands."""
    # Bounded to the id column's range: a huge value is a 400 with the field named, not a database overflow.
    return django_filters.NumberFilter(field_name=field_name, label=label, widget=forms.HiddenInput,
                                       min_value=1, max_value=2**63 - 1, decimal_places=0)


# django-filter names a filter without a label from its model field when a FilterSet is instantiated,
# as a plain string in the language active then, and a filter read at class level (drf-spectacular
# does, for the API schema) caches its form field with no label at all, which Django shows as the
# English field name ("Ip form"): one process of the web server then served English labels on every
# request after its first schema. Labels are lazy here, translated when rendered.
_lazy_label = lazy(label_for_filter, str)


class LazyLabelMetaclass(FilterSetMetaclass):
    def __new__(mcs, name, bases, attrs):
        new_class = super().__new__(mcs, name, bases, attrs)
        model = new_class._meta.model
        if model is not None:
            for filter_name, filter_ in list(new_class.base_filters.items()):
                if filter_._label is None and filter_.field_name:
                    # a copy: a declared filter is shared by the FilterSets that inherit it
                    filter_ = new_class.base_filters[filter_name] = copy.deepcopy(filter_)
                    filter_.label = _lazy_label(model, filter_.field_name, filter_.lookup_expr, filter_.exclude)
        return new_class


class SearchFilterSet(django_filters.FilterSet, metaclass=LazyLabelMetaclass):
    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(label=_("Search"), method="filter_q")
    # ?mine=true: only the records in the user's own scope (core.selectors.mine_queryset), the links of
    # the workplace and of the menus' "our demands"; hidden in the filter form like the id filters.
    mine = django_filters.BooleanFilter(label=_("Only mine"), method="filter_mine", widget=forms.HiddenInput)

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            for field in form.fields.values():
                if isinstance(field, forms.DateField):
                    field.widget.input_type = "date"
                css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
                field.widget.attrs.setdefault("class", css)
            if "q" in form.fields:  # free-text search first
                form.fields = {"q": form.fields.pop("q"), **form.fields}
            form._styled = True
        return form

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        if user is None:
            return queryset.none()
        return queryset.filter(pk__in=mine_queryset(queryset.model, user).values("pk"))

    def filter_q(self, queryset, name, value):
        terms = value.split()
        for term in terms[:8]:
            cond = Q()
            for f in self.search_fields:
                cond |= Q(**{f"{f}__icontains": term})
            queryset = queryset.filter(cond)
        return queryset


class ScopedFilterSet(SearchFilterSet):
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.filter(level__lte=3, code__startswith=settings.DUIJIE_PROVINCE_CODE),
        method="filter_region")
    park = django_filters.ModelChoiceFilter(label=_("Park"), queryset=Park.objects.all())
    assessment_unit = django_filters.ModelChoiceFilter(
        label=_("Assessment unit"), queryset=AssessmentUnit.objects.all(), field_name="assessment_units")
    visibility = django_filters.ChoiceFilter(label=_("Visibility"), choices=Visibility.choices)

    def filter_region(self, queryset, name, value):
        # A region filter includes everything located below it (city → districts → towns).
        return queryset.filter(region__code__startswith=value.code)


class RecordBaseFilterSet(ScopedFilterSet):
    """For record types that have no park field (parks themselves)."""

    park = None


def industry_filter(label) -> django_filters.ModelChoiceFilter:
    """GB/T 4754 filter: a section (letter) or division/group matches every class below it."""

    def filter_industry(queryset, name, value):
        if value.level == 1:  # sections are letters; below them codes nest by prefix
            return queryset.filter(industry__parent__parent__parent=value)
        return queryset.filter(industry__code__startswith=value.code)

    return django_filters.ModelChoiceFilter(queryset=Industry.objects.filter(level__lte=2), label=label,
                                           method=filter_industry)
