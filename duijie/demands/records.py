import django_filters
from django.utils.translation import gettext_lazy as _

from duijie.core.api import serializer_for
from duijie.core.filtersets import ScopedFilterSet, id_filter, industry_filter
from duijie.core.forms import RecordForm
from duijie.core.models import Industry
from duijie.core.registry import RecordType
from duijie.demands.models import Demand
from duijie.demands.services import DEMAND_TRANSITIONS

GROUP = _("Demands")


class DemandFilterSet(ScopedFilterSet):
    enterprise = id_filter("enterprise", _("Enterprise"))
    search_fields = ("title", "description", "keywords", "tech_field", "enterprise__name")
    industry = industry_filter(_("Industry"))
    deadline_after = django_filters.DateFilter(field_name="deadline", lookup_expr="gte", label=_("Deadline from"))
    deadline_before = django_filters.DateFilter(field_name="deadline", lookup_expr="lte", label=_("Deadline to"))


    class Meta:
        model = Demand
        fields = ["demand_type", "status", "cooperation_mode"]


class DemandForm(RecordForm):
    class Meta:
        model = Demand
        fields = ["enterprise", "demand_type", "title", "description", "industry", "tech_field", "keywords",
                  "cooperation_mode", "budget_min", "budget_max", "budget_negotiable", "deadline", "contact_name",
                  "contact_phone", "region", "park", "assessment_units", "visibility"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry"].queryset = Industry.objects.filter(level=4)


DEMANDS = RecordType(
    slug="demands", model=Demand, group=GROUP, order=50, icon="bi-megaphone",
    list_columns=("title", "enterprise", "demand_type", "industry", "deadline", "status", "visibility"),
    filterset=DemandFilterSet, form=DemandForm,
    serializer=serializer_for(Demand, read_only=("status", "return_reason", "submitted_at", "published_at")),
    select_related=("enterprise", "industry"), prefetch_related=("assessment_units",),
    transitions=DEMAND_TRANSITIONS,
)

RECORD_TYPES = (DEMANDS,)
