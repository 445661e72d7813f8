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
from duijie.awards.models import AwardLine, PayoutLine, PayoutList, Round, Scheme
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
    if selectors.visible_queryset(AwardLine, request.user).filter(round=pk).exists():
        return Round.objects.select_related("scheme").get(pk=pk), False
    raise Http404


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
    return render(request, "awards/index.html", {"schemes": schemes, "rounds": rounds,
                                                 "manager": request.user.role == Role.CITY_ADMIN})


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_, whole = _round(request, pk)
    lines = selectors.visible_queryset(AwardLine, request.user).filter(round=round_) \
        .select_related("rule_version").order_by("position")
    manager = whole and request.user.role == Role.CITY_ADMIN and selectors.can_edit(request.user, round_)
    payout = PayoutList.objects.filter(round=round_).first()
    context = {"round": round_, "scheme": round_.scheme, "lines": lines, "whole": whole, "manager": manager,
               "budget": services.budget_status(round_) if whole else None, "payout": payout,
               "reviews": round_.reviews.select_related("by") if whole else [], "S": RoundStatus,
               "drafts": round_.scheme.rule_versions.filter(status=RuleStatus.DRAFT) if manager else [],
               "today": timezone.localdate()}
    if payout is not None and whole:
        context["reconciliation"] = services.reconciliation(payout)
        context["problems"] = payouts.verify(payout)
        context["payout_lines"] = payouts.visible_lines(request.user, payout)
    return render(request, "awards/round.html", context)


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
        elif action == "paid":
            line = PayoutLine.objects.get(pk=post.get("line"), payout_list__round=round_)
            services.payout_mark(line=line, by=by, status="paid", paid_on=_date(request, "paid_on"),
                                 reference=post.get("reference", ""))
        else:
            raise Http404
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PayoutLine.DoesNotExist:
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
