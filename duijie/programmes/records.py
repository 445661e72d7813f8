"""Record types of programmes (list/detail/form/API/history/export pages come from core's registry)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from duijie.core.api import serializer_for
from duijie.core.filtersets import RecordBaseFilterSet, SearchFilterSet, id_filter
from duijie.core.forms import RecordForm
from duijie.core.registry import RecordType, RelatedList
from duijie.programmes.models import Programme, ProgrammeIndicator, ScoringRule, Target

GROUP = _("Programmes")


class ProgrammeFilterSet(RecordBaseFilterSet):
    search_fields = ("code", "name", "document_number", "issuer")

    class Meta:
        model = Programme
        fields: list[str] = []


class ProgrammeForm(RecordForm):
    fieldsets = (
        (_("Programme"), ("code", "name", "document_number", "issuer", "period_start", "period_end", "source")),
        (_("Members"), ("member_institutions", "key_industries")),
        (_("Pace thresholds"), ("ahead_from", "lagging_below", "at_risk_below", "thresholds_source")),
    )

    class Meta:
        model = Programme
        fields = ["code", "name", "document_number", "issuer", "period_start", "period_end", "source",
                  "member_institutions", "key_industries", "ahead_from", "lagging_below", "at_risk_below",
                  "thresholds_source", "region", "visibility"]


class IndicatorFilterSet(SearchFilterSet):
    search_fields = ("indicator", "label", "programme__name")
    programme = id_filter("programme", _("Programme"))

    class Meta:
        model = ProgrammeIndicator
        fields = ["indicator"]


class IndicatorForm(RecordForm):
    class Meta:
        model = ProgrammeIndicator
        fields = ["programme", "indicator", "label", "weight", "order", "source"]


class TargetFilterSet(RecordBaseFilterSet):
    search_fields = ("text", "source", "owner_unit__name", "owner_park__name", "owner_institution__name",
                     "owner_department__name")
    programme = id_filter("programme_indicator__programme", _("Programme"))
    programme_indicator = id_filter("programme_indicator", _("Programme indicator"))
    owner_unit = id_filter("owner_unit", _("Assessment unit"))
    parent = id_filter("parent", _("Parent target"))
    period_start = django_filters.DateFilter(field_name="period_start", label=_("Period start"))

    class Meta:
        model = Target
        fields = ["period_kind"]


class TargetForm(RecordForm):
    fieldsets = (
        (_("Target"), ("programme_indicator", "period_kind", "period_start", "period_end", "value", "text",
                       "parent", "source")),
        (_("Owner (exactly one)"), ("owner_unit", "owner_park", "owner_institution", "owner_department")),
    )

    class Meta:
        model = Target
        fields = ["programme_indicator", "period_kind", "period_start", "period_end", "value", "text", "parent",
                  "source", "owner_unit", "owner_park", "owner_institution", "owner_department", "visibility"]


def programme_detail_context(request, obj, can_edit):
    """The programme's page links to its progress (government roles: the progress pages are theirs)."""
    return {"panel_template": "programmes/programme_panel.html"} if getattr(request.user, "is_government", False) else {}


PROGRAMMES = RecordType(
    slug="programmes", model=Programme, group=GROUP, order=90, icon="bi-flag",
    list_columns=("code", "name", "document_number", "issuer", "period_start", "period_end"),
    filterset=ProgrammeFilterSet, form=ProgrammeForm, serializer=serializer_for(Programme),
    prefetch_related=("assessment_units", "member_institutions", "key_industries"),
    related=(RelatedList(_("Indicators"), "programme-indicators", "programme",
                         ("indicator", "label", "weight", "source")),),
    detail_context=programme_detail_context,
)

PROGRAMME_INDICATORS = RecordType(
    slug="programme-indicators", model=ProgrammeIndicator, group=GROUP, order=91, icon="bi-speedometer2",
    list_columns=("programme", "indicator", "label", "weight", "order", "source"),
    filterset=IndicatorFilterSet, form=IndicatorForm, serializer=serializer_for(ProgrammeIndicator),
    select_related=("programme",),
    related=(RelatedList(_("Targets"), "targets", "programme_indicator",
                         ("owner_unit", "owner_park", "owner_institution", "owner_department", "period_kind",
                          "period_start", "period_end", "value", "text")),
             RelatedList(_("Scoring rules"), "scoring-rules", "programme_indicator",
                         ("kind", "points", "cap", "per", "unit_kinds", "source"))),
)

TARGETS = RecordType(
    slug="targets", model=Target, group=GROUP, order=92, icon="bi-bullseye",
    list_columns=("programme_indicator", "owner_unit", "owner_park", "owner_institution", "owner_department",
                  "period_kind", "period_start", "period_end", "value", "text"),
    filterset=TargetFilterSet, form=TargetForm, serializer=serializer_for(Target, read_only=("region",)),
    select_related=("programme_indicator__programme", "owner_unit", "owner_park", "owner_institution",
                    "owner_department"),
    prefetch_related=("assessment_units",),
    related=(RelatedList(_("Refinements"), "targets", "parent",
                         ("owner_unit", "owner_park", "period_kind", "value", "text")),),
)



class ScoringRuleFilterSet(SearchFilterSet):
    search_fields = ("source", "programme_indicator__label", "programme_indicator__programme__name")
    programme_indicator = id_filter("programme_indicator", _("Programme indicator"))

    class Meta:
        model = ScoringRule
        fields = ["kind"]


class ScoringRuleForm(RecordForm):
    class Meta:
        model = ScoringRule
        fields = ["programme_indicator", "kind", "points", "cap", "per", "steps", "unit_kinds", "source",
                  "valid_from", "valid_to"]


SCORING_RULES = RecordType(
    slug="scoring-rules", model=ScoringRule, group=GROUP, order=93, icon="bi-calculator",
    list_columns=("programme_indicator", "kind", "points", "cap", "per", "unit_kinds", "source", "valid_from",
                  "valid_to"),
    filterset=ScoringRuleFilterSet, form=ScoringRuleForm, serializer=serializer_for(ScoringRule),
    select_related=("programme_indicator__programme",),
)

RECORD_TYPES = (PROGRAMMES, PROGRAMME_INDICATORS, TARGETS, SCORING_RULES)
