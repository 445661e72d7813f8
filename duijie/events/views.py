"""The event page (details, invitations, check-in, 1:1 meetings, outcomes, meeting records) and its
actions. Reads through events.selectors / core.selectors, writes through events.services."""

from __future__ import annotations

from functools import wraps

import segno
from django.apps import apps
from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from duijie.core import selectors as core_selectors
from duijie.core.audit import audit_failure
from duijie.core.choices import AuditAction
from duijie.core.registry import REGISTRY
from duijie.core.views import _field_rows, _warn_free_text_pii
from duijie.events import planner, selectors
from duijie.events.choices import InvitationStatus
from duijie.events.forms import (
    FollowUpForm,
    IntentionRecordForm,
    InviteSearchForm,
    MeetingRecordForm,
    SlotForm,
)
from duijie.events.models import Event, Invitation, MeetingSlot
from duijie.events.records import EventForm
from duijie.events.services import checkin, intentions, invitations, lifecycle, meetings, registration
from duijie.events.services import followups as followup_services
from duijie.events.suggest import suggest_pairs
from duijie.experts.models import Expert
from duijie.orgs.models import Enterprise, Institution

TABS = (("details", gettext_lazy("Details")), ("invitations", gettext_lazy("Invitations")),
        ("meetings", gettext_lazy("1:1 meetings")), ("outcomes", gettext_lazy("Outcomes")),
        ("minutes", gettext_lazy("Meeting records")))
QR_SALT = "duijie.events.checkin"
PLAN_DEFAULT_SIZE = 10


def _event(request: HttpRequest, pk) -> Event:
    try:
        return selectors.event_get(user=request.user, pk=pk)
    except (Event.DoesNotExist, ValueError, OverflowError):
        raise Http404(_("No such record, or you may not see it."))


def _back(event: Event, tab: str) -> HttpResponse:
    return redirect(f"{reverse('registry:detail', args=['events', event.pk])}?tab={tab}")


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


def _action(tab: str, organiser: bool = True):
    """POST-only action on an event (the organiser's unless ``organiser=False``): refused with 403
    before any input is read if the user may not organise it; other refusals become messages."""

    def deco(fn):
        @wraps(fn)
        @require_POST
        def run(request, pk, *args, **kwargs):
            event = _event(request, pk)
            try:
                if organiser and not selectors.is_organiser(request.user, event):
                    raise PermissionDenied
                done = fn(request, event, *args, **kwargs)
            except ValidationError as exc:
                _errors(request, exc)
            except PermissionDenied:
                audit_failure(user=request.user, action=AuditAction.DENIED, request=request,
                              object_type="events.event", object_id=event.pk,
                              detail={"method": request.method, "path": request.path})
                raise
            else:
                if isinstance(done, HttpResponse):
                    return done
                if done:
                    messages.success(request, done)
            return _back(event, request.POST.get("tab") or tab)

        return run

    return deco


def qr_token(event: Event) -> str:
    return signing.dumps(event.pk, salt=QR_SALT)


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=4, dark="#111", omitsize=False)


# ------------------------------------------------------------------------------------------ pages
def event_add(request: HttpRequest) -> HttpResponse:
    rt = REGISTRY["events"]
    if not core_selectors.can_create(request.user, rt):
        raise PermissionDenied
    form = EventForm(request.POST or None, initial=request.GET.dict() if request.method == "GET" else None,
                     user=request.user)  # scope-limited dropdowns, like every registry form
    if request.method == "POST" and form.is_valid():
        try:
            event = lifecycle.event_create(by=request.user, instance=form.save(commit=False), m2m=form.m2m_data)
        except ValidationError as exc:
            for field, errs in (exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]):
                form.add_error(field if field in form.fields else None, errs)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not do this."))
        else:
            messages.success(request, _("Saved “%(obj)s”.") % {"obj": event})
            _warn_free_text_pii(request, form)
            return redirect(rt.url("detail", event.pk))
    return render(request, "core/record_form.html", {"rt": rt, "form": form, "obj": None})


def event_page(request: HttpRequest, pk) -> HttpResponse:
    rt = REGISTRY["events"]
    event = _event(request, pk)
    if request.method == "POST":
        raise PermissionDenied
    user = request.user
    organiser = selectors.is_organiser(user, event)
    tab = request.GET.get("tab", "details")
    if tab not in dict(TABS):
        tab = "details"
    ctx: dict = {"rt": rt, "obj": event, "event": event, "tab": tab, "organiser": organiser,
                 "tabs": TABS, "can_edit": organiser,
                 "my_invitation": selectors.my_invitation(event=event, user=user),
                 "can_register": bool(registration.party_of(user)), "counts": selectors.invitation_counts(event)}
    ctx["transitions"] = [t for t in rt.transitions if event.status in t.sources] if organiser else []
    if tab == "details":
        ctx["rows"] = _field_rows(rt, event, user, False)
        ctx["funnel"] = {"meetings_held": selectors.slot_list(event=event, user=user, organiser=organiser)
                         .filter(held=True).count(),
                         "intentions": selectors.intention_list(user=user, event=event).count()}
    elif tab == "invitations":
        ctx["invitations"] = selectors.invitation_list(event=event, user=user, organiser=organiser)
        ctx["statuses"] = [c for c in InvitationStatus.choices if c[0] != InvitationStatus.ATTENDED]
        if organiser:
            search = InviteSearchForm(request.GET if "kind" in request.GET else None)
            ctx["search"] = search
            ctx["candidates"] = _candidates(event, user, search) if search.is_bound and search.is_valid() else None
    elif tab == "meetings":
        slots = list(selectors.slot_list(event=event, user=user, organiser=organiser))
        ctx["slots"] = slots
        if organiser:
            ctx["grid"] = selectors.slot_grid(event, slots)
            ctx["slot_form"] = SlotForm(event=event)
            ctx["suggestions"] = suggest_pairs(event, limit=15)
    elif tab == "outcomes":
        ctx["intentions"] = selectors.intention_for_event(user=user, event=event)
        ctx["followups"] = selectors.followup_list(user=user, event=event)
        ctx["today"] = timezone.localdate()
        if organiser:
            ctx["intention_form"] = IntentionRecordForm(event=event, initial=request.GET.dict())
            ctx["followup_form"] = FollowUpForm()
    elif tab == "minutes":
        ctx["records"] = selectors.meeting_record_list(event=event, user=user)
        ctx["today"] = timezone.localdate()
        if organiser:
            ctx["record_form"] = MeetingRecordForm(initial={"held_on": timezone.localdate()})
    return render(request, "events/event_page.html", ctx)


def _candidates(event: Event, user, search: InviteSearchForm) -> list:
    kind = search.cleaned_data["kind"]
    model = {"enterprise": Enterprise, "institution": Institution, "expert": Expert}[kind]
    qs = core_selectors.visible_queryset(model, user)
    q = search.cleaned_data.get("q", "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    if kind == "expert":
        # A search by name is not a recommendation: experts who opted out of being recommended can still be
        # found and invited here; the theme planner (plan_page) never proposes them.
        qs = qs.select_related("institution")
    elif kind == "enterprise":
        qs = qs.select_related("industry")
    invited = Invitation.objects.filter(event=event).exclude(**{kind: None}).values(kind)
    return list(qs.exclude(pk__in=invited).order_by("name")[:50])


@_action("invitations")
def invite(request, event):
    kind = request.POST.get("kind")
    models = {"enterprise": Enterprise, "institution": Institution, "expert": Expert}
    if kind not in models:
        raise ValidationError(_("Choose whom to invite."))
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    if not ids:
        raise ValidationError(_("Tick at least one name to invite."))
    objs = list(core_selectors.visible_queryset(models[kind], request.user).filter(pk__in=ids))
    if len(objs) != len(set(ids)):
        raise ValidationError(_("Some of the chosen records do not exist or you may not see them."))
    created, skipped = invitations.invitation_bulk_add(event=event, by=request.user, **{f"{kind}s": objs})
    if skipped:
        messages.warning(request, _("Already invited: %(names)s") % {"names": "、".join(skipped)})
    return _("%(n)s invited.") % {"n": len(created)}


def _plan_size(raw) -> int:
    try:
        return max(1, min(int(raw), planner.MAX_PER_SIDE))
    except (TypeError, ValueError):
        return PLAN_DEFAULT_SIZE


def plan_page(request: HttpRequest, pk) -> HttpResponse:
    """按主题规划邀请: the enterprises and experts proposed for the event's theme and industries (the
    EVENTS_INVITATION_PLANNER hook), pre-ticked; the organiser unticks and confirms (POST to invite)."""
    event = _event(request, pk)
    if not selectors.is_organiser(request.user, event):
        audit_failure(user=request.user, action=AuditAction.DENIED, request=request, object_type="events.event",
                      object_id=event.pk, detail={"method": request.method, "path": request.path})
        raise PermissionDenied
    if request.method == "POST":
        return plan_confirm(request, pk)
    size = _plan_size(request.GET.get("n", PLAN_DEFAULT_SIZE))
    plan = planner.plan_invitations(event, request.user, enterprises=size, experts=size)
    return render(request, "events/plan.html", {
        "event": event, "obj": event, "rt": REGISTRY["events"], "plan": plan, "size": size,
        "sides": [("enterprise", _("Enterprises to invite"), plan.enterprises),
                  ("expert", _("Experts to invite"), plan.experts)],
        "has_theme": bool(event.theme.strip() or event.industries.exists()),
        "counts": selectors.invitation_counts(event)})


@_action("invitations")
def plan_confirm(request, event):
    chosen = {}
    for kind, model in (("enterprise", Enterprise), ("expert", Expert)):
        ids = {int(i) for i in request.POST.getlist(kind) if i.isdigit()}
        objs = list(core_selectors.visible_queryset(model, request.user).filter(pk__in=ids))
        if len(objs) != len(ids):
            raise ValidationError(_("Some of the chosen records do not exist or you may not see them."))
        chosen[f"{kind}s"] = sorted(objs, key=lambda o: o.pk)
    created, skipped = invitations.invitation_plan_confirm(event=event, by=request.user, **chosen)
    if skipped:
        messages.warning(request, _("Already invited: %(names)s") % {"names": "、".join(skipped)})
    return _("%(n)s invited from the plan.") % {"n": len(created)}


def _invitation(event: Event, inv_id) -> Invitation:
    inv = Invitation.objects.filter(event=event, pk=inv_id).select_related("event").first()
    if inv is None:
        raise Http404
    return inv


@_action("invitations")
def invitation_status(request, event, inv_id):
    inv = invitations.invitation_set_status(invitation=_invitation(event, inv_id), status=request.POST.get("status", ""),
                                         by=request.user)
    return _("%(party)s: %(status)s.") % {"party": inv, "status": inv.get_status_display()}


@_action("invitations")
def invitation_remove(request, event, inv_id):
    inv = _invitation(event, inv_id)
    invitations.invitation_delete(invitation=inv, by=request.user)
    return _("Removed “%(party)s” from the invitations.") % {"party": inv}


@_action("details", organiser=False)
def register(request, event):
    registration.event_register(event=event, by=request.user)
    return _("You are registered for this event.")


@_action("details", organiser=False)
def decline(request, event):
    registration.event_decline(event=event, by=request.user)
    return _("You have declined; your place is free for others.")


# ------------------------------------------------------------------------------------------ check-in
def checkin_page(request: HttpRequest, pk) -> HttpResponse:
    event = _event(request, pk)
    if not selectors.is_organiser(request.user, event):
        raise PermissionDenied
    q = request.GET.get("q", "").strip()[:100]
    invitations = selectors.invitation_list(event=event, user=request.user, organiser=True)
    if q:
        invitations = invitations.filter(Q(enterprise__name__icontains=q) | Q(institution__name__icontains=q)
                                         | Q(expert__name__icontains=q))
    url = request.build_absolute_uri(reverse("events:checkin_self", args=[event.pk, qr_token(event)]))
    return render(request, "events/checkin.html", {
        "event": event, "rt": REGISTRY["events"], "invitations": invitations[:200], "q": q,
        "counts": selectors.invitation_counts(event), "qr": mark_safe(qr_svg(url)), "qr_url": url})  # noqa: S308 (segno SVG of our own URL)


@require_POST
def checkin_desk(request: HttpRequest, pk, inv_id) -> HttpResponse:
    event = _event(request, pk)
    inv = _invitation(event, inv_id)
    try:
        inv = checkin.check_in(invitation=inv, by=request.user, via="desk")
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("%(party)s checked in at %(time)s.")
                         % {"party": inv, "time": timezone.localtime(inv.checked_in_at).strftime("%H:%M")})
    url = reverse("events:checkin", args=[event.pk])
    q = request.POST.get("q", "")
    return redirect(f"{url}?q={q}" if q else url)


def checkin_self(request: HttpRequest, pk, token: str) -> HttpResponse:
    """The page the venue's QR code opens: a logged-in invitee confirms and is checked in."""
    try:
        if signing.loads(token, salt=QR_SALT) != int(pk):
            raise signing.BadSignature
    except (signing.BadSignature, ValueError):
        raise Http404(_("This check-in code is not valid."))
    event = _event(request, pk)
    done = None
    if request.method == "POST":
        try:
            done = checkin.check_in_self(event=event, by=request.user)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Welcome! You are checked in."))
    return render(request, "events/checkin_self.html", {
        "event": event, "done": done, "my_invitation": selectors.my_invitation(event=event, user=request.user),
        "can_check_in": bool(registration.party_of(request.user))})


# ------------------------------------------------------------------------------------- 1:1 meetings
@_action("meetings")
def slot_book(request, event):
    form = SlotForm(request.POST, event=event)
    if not form.is_valid():
        raise ValidationError([f"{form.fields[f].label}: {e}" if f in form.fields else e
                               for f, errs in form.errors.items() for e in errs])
    d = form.cleaned_data
    slot = meetings.slot_book(event=event, by=request.user, enterprise=d["enterprise"], expert=d["expert"],
                              starts_at=d["starts_at"], table=d["table"])
    return _("Booked: %(slot)s.") % {"slot": slot}


def _party(model_path: str, pk):
    obj = apps.get_model(model_path).objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is None:
        raise ValidationError(_("No such record."))
    return obj


@_action("meetings")
def slot_book_suggested(request, event):
    slot = meetings.slot_book_suggested(event=event, by=request.user,
                                        enterprise=_party("orgs.Enterprise", request.POST.get("enterprise")),
                                        expert=_party("experts.Expert", request.POST.get("expert")))
    return _("Booked: %(slot)s at %(time)s, %(table)s.") % {
        "slot": slot, "time": timezone.localtime(slot.starts_at).strftime("%H:%M"), "table": slot.table or "—"}


@_action("meetings")
def slot_fill(request, event):
    booked = meetings.slot_fill_suggested(event=event, by=request.user)
    return _("%(n)s meetings booked from the suggestions.") % {"n": len(booked)}


def _slot(event, slot_id) -> MeetingSlot:
    slot = MeetingSlot.objects.filter(event=event, pk=slot_id).select_related("event").first()
    if slot is None:
        raise Http404
    return slot


@_action("meetings")
def slot_cancel(request, event, slot_id):
    slot = _slot(event, slot_id)
    meetings.slot_cancel(slot=slot, by=request.user)
    return _("Cancelled: %(slot)s.") % {"slot": slot}


@_action("meetings")
def slot_held(request, event, slot_id):
    slot = meetings.slot_set_held(slot=_slot(event, slot_id), by=request.user, held=request.POST.get("held") != "0")
    return _("Held: %(slot)s.") % {"slot": slot} if slot.held else _("Marked as not held: %(slot)s.") % {"slot": slot}


# -------------------------------------------------------------------------------------------- outcomes
@_action("outcomes")
def intention_add(request, event):
    form = IntentionRecordForm(request.POST, event=event)
    if not form.is_valid():
        raise ValidationError([f"{form.fields[f].label}: {e}" if f in form.fields else e
                               for f, errs in form.errors.items() for e in errs])
    d = form.cleaned_data
    slot = _slot(event, d["meeting_slot"]) if d.get("meeting_slot") else None
    intention = intentions.intention_record(event=event, by=request.user, enterprise=d["enterprise"],
                                          institution=d.get("institution"), expert=d.get("expert"),
                                          subject=d["subject"], signed_on=d["signed_on"], meeting_slot=slot)
    return _("Intention recorded: %(obj)s.") % {"obj": intention}


@_action("outcomes")
def followup_add(request, event):
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        raise ValidationError([f"{form.fields[f].label}: {e}" for f, errs in form.errors.items() for e in errs])
    d = form.cleaned_data
    intention = None
    if d.get("intention"):
        intention = selectors.intention_list(user=request.user, event=event).filter(pk=d["intention"]).first()
    task = followup_services.followup_create(event=event, by=request.user, title=d["title"], owner=d["owner"],
                                    due_on=d["due_on"], intention=intention)
    return _("Task added: %(obj)s.") % {"obj": task}


@require_POST
def followup_done(request: HttpRequest, task_id: int) -> HttpResponse:
    task = selectors.followup_list(user=request.user).filter(pk=task_id).first()
    if task is None:
        raise Http404
    try:
        task = followup_services.followup_set_done(task=task, by=request.user, done=request.POST.get("done") != "0")
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Done: %(obj)s.") % {"obj": task} if task.done
                         else _("Reopened: %(obj)s.") % {"obj": task})
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else reverse("events:followups"))


def followups(request: HttpRequest) -> HttpResponse:
    overdue = request.GET.get("overdue") == "1"
    tasks = selectors.followup_list(user=request.user, overdue=overdue)
    return render(request, "events/followups.html", {"tasks": tasks[:500], "overdue": overdue,
                                                      "today": timezone.localdate()})


@_action("minutes")
def meeting_record_add(request, event):
    form = MeetingRecordForm(request.POST)
    if not form.is_valid():
        raise ValidationError([f"{form.fields[f].label}: {e}" for f, errs in form.errors.items() for e in errs])
    d = form.cleaned_data
    record = followup_services.meeting_record_create(event=event, by=request.user, held_on=d["held_on"],
                                            attendees=d["attendees"], decisions=d["decisions"],
                                            actions=d["actions"])
    return _("Meeting record saved (%(n)s actions).") % {"n": record.actions.count()}

