"""Writes of challenges: the workflow, bids, the panel, blind scorecards, the award and the gates.

Each write owns its transaction, writes history and an audit entry and announces what changed
(``core.changes``); a refused write names the field (or row) and why, and leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duijie.challenges import conflicts
from duijie.challenges.choices import (
    BidStatus,
    ChallengeKind,
    ChallengeMode,
    GateDecision,
    InvitationStatus,
    ObjectionStatus,
)
from duijie.challenges.choices import ChallengeStatus as S
from duijie.challenges.models import (
    Bid,
    BidAnswer,
    BidAttachment,
    Challenge,
    Criterion,
    Gate,
    Invitation,
    Milestone,
    Objection,
    PanelMember,
    Score,
    Scorecard,
)
from duijie.challenges.selectors import (
    bids_visible,
    expert_profile,
    invitation_recipient,
    own_bids_q,
    panel_member,
    runs_challenge,
)
from duijie.cooperation import services as cooperation_services
from duijie.cooperation.choices import ProjectSource, ProjectStage
from duijie.cooperation.models import CooperationProject
from duijie.core import changes, crypto
from duijie.core.audit import audit
from duijie.core.choices import AuditAction, Visibility
from duijie.core.formatting import office_date
from duijie.core.registry import Transition
from duijie.core.roles import Role
from duijie.core.selectors import can_edit, can_review, editable_queryset, visible_queryset
from duijie.core.services import record_save, record_transition, workflow_service
from duijie.experts.models import Expert
from duijie.matching import policy
from duijie.orgs.models import Institution

CHALLENGE_TRANSITIONS = (
    Transition("submit", gettext_lazy("Submit for approval"), (S.DRAFT,), S.REVIEW),
    Transition("publish", gettext_lazy("Publish (发榜)"), (S.REVIEW,), S.PUBLISHED, style="success", admin_only=True),
    Transition("return", gettext_lazy("Return for rework"), (S.REVIEW,), S.DRAFT, needs_reason=True,
               style="warning", admin_only=True),
    Transition("close", gettext_lazy("Close bidding"), (S.PUBLISHED,), S.CLOSED, style="secondary"),
    Transition("start-review", gettext_lazy("Start the review"), (S.CLOSED,), S.UNDER_REVIEW, admin_only=True),
    Transition("start-delivery", gettext_lazy("Start delivery"), (S.AWARDED,), S.IN_DELIVERY, admin_only=True),
    Transition("fail", gettext_lazy("Mark as failed"), (S.CLOSED, S.UNDER_REVIEW, S.AWARDED, S.IN_DELIVERY),
               S.FAILED, needs_reason=True, style="danger", admin_only=True),
)
AWARD = Transition("award", gettext_lazy("Award"), (S.UNDER_REVIEW,), S.AWARDED, admin_only=True)

challenge_submit = workflow_service(CHALLENGE_TRANSITIONS, "submit", "challenge")
challenge_publish = workflow_service(CHALLENGE_TRANSITIONS, "publish", "challenge")
challenge_close = workflow_service(CHALLENGE_TRANSITIONS, "close", "challenge")
challenge_start_review = workflow_service(CHALLENGE_TRANSITIONS, "start-review", "challenge")
challenge_start_delivery = workflow_service(CHALLENGE_TRANSITIONS, "start-delivery", "challenge")
challenge_fail = workflow_service(CHALLENGE_TRANSITIONS, "fail", "challenge")

CENT = Decimal("0.01")


def _yuan(v: Decimal) -> str:
    return f"{v:,.2f}"


# ---- challenges ----

def challenge_from_demand(*, demand, by, criteria: Sequence[tuple[str, Decimal]] = (), **fields) -> Challenge:
    """企业榜: a challenge published from one of the enterprise's demands, placed where the demand lies
    (its owner, region, park and assessment units), with its weighted criteria rows."""
    if by is not None and not editable_queryset(type(demand), by).filter(pk=demand.pk).exists():
        raise PermissionDenied(_("You may not publish a challenge from this demand."))
    fields.setdefault("title", demand.title)
    fields.setdefault("problem", demand.description)
    fields.setdefault("budget_negotiable", demand.budget_negotiable)
    if "budget" not in fields and demand.budget_max is not None:
        fields["budget"] = demand.budget_max
    with transaction.atomic():
        challenge = record_save(instance=Challenge(
            kind=ChallengeKind.ENTERPRISE, demand=demand, owner_org_id=demand.owner_org_id,
            region_id=demand.region_id, park_id=demand.park_id, **fields), by=by,
            m2m={"assessment_units": list(demand.assessment_units.values_list("pk", flat=True))})
        criteria_add(challenge=challenge, rows=criteria, by=by)
    return challenge


def criteria_add(*, challenge: Challenge, rows: Iterable[tuple[str, Decimal]], by) -> list[Criterion]:
    out = []
    for i, (name, weight) in enumerate(rows, start=1):
        out.append(record_save(instance=Criterion(challenge=challenge, name=name, weight=Decimal(weight), order=i),
                               by=by))
    return out


def challenge_move(*, challenge: Challenge, name: str, by, reason: str = "") -> Challenge:
    step = next((t for t in CHALLENGE_TRANSITIONS if t.name == name), None)
    if step is None:
        raise ValidationError(_("Unknown step “%(name)s”.") % {"name": name})
    allowed = by is None or (can_review(by, challenge) if step.admin_only else can_edit(by, challenge))
    return record_transition(instance=challenge, transition=step, by=by, reason=reason, allowed=allowed)


# ---- bids ----

def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("“%(value)s” is not an amount in yuan.") % {"value": value}}) from None
    if amount <= 0:
        raise ValidationError({field: _("The amount must be greater than zero.")})
    return amount


def bid_submit(*, challenge: Challenge, by, lead_expert: Expert | None = None, institution=None,
               members: Iterable[Expert] = (), approach: str, maturity: str, budget,
               conflict_declaration: str, answers: Mapping[int, str], milestones: Sequence[Mapping]) -> Bid:
    """A team's bid. Refused, with nothing written, after the deadline, over the challenge's budget, when
    the milestone shares do not add up to 100 %, or when a criterion is left unanswered."""
    now = timezone.now()
    if challenge.status != S.PUBLISHED or now > challenge.deadline:
        if now > challenge.deadline:
            raise ValidationError(_("Bidding on “%(title)s” closed at %(deadline)s; bids are no longer accepted.")
                                  % {"title": challenge.title,
                                     "deadline": timezone.localtime(challenge.deadline).strftime("%Y-%m-%d %H:%M")})
        raise ValidationError(_("“%(title)s” is not open for bids (it is “%(status)s”).")
                              % {"title": challenge.title, "status": challenge.get_status_display()})
    role = getattr(by, "role", None)
    own = expert_profile(by)
    if role == Role.EXPERT and own is not None:
        lead_expert = own
        institution = institution or own.institution
    elif role == Role.INSTITUTION:
        institution = getattr(getattr(by, "organisation", None), "institution", None)
        if institution is None:
            raise PermissionDenied(_("Your account does not belong to an institution."))
        if lead_expert is None or lead_expert.institution_id != institution.pk:
            raise ValidationError({"lead_expert": _("Choose a team lead from your institution's experts.")})
    else:
        raise PermissionDenied(_("Only experts and institutions' tech-transfer offices bid on challenges."))
    errors: dict[str, str] = {}
    amount = None
    try:
        amount = _money(budget, "budget")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if amount is not None and challenge.budget is not None and amount > challenge.budget:
        errors["budget"] = _("The budget asked (%(asked)s yuan) is over the challenge's budget (%(budget)s yuan).") % {
            "asked": _yuan(amount), "budget": _yuan(challenge.budget)}
    for c in challenge.criteria.all():
        if not (answers.get(c.pk) or "").strip():
            errors[f"answer_{c.pk}"] = _("Answer the criterion “%(name)s”.") % {"name": c.name}
    if not milestones:
        errors["milestones"] = _("Give at least one milestone with its deliverable and funding share.")
    total = Decimal(0)
    for i, m in enumerate(milestones, start=1):
        for key in ("title", "deliverable", "due_on"):
            if not m.get(key):
                errors[f"milestone_{i}_{key}"] = _("Milestone %(n)s: fill in “%(field)s”.") % {
                    "n": i, "field": Milestone._meta.get_field(key).verbose_name}
        try:
            share = Decimal(str(m.get("share")))
            if not share.is_finite() or share <= 0 or share > 100 or share != share.quantize(CENT):
                raise InvalidOperation
            total += share
        except (InvalidOperation, TypeError, ValueError):
            errors[f"milestone_{i}_share"] = _("Milestone %(n)s: the funding share must be a percentage above 0 and at most 100, "
                                                  "with at most two decimals.") % {"n": i}
    if milestones and not any(k.endswith("_share") for k in errors) and total != 100:
        errors["milestones"] = _("The milestone funding shares add up to %(total)s %%; they must add up to 100 %%.") % {
            "total": f"{total.normalize():f}"}
    if Bid.objects.filter(challenge=challenge, lead_expert=lead_expert).exists():
        errors["lead_expert"] = _("%(name)s already leads a bid on this challenge.") % {"name": lead_expert.name}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        bid = Bid(challenge=challenge, lead_expert=lead_expert, institution=institution, approach=approach,
                  maturity=maturity, budget=amount, conflict_declaration=conflict_declaration, submitted_by=by)
        bid.full_clean()
        bid._history_user = by
        bid.save()
        bid.members.set([m for m in members if m.pk != lead_expert.pk])
        BidAnswer.objects.bulk_create([BidAnswer(bid=bid, criterion_id=pk, text=text.strip())
                                       for pk, text in answers.items()
                                       if challenge.criteria.filter(pk=pk).exists()])
        for i, m in enumerate(milestones, start=1):
            row = Milestone(bid=bid, order=i, title=m["title"], deliverable=m["deliverable"], due_on=m["due_on"],
                            share=Decimal(str(m["share"])))
            row.full_clean()
            row.save()
        audit(user=by, action=AuditAction.CREATE, obj=bid, detail={"challenge": challenge.pk})
        changes.announce(changes.Kind.CREATED, Bid, [bid.pk])
    return bid


def _bid_status(bid: Bid, status: str, by, **extra) -> None:
    bid.status = status
    for k, v in extra.items():
        setattr(bid, k, v)
    bid._history_user = by
    bid.save()
    audit(user=by, action=AuditAction.TRANSITION, obj=bid, detail={"to": status})
    changes.announce(changes.Kind.UPDATED, Bid, [bid.pk], fields=["status", *extra])


# ---- panel and scoring ----

def panel_seat(*, challenge: Challenge, expert: Expert, by, override_reason: str = "") -> PanelMember:
    """Seat a reviewer. The conflict screen runs now; an expert it excludes sits only with a recorded
    reason for the override (kept with the exclusions found)."""
    if not can_review(by, challenge):
        raise PermissionDenied(_("Only the science bureau in scope composes the review panel."))
    if challenge.status not in (S.CLOSED, S.UNDER_REVIEW):
        raise ValidationError(_("The panel is composed once bidding has closed (all bidders known)."))
    if PanelMember.objects.filter(challenge=challenge, expert=expert).exists():
        raise ValidationError({"expert": _("%(name)s is already on the panel.") % {"name": expert.name}})
    found = conflicts.exclusions_for(challenge, expert)
    if found and not override_reason.strip():
        raise ValidationError({"expert": _("%(name)s is excluded: %(reasons)s Seating them needs a recorded "
                                           "reason for the override.")
                               % {"name": expert.name, "reasons": " ".join(e["reason"] for e in found)}})
    with transaction.atomic():
        member = PanelMember(challenge=challenge, expert=expert, exclusions=found,
                             override_reason=override_reason.strip() if found else "", added_by=by)
        member._history_user = by
        member.save()
        audit(user=by, action=AuditAction.CREATE, obj=member,
              detail={"challenge": challenge.pk, "exclusions": [e["rule"] for e in found],
                      "override": bool(found)})
        changes.announce(changes.Kind.CREATED, PanelMember, [member.pk])
    return member


def scorecard_submit(*, challenge: Challenge, bid: Bid, by, values: Mapping[int, object], comment: str = "") -> Scorecard:
    """One reviewer's scores for one bid (0–10 per criterion), submitted once."""
    member = panel_member(by, challenge)
    if member is None:
        raise PermissionDenied(_("You are not on the review panel of this challenge."))
    if challenge.status != S.UNDER_REVIEW:
        raise ValidationError(_("Scores are given while the bids are under review (the challenge is “%(status)s”).")
                              % {"status": challenge.get_status_display()})
    found = conflicts.exclusions_for(challenge, member.expert)
    if found and not member.override_reason:
        raise PermissionDenied(_("You are excluded from this panel: %(reasons)s Nothing was saved.")
                               % {"reasons": " ".join(e["reason"] for e in found)})
    if bid.challenge_id != challenge.pk or bid.status == BidStatus.MERGED:
        raise ValidationError({"bid": _("This bid is not under review on this challenge.")})
    if Bid.objects.filter(pk=bid.pk).filter(own_bids_q(by)).exists():
        raise PermissionDenied(_("You cannot score your own bid."))
    if Scorecard.objects.filter(member=member, bid=bid).exists():
        raise ValidationError(_("You have already submitted your scores for this bid."))
    errors: dict[str, str] = {}
    rows = []
    for c in challenge.criteria.all():
        raw = values.get(c.pk)
        try:
            value = Decimal(str(raw)).quantize(CENT)
            if not (0 <= value <= 10):
                raise InvalidOperation
            rows.append((c, value))
        except (InvalidOperation, TypeError, ValueError):
            errors[f"score_{c.pk}"] = _("“%(name)s”: give a score from 0 to 10.") % {"name": c.name}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        card = Scorecard.objects.create(member=member, bid=bid, comment=comment.strip(), submitted_at=timezone.now())
        Score.objects.bulk_create([Score(scorecard=card, criterion=c, value=v) for c, v in rows])
        audit(user=by, action=AuditAction.CREATE, obj=card, detail={"challenge": challenge.pk, "bid": bid.pk})
        changes.announce(changes.Kind.CREATED, Scorecard, [card.pk])
    return card


# ---- the panel's decision, its 公示, objections, the award ----

def _check_winners(challenge: Challenge, winners: Sequence[Bid], allowed_status: str) -> list[Bid]:
    winners = list({b.pk: b for b in winners}.values())
    if any(b.challenge_id != challenge.pk or b.status != allowed_status for b in winners):
        raise ValidationError({"winners": _("Choose among the submitted bids of this challenge.")})
    if challenge.mode == ChallengeMode.OPEN and len(winners) != 1:
        raise ValidationError({"winners": _("An open challenge (揭榜挂帅) has exactly one winner.")})
    if challenge.mode == ChallengeMode.HORSE_RACE and not 2 <= len(winners) <= challenge.teams_funded:
        raise ValidationError({"winners": _("A horse race (赛马制) funds 2 to %(n)s teams in phase one.")
                               % {"n": challenge.teams_funded}})
    asked = sum((b.budget for b in winners), Decimal(0))
    if challenge.budget is not None and asked > challenge.budget:
        raise ValidationError({"winners": _("The funded teams ask %(asked)s yuan in total, over the budget of "
                                            "%(budget)s yuan.") % {"asked": _yuan(asked), "budget": _yuan(challenge.budget)}})
    return winners


def publicity_open(*, challenge: Challenge, winners: Sequence[Bid], by, today=None) -> Challenge:
    """The panel's decision: ``winners`` become the proposed winners and the decision is published (公示)
    from ``today`` for the challenge's ``publicity_days`` (the last day inclusive). Objections may be
    lodged meanwhile; the award waits for the end of the period."""
    if not can_review(by, challenge):
        raise PermissionDenied(_("Only the science bureau in scope decides on the bids."))
    today = today or timezone.localdate()
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
        if challenge.status != S.UNDER_REVIEW:
            raise ValidationError(_("The decision is taken while the bids are under review (the challenge is "
                                    "“%(status)s”).") % {"status": challenge.get_status_display()})
        if challenge.publicity_start is not None:
            raise ValidationError(_("The decision is already in 公示 (%(start)s to %(end)s).")
                                  % {"start": office_date(challenge.publicity_start),
                                     "end": office_date(challenge.publicity_end)})
        winners = _check_winners(challenge, winners, BidStatus.SUBMITTED)
        challenge.publicity_start = today
        challenge.publicity_end = today + timedelta(days=challenge.publicity_days - 1)
        challenge = record_save(instance=challenge, by=by)
        for b in winners:
            _bid_status(b, BidStatus.PROPOSED, by)
        audit(user=by, action=AuditAction.TRANSITION, obj=challenge,
              detail={"publicity": [str(challenge.publicity_start), str(challenge.publicity_end)],
                      "proposed": [b.pk for b in winners]})
    return challenge


def objection_lodge(*, challenge: Challenge, by, reason: str, today=None) -> Objection:
    """An objection during the 公示, with its reason; refused before the period or after its last day."""
    if not getattr(by, "is_authenticated", False):
        raise PermissionDenied(_("Sign in to lodge an objection."))
    today = today or timezone.localdate()
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the objection.")})
    if not challenge.in_publicity:
        raise ValidationError(_("Objections are lodged during the 公示 of the panel's decision; “%(title)s” is not "
                                "in 公示.") % {"title": challenge.title})
    if today < challenge.publicity_start or today > challenge.publicity_end:
        raise ValidationError(_("The 公示 ran from %(start)s to %(end)s; objections are no longer accepted.")
                              % {"start": office_date(challenge.publicity_start),
                                 "end": office_date(challenge.publicity_end)})
    with transaction.atomic():
        obj = Objection(challenge=challenge, reason=reason.strip(), lodged_by=by)
        obj.full_clean()
        obj._history_user = by
        obj.save()
        audit(user=by, action=AuditAction.CREATE, obj=obj, detail={"challenge": challenge.pk})
        changes.announce(changes.Kind.CREATED, Objection, [obj.pk])
    return obj


def objection_resolve(*, objection: Objection, by, uphold: bool, resolution: str) -> Objection:
    """The office answers an objection. Dismissed: the award may proceed. Upheld: the decision is
    withdrawn — the proposed winners return to submitted bids and the 公示 ends; the panel decides again."""
    challenge = objection.challenge
    if not can_review(by, challenge):
        raise PermissionDenied(_("Only the science bureau in scope resolves objections."))
    if not resolution.strip():
        raise ValidationError({"resolution": _("Record how the objection was resolved.")})
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.status != ObjectionStatus.OPEN:
            raise ValidationError(_("This objection was already resolved (%(status)s).")
                                  % {"status": objection.get_status_display()})
        objection.status = ObjectionStatus.UPHELD if uphold else ObjectionStatus.DISMISSED
        objection.resolution = resolution.strip()
        objection.resolved_by = by
        objection.resolved_at = timezone.now()
        objection._history_user = by
        objection.save()
        audit(user=by, action=AuditAction.TRANSITION, obj=objection, detail={"to": objection.status})
        changes.announce(changes.Kind.UPDATED, Objection, [objection.pk], fields=["status", "resolution"])
        if uphold:
            challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
            for b in Bid.objects.filter(challenge=challenge, status=BidStatus.PROPOSED):
                _bid_status(b, BidStatus.SUBMITTED, by)
            challenge.publicity_start = challenge.publicity_end = None
            record_save(instance=challenge, by=by)
            # the other open objections were against the withdrawn decision
            for other in Objection.objects.filter(challenge=challenge, status=ObjectionStatus.OPEN):
                other.status = ObjectionStatus.UPHELD
                other.resolution = _("Decision withdrawn after another objection was upheld.")
                other.resolved_by, other.resolved_at = by, timezone.now()
                other._history_user = by
                other.save()
                changes.announce(changes.Kind.UPDATED, Objection, [other.pk], fields=["status", "resolution"])
    return objection


def award(*, challenge: Challenge, by, reason: str = "", today=None) -> Challenge:
    """Award the challenge to its proposed winners once their 公示 is over with no open objection, and
    create the cooperation project of the delivery, linked to the challenge."""
    if not can_review(by, challenge):
        raise PermissionDenied(_("Only the science bureau in scope awards a challenge."))
    today = today or timezone.localdate()
    if challenge.publicity_start is None:
        raise ValidationError(_("Publish the panel's decision (公示) first; the award follows the end of the "
                                "publicity period."))
    if not challenge.publicity_over(today):
        raise ValidationError(_("The decision is in 公示 until %(end)s; the award is possible from %(next)s.")
                              % {"end": office_date(challenge.publicity_end),
                                 "next": office_date(challenge.publicity_end + timedelta(days=1))})
    open_n = challenge.objections.filter(status=ObjectionStatus.OPEN).count()
    if open_n:
        raise ValidationError(_("%(n)s objection(s) lodged during the 公示 are not resolved yet; resolve them "
                                "before the award.") % {"n": open_n})
    winners = _check_winners(challenge, list(challenge.bids.filter(status=BidStatus.PROPOSED)), BidStatus.PROPOSED)
    with transaction.atomic():
        challenge = record_transition(instance=challenge, transition=AWARD, by=by, reason=reason)
        ent = challenge.enterprise
        experts = {b.lead_expert_id for b in winners}
        for b in winners:
            experts |= set(b.members.values_list("pk", flat=True))
        project = CooperationProject(
            title=challenge.title[:200], description=challenge.problem, source=ProjectSource.CHALLENGE,
            owner_org_id=challenge.owner_org_id, region_id=challenge.region_id, park_id=challenge.park_id,
            visibility=Visibility.RESTRICTED, intention_on=timezone.localdate())
        project = record_save(instance=project, by=by, m2m={
            "enterprises": [ent.pk] if ent else [],
            "institutions": sorted({b.institution_id for b in winners if b.institution_id}),
            "experts": sorted(experts),
            "assessment_units": list(challenge.assessment_units.values_list("pk", flat=True))})
        challenge.project = project
        record_save(instance=challenge, by=by)
        winner_pks = {w.pk for w in winners}
        for b in Bid.objects.filter(challenge=challenge, status__in=(BidStatus.SUBMITTED, BidStatus.PROPOSED)):
            _bid_status(b, BidStatus.WON if b.pk in winner_pks else BidStatus.NOT_CHOSEN, by)
    return challenge


# ---- 赛马制 gates and tranches ----

def paid(bid: Bid) -> Decimal:
    """What the team's gates released so far."""
    return Gate.objects.filter(bid=bid).aggregate(s=Sum("released"))["s"] or Decimal(0)


def carried(bid: Bid) -> Decimal:
    """The unpaid funding of the teams merged into this one: each merged team's own budget plus what it
    carried itself, less what it was paid. Moved, never created: the challenge's total stays the sum of
    the funded teams' budgets."""
    return sum((effective_budget(b) - paid(b) for b in Bid.objects.filter(merged_into=bid)), Decimal(0))


def effective_budget(bid: Bid) -> Decimal:
    return bid.budget + carried(bid)


def tranches(bid: Bid) -> dict[int, Decimal]:
    """Milestone pk → the tranche its gate releases: the bid's budget × the milestone's share, to the
    fen; the last milestone takes the rounding remainder, so the tranches add up to the budget exactly.
    A team that other teams were merged into also carries their unpaid funding: what is left of it is
    spread over its undecided milestones by their shares (the last takes the remainder), so the team is
    paid its budget plus what it carried, exactly, if every gate continues. A decided gate shows what
    it released."""
    rows = list(bid.milestones.order_by("order"))
    base: dict[int, Decimal] = {}
    for m in rows[:-1]:
        base[m.pk] = (bid.budget * m.share / 100).quantize(CENT, rounding=ROUND_DOWN)
    if rows:
        base[rows[-1].pk] = bid.budget - sum(base.values(), Decimal(0))
    gates = {g.milestone_id: g for g in Gate.objects.filter(bid=bid)}
    out = dict(base)
    carry = carried(bid) if bid.pk else Decimal(0)
    if not carry:
        for pk, g in gates.items():
            if g.decision == GateDecision.CONTINUE:
                out[pk] = g.released
        return out
    extra_paid = sum((g.released - base[pk] for pk, g in gates.items() if g.decision == GateDecision.CONTINUE),
                     Decimal(0))
    left = carry - extra_paid
    open_rows = [m for m in rows if m.pk not in gates]
    total_share = sum((m.share for m in open_rows), Decimal(0))
    given = Decimal(0)
    for i, m in enumerate(open_rows):
        extra = left - given if i == len(open_rows) - 1 else (left * m.share / total_share).quantize(CENT, rounding=ROUND_DOWN)
        given += extra
        out[m.pk] = base[m.pk] + extra
    for pk, g in gates.items():
        if g.decision == GateDecision.CONTINUE:
            out[pk] = g.released
    return out


def released_total(challenge: Challenge) -> Decimal:
    return Gate.objects.filter(bid__challenge=challenge).aggregate(s=Sum("released"))["s"] or Decimal(0)


def next_milestone(bid: Bid) -> Milestone | None:
    return bid.milestones.filter(gate__isnull=True).order_by("order").first()


def gate_decide(*, bid: Bid, by, decision: str, reason: str, merge_into: Bid | None = None) -> Gate:
    """The gate review of the team's next milestone. ``continue`` releases that milestone's tranche;
    ``stop`` and ``merge`` end the team's funding. A release never takes the team past its budget nor
    the challenge past its budget (checked with the challenge row locked)."""
    challenge = bid.challenge
    if not can_review(by, challenge):
        raise PermissionDenied(_("Only the science bureau in scope decides gate reviews."))
    if decision not in GateDecision.values:
        raise ValidationError({"decision": _("Choose continue, stop or merge.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Please give a reason.")})
    with transaction.atomic():
        challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
        bid = Bid.objects.select_for_update().get(pk=bid.pk)
        if challenge.status not in (S.AWARDED, S.IN_DELIVERY):
            raise ValidationError(_("Gates are reviewed during delivery (the challenge is “%(status)s”).")
                                  % {"status": challenge.get_status_display()})
        if bid.status != BidStatus.WON:
            raise ValidationError(_("%(team)s is not a funded team (it is “%(status)s”).")
                                  % {"team": bid, "status": bid.get_status_display()})
        milestone = next_milestone(bid)
        if milestone is None:
            raise ValidationError(_("Every milestone of %(team)s has been decided.") % {"team": bid})
        amount = Decimal(0)
        if decision == GateDecision.CONTINUE:
            amount = tranches(bid)[milestone.pk]
            ceiling = effective_budget(bid)
            if paid(bid) + amount > ceiling:
                raise ValidationError(_("Releasing %(amount)s yuan would take %(team)s past its budget of %(budget)s yuan.")
                                      % {"amount": _yuan(amount), "team": bid, "budget": _yuan(ceiling)})
            if challenge.budget is not None and released_total(challenge) + amount > challenge.budget:
                raise ValidationError(_("Releasing %(amount)s yuan would take the challenge past its budget of "
                                        "%(budget)s yuan.") % {"amount": _yuan(amount), "budget": _yuan(challenge.budget)})
        if decision == GateDecision.MERGE:
            if merge_into is None or merge_into.challenge_id != challenge.pk or merge_into.pk == bid.pk \
                    or merge_into.status != BidStatus.WON:
                raise ValidationError({"merge_into": _("Choose another funded team of this challenge to merge into.")})
            if next_milestone(merge_into) is None:
                raise ValidationError({"merge_into": _("%(team)s has no milestone left to carry the merged team's "
                                                       "unpaid funding; choose a team still in delivery.")
                                       % {"team": merge_into}})
        gate = Gate(bid=bid, milestone=milestone, decision=decision, reason=reason.strip(), released=amount,
                    decided_by=by)
        gate._history_user = by
        gate.save()
        audit(user=by, action=AuditAction.CREATE, obj=gate,
              detail={"challenge": challenge.pk, "bid": bid.pk, "milestone": milestone.order,
                      "decision": decision, "released": str(amount)})
        changes.announce(changes.Kind.CREATED, Gate, [gate.pk])
        if decision == GateDecision.STOP:
            _bid_status(bid, BidStatus.STOPPED, by)
        elif decision == GateDecision.MERGE:
            _bid_status(bid, BidStatus.MERGED, by, merged_into=merge_into)
    return gate


# ---- invitations to bid ----

def invitation_send(*, challenge: Challenge, by, expert: Expert | None = None, institution: Institution | None = None,
                    reasons: str = "", message: str = "") -> Invitation:
    """Invite one of the challenge's matches to bid: an expert (a team lead, with their institution) or an
    institution's tech-transfer office. Sent by the poster or the office in scope while bidding is open;
    refused for someone the sender may not see, who opted out of recommendations, who works for the
    posting enterprise, who already bids, or who was already invited."""
    if not runs_challenge(by, challenge):
        raise PermissionDenied(_("Only the poster of the challenge or the science bureau in scope invites bidders."))
    if challenge.status != S.PUBLISHED or timezone.now() > challenge.deadline:
        raise ValidationError(_("Invitations are sent while “%(title)s” is open for bids.") % {"title": challenge.title})
    if expert is None and institution is None:
        raise ValidationError({"expert": _("Choose an expert or an institution to invite.")})
    if expert is not None:
        if not visible_queryset(Expert, by).filter(pk=expert.pk).exists():
            raise PermissionDenied(_("This expert is outside what you may see; they cannot be invited."))
        if expert.do_not_recommend:
            raise ValidationError({"expert": _("%(name)s opted out of recommendations and is not invited.")
                                   % {"name": expert.name}})
        found = policy.conflicts([expert], challenge.enterprise).get(expert.pk)
        if found and found[0] == policy.EXCLUDE:
            raise ValidationError({"expert": _("%(name)s cannot be invited: %(reason)s.")
                                   % {"name": expert.name, "reason": found[1]}})
        if Bid.objects.filter(challenge=challenge, lead_expert=expert).exists():
            raise ValidationError({"expert": _("%(name)s already leads a bid on this challenge.") % {"name": expert.name}})
        earlier = Invitation.objects.filter(challenge=challenge, expert=expert).first()
        institution = expert.institution
    else:
        if not visible_queryset(Institution, by).filter(pk=institution.pk).exists():
            raise PermissionDenied(_("This institution is outside what you may see; it cannot be invited."))
        earlier = Invitation.objects.filter(challenge=challenge, expert__isnull=True, institution=institution).first()
    if earlier is not None:
        raise ValidationError({"expert": _("%(who)s was already invited on %(date)s (%(status)s).") % {
            "who": expert.name if expert is not None else institution,
            "date": timezone.localtime(earlier.created_at).strftime("%Y-%m-%d"),
            "status": earlier.get_status_display()}})
    with transaction.atomic():
        inv = Invitation(challenge=challenge, expert=expert, institution=institution, reasons=reasons.strip()[:2000],
                         message=message.strip(), invited_by=by)
        inv.full_clean(validate_constraints=False)
        inv._history_user = by
        inv.save()
        audit(user=by, action=AuditAction.CREATE, obj=inv,
              detail={"challenge": challenge.pk, "expert": getattr(expert, "pk", None),
                      "institution": getattr(institution, "pk", None)})
        changes.announce(changes.Kind.CREATED, Invitation, [inv.pk])
    return inv


def invitation_respond(*, invitation: Invitation, by, accept: bool, note: str = "") -> Invitation:
    """The invited expert (or their institution's office) accepts or declines, while bidding is open."""
    if not invitation_recipient(by, invitation):
        raise PermissionDenied(_("This invitation is not addressed to you."))
    challenge = invitation.challenge
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status != InvitationStatus.SENT:
            raise ValidationError(_("You already replied to this invitation (%(status)s).")
                                  % {"status": invitation.get_status_display()})
        if accept and (challenge.status != S.PUBLISHED or timezone.now() > challenge.deadline):
            raise ValidationError(_("Bidding on “%(title)s” is closed; the invitation can no longer be accepted.")
                                  % {"title": challenge.title})
        invitation.status = InvitationStatus.ACCEPTED if accept else InvitationStatus.DECLINED
        invitation.response_note = note.strip()
        invitation.responded_at = timezone.now()
        invitation._history_user = by
        invitation.save()
        audit(user=by, action=AuditAction.TRANSITION, obj=invitation, detail={"to": invitation.status})
        changes.announce(changes.Kind.UPDATED, Invitation, [invitation.pk], fields=["status"])
    return invitation


# ---- bid attachments ----

def bid_attachment_add(*, bid: Bid, by, file_name: str, data: bytes, title: str = "") -> BidAttachment:
    """A file added to a bid by its team while bidding is open; checked like a project document (type
    from its content, size limit, crafted-file guard) and stored encrypted."""
    if not Bid.objects.filter(pk=bid.pk).filter(own_bids_q(by)).exists():
        raise PermissionDenied(_("Only the bidding team adds files to its bid."))
    challenge = bid.challenge
    if challenge.status != S.PUBLISHED or timezone.now() > challenge.deadline:
        raise ValidationError(_("Files are added to a bid while bidding is open; after the deadline bids are "
                                "sealed as submitted."))
    file_type = cooperation_services.check_document(file_name, data)
    stored = f"{secrets.token_hex(16)}.bin"
    path = cooperation_services.document_dir() / stored
    with transaction.atomic():
        att = BidAttachment(bid=bid, title=title.strip()[:200], file_name=Path(file_name).name[:255],
                            file_type=file_type, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                            stored_name=stored, uploaded_by=by)
        att.full_clean(exclude=["stored_name"])
        path.write_bytes(crypto.encrypt_bytes(data))
        path.chmod(0o600)
        try:
            att.save()
            audit(user=by, action=AuditAction.CREATE, obj=att,
                  detail={"bid": bid.pk, "challenge": challenge.pk, "size": len(data)})
            changes.announce(changes.Kind.CREATED, BidAttachment, [att.pk])
        except Exception:
            path.unlink(missing_ok=True)
            raise
    return att


def bid_attachment_read(*, attachment: BidAttachment, by) -> bytes:
    """The decrypted file, for whoever may read its bid (sealed like the bid; audited)."""
    bid = attachment.bid
    if not bids_visible(by, bid.challenge).filter(pk=bid.pk).exists():
        raise PermissionDenied(_("You may not read this file."))
    data = crypto.decrypt_bytes((cooperation_services.document_dir() / attachment.stored_name).read_bytes())
    audit(user=by, action=AuditAction.EXPORT, obj=attachment, detail={"download": attachment.pk, "bid": bid.pk})
    return data


# ---- the contract of the delivery ----

def contracts_sign(*, challenge: Challenge, by, contract_type: str) -> list:
    """The awarded teams sign with the enterprise: the challenge's project moves to signed and a technology
    contract per funded team (seller: its institution; amount: its budget) is created through the
    cooperation services, linked to the project (and so to the challenge). A 政府榜 has no enterprise
    buying the work, so no technology contract is made for it."""
    if not runs_challenge(by, challenge):
        raise PermissionDenied(_("Only the poster of the challenge or the science bureau in scope records the contract."))
    if challenge.status not in (S.AWARDED, S.IN_DELIVERY) or challenge.project_id is None:
        raise ValidationError(_("The contract is signed after the award (the challenge is “%(status)s”).")
                              % {"status": challenge.get_status_display()})
    project = challenge.project
    if project.status != ProjectStage.INTENTION:
        raise ValidationError(_("The project “%(project)s” is already “%(status)s”; its contract was recorded then.")
                              % {"project": project, "status": project.get_status_display()})
    enterprise = challenge.enterprise
    if enterprise is None:
        raise ValidationError(_("A government challenge (政府榜) has no enterprise buying the work: sign its project "
                                "from the project's page; no technology contract is made."))
    teams = list(challenge.bids.filter(status=BidStatus.WON).select_related("institution", "lead_expert"))
    missing = [str(b) for b in teams if not b.institution_id]
    if missing:
        raise ValidationError(_("%(teams)s: a team without an institution cannot be the seller of a technology "
                                "contract.") % {"teams": "、".join(missing)})
    with transaction.atomic():
        project = cooperation_services.project_move(project=project, name="sign", by=by)
        signed_on = project.signed_on  # the stage date the move stamped: one signing date for both
        out = []
        for b in teams:
            title = challenge.title if len(teams) == 1 else f"{challenge.title}（{b.institution.name}）"
            out.append(cooperation_services.contract_for_project(
                project=project, by=by, title=title, contract_type=contract_type, amount=b.budget,
                signed_on=signed_on, enterprise=enterprise, institution=b.institution))
    return out
