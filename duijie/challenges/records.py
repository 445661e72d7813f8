"""Record types of challenges: the challenge itself (list with filters, detail, form, API, history,
export from core's registry), its criteria rows and the experts' declared interests. Bids, panels,
scorecards and gates have pages of their own (views.py, api.py): they are sealed or blind."""

import django_filters
from django.utils.translation import gettext_lazy as _

from duijie.challenges import selectors
from duijie.challenges.choices import BidStatus
from duijie.challenges.forms import ContractForm
from duijie.challenges.models import Challenge, Criterion, InterestDeclaration
from duijie.challenges.services import CHALLENGE_TRANSITIONS
from duijie.cooperation.choices import ProjectStage
from duijie.core.api import serializer_for
from duijie.core.filtersets import ScopedFilterSet, SearchFilterSet, id_filter
from duijie.core.forms import RecordForm
from duijie.core.registry import RecordType, RelatedList

GROUP = _("Challenges")


class ChallengeFilterSet(ScopedFilterSet):
    search_fields = ("title", "problem", "indicators", "demand__enterprise__name")
    demand = id_filter("demand", _("Demand"))
    solved = django_filters.BooleanFilter(field_name="project__status", label=_("Solved"), method="filter_solved")
    deadline_after = django_filters.DateFilter(field_name="deadline", lookup_expr="date__gte", label=_("Deadline from"))
    deadline_before = django_filters.DateFilter(field_name="deadline", lookup_expr="date__lte", label=_("Deadline to"))

    class Meta:
        model = Challenge
        fields = ["kind", "mode", "status", "ip_terms"]

    def filter_solved(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(project__status=ProjectStage.COMPLETED) if value else queryset.exclude(project__status=ProjectStage.COMPLETED)


class ChallengeForm(RecordForm):
    fieldsets = (
        (_("Challenge"), ("kind", "demand", "office", "title", "problem", "indicators", "mode", "teams_funded")),
        (_("Terms"), ("budget", "budget_negotiable", "deadline", "eligibility", "ip_terms", "payment_terms")),
        (_("Review"), ("conflict_years", "conflict_years_source", "outlier_z", "outlier_z_source",
                       "publicity_days", "publicity_days_source")),
    )

    class Meta:
        model = Challenge
        fields = ["kind", "demand", "office", "title", "problem", "indicators", "mode", "teams_funded", "budget",
                  "budget_negotiable", "deadline", "eligibility", "ip_terms", "payment_terms", "conflict_years",
                  "conflict_years_source", "outlier_z", "outlier_z_source", "publicity_days", "publicity_days_source", "region", "park", "assessment_units",
                  "visibility"]


class CriterionFilterSet(SearchFilterSet):
    search_fields = ("name", "challenge__title")
    challenge = id_filter("challenge", _("Challenge"))

    class Meta:
        model = Criterion
        fields: list[str] = []


class CriterionForm(RecordForm):
    class Meta:
        model = Criterion
        fields = ["challenge", "name", "description", "weight", "order"]


class InterestFilterSet(SearchFilterSet):
    search_fields = ("expert__name", "organisation__name", "note")
    expert = id_filter("expert", _("Expert"))

    class Meta:
        model = InterestDeclaration
        fields: list[str] = []


class InterestForm(RecordForm):
    class Meta:
        model = InterestDeclaration
        fields = ["expert", "organisation", "note", "declared_on"]


def challenge_detail_context(request, obj, can_edit):
    """The challenge page's own panel: its stage, links to bids, panel, scoring and gates; the 公示 with
    the proposed winners and the objection form; the invitation to bid addressed to the viewer."""
    out = {"panel_template": "challenges/challenge_panel.html", "proposed": [], "my_invitations": []}
    if obj.publicity_start:
        out["proposed"] = list(obj.bids.filter(status__in=(BidStatus.PROPOSED, BidStatus.WON))
                               .select_related("lead_expert", "institution"))
        out["objection_open"] = obj.in_publicity and not obj.publicity_over()
    if request.user.is_authenticated:
        out["my_invitations"] = list(selectors.invitations_received(request.user).filter(challenge=obj))
    if obj.project_id and obj.project.status == ProjectStage.INTENTION and obj.demand_id \
            and selectors.runs_challenge(request.user, obj):
        out["contract_form"] = ContractForm()
    return out


CHALLENGES = RecordType(
    slug="challenges", model=Challenge, group=GROUP, order=60, icon="bi-trophy",
    list_columns=("title", "kind", "mode", "budget", "deadline", "status", "project"),
    filterset=ChallengeFilterSet, form=ChallengeForm,
    serializer=serializer_for(Challenge, read_only=("status", "return_reason", "published_at", "awarded_at",
                                                    "project", "publicity_start", "publicity_end")),
    select_related=("demand__enterprise", "office", "project"), prefetch_related=("assessment_units",),
    related=(RelatedList(_("Criteria"), "challenge-criteria", "challenge", ("name", "weight", "order")),),
    transitions=CHALLENGE_TRANSITIONS, detail_context=challenge_detail_context,
)

CRITERIA = RecordType(
    slug="challenge-criteria", model=Criterion, group=GROUP, order=61, icon="bi-list-ol",
    list_columns=("challenge", "name", "weight", "order"),
    filterset=CriterionFilterSet, form=CriterionForm, serializer=serializer_for(Criterion),
    select_related=("challenge",),
)

INTERESTS = RecordType(
    slug="declared-interests", model=InterestDeclaration, group=GROUP, order=62, icon="bi-person-exclamation",
    list_columns=("expert", "organisation", "note", "declared_on"),
    filterset=InterestFilterSet, form=InterestForm, serializer=serializer_for(InterestDeclaration),
    select_related=("expert__institution", "organisation"),
)

RECORD_TYPES = (CHALLENGES, CRITERIA, INTERESTS)
