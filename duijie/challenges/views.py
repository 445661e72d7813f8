"""Challenge pages beyond the registry's list/detail: publish from a demand, the bid form (generated from
the criteria), the bids (sealed until closing), the panel with its conflict screen, blind scoring with
the normalised ranking and the award, the report workbook, and the gates. Reads through selectors;
writes through services; each page checks role and scope."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from duijie.challenges import conflicts, forms, panel, selectors, services
from duijie.challenges.choices import BidStatus
from duijie.challenges.choices import ChallengeStatus as S
from duijie.challenges.models import Challenge, Gate
from duijie.core import selectors as core_selectors
from duijie.core.registry import REGISTRY
from duijie.core.roles import Role
from duijie.experts.models import Expert


def _challenge(request: HttpRequest, pk: int) -> Challenge:
    try:
        return selectors.challenge_get(request.user, pk)
    except Challenge.DoesNotExist:
        raise Http404 from None


def _errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, msgs in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, msgs)
    else:
        form.add_error(None, exc.messages)


def _detail(challenge: Challenge) -> str:
    return REGISTRY["challenges"].url("detail", challenge.pk)


@login_required
def from_demand(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        demand = core_selectors.record_get(record_type=REGISTRY["demands"], user=request.user, pk=pk)
    except REGISTRY["demands"].model.DoesNotExist:
        raise Http404 from None
    if not core_selectors.can_edit(request.user, demand):
        raise PermissionDenied
    initial = {"title": demand.title, "problem": demand.description, "budget": demand.budget_max,
               "budget_negotiable": demand.budget_negotiable}
    form = forms.FromDemandForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        criteria = data.pop("criteria")
        try:
            challenge = services.challenge_from_demand(demand=demand, by=request.user, criteria=criteria, **data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("The challenge was saved as a draft; submit it for approval from its page."))
            return redirect(_detail(challenge))
    return render(request, "challenges/from_demand.html", {"form": form, "demand": demand})


def _bid_experts(user):
    own = selectors.expert_profile(user)
    if getattr(user, "role", None) == Role.INSTITUTION and getattr(user.organisation, "institution", None):
        return Expert.objects.filter(institution=user.organisation.institution)
    if own is not None and own.institution_id:
        return Expert.objects.filter(institution=own.institution_id).exclude(pk=own.pk)
    return Expert.objects.none()


@login_required
def bid(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    ask_lead = getattr(request.user, "role", None) == Role.INSTITUTION
    form = forms.BidForm(request.POST or None, challenge=challenge, experts=_bid_experts(request.user),
                         ask_lead=ask_lead)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.bid_submit(challenge=challenge, by=request.user, lead_expert=d.get("lead_expert"),
                                members=d["members"], approach=d["approach"], maturity=d["maturity"],
                                budget=d["budget"], conflict_declaration=d["conflict_declaration"],
                                answers=form.answer_data(), milestones=form.milestone_data())
        except ValidationError as exc:
            _errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not bid on this challenge."))
        else:
            messages.success(request, _("Your bid was submitted. Only you see it until bidding closes."))
            return redirect("challenges:bids", pk=challenge.pk)
    return render(request, "challenges/bid_form.html", {"challenge": challenge, "form": form})


@login_required
def bids(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    rows = selectors.bids_visible(request.user, challenge).prefetch_related("milestones", "answers__criterion", "members")
    sealed = challenge.status not in Challenge.BIDS_OPEN_STATES
    return render(request, "challenges/bids.html", {"challenge": challenge, "bids": rows, "sealed": sealed})


@login_required
def panel_page(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    if not core_selectors.can_review(request.user, challenge):
        raise PermissionDenied
    form = forms.SeatForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        expert = Expert.objects.filter(pk=form.cleaned_data["expert"]).first()
        if expert is None:
            raise Http404
        try:
            services.panel_seat(challenge=challenge, expert=expert, by=request.user,
                                override_reason=form.cleaned_data["override_reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(name)s is on the panel.") % {"name": expert.name})
        return redirect("challenges:panel", pk=challenge.pk)
    q = request.GET.get("q", "").strip()
    seated = set(challenge.panel.values_list("expert_id", flat=True))
    pool = Expert.objects.select_related("institution").exclude(pk__in=seated)
    if q:
        pool = pool.filter(Q(name__icontains=q) | Q(keywords__icontains=q) | Q(research_directions__icontains=q))
    candidates = conflicts.screen(challenge, pool.order_by("name")[:40])
    return render(request, "challenges/panel.html", {
        "challenge": challenge, "candidates": candidates, "q": q,
        "members": challenge.panel.select_related("expert__institution", "added_by"),
        "can_seat": challenge.status in (S.CLOSED, S.UNDER_REVIEW)})


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    member = selectors.panel_member(request.user, challenge)
    runs = core_selectors.can_review(request.user, challenge)
    if member is None and not selectors.runs_challenge(request.user, challenge):
        raise PermissionDenied
    criteria = list(challenge.criteria.all())
    all_bids = list(selectors.bids_visible(request.user, challenge).exclude(status=BidStatus.MERGED))
    cards = list(selectors.scorecards_visible(request.user, challenge))
    if request.method == "POST" and member is not None:
        target = next((b for b in all_bids if str(b.pk) == request.POST.get("bid")), None)
        form = forms.ScorecardForm(request.POST, criteria=criteria)
        if target is None:
            raise Http404
        if form.is_valid():
            try:
                services.scorecard_submit(challenge=challenge, bid=target, by=request.user, values=form.values(),
                                          comment=form.cleaned_data["comment"])
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, _("Your scores were submitted; the other reviewers' scores for this bid "
                                            "are now shown."))
        else:
            messages.error(request, " ".join(f"{form.fields[k].label}: {' '.join(v)}" if k in form.fields else " ".join(v)
                                             for k, v in form.errors.items()))
        return redirect("challenges:review", pk=challenge.pk)
    if request.method == "POST" and runs and request.POST.get("award"):
        winners = [b for b in all_bids if str(b.pk) in request.POST.getlist("winners")]
        try:
            services.award(challenge=challenge, winners=winners, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Awarded; the cooperation project was created."))
            return redirect(_detail(challenge))
        return redirect("challenges:review", pk=challenge.pk)
    mine = {c.bid_id: c for c in cards if member is not None and c.member_id == member.pk}
    rows = []
    for b in all_bids:
        others = [c for c in cards if c.bid_id == b.pk and (member is None or c.member_id != member.pk)]
        rows.append({"bid": b, "mine": mine.get(b.pk), "others": others,
                     "form": forms.ScorecardForm(criteria=criteria, prefix=None) if member and b.pk not in mine else None})
    ranking = panel.results(challenge, cards) if runs or (member and len(mine) == len(all_bids)) else []
    return render(request, "challenges/review.html", {
        "challenge": challenge, "member": member, "rows": rows, "criteria": criteria, "ranking": ranking,
        "runs": runs, "can_award": runs and challenge.status == S.UNDER_REVIEW})


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    if not selectors.runs_challenge(request.user, challenge) or challenge.status not in Challenge.BIDS_OPEN_STATES:
        raise PermissionDenied
    data = panel.report_xlsx(challenge, selectors.scorecards_visible(request.user, challenge))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="challenge-{challenge.pk}-panel-report.xlsx"'
    return response


@login_required
def gates(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    runs = core_selectors.can_review(request.user, challenge)
    teams = list(selectors.bids_visible(request.user, challenge).filter(
        status__in=(BidStatus.WON, BidStatus.STOPPED, BidStatus.MERGED)).prefetch_related("milestones"))
    if not teams and not runs:
        raise PermissionDenied
    if request.method == "POST" and runs:
        team = next((t for t in teams if str(t.pk) == request.POST.get("bid")), None)
        form = forms.GateForm(request.POST)
        if team is None:
            raise Http404
        if form.is_valid():
            into = next((t for t in teams if t.pk == form.cleaned_data.get("merge_into")), None)
            try:
                services.gate_decide(bid=team, by=request.user, decision=form.cleaned_data["decision"],
                                     reason=form.cleaned_data["reason"], merge_into=into)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, _("Gate decision recorded."))
        else:
            messages.error(request, _("Give the decision and its reason."))
        return redirect("challenges:gates", pk=challenge.pk)
    decided = {g.milestone_id: g for g in Gate.objects.filter(bid__in=teams).select_related("decided_by")}
    rows = []
    for t in teams:
        amounts = services.tranches(t)
        ms = [{"m": m, "tranche": amounts[m.pk], "gate": decided.get(m.pk)} for m in t.milestones.all()]
        rows.append({"team": t, "milestones": ms, "next": services.next_milestone(t) if t.status == BidStatus.WON else None,
                     "released": sum((g["gate"].released for g in ms if g["gate"]), 0)})
    return render(request, "challenges/gates.html", {
        "challenge": challenge, "rows": rows, "runs": runs, "form": forms.GateForm(),
        "released": services.released_total(challenge), "others": teams})
