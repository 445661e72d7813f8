"""Award pages: the schemes, a round (candidates, review, approval, 公示, payout list, reconciliation),
the payout list download and the budget sandbox of a draft rule version.

Reads go through ``core.selectors`` (a district administrator sees the lines of their units, a payee
their own lines); writes through ``awards.services``, which check that the actor runs the scheme."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duijie.awards import payouts, sandbox, services
from duijie.awards.choices import RoundStatus, RuleStatus
from duijie.awards.models import AwardLine, PayoutLine, PayoutList, PublicityResponse, Round, Scheme
from duijie.core import selectors
from duijie.core.audit import audit
from duijie.core.choices import AuditAction
from duijie.core.registry import REGISTRY
from duijie.core.roles import GOVERNMENT_ROLES, Role

PAYEE_ROLES = (Role.ENTERPRISE, Role.INSTITUTION, Role.EXPERT)


def _reader(request: HttpRequest) -> None:
    """Government roles and payees (enterprises, institutions, experts); everyone else: 403."""
    if getattr(request.user, "role", None) not in (*GOVERNMENT_ROLES, *PAYEE_ROLES):
        raise PermissionDenied


def _round(request: HttpRequest, pk: int) -> tuple[Round, bool]:
    """The round and whether the reader may read it whole; a reader who may see only some of its lines
    (a district, a payee) gets the round with those lines; nobody else learns it exists (404)."""
    _reader(request)
    whole = selectors.record_list(record_type=REGISTRY["award-rounds"], user=request.user).filter(pk=pk).first()
    if whole is not None and getattr(request.user, "is_government", False):
        return whole, True
    # The reviewing offices named in the scheme's chain read the round they review, whole.
    candidate = Round.objects.select_related("scheme").filter(pk=pk).first()
    if candidate is not None and any(services.is_office_member(request.user, o) for o in candidate.scheme.review_chain):
        return candidate, True
    if selectors.visible_queryset(AwardLine, request.user).filter(round=pk).exists():
        return Round.objects.select_related("scheme").get(pk=pk), False
    raise Http404


def _office_id(round_: Round) -> int | None:
    """The organisation id of the office whose turn it is (None outside review)."""
    chain = round_.scheme.review_chain or []
    return chain[round_.review_step] if round_.review_step < len(chain) else None


def _date(request: HttpRequest, name: str) -> date | None:
    try:
        return date.fromisoformat(request.POST.get(name, ""))
    except ValueError:
        return None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _reader(request)
    schemes = selectors.record_list(record_type=REGISTRY["award-schemes"], user=request.user) \
        .prefetch_related("rule_versions", "rounds")
    rounds = Round.objects.filter(lines__in=selectors.visible_queryset(AwardLine, request.user)).distinct() \
        .select_related("scheme")
    # Rounds waiting for the reader's office (a member of a reviewing office acts for it).
    waiting = [r for r in Round.objects.filter(status=RoundStatus.IN_REVIEW).select_related("scheme").order_by("pk")
               if services.is_office_member(request.user, _office_id(r))]
    return render(request, "awards/index.html", {"schemes": schemes, "rounds": rounds, "waiting": waiting,
                                                 "manager": request.user.role == Role.CITY_ADMIN})


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_, whole = _round(request, pk)
    lines = selectors.visible_queryset(AwardLine, request.user).filter(round=round_) \
        .select_related("rule_version").order_by("position")
    manager = whole and request.user.role == Role.CITY_ADMIN and selectors.can_edit(request.user, round_)
    office = round_.current_office
    offices = round_.scheme.offices()
    member = any(services.is_office_member(request.user, o.pk) for o in offices)
    if member and whole:  # a reviewing office reviews every line of the round
        lines = round_.lines.select_related("rule_version").order_by("position")
    responses = list(round_.responses.select_related("by", "resolved_by", "line")) if whole else \
        list(round_.responses.filter(line__in=lines).select_related("by", "line"))
    payout = PayoutList.objects.filter(round=round_).first()
    context = {"round": round_, "scheme": round_.scheme, "lines": lines, "whole": whole, "manager": manager,
               "budget": services.budget_status(round_) if whole else None, "payout": payout,
               "reviews": round_.reviews.select_related("by") if whole else [], "S": RoundStatus,
               "drafts": round_.scheme.rule_versions.filter(status=RuleStatus.DRAFT) if manager else [],
               "today": timezone.localdate(), "office": office, "offices": offices,
               "reviewer": office is not None and services.is_office_member(request.user, office.pk),
               "resolver": manager or member, "responses": responses,
               "open_objections": [x for x in responses if x.open],
               "answerable": _answerable(request.user, round_, lines), "steps": _steps(round_, offices)}
    if payout is not None and whole:
        context["reconciliation"] = services.reconciliation(payout)
        context["problems"] = payouts.verify(payout)
        context["payout_lines"] = payouts.visible_lines(request.user, payout)
    return render(request, "awards/round.html", context)


def _answerable(user, round_: Round, lines) -> list[AwardLine]:
    """The lines ``user`` answers for as payee while the round is in 公示."""
    if round_.status != RoundStatus.PUBLICITY:
        return []
    return [x for x in lines.select_related("expert") if services.is_payee(user, x)]


def _steps(round_: Round, offices) -> list[dict]:
    """The round's path as steps (candidates, each office, approval, 公示, payout) with their state:
    done, current or to come."""
    S = RoundStatus
    order = [S.DRAFT, S.IN_REVIEW, S.REVIEWED, S.APPROVED, S.PUBLICITY, S.ISSUED, S.CLOSED]
    at = order.index(round_.status)
    steps = [{"label": _("Award candidates"), "state": "current" if at == 0 else "done"}]
    for i, office in enumerate(offices):
        if at > 1 or (at == 1 and i < round_.review_step):
            state = "done"
        elif at == 1 and i == round_.review_step:
            state = "current"
        else:
            state = "todo"
        steps.append({"label": _("Review: %(office)s") % {"office": office.name}, "state": state})
    # label, done from this status index on, current at these
    for label, done_from, current_at in ((_("Approval: %(body)s") % {"body": round_.scheme.approving_body}, 3, (2,)),
                                         (_("Publicity period (公示)"), 5, (3, 4)), (_("Payout list issued"), 5, ()),
                                         (_("Payment and reconciliation"), 6, (5,))):
        steps.append({"label": label, "state": "done" if at >= done_from else
                      ("current" if at in current_at else "todo")})
    return steps


@login_required
@require_POST
def round_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    round_, _whole = _round(request, pk)
    by, post = request.user, request.POST
    try:
        if action == "compute":
            services.round_compute(round_=round_, by=by)
        elif action == "submit":
            services.round_submit(round_=round_, by=by)
        elif action in ("pass", "return"):
            services.round_review(round_=round_, by=by, passed=action == "pass", note=post.get("note", ""))
        elif action == "approve":
            services.round_approve(round_=round_, by=by, decision_number=post.get("decision_number", ""),
                                   decision_date=_date(request, "decision_date"),
                                   decision_document=post.get("decision_document", ""))
        elif action == "publicise":
            services.round_publicise(round_=round_, by=by, start=_date(request, "publicity_start"),
                                     end=_date(request, "publicity_end"))
        elif action == "issue":
            services.round_issue(round_=round_, by=by)
        elif action in ("confirm", "object"):
            line = AwardLine.objects.get(pk=post.get("line"), round=round_)
            services.line_respond(line=line, by=by, objection=action == "object", reason=post.get("reason", ""))
        elif action in ("uphold", "dismiss"):
            response = round_.responses.get(pk=post.get("response"))
            services.objection_resolve(response=response, by=by, upheld=action == "uphold",
                                       note=post.get("resolution_note", ""))
        elif action == "paid":
            line = PayoutLine.objects.get(pk=post.get("line"), payout_list__round=round_)
            services.payout_mark(line=line, by=by, status="paid", paid_on=_date(request, "paid_on"),
                                 reference=post.get("reference", ""))
        else:
            raise Http404
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except (PayoutLine.DoesNotExist, AwardLine.DoesNotExist, PublicityResponse.DoesNotExist):
        raise Http404 from None
    else:
        messages.success(request, _("Done."))
    return redirect("awards:round", pk=round_.pk)


@login_required
def payout_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The issued payout list as xlsx: the lines the reader may see; account numbers masked unless the
    reader pays them (the city administrators running the scheme). Every download is audited."""
    round_, _whole = _round(request, pk)
    payout = PayoutList.objects.filter(round=round_).first()
    if payout is None or not payouts.visible_lines(request.user, payout).exists():
        raise Http404
    data, revealed = payouts.workbook(request.user, payout)
    audit(user=request.user, action=AuditAction.REVEAL if revealed else AuditAction.EXPORT, obj=payout,
          request=request, detail={"format": "xlsx", "accounts": "full" if revealed else "masked"})
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="payout-{round_.scheme.code}-{round_.year}.xlsx"'
    return response


@login_required
def rule_sandbox(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft rule version's effect on the round of its scheme's year, totals and each payee, before
    it is published; nothing is written."""
    if request.user.role != Role.CITY_ADMIN:
        raise PermissionDenied
    version = selectors.record_list(record_type=REGISTRY["award-rule-versions"], user=request.user) \
        .filter(pk=pk).select_related("scheme").first()
    if version is None:
        raise Http404
    scheme: Scheme = version.scheme
    round_ = scheme.rounds.order_by("-year").first()
    result = sandbox.simulate(round_=round_, draft=version, user=request.user) if round_ is not None else None
    return render(request, "awards/sandbox.html", {"version": version, "scheme": scheme, "round": round_,
                                                   "result": result, "is_draft": version.status == RuleStatus.DRAFT})
