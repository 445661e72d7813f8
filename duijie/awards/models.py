"""Award and subsidy schemes as rule data, their runs (评审批次), lines and frozen payout lists.

- ``Scheme``: one programme's award (basis clause, year, budget, approving body, review chain, the
  purpose that keeps a payee from being paid twice for the same thing in a year across schemes).
- ``RuleVersion``: the scheme's money rule (kind + parameters) valid over dates, with its source
  clause; published versions are immutable (a change is a new version).
- ``Application``: a nomination or application naming its basis records (免申即享 candidates need
  none: they are found in the records).
- ``Round``: one run of a scheme for a year, through review → approval → 公示 → payout.
- ``AwardLine``: one candidate line: its payee, basis record ids, the inputs read from them, the rule
  version and parameters applied, the amount (computed, never typed) and the outcome with its reason.
- ``PayoutList`` / ``PayoutLine``: the issued list, frozen with its inputs and a content hash; bank
  details encrypted at rest; paid/unpaid reconciliation per line.
- ``PayeeAccount``: a payee's bank details (encrypted), confirmed by the payee.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from duijie.awards import rules
from duijie.awards.choices import (
    ApplicationStatus,
    CandidateSource,
    Channel,
    Outcome,
    PaymentStatus,
    Resolution,
    ResponseKind,
    ReviewDecision,
    RoundStatus,
    RuleKind,
    RuleStatus,
)
from duijie.core.choices import Visibility
from duijie.core.fields import BlindIndexField, EncryptedTextField
from duijie.core.models import Organisation, RecordBase, TimeStamped, Versioned
from duijie.core.roles import Role

MONEY = {"max_digits": 16, "decimal_places": 2}
OFFICE_KINDS = ("government", "institution")  # the organisations that may review awards
YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]


class Scheme(RecordBase):
    """An award or subsidy scheme of a programme (e.g. 双十百千 优秀教师奖励, 技术合同成交额 2% 奖补)."""

    CREATE_ROLES = (Role.CITY_ADMIN,)

    programme = models.ForeignKey("programmes.Programme", verbose_name=_("programme"), on_delete=models.PROTECT,
                                  related_name="award_schemes")
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    basis_clause = models.TextField(_("basis clause"), help_text=_("The clause of the document the scheme rests on."))
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    budget = models.DecimalField(_("budget (yuan)"), validators=[MinValueValidator(0)], **MONEY)
    purpose = models.SlugField(_("purpose"), max_length=60,
                               help_text=_("Schemes of the same purpose never pay the same payee twice in a year, "
                                           "e.g. excellent-teacher."))
    candidate_source = models.CharField(_("candidates from"), max_length=24, choices=CandidateSource.choices)
    approving_body = models.CharField(_("approving body"), max_length=100, help_text=_("e.g. 联席会议"))
    review_chain = models.JSONField(_("review chain"), default=list, blank=True,
                                    help_text=_("The reviewing offices in order, as organisation ids, e.g. [12, 3]: "
                                                "only a member of an office reviews its step."))
    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices,
                                  default=Visibility.PLATFORM)

    history = HistoricalRecords(m2m_fields=["assessment_units"])

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("award scheme")
        verbose_name_plural = _("award schemes")

    def __str__(self) -> str:
        return f"{self.name}（{self.year}）"

    def offices(self) -> list:
        """The reviewing offices (organisations) in the chain's order."""
        by_pk = Organisation.objects.in_bulk(self.review_chain or [])
        return [by_pk[pk] for pk in self.review_chain or [] if pk in by_pk]

    def clean(self) -> None:
        chain = self.review_chain
        if not isinstance(chain, list) or not all(isinstance(o, int) and not isinstance(o, bool) for o in chain):
            raise ValidationError({"review_chain": _("The review chain is a list of organisation ids (the reviewing "
                                                     "offices), in order.")})
        if len(set(chain)) != len(chain):
            raise ValidationError({"review_chain": _("An office appears twice in the review chain.")})
        found = dict(Organisation.objects.filter(pk__in=chain).values_list("pk", "kind"))
        missing = [str(o) for o in chain if o not in found]
        if missing:
            raise ValidationError({"review_chain": _("No organisation with id %(ids)s.") % {"ids": ", ".join(missing)}})
        wrong = [str(o) for o in chain if found[o] not in OFFICE_KINDS]
        if wrong:
            raise ValidationError({"review_chain": _("Organisation %(ids)s is not a government body or an institution; "
                                                     "only those review awards.") % {"ids": ", ".join(wrong)}})
        if self.budget is not None and self.budget < 0:
            raise ValidationError({"budget": _("The budget cannot be negative.")})
        if self.region_id is None and self.programme_id:
            self.region_id = self.programme.region_id


class RuleVersion(Versioned, TimeStamped):
    """One dated version of a scheme's money rule. Published versions never change."""

    SCOPE_VIA = "scheme"

    scheme = models.ForeignKey(Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="rule_versions")
    number = models.PositiveIntegerField(_("version number"))
    kind = models.CharField(_("rule kind"), max_length=20, choices=RuleKind.choices)
    parameters = models.JSONField(_("parameters"), default=dict)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source_clause = models.CharField(_("source clause"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=RuleStatus.choices, default=RuleStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["scheme", "number"]
        verbose_name = _("rule version")
        verbose_name_plural = _("rule versions")
        constraints = [models.UniqueConstraint(fields=["scheme", "number"], name="awards_rule_version_number")]

    def __str__(self) -> str:
        return f"{self.scheme.code} v{self.number}（{self.get_kind_display()}）"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        try:
            self.parameters = rules.validate_parameters(self.kind, self.parameters)
        except rules.RuleError as exc:
            errors["parameters"] = [f"{name}: {why}" for name, why in exc.errors.items()]
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("The end of validity is before its start.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = RuleVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == RuleStatus.PUBLISHED:
                raise ValidationError(_("A published rule version cannot be changed; create a new version."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == RuleStatus.PUBLISHED:
            raise ValidationError(_("A published rule version cannot be deleted."))
        return super().delete(*args, **kwargs)

    def as_rule(self) -> rules.Rule:
        return rules.Rule(kind=self.kind, parameters=self.parameters, version_id=self.pk)

    def valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class PayeeFields(models.Model):
    """Who is paid: an organisation (enterprise, institution, transfer institution) or an expert, or a
    person named with their unit (a student)."""

    payee_org = models.ForeignKey("core.Organisation", verbose_name=_("payee organisation"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    expert = models.ForeignKey("experts.Expert", verbose_name=_("expert"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    person_name = models.CharField(_("person"), max_length=50, blank=True,
                                   help_text=_("A person without an expert record (a student), with their unit."))

    class Meta:
        abstract = True

    @property
    def payee_key(self) -> str:
        """The same person or organisation under one key, across schemes."""
        if self.expert_id:
            return f"expert:{self.expert_id}"
        if self.person_name:
            return f"person:{self.person_name.strip()}@{self.payee_org_id or ''}"
        return f"org:{self.payee_org_id}"

    @property
    def payee_label(self) -> str:
        if self.expert_id:
            return str(self.expert)
        if self.person_name:
            return f"{self.person_name}（{self.payee_org}）" if self.payee_org_id else self.person_name
        return str(self.payee_org) if self.payee_org_id else ""


class Application(PayeeFields, RecordBase):
    """A nomination (a university names its teachers or students) or an application (a university asks
    for its training subsidy), naming the basis records the amount is computed from."""

    CONFIDENTIAL = True

    scheme = models.ForeignKey(Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="applications")
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.NOMINATION)
    basis_type = models.CharField(_("basis record type"), max_length=50, blank=True,
                                  help_text=_("The record type of the basis records, e.g. projects, placements."))
    basis_ids = models.JSONField(_("basis record ids"), default=list, blank=True)
    score = models.DecimalField(_("evaluation score"), max_digits=7, decimal_places=2, null=True, blank=True,
                                help_text=_("For schemes ranked by an evaluation (择优)."))
    status = models.CharField(_("status"), max_length=10, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.FILED)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords(m2m_fields=["assessment_units"])

    class Meta:
        ordering = ["scheme", "pk"]
        verbose_name = _("award application")
        verbose_name_plural = _("award applications")

    def __str__(self) -> str:
        return f"{self.scheme.name} · {self.payee_label}"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if not self.payee_org_id and not self.expert_id:
            errors["payee_org"] = _("Name who is paid: an organisation, an expert, or a person with their unit.")
        if self.person_name and not self.payee_org_id:
            errors["payee_org"] = _("A person without an expert record needs their unit (organisation).")
        ids = self.basis_ids
        if not self.basis_type or not ids:
            errors["basis_ids"] = _("An application needs at least one basis record (record type and ids); "
                                    "without one there is nothing to compute the amount from.")
        elif not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            errors["basis_ids"] = _("Basis record ids must be a list of whole numbers.")
        if errors:
            raise ValidationError(errors)


class Round(RecordBase):
    """One run of a scheme for a year (评审批次): candidates → review by each office in the chain →
    approval by the approving body (decision number, date, document) → 公示 → payout list."""

    CREATE_ROLES = (Role.CITY_ADMIN,)

    scheme = models.ForeignKey(Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="rounds")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEAR)
    status = models.CharField(_("status"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    review_step = models.PositiveSmallIntegerField(_("review step"), default=0, editable=False)
    return_reason = models.TextField(_("reason returned"), blank=True, editable=False)
    computed_at = models.DateTimeField(_("candidates computed at"), null=True, blank=True, editable=False)
    skipped = models.JSONField(_("records not taken"), default=list, blank=True, editable=False,
                               help_text=_("Records found but not candidates, with the reason."))
    decision_number = models.CharField(_("decision number"), max_length=100, blank=True, editable=False)
    decision_date = models.DateField(_("decision date"), null=True, blank=True, editable=False)
    decision_document = models.CharField(_("decision document"), max_length=300, blank=True, editable=False)
    publicity_start = models.DateField(_("publicity from"), null=True, blank=True, editable=False)
    publicity_end = models.DateField(_("publicity until"), null=True, blank=True, editable=False)
    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices,
                                  default=Visibility.RESTRICTED)

    history = HistoricalRecords(m2m_fields=["assessment_units"])

    class Meta:
        ordering = ["-year", "scheme"]
        verbose_name = _("award round")
        verbose_name_plural = _("award rounds")
        constraints = [models.UniqueConstraint(fields=["scheme", "year"], name="awards_one_round_per_scheme_year")]

    def __str__(self) -> str:
        return f"{self.scheme.name} · {self.year}"

    def clean(self) -> None:
        if self.scheme_id and self.year and self.year != self.scheme.year:
            raise ValidationError({"year": _("The scheme's budget is for %(year)s; run it for that year.") % {
                "year": self.scheme.year}})
        if self.scheme_id and self.region_id is None:
            self.region_id = self.scheme.region_id

    @property
    def current_office(self):
        """The organisation whose turn it is to review (None outside review)."""
        chain = self.scheme.review_chain or []
        if self.status != RoundStatus.IN_REVIEW or self.review_step >= len(chain):
            return None
        return Organisation.objects.filter(pk=chain[self.review_step]).first()


class AwardLine(PayeeFields, RecordBase):
    """One candidate line of a round, computed from its basis records and rule version."""

    CONFIDENTIAL = True

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="lines")
    application = models.ForeignKey(Application, verbose_name=_("application"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveIntegerField(_("order"))
    payee_key = models.CharField(_("payee key"), max_length=120, db_index=True)
    label = models.CharField(_("payee"), max_length=300)
    basis_type = models.CharField(_("basis record type"), max_length=50)
    basis_ids = models.JSONField(_("basis record ids"), default=list)
    inputs = models.JSONField(_("inputs read from the basis"), default=dict)
    rule_version = models.ForeignKey(RuleVersion, verbose_name=_("rule version"), on_delete=models.PROTECT,
                                     related_name="lines")
    parameters = models.JSONField(_("parameters applied"), default=dict)
    entitlement = models.DecimalField(_("entitlement (yuan)"), **MONEY)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "position"]
        verbose_name = _("award line")
        verbose_name_plural = _("award lines")
        constraints = [models.UniqueConstraint(fields=["round", "position"], name="awards_line_position")]

    def __str__(self) -> str:
        return f"{self.label} · {self.amount}"


class PayeeAccount(RecordBase):
    """A payee's bank account for award payouts: the account number encrypted at rest (SM4) and
    masked for everyone who does not pay it."""

    CONFIDENTIAL = True

    payee_org = models.ForeignKey("core.Organisation", verbose_name=_("organisation"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="+")
    expert = models.ForeignKey("experts.Expert", verbose_name=_("expert"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    person_name = models.CharField(_("person"), max_length=50, blank=True,
                                   help_text=_("A person of the organisation without an expert record (a student)."))
    account_name = models.CharField(_("account name"), max_length=200)
    bank_name = models.CharField(_("bank"), max_length=200)
    account_number = EncryptedTextField(_("account number"), kind="bank_account", hash_field="account_number_hash")
    account_number_hash = BlindIndexField()
    confirmed_at = models.DateTimeField(_("confirmed by the payee at"), null=True, blank=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("payee bank account")
        verbose_name_plural = _("payee bank accounts")
        constraints = [
            models.CheckConstraint(name="awards_account_one_payee",
                                   condition=Q(payee_org__isnull=False, expert__isnull=True)
                                   | Q(payee_org__isnull=True, expert__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.account_name} · {self.bank_name}"

    def clean(self) -> None:
        if bool(self.payee_org_id) == bool(self.expert_id):
            raise ValidationError({"payee_org": _("Name exactly one payee: an organisation or an expert.")})
        digits = (self.account_number or "").replace(" ", "")
        if digits and not (digits.isdigit() and 8 <= len(digits) <= 30):
            raise ValidationError({"account_number": _("A bank account number is 8 to 30 digits.")})
        self.account_number = digits


class PayoutList(TimeStamped):
    """The issued payout list of a round: frozen. ``content_hash`` is the SHA-256 of its lines' stored
    inputs (payouts.py); recomputing the lines from those inputs gives the same hash."""

    SCOPE_VIA = "round"

    round = models.OneToOneField(Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="payout_list")
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    decision = models.JSONField(_("decision"), default=dict)
    total = models.DecimalField(_("total (yuan)"), **MONEY)
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("payout list")
        verbose_name_plural = _("payout lists")

    def __str__(self) -> str:
        return f"{self.round} · {self.total}"


class PayoutLine(PayeeFields, Versioned, TimeStamped):
    """One frozen line of a payout list: what was decided (rule version, parameters, basis ids, inputs,
    amount) and where it is paid (bank details, encrypted); paid/unpaid is the only thing that changes."""

    SCOPE_VIA = "line"
    CONFIDENTIAL = True

    payout_list = models.ForeignKey(PayoutList, verbose_name=_("payout list"), on_delete=models.PROTECT,
                                    related_name="lines")
    line = models.OneToOneField(AwardLine, verbose_name=_("award line"), on_delete=models.PROTECT,
                                related_name="payout")
    position = models.PositiveIntegerField(_("order"))
    payee_key_frozen = models.CharField(_("payee key"), max_length=120)
    label = models.CharField(_("payee"), max_length=300)
    rule_version = models.ForeignKey(RuleVersion, verbose_name=_("rule version"), on_delete=models.PROTECT,
                                     related_name="payout_lines")
    kind = models.CharField(_("rule kind"), max_length=20, choices=RuleKind.choices)
    parameters = models.JSONField(_("parameters applied"))
    basis_type = models.CharField(_("basis record type"), max_length=50)
    basis_ids = models.JSONField(_("basis record ids"))
    inputs = models.JSONField(_("inputs read from the basis"))
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    entitlement = models.DecimalField(_("entitlement (yuan)"), **MONEY)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    account_name = models.CharField(_("account name"), max_length=200, blank=True)
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    account_number = EncryptedTextField(_("account number"), kind="bank_account", hash_field="account_number_hash")
    account_number_hash = BlindIndexField()
    payment_status = models.CharField(_("payment"), max_length=8, choices=PaymentStatus.choices,
                                      default=PaymentStatus.UNPAID)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["payout_list", "position"]
        verbose_name = _("payout line")
        verbose_name_plural = _("payout lines")

    def __str__(self) -> str:
        return f"{self.label} · {self.amount}"


class ReviewStep(TimeStamped):
    """One office's review of a round: passed on, or returned for changes with the reason."""

    SCOPE_VIA = "round"

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.CASCADE, related_name="reviews")
    step = models.PositiveSmallIntegerField(_("step"))
    office = models.CharField(_("office"), max_length=100)
    organisation = models.ForeignKey("core.Organisation", verbose_name=_("reviewing office"), null=True,
                                     on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("decision"), max_length=10, choices=ReviewDecision.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL,
                           related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "created_at", "pk"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")

    def __str__(self) -> str:
        return f"{self.office} · {self.get_decision_display()}"


class PublicityResponse(TimeStamped):
    """A payee's answer to its line during 公示: a confirmation, or an objection with the reason, which an
    office resolves (upheld: the round goes back to its candidates; dismissed: the line stands). The
    payout list is not issued while an objection is unresolved."""

    SCOPE_VIA = "round"

    round = models.ForeignKey(Round, verbose_name=_("round"), on_delete=models.PROTECT, related_name="responses")
    line = models.ForeignKey(AwardLine, verbose_name=_("award line"), null=True, on_delete=models.SET_NULL,
                             related_name="responses")
    label = models.CharField(_("payee"), max_length=300)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    kind = models.CharField(_("response"), max_length=10, choices=ResponseKind.choices)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL,
                           related_name="+")
    resolution = models.CharField(_("resolution"), max_length=10, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["round", "created_at", "pk"]
        verbose_name = _("publicity response")
        verbose_name_plural = _("publicity responses")

    def __str__(self) -> str:
        return f"{self.label} · {self.get_kind_display()}"

    @property
    def open(self) -> bool:
        return self.kind == ResponseKind.OBJECTION and not self.resolution
