import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from duijie.accounts.models import User
from duijie.core.api import serializer_for
from duijie.core.filtersets import ScopedFilterSet, id_filter
from duijie.core.forms import RecordForm
from duijie.core.registry import NavLink, RecordType, RelatedList
from duijie.core.roles import GOVERNMENT_ROLES
from duijie.pairings.models import Pairing, Placement, PlacementQuota, StudentTeam, Visit

# Shown with cooperation projects and contracts in one navigation group (产学研合作).
GROUP = _("Cooperation")
SCOPE_FIELDS = ["region", "park", "assessment_units", "visibility"]



class PairingFilterSet(ScopedFilterSet):
    search_fields = ("enterprise__name", "expert__name", "goals")
    enterprise = id_filter("enterprise", _("Enterprise"))
    expert = id_filter("expert", _("Expert"))
    active_on = django_filters.DateFilter(label=_("Active on"), method="filter_active")

    def filter_active(self, queryset, name, value):
        return queryset.filter(start_on__lte=value).filter(Q(end_on__isnull=True) | Q(end_on__gte=value))

    class Meta:
        model = Pairing
        fields = ["kind"]


class PairingForm(RecordForm):
    class Meta:
        model = Pairing
        fields = ["kind", "enterprise", "expert", "liaison", "start_on", "end_on", "goals", "source_intention",
                  *SCOPE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)

        self.fields["liaison"].queryset = User.objects.filter(role__in=GOVERNMENT_ROLES,
                                                             is_active=True)


class VisitFilterSet(ScopedFilterSet):
    search_fields = ("enterprise__name", "visitors", "findings", "needs")
    enterprise = id_filter("enterprise", _("Enterprise"))
    pairing = id_filter("pairing", _("Pairing"))
    visited_after = django_filters.DateFilter(field_name="visited_on", lookup_expr="gte", label=_("Visited from"))
    visited_before = django_filters.DateFilter(field_name="visited_on", lookup_expr="lte", label=_("Visited to"))

    class Meta:
        model = Visit
        fields = ["programme", "visiting_institution"]


class VisitForm(RecordForm):
    class Meta:
        model = Visit
        fields = ["enterprise", "visited_on", "programme", "visitors", "visiting_institution", "pairing", "findings",
                  "needs", *SCOPE_FIELDS]


class PlacementFilterSet(ScopedFilterSet):
    search_fields = ("person_name", "duties", "outputs", "host_enterprise__name", "host_institution__name")
    expert = id_filter("expert", _("Expert"))
    host_enterprise = id_filter("host_enterprise", _("Host enterprise"))

    class Meta:
        model = Placement
        fields = ["scheme", "year", "home_institution", "host_institution"]


class PlacementForm(RecordForm):
    class Meta:
        model = Placement
        fields = ["scheme", "year", "person_name", "expert", "home_institution", "home_enterprise", "host_enterprise",
                  "host_institution", "start_on", "end_on", "duties", "outputs", *SCOPE_FIELDS]


class QuotaFilterSet(ScopedFilterSet):
    class Meta:
        model = PlacementQuota
        fields = ["scheme", "year"]


class QuotaForm(RecordForm):
    class Meta:
        model = PlacementQuota
        fields = ["scheme", "year", "quota", "basis", "region", "assessment_units", "visibility"]


class StudentTeamFilterSet(ScopedFilterSet):
    search_fields = ("name", "leader_name", "project", "institution__name", "incubator__name")
    incubator = id_filter("incubator", _("Incubator"))

    class Meta:
        model = StudentTeam
        fields = ["institution", "status", "teacher_led"]


class StudentTeamForm(RecordForm):
    class Meta:
        model = StudentTeam
        fields = ["name", "institution", "leader_name", "members", "teacher_led", "incubator", "project", "entered_on",
                  "status", "enterprise", *SCOPE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incubator"].queryset = self.fields["incubator"].queryset.filter(
            kind__in=("incubator", "makerspace", "accelerator"))


PAIRINGS = RecordType(
    slug="pairings", model=Pairing, group=GROUP, order=80, icon="bi-link-45deg",
    list_columns=("enterprise", "kind", "expert", "liaison", "start_on", "end_on"),
    filterset=PairingFilterSet, form=PairingForm, serializer=serializer_for(Pairing),
    select_related=("enterprise", "expert__institution", "liaison"), prefetch_related=("assessment_units",),
    related=(RelatedList(_("Visits"), "visits", "pairing", ("visited_on", "programme", "visitors")),),
)
VISITS = RecordType(
    slug="visits", model=Visit, group=GROUP, order=81, icon="bi-signpost-2",
    list_columns=("visited_on", "enterprise", "programme", "visitors", "visiting_institution"),
    filterset=VisitFilterSet, form=VisitForm, serializer=serializer_for(Visit),
    select_related=("enterprise", "visiting_institution"), prefetch_related=("assessment_units", "draft_demands"),
    detail_context=lambda request, obj, can_edit: {"panel_template": "pairings/partials/visit_needs.html"},
)
PLACEMENTS = RecordType(
    slug="placements", model=Placement, group=GROUP, order=82, icon="bi-person-workspace",
    list_columns=("person_name", "scheme", "year", "home_institution", "host_enterprise", "host_institution",
                  "start_on", "end_on"),
    filterset=PlacementFilterSet, form=PlacementForm, serializer=serializer_for(Placement),
    select_related=("home_institution", "host_enterprise", "host_institution"),
    prefetch_related=("assessment_units",),
)
PLACEMENT_QUOTAS = RecordType(
    slug="placement-quotas", model=PlacementQuota, group=GROUP, order=83, icon="bi-bullseye",
    list_columns=("year", "scheme", "quota", "region", "basis"),
    filterset=QuotaFilterSet, form=QuotaForm, serializer=serializer_for(PlacementQuota),
    select_related=("region",), prefetch_related=("assessment_units",),
)
STUDENT_TEAMS = RecordType(
    slug="student-teams", model=StudentTeam, group=GROUP, order=84, icon="bi-mortarboard",
    list_columns=("name", "institution", "leader_name", "members", "incubator", "entered_on", "status"),
    filterset=StudentTeamFilterSet, form=StudentTeamForm, serializer=serializer_for(StudentTeam),
    select_related=("institution", "incubator"), prefetch_related=("assessment_units",),
)
OVERVIEW = NavLink(GROUP, _("Overview: 十校十所进千企, quotas"), "pairings:overview",
                   roles=GOVERNMENT_ROLES, order=79)

RECORD_TYPES = (PAIRINGS, VISITS, PLACEMENTS, PLACEMENT_QUOTAS, STUDENT_TEAMS)
