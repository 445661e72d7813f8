"""Writes of the awards app: rule versions, the candidate run, review → approval → 公示 → payout.

Each service owns its transaction, checks the actor's scope, writes history (simple_history, with
the actor), one audit entry and announces what changed (``core.changes``). A refused step raises
``ValidationError`` naming the field and why, and writes nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from duijie.awards import candidates, payouts, rules
from duijie.awards.choices import (
    PAID_OUTCOMES,
    PaymentStatus,
    Resolution,
    ResponseKind,
    ReviewDecision,
    RoundStatus,
    RuleStatus,
)
from duijie.awards.models import (
    Application,
    AwardLine,
    PayeeAccount,
    PayoutLine,
    PayoutList,
    PublicityResponse,
    ReviewStep,
    Round,
    RuleVersion,
    Scheme,
)
from duijie.core import changes, selectors
from duijie.core.audit import audit
from duijie.core.choices import AuditAction
from duijie.core.registry import REGISTRY
from duijie.core.roles import Role
from duijie.core.services import claim_version, record_save

S = RoundStatus
OFFICE_ROLES = (Role.CITY_ADMIN, Role.UNIT_ADMIN, Role.PARK_MANAGER, Role.INSTITUTION)


def _manager(user, obj) -> None:
    """Awards are run by the city administrators whose scope holds the record."""
    if getattr(user, "role", None) != Role.CITY_ADMIN or not selectors.can_edit(user, obj):
        raise PermissionDenied(_("Only the city administrators in scope run award schemes."))


# ------------------------------------------------------------------------------------------------
# Rule versions
# ------------------------------------------------------------------------------------------------

def rule_version_create(*, scheme, kind: str, parameters: dict, valid_from: date, valid_to: date | None = None,
                        source_clause: str, by) -> RuleVersion:
    """A new draft version (number: the next one). Parameters are validated per kind."""
    _manager(by, scheme)
    with transaction.atomic():
        number = (scheme.rule_versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = RuleVersion(scheme=scheme, number=number, kind=kind, parameters=parameters, valid_from=valid_from,
                              valid_to=valid_to, source_clause=source_clause)
        return record_save(instance=version, by=by)


def rule_version_publish(*, version: RuleVersion, by) -> RuleVersion:
    """Publish a draft: from now on it is immutable and runs use it on the dates it is valid."""
    _manager(by, version.scheme)
    with transaction.atomic():
        locked = RuleVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != RuleStatus.DRAFT:
            raise ValidationError(_("Only a draft rule version can be published."))
        locked.full_clean()
        claim_version(RuleVersion, locked.pk, locked.version)
        locked.version += 1
        locked._version_claimed = True
        locked.status = RuleStatus.PUBLISHED
        locked.published_at = timezone.now()
        locked._history_user = by
        locked.save()  # the stored row is still the draft: this one write goes through
        audit(user=by, action=AuditAction.TRANSITION, obj=locked, detail={"from": "draft", "to": "published"})
        changes.announce(changes.Kind.UPDATED, RuleVersion, [locked.pk], fields=["status", "published_at"])
    return locked


# ------------------------------------------------------------------------------------------------
# Nominations and applications
# ------------------------------------------------------------------------------------------------

def application_file(*, application: Application, by) -> Application:
    """File a nomination or application: it must name basis records the filer may read (the amount is
    computed from them at the run, never typed); refused with the field and reason otherwise."""
    application.full_clean(exclude=["assessment_units"])
    rt = REGISTRY.get(application.basis_type)
    if rt is None:
        raise ValidationError({"basis_type": _("Unknown record type “%(t)s”.") % {"t": application.basis_type}})
    wanted = set(application.basis_ids)
    found = set(selectors.record_list(record_type=rt, user=by).filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - found:
        raise ValidationError({"basis_ids": _("No %(t)s record with id %(ids)s that you may read.") % {
            "t": rt.verbose_name, "ids": ", ".join(map(str, sorted(wanted - found)))}})
    if application.owner_org_id is None:
        application.owner_org_id = application.payee_org_id
    if application.region_id is None:
        payee = application.expert if application.expert_id else application.payee_org
        application.region_id = getattr(payee, "region_id", None)
    return record_save(instance=application, by=by)


# ------------------------------------------------------------------------------------------------
# The candidate run
# ------------------------------------------------------------------------------------------------

def round_lines_total(round_: Round) -> Decimal:
    """What a round allocates: the sum of its paid lines."""
    value = round_.lines.filter(outcome__in=PAID_OUTCOMES).aggregate(v=Sum("amount"))["v"]
    return Decimal(value or 0).quantize(rules.FEN)


def budget_status(round_: Round) -> dict[str, Decimal]:
    """The scheme's budget for the year (as stored now), what this round's lines use and what is left."""
    budget = Scheme.objects.filter(pk=round_.scheme_id).values_list("budget", flat=True).get()
    used = round_lines_total(round_)
    return {"budget": budget, "used": used, "left": budget - used}


def allocation(round_: Round, user, versions: list[RuleVersion] | None = None):
    """The candidates and their allocation, computed (nothing written): services and the sandbox."""
    found = candidates.gather(round_, user, versions)
    lines = rules.allocate(found.candidates, budget=round_.scheme.budget, taken=found.taken)
    return found, lines


def round_compute(*, round_: Round, by) -> Round:
    """Find the candidates of a draft round and write its lines (replacing earlier ones), all or nothing."""
    _manager(by, round_)
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        if locked.status != S.DRAFT:
            raise ValidationError(_("Candidates can only be recomputed while the round is a draft (now: %(s)s).")
                                  % {"s": locked.get_status_display()})
        found, allocations = allocation(locked, by)
        old = list(locked.lines.values_list("pk", flat=True))
        for line in locked.lines.all():
            line._history_user = by
            line.delete()
        new_ids = []
        for position, a in enumerate(allocations, 1):
            meta = found.meta[a.candidate.key]
            line = AwardLine(
                round=locked, application_id=meta.application_id, position=position, payee_key=a.candidate.payee_key,
                label=a.candidate.payee_label, payee_org_id=meta.payee_org_id, expert_id=meta.expert_id,
                person_name=meta.person_name, basis_type=meta.basis_type, basis_ids=meta.basis_ids,
                inputs={**meta.inputs, "reference_date": meta.reference_date.isoformat(),
                        **({"quantity_paid": a.quantity} if a.quantity is not None else {})},
                rule_version=meta.version, parameters=dict(meta.version.parameters), entitlement=a.entitlement,
                amount=a.amount, rank=a.rank, outcome=a.outcome, reason=a.reason[:300],
                owner_org_id=meta.payee_org_id, region_id=meta.region_id, filed_by=by,
                filed_by_org_id=getattr(by, "organisation_id", None), visibility=locked.visibility)
            line._history_user = by
            line.save()
            if meta.unit_ids:
                line.assessment_units.set(meta.unit_ids)
            new_ids.append(line.pk)
        claim_version(Round, locked.pk, locked.version)
        locked.version += 1
        locked._version_claimed = True
        locked.computed_at = timezone.now()
        locked.skipped = found.skipped
        locked._history_user = by
        locked._change_reason = "compute"
        locked.save()
        total = round_lines_total(locked)
        audit(user=by, action=AuditAction.UPDATE, obj=locked,
              detail={"computed": len(new_ids), "replaced": len(old), "total": str(total),
                      "skipped": len(found.skipped)})
        changes.announce(changes.Kind.DELETED, AwardLine, old)
        changes.announce(changes.Kind.CREATED, AwardLine, new_ids)
        changes.announce(changes.Kind.UPDATED, Round, [locked.pk], fields=["computed_at", "skipped", "lines"])
    return locked


# ------------------------------------------------------------------------------------------------
# Review → approval → 公示 → payout
# ------------------------------------------------------------------------------------------------

def _move(round_: Round, by, sources: tuple[str, ...], target: str, note: str = "", **fields) -> Round:
    """Move a round from one of ``sources`` to ``target`` (setting ``fields``), inside the caller's
    transaction: a new version, history with the actor, an audit entry and an announcement."""
    locked = Round.objects.select_for_update().get(pk=round_.pk)
    if locked.status not in sources:
        raise ValidationError(_("This step is not possible while the round is “%(s)s”.") % {"s": locked.get_status_display()})
    claim_version(Round, locked.pk, locked.version)
    locked.version += 1
    locked._version_claimed = True
    old = locked.status
    locked.status = target
    for name, value in fields.items():
        setattr(locked, name, value)
    locked._history_user = by
    locked._change_reason = (note or target)[:100]
    locked.save()
    audit(user=by, action=AuditAction.TRANSITION, obj=locked,
          detail={"from": old, "to": target, "fields": sorted(fields)})
    changes.announce(changes.Kind.UPDATED, Round, [locked.pk], fields=["status", *fields])
    return locked


def round_submit(*, round_: Round, by) -> Round:
    """Send the computed candidates to the first reviewing office (no chain: straight to reviewed)."""
    _manager(by, round_)
    with transaction.atomic():
        if round_.computed_at is None or not round_.lines.exists():
            raise ValidationError(_("Compute the candidates before sending the round for review."))
        target = S.IN_REVIEW if round_.scheme.review_chain else S.REVIEWED
        return _move(round_, by, (S.DRAFT,), target, review_step=0, return_reason="")


def is_office_member(user, org_id: int | None) -> bool:
    """``user`` works for the organisation ``org_id`` in a role that reviews (a government body's staff,
    an institution's office)."""
    return (org_id is not None and getattr(user, "is_active", False) and user.organisation_id == org_id
            and getattr(user, "role", None) in OFFICE_ROLES)


def round_review(*, round_: Round, by, passed: bool, note: str = "") -> Round:
    """The current office passes the round on (the last one: reviewed) or returns it for changes. Only a
    member of that office acts for it (not any administrator in scope)."""
    if not passed and not note.strip():
        raise ValidationError({"note": _("Say what must change when returning the round.")})
    with transaction.atomic():
        current = Round.objects.select_related("scheme").get(pk=round_.pk)
        if current.status != S.IN_REVIEW:
            raise ValidationError(_("The round is not in review."))
        office = current.current_office
        if office is None or not is_office_member(by, office.pk):
            raise PermissionDenied(_("This step is reviewed by %(office)s; only its members act for it.") % {
                "office": office or "—"})
        chain = current.scheme.review_chain
        step = ReviewStep(round=current, step=current.review_step, office=office.name[:100], organisation=office,
                          by=by, note=note.strip(),
                          decision=ReviewDecision.PASSED if passed else ReviewDecision.RETURNED)
        step._history_user = by
        step.save()
        changes.announce(changes.Kind.CREATED, ReviewStep, [step.pk])
        if not passed:
            return _move(current, by, (S.IN_REVIEW,), S.DRAFT, note=note, review_step=0, return_reason=note.strip())
        if current.review_step + 1 < len(chain):
            return _move(current, by, (S.IN_REVIEW,), S.IN_REVIEW, note=office.name,
                         review_step=current.review_step + 1)
        return _move(current, by, (S.IN_REVIEW,), S.REVIEWED, note=office.name, review_step=len(chain))


def round_approve(*, round_: Round, by, decision_number: str, decision_date: date, decision_document: str) -> Round:
    """The approving body's decision (e.g. 联席会议纪要 number, date, document), within the budget."""
    _manager(by, round_)
    errors = {}
    if not (decision_number or "").strip():
        errors["decision_number"] = _("Give the number of the decision (e.g. the meeting minutes).")
    if decision_date is None:
        errors["decision_date"] = _("Give the date of the decision.")
    if not (decision_document or "").strip():
        errors["decision_document"] = _("Link the decision document.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        status = budget_status(round_)
        if status["used"] > status["budget"]:
            raise ValidationError({"budget": _("The lines total %(used)s, over the budget of %(budget)s by %(over)s; "
                                               "nothing was approved. Recompute the candidates or raise the budget.") % {
                "used": rules.yuan(status["used"]), "budget": rules.yuan(status["budget"]),
                "over": rules.yuan(status["used"] - status["budget"])}})
        return _move(round_, by, (S.REVIEWED,), S.APPROVED, decision_number=decision_number.strip(),
                     decision_date=decision_date, decision_document=decision_document.strip())


def round_publicise(*, round_: Round, by, start: date, end: date) -> Round:
    """Start the publicity period (公示) of the approved list."""
    _manager(by, round_)
    if start is None or end is None or end < start:
        raise ValidationError({"publicity_end": _("The publicity period ends before it starts.")})
    with transaction.atomic():
        return _move(round_, by, (S.APPROVED,), S.PUBLICITY, publicity_start=start, publicity_end=end)


def round_issue(*, round_: Round, by, today: date | None = None) -> PayoutList:
    """After the publicity period: freeze the payout list (lines with their inputs, bank details, hash)."""
    _manager(by, round_)
    today = today or timezone.localdate()
    with transaction.atomic():
        current = Round.objects.get(pk=round_.pk)
        open_ = list(current.responses.filter(kind=ResponseKind.OBJECTION, resolution="").order_by("pk"))
        if current.status == S.PUBLICITY and open_:
            raise ValidationError(_("%(n)s objection(s) raised during 公示 are unresolved (%(who)s); resolve them "
                                    "before issuing the payout list. Nothing was issued.") % {
                "n": len(open_), "who": "、".join(o.label for o in open_[:5])})
        if current.status == S.PUBLICITY and current.publicity_end and today <= current.publicity_end:
            raise ValidationError(_("The publicity period runs until %(end)s; issue the payout list after it.") % {
                "end": current.publicity_end.isoformat()})
        moved = _move(current, by, (S.PUBLICITY,), S.ISSUED)
        moved.scheme.refresh_from_db()
        payout = PayoutList(round=moved, issued_at=timezone.now(), issued_by=by, total=Decimal("0.00"),
                            content_hash="", decision={
                                "approving_body": moved.scheme.approving_body, "number": moved.decision_number,
                                "date": moved.decision_date.isoformat(), "document": moved.decision_document,
                                "publicity": [moved.publicity_start.isoformat(), moved.publicity_end.isoformat()],
                                "budget": str(moved.scheme.budget)})
        payout._history_user = by
        payout.save()
        accounts = _accounts()
        lines = []
        for position, line in enumerate(moved.lines.filter(outcome__in=PAID_OUTCOMES).order_by("position"), 1):
            account = accounts.get(line.payee_key)
            frozen = PayoutLine(
                payout_list=payout, line=line, position=position, payee_key_frozen=line.payee_key, label=line.label,
                payee_org_id=line.payee_org_id, expert_id=line.expert_id, person_name=line.person_name,
                rule_version_id=line.rule_version_id, kind=line.rule_version.kind, parameters=line.parameters,
                basis_type=line.basis_type, basis_ids=line.basis_ids, inputs=line.inputs, rank=line.rank,
                entitlement=line.entitlement, amount=line.amount,
                account_name=account.account_name if account else "", bank_name=account.bank_name if account else "",
                account_number=account.account_number if account else "")
            frozen._history_user = by
            frozen.save()
            lines.append(frozen)
        payout.total = sum((x.amount for x in lines), Decimal("0.00"))
        payout.content_hash = payouts.content_hash(payout, lines)
        payout.save(update_fields=["total", "content_hash", "updated_at"])
        audit(user=by, action=AuditAction.CREATE, obj=payout,
              detail={"lines": len(lines), "total": str(payout.total), "hash": payout.content_hash})
        changes.announce(changes.Kind.CREATED, PayoutList, [payout.pk])
        changes.announce(changes.Kind.CREATED, PayoutLine, [x.pk for x in lines])
    return payout


def _accounts() -> dict[str, PayeeAccount]:
    """Payee key → the payee's bank account (the latest one filed)."""
    out: dict[str, PayeeAccount] = {}
    for acc in PayeeAccount.objects.order_by("pk"):
        if acc.expert_id:
            out[f"expert:{acc.expert_id}"] = acc
        elif acc.person_name:
            out[f"person:{acc.person_name.strip()}@{acc.payee_org_id}"] = acc
        else:
            out[f"org:{acc.payee_org_id}"] = acc
    return out


def payout_mark(*, line: PayoutLine, by, status: str, paid_on: date | None = None, reference: str = "") -> PayoutLine:
    """Reconcile one payout line (paid, failed, unpaid); the round closes when every line is paid."""
    _manager(by, line.payout_list.round)
    if status not in PaymentStatus.values:
        raise ValidationError({"payment_status": _("Unknown payment status “%(s)s”.") % {"s": status}})
    if status == PaymentStatus.PAID and paid_on is None:
        raise ValidationError({"paid_on": _("Give the date it was paid.")})
    with transaction.atomic():
        line.payment_status, line.paid_on, line.payment_reference = status, paid_on, reference.strip()
        if status != PaymentStatus.PAID:
            line.paid_on = None
        saved = record_save(instance=line, by=by)
        payout = line.payout_list
        if not payout.lines.exclude(payment_status=PaymentStatus.PAID).exists():
            _move(payout.round, by, (S.ISSUED,), S.CLOSED)
    return saved


def reconciliation(payout: PayoutList) -> dict[str, object]:
    """Paid and unpaid lines and sums of an issued list, and the scheme's budget used and left."""
    rows = list(payout.lines.values_list("payment_status", "amount"))
    paid = sum((a for s, a in rows if s == PaymentStatus.PAID), Decimal("0.00"))
    unpaid = sum((a for s, a in rows if s != PaymentStatus.PAID), Decimal("0.00"))
    budget = payout.round.scheme.budget
    return {"lines": len(rows), "paid_lines": sum(1 for s, _a in rows if s == PaymentStatus.PAID),
            "paid": paid, "unpaid": unpaid, "total": paid + unpaid, "budget": budget,
            "budget_left": budget - paid - unpaid}


# ------------------------------------------------------------------------------------------------
# 公示: the payees' confirmations and objections, resolved by an office
# ------------------------------------------------------------------------------------------------

def is_payee(user, line: AwardLine) -> bool:
    """``user`` speaks for the payee of ``line``: the expert themself, or the payee organisation's account
    (for an organisation, or a person named with their unit: the unit answers for its student)."""
    if not getattr(user, "is_active", False):
        return False
    if line.expert_id:
        return line.expert.user_id == user.pk
    return line.payee_org_id is not None and user.organisation_id == line.payee_org_id \
        and user.role in (Role.ENTERPRISE, Role.INSTITUTION)


def line_respond(*, line: AwardLine, by, objection: bool, reason: str = "") -> PublicityResponse:
    """The payee confirms its line or objects to it with the reason, while the round is in 公示."""
    if not is_payee(by, line):
        raise PermissionDenied(_("Only the payee of a line confirms it or objects to it."))
    if line.outcome not in PAID_OUTCOMES and not objection:
        raise ValidationError(_("Nothing is allocated on this line to confirm; object if it is wrong."))
    reason = (reason or "").strip()
    if objection and not reason:
        raise ValidationError({"reason": _("Give the reason for the objection.")})
    with transaction.atomic():
        current = Round.objects.select_for_update().get(pk=line.round_id)
        if current.status != S.PUBLICITY:
            raise ValidationError(_("Confirmations and objections are taken during 公示 only (now: %(s)s).") % {
                "s": current.get_status_display()})
        response = PublicityResponse(round=current, line=line, label=line.label[:300], amount=line.amount,
                                     kind=ResponseKind.OBJECTION if objection else ResponseKind.CONFIRMED,
                                     reason=reason, by=by)
        response._history_user = by
        response.save()
        audit(user=by, action=AuditAction.CREATE, obj=response, detail={"kind": response.kind, "line": line.pk})
        changes.announce(changes.Kind.CREATED, PublicityResponse, [response.pk])
    return response


def objection_resolve(*, response: PublicityResponse, by, upheld: bool, note: str) -> PublicityResponse:
    """An office of the round (a reviewing office's member, or the administrator running the scheme)
    resolves an objection with a note. Upheld: the round goes back to its candidates (recompute, review
    and approve again); dismissed: the line stands."""
    round_ = response.round
    offices = round_.scheme.review_chain or []
    if not any(is_office_member(by, o) for o in offices):
        _manager(by, round_)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"resolution_note": _("Say how the objection was resolved.")})
    with transaction.atomic():
        locked = PublicityResponse.objects.select_for_update().get(pk=response.pk)
        if locked.kind != ResponseKind.OBJECTION or locked.resolution:
            raise ValidationError(_("Only an open objection can be resolved."))
        if Round.objects.filter(pk=round_.pk).values_list("status", flat=True).get() != S.PUBLICITY:
            raise ValidationError(_("The round is no longer in 公示."))
        locked.resolution = Resolution.UPHELD if upheld else Resolution.DISMISSED
        locked.resolution_note, locked.resolved_by, locked.resolved_at = note, by, timezone.now()
        locked._history_user = by
        locked.save()
        audit(user=by, action=AuditAction.UPDATE, obj=locked, detail={"resolution": locked.resolution})
        changes.announce(changes.Kind.UPDATED, PublicityResponse, [locked.pk], fields=["resolution"])
        if upheld:
            _move(round_, by, (S.PUBLICITY,), S.DRAFT, note=note, review_step=0,
                  return_reason=_("Objection upheld (%(who)s): %(note)s") % {"who": locked.label, "note": note})
    return locked
