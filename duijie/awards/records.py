"""Record types of the awards app (list/detail/form/API/history/export pages from core's registry).

Lines, payout lists and their lines are computed and frozen by the services: read-only here."""

import django_filters
from django.utils.translation import gettext_lazy as _

from duijie.awards.choices import RuleStatus
from duijie.awards.models import (
    Application,
    AwardLine,
    PayeeAccount,
    PayoutLine,
    PayoutList,
    ReviewStep,
    Round,
    RuleVersion,
    Scheme,
)
from duijie.core.api import serializer_for
from duijie.core.filtersets import RecordBaseFilterSet, SearchFilterSet, id_filter
from duijie.core.forms import RecordForm
from duijie.core.registry import RecordType, RelatedList, Transition

GROUP = _("Awards")


class SchemeFilterSet(RecordBaseFilterSet):
    search_fields = ("code", "name", "basis_clause", "purpose")
    programme = id_filter("programme", _("Programme"))

    class Meta:
        model = Scheme
        fields = ["year", "candidate_source"]


class SchemeForm(RecordForm):
    class Meta:
        model = Scheme
        fields = ["programme", "code", "name", "basis_clause", "year", "budget", "purpose", "candidate_source",
                  "approving_body", "review_chain", "region", "visibility"]


class RuleVersionFilterSet(SearchFilterSet):
    search_fields = ("source_clause", "scheme__name")
    scheme = id_filter("scheme", _("Scheme"))

    class Meta:
        model = RuleVersion
        fields = ["kind", "status"]


class RuleVersionForm(RecordForm):
    class Meta:
        model = RuleVersion
        fields = ["scheme", "number", "kind", "parameters", "valid_from", "valid_to", "source_clause"]


class ApplicationFilterSet(RecordBaseFilterSet):
    search_fields = ("person_name", "note", "payee_org__name", "expert__name")
    scheme = id_filter("scheme", _("Scheme"))

    class Meta:
        model = Application
        fields = ["channel", "status"]


class ApplicationForm(RecordForm):
    class Meta:
        model = Application
        fields = ["scheme", "channel", "payee_org", "expert", "person_name", "basis_type", "basis_ids", "score", "note"]


class RoundFilterSet(RecordBaseFilterSet):
    search_fields = ("scheme__name", "decision_number")
    scheme = id_filter("scheme", _("Scheme"))

    class Meta:
        model = Round
        fields = ["year", "status"]


class RoundForm(RecordForm):
    class Meta:
        model = Round
        fields = ["scheme", "year"]


class LineFilterSet(RecordBaseFilterSet):
    search_fields = ("label", "reason")
    round = id_filter("round", _("Round"))
    outcome = django_filters.CharFilter(field_name="outcome", label=_("Outcome"))

    class Meta:
        model = AwardLine
        fields: list[str] = []


class PayeeAccountFilterSet(RecordBaseFilterSet):
    search_fields = ("account_name", "bank_name", "person_name")

    class Meta:
        model = PayeeAccount
        fields: list[str] = []


class PayeeAccountForm(RecordForm):
    class Meta:
        model = PayeeAccount
        fields = ["payee_org", "expert", "person_name", "account_name", "bank_name", "account_number"]


class PayoutListFilterSet(SearchFilterSet):
    search_fields = ("round__scheme__name", "content_hash")

    class Meta:
        model = PayoutList
        fields: list[str] = []


class PayoutLineFilterSet(SearchFilterSet):
    search_fields = ("label", "payment_reference")
    payout_list = id_filter("payout_list", _("Payout list"))

    class Meta:
        model = PayoutLine
        fields = ["payment_status"]


class ReviewStepFilterSet(SearchFilterSet):
    search_fields = ("office", "note")
    round = id_filter("round", _("Round"))

    class Meta:
        model = ReviewStep
        fields = ["decision"]


PUBLISH = Transition("publish", _("Publish"), (RuleStatus.DRAFT,), RuleStatus.PUBLISHED, admin_only=True)

SCHEMES = RecordType(
    slug="award-schemes", model=Scheme, group=GROUP, order=100, icon="bi-award",
    list_columns=("code", "name", "programme", "year", "budget", "purpose", "candidate_source", "approving_body"),
    filterset=SchemeFilterSet, form=SchemeForm, serializer=serializer_for(Scheme), select_related=("programme",),
    prefetch_related=("assessment_units",),
    related=(RelatedList(_("Rule versions"), "award-rule-versions", "scheme",
                         ("number", "kind", "parameters", "valid_from", "valid_to", "status", "source_clause")),
             RelatedList(_("Rounds"), "award-rounds", "scheme", ("year", "status", "decision_number"))),
)

RULE_VERSIONS = RecordType(
    slug="award-rule-versions", model=RuleVersion, group=GROUP, order=101, icon="bi-sliders",
    list_columns=("scheme", "number", "kind", "parameters", "valid_from", "valid_to", "status", "source_clause"),
    filterset=RuleVersionFilterSet, form=RuleVersionForm,
    serializer=serializer_for(RuleVersion, read_only=("status", "published_at")), select_related=("scheme",),
    transitions=(PUBLISH,),
)

APPLICATIONS = RecordType(
    slug="award-applications", model=Application, group=GROUP, order=102, icon="bi-inbox",
    list_columns=("scheme", "channel", "payee_org", "expert", "person_name", "basis_type", "basis_ids", "score",
                  "status"),
    filterset=ApplicationFilterSet, form=ApplicationForm, serializer=serializer_for(Application),
    select_related=("scheme", "payee_org", "expert__institution"), prefetch_related=("assessment_units",),
)

ROUNDS = RecordType(
    slug="award-rounds", model=Round, group=GROUP, order=103, icon="bi-list-check",
    list_columns=("scheme", "year", "status", "decision_number", "decision_date", "publicity_start", "publicity_end"),
    filterset=RoundFilterSet, form=RoundForm, serializer=serializer_for(Round, read_only=("status",)),
    select_related=("scheme",), prefetch_related=("assessment_units",),
    related=(RelatedList(_("Lines"), "award-lines", "round",
                         ("position", "label", "basis_type", "basis_ids", "entitlement", "amount", "outcome",
                          "reason")),
             RelatedList(_("Reviews"), "award-review-steps", "round", ("step", "office", "decision", "note"))),
)

LINES = RecordType(
    slug="award-lines", model=AwardLine, group=GROUP, order=104, icon="bi-cash-coin", reference_only=True,
    list_columns=("round", "position", "label", "basis_type", "basis_ids", "rule_version", "entitlement", "amount",
                  "outcome", "reason"),
    filterset=LineFilterSet, serializer=serializer_for(AwardLine),
    select_related=("round__scheme", "rule_version__scheme"), prefetch_related=("assessment_units",),
)

ACCOUNTS = RecordType(
    slug="award-payee-accounts", model=PayeeAccount, group=GROUP, order=105, icon="bi-bank",
    list_columns=("payee_org", "expert", "person_name", "account_name", "bank_name", "account_number"),
    filterset=PayeeAccountFilterSet, form=PayeeAccountForm, serializer=serializer_for(PayeeAccount),
    select_related=("payee_org", "expert__institution"), prefetch_related=("assessment_units",),
)

PAYOUT_LISTS = RecordType(
    slug="award-payout-lists", model=PayoutList, group=GROUP, order=106, icon="bi-file-earmark-spreadsheet",
    reference_only=True, list_columns=("round", "issued_at", "total", "content_hash"),
    filterset=PayoutListFilterSet, serializer=serializer_for(PayoutList), select_related=("round__scheme",),
    related=(RelatedList(_("Payout lines"), "award-payout-lines", "payout_list",
                         ("position", "label", "amount", "account_number", "payment_status", "paid_on")),),
)

PAYOUT_LINES = RecordType(
    slug="award-payout-lines", model=PayoutLine, group=GROUP, order=107, icon="bi-receipt", reference_only=True,
    list_columns=("payout_list", "position", "label", "amount", "account_name", "bank_name", "account_number",
                  "payment_status", "paid_on"),
    filterset=PayoutLineFilterSet, serializer=serializer_for(PayoutLine),
    select_related=("payout_list__round__scheme",),
)

REVIEW_STEPS = RecordType(
    slug="award-review-steps", model=ReviewStep, group=GROUP, order=108, icon="bi-check2-square", reference_only=True,
    list_columns=("round", "step", "office", "decision", "note", "by", "created_at"),
    filterset=ReviewStepFilterSet, serializer=serializer_for(ReviewStep), select_related=("round__scheme", "by"),
)

RECORD_TYPES = (SCHEMES, RULE_VERSIONS, APPLICATIONS, ROUNDS, LINES, ACCOUNTS, PAYOUT_LISTS, PAYOUT_LINES, REVIEW_STEPS)
