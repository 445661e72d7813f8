"""Challenges (揭榜挂帅 / 赛马制, seed 004): a problem posted from an enterprise demand (企业榜) or by a
government office (政府榜), its weighted criteria, the bids of teams with their milestone plans, the
review panel (with the conflict screen's findings kept as they were when a member was seated), the
blind scorecards, and the gate reviews that release each team's tranches.

"Solved" is never stored: a challenge is solved when the cooperation project its award created is
completed (``Challenge.solved``; the ``solved-challenges`` indicator counts exactly those).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from duijie.challenges.choices import (
    BidStatus,
    ChallengeKind,
    ChallengeMode,
    ChallengeStatus,
    GateDecision,
    InvitationStatus,
    IpTerms,
    Maturity,
    ObjectionStatus,
)
from duijie.cooperation.choices import ProjectStage
from duijie.cooperation.models import StoredFile
from duijie.core.choices import OrgKind, Visibility
from duijie.core.formatting import office_date
from duijie.core.models import ScopedRecord, TimeStamped, Versioned

MONEY = {"max_digits": 16, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}
S = ChallengeStatus


# Defaults of a new challenge, read from settings (each value with its source): module functions, so
# migrations can name them.
def default_conflict_years() -> int:
    return settings.DUIJIE_CHALLENGE_DEFAULTS["conflict_years"][0]


def default_conflict_years_source() -> str:
    return settings.DUIJIE_CHALLENGE_DEFAULTS["conflict_years"][1]


def default_outlier_z() -> Decimal:
    return settings.DUIJIE_CHALLENGE_DEFAULTS["outlier_z"][0]


def default_outlier_z_source() -> str:
    return settings.DUIJIE_CHALLENGE_DEFAULTS["outlier_z"][1]


def default_publicity_days() -> int:
    return settings.DUIJIE_CHALLENGE_DEFAULTS["publicity_days"][0]


def default_publicity_days_source() -> str:
    return settings.DUIJIE_CHALLENGE_DEFAULTS["publicity_days"][1]


class Challenge(ScopedRecord):
    """榜单. States: draft → review → published → closed → under review → awarded → in delivery, or
    failed; solved is derived from the project the award created."""

    visibility = models.CharField(_("visibility"), max_length=12, choices=Visibility.choices,
                                  default=Visibility.PUBLIC,
                                  help_text=_("Applies once published; drafts and records under approval are restricted."))
    kind = models.CharField(_("list"), max_length=12, choices=ChallengeKind.choices)
    demand = models.ForeignKey("demands.Demand", verbose_name=_("from demand"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="challenges")
    office = models.ForeignKey("core.Organisation", verbose_name=_("posting office"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="posted_challenges",
                               limit_choices_to={"kind": OrgKind.GOVERNMENT})
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("problem"))
    indicators = models.TextField(_("technical indicators to reach"))
    budget = models.DecimalField(_("reward / budget (yuan)"), null=True, blank=True, **MONEY)
    budget_negotiable = models.BooleanField(_("budget negotiable (面议)"), default=False)
    deadline = models.DateTimeField(_("bidding deadline"))
    eligibility = models.TextField(_("eligibility"), blank=True)
    ip_terms = models.CharField(_("IP terms"), max_length=12, choices=IpTerms.choices)
    payment_terms = models.TextField(_("payment terms"), blank=True)
    mode = models.CharField(_("mode"), max_length=12, choices=ChallengeMode.choices, default=ChallengeMode.OPEN)
    teams_funded = models.PositiveSmallIntegerField(
        _("teams funded in phase one"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("揭榜挂帅: 1. 赛马制: how many teams are funded in parallel."))
    conflict_years = models.PositiveSmallIntegerField(
        _("conflict look-back (years)"), default=default_conflict_years,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Projects, contracts and pairings this recent exclude a reviewer."))
    conflict_years_source = models.CharField(_("source of the look-back"), max_length=200,
                                             default=default_conflict_years_source)
    outlier_z = models.DecimalField(
        _("outlier threshold (z)"), max_digits=4, decimal_places=2, default=default_outlier_z,
        validators=[MinValueValidator(Decimal("0.5"))],
        help_text=_("A reviewer's normalised score this far from the others' mean is flagged."))
    outlier_z_source = models.CharField(_("source of the outlier threshold"), max_length=200,
                                        default=default_outlier_z_source)
    publicity_days = models.PositiveSmallIntegerField(
        _("publicity period (公示, days)"), default=default_publicity_days,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("How long the panel's decision is published for objections before the award."))
    publicity_days_source = models.CharField(_("source of the publicity period"), max_length=200,
                                             default=default_publicity_days_source)
    publicity_start = models.DateField(_("公示 from"), null=True, blank=True, editable=False)
    publicity_end = models.DateField(_("公示 until"), null=True, blank=True, editable=False,
                                     help_text=_("The last day of the publicity period (inclusive)."))
    status = models.CharField(_("status"), max_length=14, choices=ChallengeStatus.choices, default=S.DRAFT)
    return_reason = models.TextField(_("reason for return / failure"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    awarded_at = models.DateTimeField(_("awarded at"), null=True, blank=True, editable=False)
    project = models.OneToOneField("cooperation.CooperationProject", verbose_name=_("cooperation project"),
                                   null=True, blank=True, on_delete=models.PROTECT, related_name="challenge")

    history = HistoricalRecords(m2m_fields=["assessment_units"])

    PUBLISHED_STATES = (S.PUBLISHED, S.CLOSED, S.UNDER_REVIEW, S.AWARDED, S.IN_DELIVERY, S.FAILED)
    SCOPE_PARENTS = ("demand",)
    # Terms bidders rely on: fixed once the challenge is published.
    LOCKED_TERMS = ("kind", "demand", "office", "indicators", "budget", "budget_negotiable", "deadline", "eligibility",
                    "ip_terms", "payment_terms", "mode", "teams_funded")
    # Bids are sealed until bidding closes (selectors.bids_visible).
    BIDS_OPEN_STATES = (S.CLOSED, S.UNDER_REVIEW, S.AWARDED, S.IN_DELIVERY, S.FAILED)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        indexes = [models.Index(fields=["status", "visibility"])]

    def __str__(self) -> str:
        return self.title

    @property
    def enterprise(self):
        """The enterprise that posted it (企业榜), through its demand: stored once, on the demand."""
        return self.demand.enterprise if self.demand_id else None

    @property
    def solved(self) -> bool:
        return bool(self.project_id) and self.project.status == ProjectStage.COMPLETED

    @property
    def stage_display(self) -> str:
        if self.solved:
            return str(_("Delivered (solved)"))
        return str(_("Decision in 公示")) if self.in_publicity else self.get_status_display()

    @property
    def in_publicity(self) -> bool:
        """The panel's decision is published (公示) and not yet awarded."""
        return self.status == S.UNDER_REVIEW and self.publicity_start is not None

    @property
    def publicity_display(self) -> str:
        """The 公示 as the portal shows it: its dates and the proposed (or awarded) winners."""
        if self.publicity_start is None:
            return ""
        teams = "、".join(str(b) for b in self.bids.filter(status__in=("proposed", "won", "stopped", "merged"))
                         .select_related("lead_expert", "institution"))
        dates = f"{office_date(self.publicity_start)} — {office_date(self.publicity_end)}"
        return str(_("%(dates)s; proposed winners: %(teams)s")) % {"dates": dates, "teams": teams}

    def publicity_over(self, today=None) -> bool:
        return self.publicity_end is not None and (today or timezone.localdate()) > self.publicity_end

    @property
    def budget_display(self) -> str:
        if self.budget is None:
            return "面议" if self.budget_negotiable else ""
        return f"{(self.budget / 10000).normalize():f}万元"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind == ChallengeKind.ENTERPRISE:
            if not self.demand_id:
                errors["demand"] = _("An enterprise challenge (企业榜) is published from one of the enterprise's demands.")
            if self.office_id:
                errors["office"] = _("Only a government challenge (政府榜) names a posting office.")
        elif self.kind == ChallengeKind.GOVERNMENT:
            if not self.office_id:
                errors["office"] = _("A government challenge (政府榜) names the office that posts it.")
            elif self.office.kind != OrgKind.GOVERNMENT:
                errors["office"] = _("The posting office must be a government unit.")
            if self.demand_id:
                errors["demand"] = _("A government challenge (政府榜) is not published from an enterprise demand.")
        if self.budget is None and not self.budget_negotiable:
            errors["budget"] = _("Give the reward / budget in yuan, or mark it negotiable (面议).")
        if self.budget is not None and self.budget <= 0:
            errors["budget"] = _("The budget must be greater than zero.")
        if self.mode == ChallengeMode.OPEN and self.teams_funded != 1:
            errors["teams_funded"] = _("An open challenge (揭榜挂帅) has exactly one winner; set 1.")
        if self.mode == ChallengeMode.HORSE_RACE and (self.teams_funded or 0) < 2:
            errors["teams_funded"] = _("A horse race (赛马制) funds at least two teams in parallel.")
        stored = Challenge.objects.filter(pk=self.pk).first() if self.pk else None
        if stored is not None and stored.publicity_start is not None and stored.publicity_days != self.publicity_days:
            errors["publicity_days"] = _("The publicity period has begun; its length can no longer be changed.")
        if stored is not None and stored.status not in (S.DRAFT, S.REVIEW):
            for name in self.LOCKED_TERMS:
                if getattr(stored, self._meta.get_field(name).attname) != getattr(self, self._meta.get_field(name).attname):
                    errors[name] = _("The terms of a published challenge cannot be changed; bidders rely on them.")
        if errors:
            raise ValidationError(errors)

    def check_transition(self, transition, reason: str) -> None:
        if transition.target == S.CLOSED and timezone.now() < self.deadline:
            raise ValidationError(_("Bidding is open until %(deadline)s; it cannot be closed before the deadline.")
                                  % {"deadline": timezone.localtime(self.deadline).strftime("%Y-%m-%d %H:%M")})
        if transition.target == S.REVIEW and not self.criteria.exists():
            raise ValidationError(_("Add the weighted criteria before submitting the challenge for approval."))


class Criterion(Versioned, TimeStamped):
    """One row of the weighted scorecard; bids answer each, reviewers score each (0–10)."""

    SCOPE_VIA = "challenge"

    challenge = models.ForeignKey(Challenge, verbose_name=_("challenge"), on_delete=models.CASCADE,
                                  related_name="criteria")
    name = models.CharField(_("criterion"), max_length=100)
    description = models.TextField(_("what bidders should show"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["challenge", "order", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return f"{self.name} ({self.weight})"


class Bid(Versioned, TimeStamped):
    """揭榜方案 of one team. Sealed: its bidder reads it; the poster, government and the panel only once
    bidding has closed (selectors.bids_visible). Never a registry record type for that reason."""

    challenge = models.ForeignKey(Challenge, verbose_name=_("challenge"), on_delete=models.PROTECT,
                                  related_name="bids")
    lead_expert = models.ForeignKey("experts.Expert", verbose_name=_("team lead"), on_delete=models.PROTECT,
                                    related_name="lead_bids")
    institution = models.ForeignKey("orgs.Institution", verbose_name=_("institution"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="bids")
    members = models.ManyToManyField("experts.Expert", verbose_name=_("team members"), blank=True,
                                     related_name="member_bids")
    approach = models.TextField(_("technical approach"))
    maturity = models.CharField(_("maturity"), max_length=10, choices=Maturity.choices)
    budget = models.DecimalField(_("budget asked (yuan)"), **MONEY)
    conflict_declaration = models.TextField(
        _("conflict-of-interest declaration"),
        help_text=_("Any tie of the team with the poster (employment, shares, past projects), or “none”."))
    status = models.CharField(_("status"), max_length=12, choices=BidStatus.choices, default=BidStatus.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True,
                                     on_delete=models.SET_NULL, related_name="challenge_bids", editable=False)
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_bids", editable=False)

    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        ordering = ["challenge", "pk"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [models.UniqueConstraint(fields=["challenge", "lead_expert"], name="bid_one_per_lead")]

    def __str__(self) -> str:
        unit = self.institution.name if self.institution_id else ""
        return f"{self.lead_expert.name}（{unit}）" if unit else self.lead_expert.name


class BidAnswer(models.Model):
    """The bid's answer to one criterion (the form is generated from the criteria)."""

    bid = models.ForeignKey(Bid, verbose_name=_("bid"), on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT,
                                  related_name="answers")
    text = models.TextField(_("answer"))

    class Meta:
        ordering = ["criterion__order", "criterion__pk"]
        constraints = [models.UniqueConstraint(fields=["bid", "criterion"], name="bid_answer_once")]

    def __str__(self) -> str:
        return f"{self.bid} · {self.criterion.name}"


class Milestone(models.Model):
    """A step of the bid's plan: its deliverable and the share of the bid's budget paid when its gate
    passes. Shares of one bid sum to 100 %."""

    bid = models.ForeignKey(Bid, verbose_name=_("bid"), on_delete=models.CASCADE, related_name="milestones")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("milestone"), max_length=200)
    deliverable = models.TextField(_("deliverable"))
    due_on = models.DateField(_("due on"))
    share = models.DecimalField(_("funding share (%)"), max_digits=5, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))])

    class Meta:
        ordering = ["bid", "order"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [models.UniqueConstraint(fields=["bid", "order"], name="milestone_order_once")]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class InterestDeclaration(Versioned, TimeStamped):
    """An interest an expert declares in an organisation (shares, a consultancy, family): the conflict
    screen excludes the expert from panels where that organisation posts or bids."""

    SCOPE_VIA = "expert"
    CONFIDENTIAL = True

    expert = models.ForeignKey("experts.Expert", verbose_name=_("expert"), on_delete=models.CASCADE,
                               related_name="declared_interests")
    organisation = models.ForeignKey("core.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT,
                                     related_name="declared_interests")
    note = models.CharField(_("nature of the interest"), max_length=300)
    declared_on = models.DateField(_("declared on"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["expert", "-declared_on"]
        verbose_name = _("declared interest")
        verbose_name_plural = _("declared interests")

    def __str__(self) -> str:
        return f"{self.expert.name} · {self.organisation}"


class PanelMember(TimeStamped):
    """A reviewer seated on a challenge's panel. ``exclusions`` keeps what the conflict screen found
    when they were seated; a member with exclusions sits only with ``override_reason``."""

    challenge = models.ForeignKey(Challenge, verbose_name=_("challenge"), on_delete=models.CASCADE,
                                  related_name="panel")
    expert = models.ForeignKey("experts.Expert", verbose_name=_("reviewer"), on_delete=models.PROTECT,
                               related_name="panel_seats")
    exclusions = models.JSONField(_("conflicts found when seated"), default=list, blank=True)
    override_reason = models.TextField(_("reason for overriding the conflicts"), blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("seated by"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["challenge", "pk"]
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        constraints = [models.UniqueConstraint(fields=["challenge", "expert"], name="panel_seat_once")]

    def __str__(self) -> str:
        return str(self.expert)


class Scorecard(TimeStamped):
    """One reviewer's scores for one bid, submitted once (blind: see selectors.scorecards_visible)."""

    member = models.ForeignKey(PanelMember, verbose_name=_("reviewer"), on_delete=models.PROTECT,
                               related_name="scorecards")
    bid = models.ForeignKey(Bid, verbose_name=_("bid"), on_delete=models.PROTECT, related_name="scorecards")
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        ordering = ["bid", "member"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [models.UniqueConstraint(fields=["member", "bid"], name="scorecard_once")]


class Score(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.DecimalField(_("score (0–10)"), max_digits=4, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))])

    class Meta:
        ordering = ["criterion__order", "criterion__pk"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "criterion"], name="score_once")]

    def __str__(self) -> str:
        return f"{self.criterion.name}: {self.value}"


class Gate(TimeStamped):
    """The gate review of one funded team's milestone: continue (its tranche is released), stop, or
    merge into another team. Written only by services.gate_decide, which keeps every release inside
    the team's and the challenge's budget."""

    bid = models.ForeignKey(Bid, verbose_name=_("team"), on_delete=models.PROTECT, related_name="gates")
    milestone = models.OneToOneField(Milestone, verbose_name=_("milestone"), on_delete=models.PROTECT,
                                     related_name="gate")
    decision = models.CharField(_("decision"), max_length=10, choices=GateDecision.choices)
    reason = models.TextField(_("reason"))
    released = models.DecimalField(_("tranche released (yuan)"), default=Decimal("0"), **MONEY)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["bid", "milestone__order"]
        verbose_name = _("gate review")
        verbose_name_plural = _("gate reviews")

    def __str__(self) -> str:
        return f"{self.bid} · {self.milestone}: {self.get_decision_display()}"


class Invitation(TimeStamped):
    """An invitation to bid (揭榜邀请) sent by the poster or the office to one of the challenge's best
    matches: an expert (a team lead, with their institution at the time) or an institution (its
    tech-transfer office). ``reasons`` keeps why matching proposed them, as the sender saw it."""

    challenge = models.ForeignKey(Challenge, verbose_name=_("challenge"), on_delete=models.CASCADE,
                                  related_name="invitations")
    expert = models.ForeignKey("experts.Expert", verbose_name=_("expert"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="challenge_invitations")
    institution = models.ForeignKey("orgs.Institution", verbose_name=_("institution"), null=True, blank=True,
                                    on_delete=models.CASCADE, related_name="challenge_invitations")
    reasons = models.TextField(_("why they match"), blank=True)
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=InvitationStatus.choices,
                              default=InvitationStatus.SENT)
    response_note = models.TextField(_("reply"), blank=True)
    responded_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("invited by"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = _("invitation to bid")
        verbose_name_plural = _("invitations to bid")
        constraints = [
            models.UniqueConstraint(fields=["challenge", "expert"], condition=models.Q(expert__isnull=False),
                                    name="invitation_once_per_expert"),
            models.UniqueConstraint(fields=["challenge", "institution"], condition=models.Q(expert__isnull=True),
                                    name="invitation_once_per_institution"),
            models.CheckConstraint(condition=models.Q(expert__isnull=False) | models.Q(institution__isnull=False),
                                   name="invitation_has_invitee"),
        ]

    def __str__(self) -> str:
        who = self.expert.name if self.expert_id else str(self.institution)
        return f"{self.challenge} → {who}"


class Objection(TimeStamped):
    """An objection (异议) lodged during the 公示 of the panel's decision. Open objections block the
    award; the office dismisses one, or upholds it (the decision is withdrawn and taken again)."""

    challenge = models.ForeignKey(Challenge, verbose_name=_("challenge"), on_delete=models.CASCADE,
                                  related_name="objections")
    reason = models.TextField(_("reason for the objection"))
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("lodged by"), null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["challenge", "pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return f"{self.challenge} · {self.get_status_display()}"


class BidAttachment(StoredFile):
    """A file of a bid (drawings, test reports, CVs): checked and kept like a project document (type from
    its content, size limit, crafted-file guard; encrypted outside the web root) and sealed like its bid
    (``services.bid_attachment_read`` reads through ``selectors.bids_visible``)."""

    bid = models.ForeignKey(Bid, verbose_name=_("bid"), on_delete=models.CASCADE, related_name="attachments")

    class Meta:
        ordering = ["bid", "pk"]
        verbose_name = _("bid attachment")
        verbose_name_plural = _("bid attachments")
