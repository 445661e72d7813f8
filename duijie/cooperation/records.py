import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from duijie.cooperation.choices import DocumentKind
from duijie.cooperation.models import CooperationProject, TechContract, YearlyOutcome
from duijie.cooperation.services import ALLOWED_TYPES, PROJECT_TRANSITIONS, max_document_bytes, stage_log
from duijie.core import selectors
from duijie.core.api import serializer_for
from duijie.core.filtersets import ScopedFilterSet, SearchFilterSet, id_filter
from duijie.core.forms import RecordForm
from duijie.core.registry import REGISTRY, RecordType, RelatedList, record_url

GROUP = _("Cooperation")
SCOPE_FIELDS = ["region", "park", "assessment_units", "visibility"]



class ProjectFilterSet(ScopedFilterSet):
    search_fields = ("title", "description")
    source_event = id_filter("source_event", _("Source event"))
    source_demand = id_filter("source_demand", _("Source demand"))
    source_intention = id_filter("source_intention", _("Source intention"))
    enterprise = id_filter("enterprises", _("Enterprise"))
    institution = id_filter("institutions", _("Institution"))
    expert = id_filter("experts", _("Expert"))
    signed_after = django_filters.DateFilter(field_name="signed_on", lookup_expr="gte", label=_("Signed from"))
    signed_before = django_filters.DateFilter(field_name="signed_on", lookup_expr="lte", label=_("Signed to"))

    class Meta:
        model = CooperationProject
        fields = ["source", "status"]


class ProjectForm(RecordForm):
    fieldsets = (
        (_("Project"), ("title", "description")),
        (_("Source"), ("source", "source_demand", "source_event", "source_intention")),
        (_("Parties"), ("enterprises", "institutions", "experts", "broker")),
        (_("Stage dates"), ("intention_on", "signed_on", "implementation_on", "completed_on", "terminated_on")),
    )

    class Meta:
        model = CooperationProject
        fields = ["title", "description", "source", "source_demand", "source_event", "source_intention",
                  "enterprises", "institutions", "experts", "broker", "intention_on", "signed_on",
                  "implementation_on", "completed_on", "terminated_on", *SCOPE_FIELDS]


class OutcomeFilterSet(SearchFilterSet):
    search_fields = ("project__title", "notes")
    project = id_filter("project", _("Project"))

    class Meta:
        model = YearlyOutcome
        fields = ["year"]


class OutcomeForm(RecordForm):
    class Meta:
        model = YearlyOutcome
        fields = ["project", "year", "new_investment", "new_sales", "profit_tax", "notes"]


class ContractFilterSet(ScopedFilterSet):
    search_fields = ("title", "registration_number", "enterprise__name", "institution__name",
                     "seller_enterprise__name")
    project = id_filter("project", _("Project"))
    enterprise = id_filter("enterprise", _("Buyer"))
    institution = id_filter("institution", _("Seller (institution)"))
    signed_after = django_filters.DateFilter(field_name="signed_on", lookup_expr="gte", label=_("Signed from"))
    signed_before = django_filters.DateFilter(field_name="signed_on", lookup_expr="lte", label=_("Signed to"))
    registered = django_filters.BooleanFilter(field_name="registered_on", lookup_expr="isnull", exclude=True,
                                              label=_("Registered (认定登记)"))

    class Meta:
        model = TechContract
        fields = ["contract_type"]


class ContractForm(RecordForm):
    fieldsets = (
        (_("Contract"), ("title", "contract_type", "amount", "signed_on", "project")),
        (_("Parties"), ("enterprise", "institution", "seller_enterprise", "transfer_org", "broker")),
        (_("Registration (认定登记)"), ("registration_number", "registered_on")),
    )

    class Meta:
        model = TechContract
        fields = ["title", "contract_type", "amount", "signed_on", "project", "enterprise", "institution",
                  "seller_enterprise", "transfer_org", "broker", "registration_number", "registered_on",
                  *SCOPE_FIELDS]


def project_detail_context(request, obj, can_edit):
    """Extra panels of the project page: documents, stage log, upload form (core.views.record_detail)."""
    return {"panel_template": "cooperation/project_panels.html",
            "documents": list(obj.documents.select_related("uploaded_by")),
            "document_kinds": DocumentKind.choices, "stage_log": stage_log(obj),
            "allowed_types": ", ".join(ALLOWED_TYPES), "max_mb": max_document_bytes() // 1048576,
            "can_upload": can_edit}


PROJECTS = RecordType(
    slug="projects", model=CooperationProject, group=GROUP, order=70, icon="bi-diagram-3",
    list_columns=("title", "source", "status", "source_event", "intention_on", "signed_on"),
    filterset=ProjectFilterSet, form=ProjectForm,
    serializer=serializer_for(CooperationProject, read_only=("status", "stage_reason")),
    select_related=("source_event",),
    prefetch_related=("assessment_units", "enterprises", "institutions", "experts"),
    related=(RelatedList(_("Yearly outcomes"), "project-outcomes", "project"),
             RelatedList(_("Technology contracts"), "tech-contracts", "project")),
    transitions=PROJECT_TRANSITIONS,
    detail_context=project_detail_context,
    list_actions=((_("Create from an intention (由意向创建项目)"), "cooperation:from_intention"),
                  (_("Effectiveness (成效分析)"), "cooperation:effect")),
)

PROJECT_OUTCOMES = RecordType(
    slug="project-outcomes", model=YearlyOutcome, group=GROUP, order=71, icon="bi-graph-up",
    list_columns=("project", "year", "new_investment", "new_sales", "profit_tax"),
    filterset=OutcomeFilterSet, form=OutcomeForm, serializer=serializer_for(YearlyOutcome),
    select_related=("project",),
)

TECH_CONTRACTS = RecordType(
    slug="tech-contracts", model=TechContract, group=GROUP, order=72, icon="bi-file-earmark-text",
    list_columns=("title", "contract_type", "enterprise", "institution", "amount", "signed_on",
                  "registration_number"),
    filterset=ContractFilterSet, form=ContractForm, serializer=serializer_for(TechContract),
    select_related=("enterprise", "institution"), prefetch_related=("assessment_units",),
)


def intention_project_links(request, obj) -> list[tuple[str, str]]:
    """On an intention's page: its projects, or 由意向创建项目 when it was signed at an event, has no
    project yet and the user may create projects and edit the intention."""
    projects = list(selectors.record_list(record_type=REGISTRY["projects"], user=request.user)
                    .filter(source_intention=obj.pk)[:3])
    if projects:
        return [(_("Project: %(p)s") % {"p": p}, record_url(p)) for p in projects]
    if obj.event_id is None or not selectors.can_create(request.user, REGISTRY["projects"]) \
            or not selectors.can_edit(request.user, obj):
        return []
    return [(_("Create a project from this intention"), f"{reverse('cooperation:from_intention')}?intention={obj.pk}")]


RECORD_TYPES = (PROJECTS, PROJECT_OUTCOMES, TECH_CONTRACTS)
