import django_filters
from django.utils.translation import gettext_lazy as _

from duijie.core.api import serializer_for
from duijie.core.filtersets import ScopedFilterSet, SearchFilterSet, id_filter
from duijie.core.forms import RecordForm
from duijie.core.models import Discipline, Industry
from duijie.core.registry import RecordType, RelatedList
from duijie.experts.choices import ExpertRoleKind
from duijie.experts.models import Expert, ExpertRole
from duijie.orgs.models import InstitutionUnit
from duijie.pairings.choices import PlacementScheme

GROUP = _("Experts")


class ExpertFilterSet(ScopedFilterSet):
    search_fields = ("name", "research_directions", "keywords", "bio", "employer", "institution__name")
    role = django_filters.ChoiceFilter(choices=ExpertRoleKind.choices, label=_("Role"), method="filter_role")
    # 科技副总 / 产业教授 / 双岗互聘: read from the placements, their one record.
    placement = django_filters.ChoiceFilter(choices=PlacementScheme.choices, label=_("Placement"),
                                            method="filter_placement")

    unit = django_filters.ModelChoiceFilter(queryset=InstitutionUnit.objects.select_related("institution"),
                                            label=_("unit"))

    def filter_role(self, queryset, name, value):
        return queryset.filter(roles__kind=value).distinct()

    def filter_placement(self, queryset, name, value):
        return queryset.filter(placements__scheme=value).distinct()

    class Meta:
        model = Expert
        fields = ["institution", "unit", "title", "do_not_recommend"]


class ExpertForm(RecordForm):
    class Meta:
        model = Expert
        fields = ["name", "institution", "unit", "employer", "title", "position", "research_directions", "keywords",
                  "disciplines", "industries", "bio", "phone", "email", "do_not_recommend",
                  "region", "park", "assessment_units", "visibility"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disciplines"].queryset = Discipline.objects.filter(level__lte=2)
        self.fields["industries"].queryset = Industry.objects.filter(level__lte=2)
        self.fields["unit"].queryset = self.fields["unit"].queryset.select_related("institution")


class ExpertRoleFilterSet(SearchFilterSet):
    expert = id_filter("expert", _("Expert"))
    search_fields = ("expert__name", "certificate_no")
    # Expert.__str__ names the institution: join it for the dropdown (no query per option).
    expert = django_filters.ModelChoiceFilter(queryset=Expert.objects.select_related("institution"),
                                              label=_("expert"))

    class Meta:
        model = ExpertRole
        fields = ["kind"]


class ExpertRoleForm(RecordForm):
    class Meta:
        model = ExpertRole
        fields = ["expert", "kind", "certificate_no", "host", "start", "end"]


EXPERTS = RecordType(
    slug="experts", model=Expert, group=GROUP, order=30, icon="bi-person-badge",
    list_columns=("name", "institution", "title", "keywords", "phone"),
    filterset=ExpertFilterSet, form=ExpertForm, serializer=serializer_for(Expert, read_only=("user",)),
    select_related=("institution",), prefetch_related=("disciplines", "industries", "assessment_units"),
    export_related=("unit__institution",),
    related=(
        RelatedList(_("Roles"), "expert-roles", "expert"),
        RelatedList(_("Placements (科技副总, 产业教授, 双岗互聘)"), "placements", "expert",
                    ("scheme", "host_enterprise", "host_institution", "start_on", "end_on")),
        RelatedList(_("Achievements led"), "achievements", "lead_expert"),
        RelatedList(_("Patents"), "patents", "inventor_experts"),
    ),
)
EXPERT_ROLES = RecordType(
    slug="expert-roles", model=ExpertRole, group=GROUP, order=31, icon="bi-person-gear",
    list_columns=("expert", "kind", "certificate_no", "host", "start", "end"),
    filterset=ExpertRoleFilterSet, form=ExpertRoleForm, serializer=serializer_for(ExpertRole),
    select_related=("expert__institution", "host"),
)

RECORD_TYPES = (EXPERTS, EXPERT_ROLES)
