from datetime import timedelta

import django_filters
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duijie.core.api import serializer_for
from duijie.core.filtersets import ScopedFilterSet, SearchFilterSet, id_filter, industry_filter
from duijie.core.forms import RecordForm, local_regions
from duijie.core.models import Industry, Region
from duijie.core.registry import RecordType, RelatedList
from duijie.orgs.choices import QualificationKind
from duijie.orgs.models import (
    VALIDITY_LABELS,
    Enterprise,
    EnterpriseMetric,
    EnterpriseQualification,
    Institution,
    InstitutionUnit,
)

GROUP = _("Institutions & enterprises")
SCOPE_FIELDS = ["region", "park", "assessment_units", "visibility"]



class InstitutionFilterSet(ScopedFilterSet):
    search_fields = ("name", "short_name", "aliases", "description")

    class Meta:
        model = Institution
        fields = ["kind", "is_local", "country"]


class InstitutionForm(RecordForm):
    class Meta:
        model = Institution
        fields = ["name", "short_name", "aliases", "kind", "is_local", "country", "website", "description",
                  "tto_name", "tto_contact", "tto_phone", "tto_email", *SCOPE_FIELDS]

    def region_queryset(self):
        # institutions come from anywhere in China: every province and city, the home province's districts
        return local_regions() | Region.objects.filter(level__lte=2)


class InstitutionUnitFilterSet(SearchFilterSet):
    search_fields = ("name", "institution__name", "description")

    class Meta:
        model = InstitutionUnit
        fields = ["institution", "kind"]


class InstitutionUnitForm(RecordForm):
    class Meta:
        model = InstitutionUnit
        fields = ["institution", "name", "kind", "parent", "description"]


class EnterpriseFilterSet(ScopedFilterSet):
    search_fields = ("name", "uscc", "main_products", "description")
    industry = industry_filter(_("Industry"))
    qualification = django_filters.ChoiceFilter(choices=QualificationKind.choices, label=_("Qualification"),
                                                method="filter_qualification")


    def filter_qualification(self, queryset, name, value):
        return queryset.filter(qualifications__kind=value).distinct()

    class Meta:
        model = Enterprise
        fields = ["uscc"]


class EnterpriseForm(RecordForm):
    class Meta:
        model = Enterprise
        fields = ["uscc", "name", "legal_representative", "founded_on", "registered_capital", "industry", "address",
                  "main_products", "description", "website", "contact_name", "contact_phone", *SCOPE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = Industry.objects.filter(level=4)


class QualificationFilterSet(SearchFilterSet):
    enterprise = id_filter("enterprise", _("Enterprise"))
    validity = django_filters.ChoiceFilter(label=_("Validity"), method="filter_validity",
                                           choices=[(k, v) for k, v in VALIDITY_LABELS.items() if k != "pending"])
    search_fields = ("enterprise__name", "certificate_no")

    def filter_validity(self, queryset, name, value):
        """The states of ``EnterpriseQualification.validity`` on today's date, as a query."""
        today = timezone.localdate()
        soon = today + timedelta(days=settings.DUIJIE_QUALIFICATION_EXPIRING_DAYS)
        started = Q(valid_from__lte=today)
        if value == "expired":
            return queryset.filter(started, valid_to__lt=today)
        if value == "expiring":
            return queryset.filter(started, valid_to__gte=today, valid_to__lte=soon)
        return queryset.filter(started, Q(valid_to__isnull=True) | Q(valid_to__gt=soon))

    class Meta:
        model = EnterpriseQualification
        fields = ["kind", "level"]


class QualificationForm(RecordForm):
    class Meta:
        model = EnterpriseQualification
        fields = ["enterprise", "kind", "level", "certificate_no", "valid_from", "valid_to", "note"]


class MetricFilterSet(SearchFilterSet):
    enterprise = id_filter("enterprise", _("Enterprise"))
    search_fields = ("enterprise__name",)

    class Meta:
        model = EnterpriseMetric
        fields = ["year", "above_scale"]


class MetricForm(RecordForm):
    class Meta:
        model = EnterpriseMetric
        fields = ["enterprise", "year", "above_scale", "revenue", "rd_spend", "tax", "employees", "rd_staff",
                  "invention_patents"]


INSTITUTIONS = RecordType(
    slug="institutions", model=Institution, group=GROUP, order=20, icon="bi-bank",
    list_columns=("name", "kind", "is_local", "country", "region"),
    filterset=InstitutionFilterSet, form=InstitutionForm,
    serializer=serializer_for(Institution, read_only=("owner_org",)),
    select_related=("region",), prefetch_related=("assessment_units",),
    related=(
        RelatedList(_("Units"), "institution-units", "institution"),
        RelatedList(_("Experts"), "experts", "institution"),
        RelatedList(_("Tech achievements"), "achievements", "institution"),
        RelatedList(_("Patents"), "patents", "applicant_orgs__institution"),
    ),
)
INSTITUTION_UNITS = RecordType(
    slug="institution-units", model=InstitutionUnit, group=GROUP, order=21, icon="bi-diagram-3",
    list_columns=("name", "institution", "kind", "parent"),
    filterset=InstitutionUnitFilterSet, form=InstitutionUnitForm, serializer=serializer_for(InstitutionUnit),
    select_related=("institution", "parent__institution"),
    related=(RelatedList(_("Experts"), "experts", "unit"),),
)
ENTERPRISES = RecordType(
    slug="enterprises", model=Enterprise, group=GROUP, order=22, icon="bi-building",
    list_columns=("name", "uscc", "industry", "region", "park", "contact_phone"),
    filterset=EnterpriseFilterSet, form=EnterpriseForm,
    serializer=serializer_for(Enterprise, read_only=("owner_org",)),
    select_related=("industry", "region", "park"), prefetch_related=("assessment_units",),
    related=(
        RelatedList(_("Demands"), "demands", "enterprise"),
        RelatedList(_("Qualifications"), "qualifications", "enterprise"),
        RelatedList(_("Yearly metrics"), "metrics", "enterprise"),
        RelatedList(_("Patents"), "patents", "applicant_orgs__enterprise"),
    ),
)
QUALIFICATIONS = RecordType(
    slug="qualifications", model=EnterpriseQualification, group=GROUP, order=23, icon="bi-award",
    list_columns=("enterprise", "kind", "level", "valid_from", "valid_to", "validity_display"),
    filterset=QualificationFilterSet, form=QualificationForm, serializer=serializer_for(EnterpriseQualification),
    select_related=("enterprise",),
)
METRICS = RecordType(
    slug="metrics", model=EnterpriseMetric, group=GROUP, order=24, icon="bi-graph-up",
    list_columns=("enterprise", "year", "above_scale", "revenue", "rd_spend", "employees", "invention_patents"),
    filterset=MetricFilterSet, form=MetricForm, serializer=serializer_for(EnterpriseMetric),
    select_related=("enterprise",),
)

RECORD_TYPES = (INSTITUTIONS, INSTITUTION_UNITS, ENTERPRISES, QUALIFICATIONS, METRICS)
