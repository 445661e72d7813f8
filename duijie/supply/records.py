import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from duijie.core.api import RecordSerializer, serializer_for
from duijie.core.filtersets import ScopedFilterSet, id_filter
from duijie.core.forms import RecordForm
from duijie.core.models import AssessmentUnit, Industry
from duijie.core.registry import RecordType, RelatedList
from duijie.core.scope import units_in_scope
from duijie.supply.choices import TransferMode
from duijie.supply.models import Achievement, Carrier, Patent, Scenario
from duijie.supply.services import ACHIEVEMENT_TRANSITIONS

GROUP = _("Achievements & patents")
PLATFORMS = _("Carriers & scenarios")
SCOPE_FIELDS = ["region", "park", "assessment_units", "visibility"]



class AchievementFilterSet(ScopedFilterSet):
    search_fields = ("name", "introduction", "lead_name", "institution__name", "unit_name")
    filing_unit = django_filters.ModelChoiceFilter(queryset=AssessmentUnit.objects.all(), label=_("Filing district"))
    lead_expert = id_filter("lead_expert", _("Lead researcher"))

    class Meta:
        model = Achievement
        fields = ["institution", "field", "stage", "status", "ip_form"]


class AchievementForm(RecordForm):
    transfer_modes = forms.MultipleChoiceField(label=_("transfer modes"), choices=TransferMode.choices,
                                               required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Achievement
        fields = ["name", "institution", "unit_name", "unit", "lead_name", "lead_title", "lead_phone", "lead_expert",
                  "field", "field_other", "stage", "stage_other", "introduction", "district_fit", "promotion_plan",
                  "filing_unit", "filer_name", "filer_phone", "filing_date", "ip_form", "transfer_modes",
                  "asking_price", *SCOPE_FIELDS]
        widgets = {"field": forms.RadioSelect, "stage": forms.RadioSelect}

    fieldsets = (
        (_("Tech achievement information form (大院大所科技成果信息表, Annex 1)"), (
            "name", "institution", "unit_name", "unit", "lead_name", "lead_title", "lead_phone", "lead_expert",
            "field", "field_other", "stage", "stage_other", "introduction", "district_fit", "promotion_plan",
            "filing_unit", "filer_name", "filer_phone", "filing_date")),
        (_("Transfer terms"), ("ip_form", "transfer_modes", "asking_price")),
    )

    # 填报区镇: the district office that collected the form (Annex 1's line under the table).
    government_fields = ("filing_unit",)

    def government_defaults(self, user) -> None:
        """A district files for its own units: the choice is limited to them, its own preselected."""
        field = self.fields.get("filing_unit")
        if field is None:
            return
        held = [self.instance.filing_unit_id] if self.instance.filing_unit_id else []
        field.queryset = field.queryset.filter(Q(pk__in=units_in_scope(user).values("pk")) | Q(pk__in=held))
        own = getattr(getattr(user, "organisation", None), "assessment_unit_id", None)
        if own and not self.instance.pk:
            self.initial.setdefault("filing_unit", own)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("field", "stage"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0]]
        self.fields["transfer_modes"].widget.attrs["class"] = "form-check-input"
        self.fields["unit"].queryset = self.fields["unit"].queryset.select_related("institution")
        self.fields["lead_expert"].queryset = self.fields["lead_expert"].queryset.select_related("institution")


class PatentFilterSet(ScopedFilterSet):
    search_fields = ("title", "abstract", "application_no", "applicants", "inventors", "ipc_codes")
    ipc = django_filters.CharFilter(field_name="ipc_codes", lookup_expr="icontains", label=_("IPC contains"))
    applicant_orgs = django_filters.NumberFilter(field_name="applicant_orgs", label=_("Applicant organisation"))
    inventor_experts = django_filters.NumberFilter(field_name="inventor_experts", label=_("Inventor"))

    class Meta:
        model = Patent
        fields = ["patent_type", "legal_status", "is_high_value"]


class PatentForm(RecordForm):
    class Meta:
        model = Patent
        fields = ["application_no", "publication_no", "title", "abstract", "ipc_codes", "patent_type",
                  "legal_status", "applicants", "applicant_orgs", "inventors", "inventor_experts", "application_date",
                  "publication_date", "grant_date", "is_high_value", "value_score", *SCOPE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inventor_experts"].queryset = self.fields["inventor_experts"].queryset.select_related(
            "institution")
        self.fields["patent_type"].required = False


class PatentSerializer(RecordSerializer):
    class Meta:
        model = Patent
        exclude = []
        extra_kwargs = {"patent_type": {"required": False}}


class CarrierFilterSet(ScopedFilterSet):
    host = id_filter("host", _("Host organisation"))
    search_fields = ("name", "description", "co_builders_text", "approved_by")

    class Meta:
        model = Carrier
        fields = ["kind", "level"]


class CarrierForm(RecordForm):
    class Meta:
        model = Carrier
        fields = ["name", "kind", "level", "host", "co_builders", "co_builders_text", "approval_date", "approved_by",
                  "industries", "description", *SCOPE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industries"].queryset = Industry.objects.filter(level__lte=2)


class ScenarioFilterSet(ScopedFilterSet):
    provider = id_filter("provider", _("Provider"))
    search_fields = ("title", "description", "requirements")

    class Meta:
        model = Scenario
        fields = ["domain", "stage", "openness"]


class ScenarioForm(RecordForm):
    class Meta:
        model = Scenario
        fields = ["title", "domain", "provider", "stage", "period_start", "period_end", "openness", "description",
                  "requirements", "investment", *SCOPE_FIELDS]


ACHIEVEMENTS = RecordType(
    slug="achievements", model=Achievement, group=GROUP, order=40, icon="bi-lightbulb",
    list_columns=("name", "institution", "field", "stage", "lead_name", "status", "filing_unit"),
    filterset=AchievementFilterSet, form=AchievementForm,
    serializer=serializer_for(Achievement, read_only=("status", "return_reason", "published_at")),
    select_related=("institution", "filing_unit"), prefetch_related=("assessment_units", "patents"),
    export_related=("lead_expert__institution", "unit__institution"),
    transitions=ACHIEVEMENT_TRANSITIONS,
)
PATENTS = RecordType(
    slug="patents", model=Patent, group=GROUP, order=41, icon="bi-file-earmark-text",
    list_columns=("title", "application_no", "patent_type", "legal_status", "applicants", "application_date",
                  "is_high_value"),
    filterset=PatentFilterSet, form=PatentForm, serializer=PatentSerializer,
    prefetch_related=("applicant_orgs", "inventor_experts__institution", "assessment_units"),
    related=(RelatedList(_("Achievements"), "achievements", "patents"),),
)
CARRIERS = RecordType(
    slug="carriers", model=Carrier, group=PLATFORMS, order=42, icon="bi-house-gear",
    list_columns=("name", "kind", "level", "host", "region", "approval_date"),
    filterset=CarrierFilterSet, form=CarrierForm, serializer=serializer_for(Carrier),
    select_related=("host", "region"), prefetch_related=("co_builders", "industries", "assessment_units"),
)
SCENARIOS = RecordType(
    slug="scenarios", model=Scenario, group=PLATFORMS, order=43, icon="bi-signpost-split",
    list_columns=("title", "domain", "provider", "stage", "openness", "period_start", "period_end"),
    filterset=ScenarioFilterSet, form=ScenarioForm, serializer=serializer_for(Scenario),
    select_related=("provider",), prefetch_related=("assessment_units",),
)

RECORD_TYPES = (ACHIEVEMENTS, PATENTS, CARRIERS, SCENARIOS)
