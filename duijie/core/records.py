"""Record types of the core app: reference data (read-only) and the scope registries."""

import django_filters
from django.utils.translation import gettext_lazy as _

from duijie.core.api import serializer_for
from duijie.core.filtersets import RecordBaseFilterSet, SearchFilterSet
from duijie.core.forms import RecordForm
from duijie.core.models import AssessmentUnit, Discipline, Industry, Organisation, Park, Region, ReportedValue
from duijie.core.registry import RecordType, RelatedList

REFERENCE = _("Reference data")
SCOPE = _("Parks & units")


class RegionFilterSet(SearchFilterSet):
    search_fields = ("name", "code")
    parent = django_filters.ModelChoiceFilter(queryset=Region.objects.filter(level__lte=3), label=_("Parent"))

    class Meta:
        model = Region
        fields = ["level", "parent"]


class IndustryFilterSet(SearchFilterSet):
    search_fields = ("name", "code", "remark")
    parent = django_filters.ModelChoiceFilter(queryset=Industry.objects.filter(level__lte=2), label=_("Parent"))
    code_prefix = django_filters.CharFilter(field_name="code", lookup_expr="startswith", label=_("Code starts with"))

    class Meta:
        model = Industry
        fields = ["level", "parent"]


class DisciplineFilterSet(SearchFilterSet):
    search_fields = ("name", "code", "name_en")
    parent = django_filters.ModelChoiceFilter(queryset=Discipline.objects.filter(level=1), label=_("Parent"))

    class Meta:
        model = Discipline
        fields = ["level", "parent"]


class AssessmentUnitFilterSet(SearchFilterSet):
    search_fields = ("name", "code", "note")

    class Meta:
        model = AssessmentUnit
        fields = ["kind", "city", "parent"]


class AssessmentUnitForm(RecordForm):
    class Meta:
        model = AssessmentUnit
        fields = ["name", "code", "kind", "city", "parent", "regions", "parks", "valid_from", "valid_to", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = self.fields["city"].queryset.filter(level=2)


class ParkFilterSet(RecordBaseFilterSet):
    search_fields = ("name", "short_name", "industry_tracks", "description")
    directory_year = django_filters.NumberFilter(label=_("Directory year"), method="filter_year")

    def filter_year(self, queryset, name, value):
        # values_list, not only(): the list's select_related("region") cannot be combined with deferral.
        if value != value.to_integral_value():
            return queryset.none()
        year = int(value)
        ids = [pk for pk, years in queryset.values_list("pk", "directory_years") if year in (years or [])]
        return queryset.filter(pk__in=ids)

    class Meta:
        model = Park
        fields = ["level"]


class ParkForm(RecordForm):
    class Meta:
        model = Park
        fields = ["name", "short_name", "level", "region", "assessment_units", "industry_tracks", "industries",
                  "directory_years", "address", "description", "visibility"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industries"].queryset = Industry.objects.filter(level__lte=2)


class OrganisationFilterSet(SearchFilterSet):
    search_fields = ("name",)

    class Meta:
        model = Organisation
        fields = ["kind", "assessment_unit"]


class OrganisationForm(RecordForm):
    class Meta:
        model = Organisation
        fields = ["kind", "name", "region", "assessment_unit", "park"]


class ReportedValueFilterSet(RecordBaseFilterSet):
    search_fields = ("source", "document")

    class Meta:
        model = ReportedValue
        fields = ["indicator", "unit"]


class ReportedValueForm(RecordForm):
    class Meta:
        model = ReportedValue
        fields = ["indicator", "unit", "period_start", "period_end", "value", "source", "document",
                  "region", "assessment_units", "visibility"]


PARKS = RecordType(
    slug="parks", model=Park, group=SCOPE, order=10, icon="bi-buildings",
    list_columns=("name", "level", "region", "industry_tracks", "directory_years"),
    filterset=ParkFilterSet, form=ParkForm, serializer=serializer_for(Park),
    select_related=("region",), prefetch_related=("industries", "assessment_units"),
    related=(RelatedList(_("Enterprises"), "enterprises", "park"),),
)
ASSESSMENT_UNITS = RecordType(
    slug="assessment-units", model=AssessmentUnit, group=SCOPE, order=11, icon="bi-diagram-3",
    list_columns=("name", "code", "kind", "city", "parent", "valid_from", "valid_to"),
    filterset=AssessmentUnitFilterSet, form=AssessmentUnitForm, serializer=serializer_for(AssessmentUnit),
    select_related=("city", "parent"), prefetch_related=("regions", "parks"),
)
ORGANISATIONS = RecordType(
    slug="organisations", model=Organisation, group=SCOPE, order=12, icon="bi-people",
    list_columns=("name", "kind", "region", "assessment_unit"),
    filterset=OrganisationFilterSet, form=OrganisationForm, serializer=serializer_for(Organisation),
    select_related=("region", "assessment_unit"),
)
REGIONS = RecordType(
    slug="regions", model=Region, group=REFERENCE, order=90, icon="bi-geo", reference_only=True,
    list_columns=("name", "code", "level", "parent"), filterset=RegionFilterSet,
    serializer=serializer_for(Region), select_related=("parent",),
    related=(RelatedList(_("Sub-regions"), "regions", "parent"),),
)
INDUSTRIES = RecordType(
    slug="industries", model=Industry, group=REFERENCE, order=91, icon="bi-diagram-2", reference_only=True,
    list_columns=("code", "name", "level", "parent"), filterset=IndustryFilterSet,
    serializer=serializer_for(Industry), select_related=("parent",),
    related=(RelatedList(_("Sub-classes"), "industries", "parent"),),
)
DISCIPLINES = RecordType(
    slug="disciplines", model=Discipline, group=REFERENCE, order=92, icon="bi-mortarboard", reference_only=True,
    list_columns=("code", "name", "name_en", "level", "parent"), filterset=DisciplineFilterSet,
    serializer=serializer_for(Discipline), select_related=("parent",),
    related=(RelatedList(_("Sub-disciplines"), "disciplines", "parent"),),
)

REPORTED_VALUES = RecordType(
    slug="reported-values", model=ReportedValue, group=SCOPE, order=13, icon="bi-clipboard-data",
    list_columns=("indicator", "unit", "period_start", "period_end", "value", "source"),
    filterset=ReportedValueFilterSet, form=ReportedValueForm, serializer=serializer_for(ReportedValue),
    select_related=("unit",), prefetch_related=("assessment_units",),
)

RECORD_TYPES = (PARKS, REPORTED_VALUES, ASSESSMENT_UNITS, ORGANISATIONS, REGIONS, INDUSTRIES, DISCIPLINES)
