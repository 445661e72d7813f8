"""Challenge pages beyond the registry's list/detail: publish from a demand, the bid form (generated from
the criteria), the bids (sealed until closing), the panel with its conflict screen, blind scoring with
the normalised ranking and the award, the report workbook, and the gates. Reads through selectors;
writes through services; each page checks role and scope."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from duijie.challenges import conflicts, forms, panel, selectors, services
from duijie.challenges.choices import BidStatus, InvitationStatus
from duijie.challenges.choices import ChallengeStatus as S
from duijie.challenges.models import BidAttachment, Challenge, Gate, Objection
from duijie.cooperation import services as cooperation_services
from duijie.core import selectors as core_selectors
from duijie.core.formatting import office_date
from duijie.core.http import service_messages
from duijie.core.registry import REGISTRY
from duijie.core.roles import Role
from duijie.experts.models import Expert
from duijie.matching import declarations as match_declarations
from duijie.matching import documents as match_documents
from duijie.matching import selectors as match_selectors
from duijie.matching import services as match_services
from duijie.orgs.models import Institution

REFUSALS = (ValidationError, PermissionDenied)  # how a service says no: shown to the user as messages


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
    rows = selectors.bids_visible(request.user, challenge).prefetch_related("milestones", "answers__criterion", "members",
                                                                            "attachments")
    sealed = challenge.status not in Challenge.BIDS_OPEN_STATES
    own = set(selectors.bids_visible(request.user, challenge).filter(selectors.own_bids_q(request.user))
              .values_list("pk", flat=True))
    can_attach = challenge.status == S.PUBLISHED and timezone.now() <= challenge.deadline
    return render(request, "challenges/bids.html", {"challenge": challenge, "bids": rows, "sealed": sealed,
                                                    "own": own, "can_attach": can_attach})


CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def attachment_response(att: BidAttachment, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES.get(att.file_type, "application/octet-stream"))
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(att.file_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def attachment_upload(request: HttpRequest, pk: int, bid_pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    bid = selectors.bids_visible(request.user, challenge).filter(selectors.own_bids_q(request.user), pk=bid_pk).first()
    if bid is None:
        raise Http404
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to upload."))
    elif upload.size > cooperation_services.max_document_bytes():  # refused before it is read
        messages.error(request, _("The file is %(size).1f MB; the largest file accepted is %(limit).1f MB.")
                       % {"size": upload.size / 1048576, "limit": cooperation_services.max_document_bytes() / 1048576})
    else:
        try:
            att = services.bid_attachment_add(bid=bid, by=request.user, file_name=upload.name, data=upload.read(),
                                              title=request.POST.get("title", ""))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Uploaded “%(doc)s”.") % {"doc": att})
    return redirect("challenges:bids", pk=challenge.pk)


@login_required
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    att = BidAttachment.objects.filter(pk=attachment_pk, bid__challenge=challenge).select_related("bid").first()
    if att is None or not selectors.bids_visible(request.user, challenge).filter(pk=att.bid_id).exists():
        raise Http404  # sealed like its bid: no hint that it exists
    return attachment_response(att, services.bid_attachment_read(attachment=att, by=request.user))


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
            with service_messages(request, _("Your scores were submitted; the other reviewers' scores for this bid "
                                             "are now shown."), refusals=REFUSALS):
                services.scorecard_submit(challenge=challenge, bid=target, by=request.user, values=form.values(),
                                          comment=form.cleaned_data["comment"])
        else:
            messages.error(request, " ".join(f"{form.fields[k].label}: {' '.join(v)}" if k in form.fields else " ".join(v)
                                             for k, v in form.errors.items()))
        return redirect("challenges:review", pk=challenge.pk)
    if request.method == "POST" and runs and request.POST.get("decide"):
        winners = [b for b in all_bids if str(b.pk) in request.POST.getlist("winners")]
        try:
            challenge = services.publicity_open(challenge=challenge, winners=winners, by=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("The decision is in 公示 from %(start)s to %(end)s; objections may be lodged "
                                        "meanwhile.") % {"start": office_date(challenge.publicity_start),
                                                         "end": office_date(challenge.publicity_end)})
        return redirect("challenges:review", pk=challenge.pk)
    if request.method == "POST" and runs and request.POST.get("award"):
        try:
            services.award(challenge=challenge, by=request.user)
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
        "runs": runs, "can_decide": runs and challenge.status == S.UNDER_REVIEW and not challenge.in_publicity,
        "can_award": runs and challenge.in_publicity,
        "proposed": [b for b in all_bids if b.status == BidStatus.PROPOSED],
        "objections": selectors.objections_of(request.user, challenge) if challenge.publicity_start or runs else [],
        "resolve_form": forms.ResolveForm()})


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    if not selectors.runs_challenge(request.user, challenge) or challenge.status not in Challenge.BIDS_OPEN_STATES:
        raise PermissionDenied
    data = panel.report_xlsx(challenge, selectors.scorecards_visible(request.user, challenge))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="challenge-{challenge.pk}-panel-report.xlsx"'
    return response


def _report_context(request: HttpRequest, pk: int) -> tuple[Challenge, dict]:
    challenge = _challenge(request, pk)
    if not selectors.runs_challenge(request.user, challenge) or challenge.status not in Challenge.BIDS_OPEN_STATES:
        raise PermissionDenied
    return challenge, panel.report_context(challenge, selectors.scorecards_visible(request.user, challenge),
                                           selectors.objections_of(request.user, challenge))


@login_required
def report_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel report as a printable A4 page (like the supervision report's)."""
    _c, context = _report_context(request, pk)
    return HttpResponse(panel.report_html(context, request=request))


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    challenge, context = _report_context(request, pk)
    response = HttpResponse(panel.report_pdf(context), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="challenge-{challenge.pk}-panel-report.pdf"'
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
            with service_messages(request, _("Gate decision recorded."), refusals=REFUSALS):
                services.gate_decide(bid=team, by=request.user, decision=form.cleaned_data["decision"],
                                     reason=form.cleaned_data["reason"], merge_into=into)
        else:
            messages.error(request, _("Give the decision and its reason."))
        return redirect("challenges:gates", pk=challenge.pk)
    decided = {g.milestone_id: g for g in Gate.objects.filter(bid__in=teams).select_related("decided_by")}
    rows = []
    for t in teams:
        amounts = services.tranches(t)
        ms = [{"m": m, "tranche": amounts[m.pk], "gate": decided.get(m.pk)} for m in t.milestones.all()]
        rows.append({"team": t, "milestones": ms, "next": services.next_milestone(t) if t.status == BidStatus.WON else None,
                     "released": sum((g["gate"].released for g in ms if g["gate"]), 0),
                     "carried": services.carried(t)})
    return render(request, "challenges/gates.html", {
        "challenge": challenge, "rows": rows, "runs": runs, "form": forms.GateForm(),
        "released": services.released_total(challenge), "others": teams})


# ---- matches and invitations to bid ----

def _teams(experts: list) -> list[dict]:
    """Teams among the matched experts: two or more of one institution, led by the best placed; reasons
    are the lead's plus the colleagues who match too."""
    by_inst: dict[int, list] = {}
    for m in experts:
        if m.obj.institution_id:
            by_inst.setdefault(m.obj.institution_id, []).append(m)
    teams = []
    for ms in by_inst.values():
        if len(ms) < 2:
            continue
        lead, others = ms[0], ms[1:4]
        teams.append({"lead": lead, "institution": lead.obj.institution, "colleagues": others,
                      "score": lead.score + 0.5 * sum(o.score for o in others)})
    teams.sort(key=lambda t: -t["score"])
    return teams[:5]


def _reason_text(m) -> str:
    return "；".join(str(r.text) for r in m.reasons)


@require_GET
@login_required
def matches(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The challenge page's panel of best matches (loaded by htmx after the page): experts, teams (an
    expert with their institution and colleagues who match too) and institutions, each with its reasons
    and, for the poster and the office while bidding is open, a button to invite them to bid."""
    challenge = _challenge(request, pk)
    if not selectors.runs_challenge(request.user, challenge):
        return HttpResponse("")  # matches are the poster's and the office's tool; nothing for others
    decl = match_declarations.for_model(challenge)
    inactive = decl.is_inactive(challenge)
    sections, shown = [], []
    invited_x, invited_i = {}, {}
    if not inactive:
        experts = match_selectors.recommend(user=request.user, obj=challenge, target_kind="expert", k=12)
        insts = match_selectors.recommend(user=request.user, obj=challenge, target_kind="institution", k=5)
        shown = experts[:5] + insts
        for inv in challenge.invitations.all():
            if inv.expert_id:
                invited_x[inv.expert_id] = inv
            else:
                invited_i[inv.institution_id] = inv
        bidding = set(challenge.bids.values_list("lead_expert_id", flat=True))
        for m in experts:
            m.invitation = invited_x.get(m.obj.pk)
            m.bidding = m.obj.pk in bidding
            m.reason_text = _reason_text(m)
        for m in insts:
            m.invitation = invited_i.get(m.obj.pk)
            m.reason_text = _reason_text(m)
        sections = [{"kind": "expert", "label": _("Experts"), "matches": experts[:5]},
                    {"kind": "team", "label": _("Teams (an expert with their institution)"), "teams": _teams(experts)},
                    {"kind": "institution", "label": _("Institutions"), "matches": insts}]
        match_services.impressions_log(user=request.user, source=match_documents.record_id("challenge", challenge.pk),
                                       matches=shown)
    return render(request, "challenges/partials/matches.html", {
        "challenge": challenge, "sections": sections, "inactive": inactive,
        "can_invite": challenge.status == S.PUBLISHED,
        "invitations": selectors.invitations_of(request.user, challenge)})


@require_POST
@login_required
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    form = forms.InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(f"{form.fields[k].label if k in form.fields else ''} {' '.join(v)}"
                                         for k, v in form.errors.items()))
        return redirect(_detail(challenge))
    d = form.cleaned_data
    expert = Expert.objects.filter(pk=d["expert"]).select_related("institution").first() if d.get("expert") else None
    institution = Institution.objects.filter(pk=d["institution"]).first() if d.get("institution") else None
    if (d.get("expert") and expert is None) or (d.get("institution") and institution is None):
        raise Http404
    try:
        inv = services.invitation_send(challenge=challenge, by=request.user, expert=expert,
                                       institution=None if expert else institution, reasons=d["reasons"],
                                       message=d["message"])
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not invite bidders to this challenge."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(who)s was invited to bid.") % {"who": inv.expert.name if inv.expert_id
                                                                      else inv.institution})
    return redirect(_detail(challenge))


@login_required
def invitations(request: HttpRequest) -> HttpResponse:
    """The invitations to bid the user received (as an expert, or as an institution's office)."""
    rows = selectors.invitations_received(request.user).order_by("status", "-created_at")
    return render(request, "challenges/invitations.html", {"rows": rows, "SENT": InvitationStatus.SENT})


@require_POST
@login_required
def invitation_respond(request: HttpRequest, pk: int) -> HttpResponse:
    inv = selectors.invitations_received(request.user).filter(pk=pk).first()
    if inv is None:
        raise Http404
    accept = request.POST.get("answer") == "accept"
    try:
        services.invitation_respond(invitation=inv, by=request.user, accept=accept,
                                    note=request.POST.get("note", ""))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("challenges:invitations")
    if accept:
        messages.success(request, _("Invitation accepted; fill in your bid."))
        return redirect("challenges:bid", pk=inv.challenge_id)
    messages.success(request, _("Invitation declined."))
    return redirect("challenges:invitations")


# ---- 公示 objections ----

@require_POST
@login_required
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    with service_messages(request, _("Your objection was lodged; the science bureau answers it before any award."),
                          refusals=REFUSALS):
        services.objection_lodge(challenge=challenge, by=request.user, reason=request.POST.get("reason", ""))
    return redirect(_detail(challenge))


@require_POST
@login_required
def objection_resolve(request: HttpRequest, pk: int, objection_pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    obj = Objection.objects.filter(challenge=challenge, pk=objection_pk).first()
    if obj is None:
        raise Http404
    form = forms.ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose dismiss or uphold and record the resolution."))
        return redirect("challenges:review", pk=challenge.pk)
    with service_messages(request, _("The objection was resolved."), refusals=REFUSALS):
        services.objection_resolve(objection=obj, by=request.user, uphold=form.cleaned_data["outcome"] == "uphold",
                                   resolution=form.cleaned_data["resolution"])
    return redirect("challenges:review", pk=challenge.pk)



@require_POST
@login_required
def contract(request: HttpRequest, pk: int) -> HttpResponse:
    challenge = _challenge(request, pk)
    form = forms.ContractForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the contract type."))
        return redirect(_detail(challenge))
    try:
        made = services.contracts_sign(challenge=challenge, by=request.user,
                                       contract_type=form.cleaned_data["contract_type"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Signed: %(n)s technology contract(s) recorded with the project.") % {"n": len(made)})
    return redirect(_detail(challenge))
