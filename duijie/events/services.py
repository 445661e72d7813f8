"""Writes for events: creation and status, invitations, self-registration, check-in, 1:1 meeting
slots, intentions, follow-up tasks and meeting records.

Every service owns its transaction, records history (with the acting user) and an audit entry, and
refuses with a Chinese-translated message naming the field. Organiser actions need the right to edit
the event (core.selectors.can_edit: government roles within scope); invitees act only on their own
invitation.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duijie.core import selectors
from duijie.core.audit import audit
from duijie.core.choices import AuditAction
from duijie.core.registry import Transition
from duijie.core.roles import Role
from duijie.core.services import record_save, workflow_service
from duijie.events.choices import EventStatus as S
from duijie.events.choices import InvitationStatus as I
from duijie.events.models import (
    ORGANISER_ROLES,
    Event,
    FollowUpTask,
    Intention,
    Invitation,
    MeetingRecord,
    MeetingSlot,
)

EVENT_TRANSITIONS = (
    Transition("open", gettext_lazy("Open registration"), (S.PLANNED,), S.OPEN, style="success"),
    Transition("hold", gettext_lazy("Mark as held"), (S.PLANNED, S.OPEN), S.HELD),
    Transition("cancel", gettext_lazy("Cancel the event"), (S.PLANNED, S.OPEN), S.CANCELLED, style="danger"),
    Transition("replan", gettext_lazy("Back to planning"), (S.CANCELLED, S.OPEN), S.PLANNED, style="secondary"),
)
event_open = workflow_service(EVENT_TRANSITIONS, "open", "event")
event_hold = workflow_service(EVENT_TRANSITIONS, "hold", "event")
event_cancel = workflow_service(EVENT_TRANSITIONS, "cancel", "event")

LIVE = (I.INVITED, I.REGISTERED, I.ATTENDED)  # invitees who count for places and meetings


def _require_organiser(event: Event, by) -> None:
    if not selectors.can_edit(by, event):
        raise PermissionDenied(_("Only the organiser of this event (or a government office in scope) may do this."))


def _saved(obj, by, action: str, *, event: Event | None = None, **detail):
    obj._history_user = by if getattr(by, "is_authenticated", False) else None
    obj.save()
    audit(user=by, action=action, obj=obj, detail={**detail, **({"event": event.pk} if event else {})})
    return obj


# ---------------------------------------------------------------------------------------------- events
def event_create(*, by, instance: Event, m2m: dict | None = None) -> Event:
    """Create an event. Organisers are city/district science bureaus and park managers; the organiser,
    region, park and assessment unit default to the creator's own, so the event is in their scope."""
    if getattr(by, "role", None) not in ORGANISER_ROLES:
        raise PermissionDenied(_("Only science bureaus and park managers organise events."))
    org = getattr(by, "organisation", None)
    m2m = dict(m2m or {})
    if org is not None:
        if instance.organiser_id is None:
            instance.organiser = org
        if instance.region_id is None:
            instance.region_id = org.region_id
        if instance.park_id is None and by.role == Role.PARK_MANAGER:
            instance.park_id = org.park_id
        if not m2m.get("assessment_units") and org.assessment_unit_id:
            m2m["assessment_units"] = [org.assessment_unit_id]
    return record_save(instance=instance, by=by, m2m=m2m)


# ----------------------------------------------------------------------------------------- invitations
def _party_fields(*, enterprise=None, institution=None, expert=None) -> dict:
    given = {k: v for k, v in (("enterprise", enterprise), ("institution", institution), ("expert", expert)) if v}
    if len(given) != 1:
        raise ValidationError(_("Invite exactly one enterprise, institution or expert at a time."))
    return given


def _check_visible(by, obj) -> None:
    if not selectors.visible_queryset(type(obj), by).filter(pk=obj.pk).exists():
        raise ValidationError(_("“%(party)s” cannot be invited: you may not see this record.") % {"party": obj})


def invitation_add(*, event: Event, by, enterprise=None, institution=None, expert=None,
                   status: str = I.INVITED) -> Invitation:
    _require_organiser(event, by)
    party = _party_fields(enterprise=enterprise, institution=institution, expert=expert)
    (name, obj), = party.items()
    _check_visible(by, obj)
    if event.status == S.CANCELLED:
        raise ValidationError(_("The event is cancelled; nobody can be invited."))
    with transaction.atomic():
        if Invitation.objects.filter(event=event, **party).exists():
            raise ValidationError({name: _("“%(party)s” is already invited to this event.") % {"party": obj}})
        inv = Invitation(event=event, status=status, **party)
        try:
            with transaction.atomic():
                _saved(inv, by, AuditAction.CREATE, event=event)
        except IntegrityError:
            raise ValidationError({name: _("“%(party)s” is already invited to this event.") % {"party": obj}})
    return inv


def invitation_bulk_add(*, event: Event, by, enterprises: Iterable = (), institutions: Iterable = (),
                        experts: Iterable = (), via: str = "") -> tuple[list[Invitation], list[str]]:
    """Invite many at once, all or nothing (one party the user may not see refuses the whole batch);
    parties already invited are skipped and named."""
    _require_organiser(event, by)
    if event.status == S.CANCELLED:
        raise ValidationError(_("The event is cancelled; nobody can be invited."))
    created, skipped = [], []
    with transaction.atomic():
        existing = {(i.enterprise_id, i.institution_id, i.expert_id) for i in event.invitations.all()}
        for kind, objs in (("enterprise", enterprises), ("institution", institutions), ("expert", experts)):
            for obj in objs:
                key = (obj.pk if kind == "enterprise" else None, obj.pk if kind == "institution" else None,
                       obj.pk if kind == "expert" else None)
                if key in existing:
                    skipped.append(str(obj))
                    continue
                _check_visible(by, obj)
                existing.add(key)
                inv = Invitation(event=event, status=I.INVITED, **{kind: obj})
                inv._history_user = by
                inv.save()
                created.append(inv)
        audit(user=by, action=AuditAction.UPDATE, obj=event,
              detail={"invitations_added": len(created), "skipped": len(skipped), **({"via": via} if via else {})})
    return created, skipped


def invitation_plan_confirm(*, event: Event, by, enterprises: Iterable = (), experts: Iterable = ()
                            ) -> tuple[list[Invitation], list[str]]:
    """The organiser confirms the planned list (按主题规划邀请) as adjusted: the kept enterprises and
    experts are invited, all or nothing, each checked against the organiser's scope."""
    enterprises, experts = list(enterprises), list(experts)
    if not enterprises and not experts:
        raise ValidationError(_("Tick at least one name to invite."))
    return invitation_bulk_add(event=event, by=by, enterprises=enterprises, experts=experts, via="plan")


def invitation_set_status(*, invitation: Invitation, status: str, by) -> Invitation:
    """The organiser records a reply (registered / declined) or marks someone absent. Attendance is
    recorded only by check-in; moving away from it clears the check-in time."""
    _require_organiser(invitation.event, by)
    if status not in I.values:
        raise ValidationError({"status": _("Unknown invitation status.")})
    if status == I.ATTENDED:
        raise ValidationError({"status": _("Attendance is recorded by checking in.")})
    with transaction.atomic():
        inv = Invitation.objects.select_for_update().get(pk=invitation.pk)
        old = inv.status
        inv.status = status
        if status != I.ATTENDED:
            inv.checked_in_at, inv.checked_in_by = None, None
        _saved(inv, by, AuditAction.TRANSITION, event=inv.event, **{"from": old, "to": status})
    return inv


def invitation_delete(*, invitation: Invitation, by) -> None:
    _require_organiser(invitation.event, by)
    with transaction.atomic():
        if MeetingSlot.objects.filter(event=invitation.event_id).filter(
                Q(enterprise=invitation.enterprise_id) | Q(expert=invitation.expert_id)).exists():
            raise ValidationError(_("“%(party)s” has 1:1 meetings at this event; cancel them first.")
                                  % {"party": invitation})
        text, pk = str(invitation), invitation.pk
        invitation._history_user = by
        invitation.delete()
        audit(user=by, action=AuditAction.DELETE, object_type="events.invitation", object_id=pk, object_repr=text,
              detail={"event": invitation.event_id})


# --------------------------------------------------------------------------------- self-registration
def party_of(user) -> dict:
    """The enterprise, institution or expert a logged-in user acts for: {"enterprise": obj} etc."""
    from duijie.experts.models import Expert
    from duijie.orgs.models import Enterprise, Institution

    role = getattr(user, "role", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    if role == Role.EXPERT:
        obj = Expert.objects.filter(user=user.pk).first()
        return {"expert": obj} if obj else {}
    if role == Role.ENTERPRISE and user.organisation_id:
        obj = Enterprise.objects.filter(organisation=user.organisation_id).first()
        return {"enterprise": obj} if obj else {}
    if role == Role.INSTITUTION and user.organisation_id:
        obj = Institution.objects.filter(organisation=user.organisation_id).first()
        return {"institution": obj} if obj else {}
    return {}


def _lock_event(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _check_capacity(event: Event) -> None:
    if event.capacity is not None and event.taken_places() >= event.capacity:
        raise ValidationError(_("This event is full (%(n)s places); registration is closed.") % {"n": event.capacity})


def event_register(*, event: Event, by) -> Invitation:
    """Self-registration by a logged-in enterprise, expert or university user for an open event,
    within its capacity (checked with the event row locked, so two last-place registrations cannot
    both succeed)."""
    party = party_of(by)
    if not party:
        raise ValidationError(_("Only enterprise, expert and university accounts can register for events."))
    with transaction.atomic():
        ev = _lock_event(event)
        if not selectors.visible_queryset(Event, by).filter(pk=ev.pk).exists():
            raise PermissionDenied
        if ev.status != S.OPEN:
            raise ValidationError(_("Registration for this event is not open."))
        inv = Invitation.objects.filter(event=ev, **party).first()
        if inv is not None and inv.status in (I.REGISTERED, I.ATTENDED):
            raise ValidationError(_("You are already registered for this event."))
        if inv is None or inv.status in (I.PLANNED, I.DECLINED):
            _check_capacity(ev)  # an invited place is already counted; a new or declined one is not
        if inv is None:
            inv = Invitation(event=ev, self_registered=True, **party)
        inv.status = I.REGISTERED
        _saved(inv, by, AuditAction.UPDATE if inv.pk else AuditAction.CREATE, event=ev, registration="self")
    return inv


def event_decline(*, event: Event, by) -> Invitation:
    """An invitee declines (or withdraws their registration), freeing the place."""
    party = party_of(by)
    with transaction.atomic():
        inv = Invitation.objects.select_for_update().filter(event=event, **party).first() if party else None
        if inv is None:
            raise ValidationError(_("You are not invited to this event."))
        if inv.status == I.ATTENDED:
            raise ValidationError(_("You have already checked in."))
        inv.status = I.DECLINED
        _saved(inv, by, AuditAction.UPDATE, event=event, registration="declined")
    return inv


# ------------------------------------------------------------------------------------------ check-in
def check_in(*, invitation: Invitation, by, via: str = "desk") -> Invitation:
    """Record attendance once. At the desk the organiser checks anyone in; by QR code the invitee
    checks themself in on the day."""
    event = invitation.event
    if via == "desk":
        _require_organiser(event, by)
    else:
        party = party_of(by)
        if not party or getattr(invitation, next(iter(party)) + "_id") != next(iter(party.values())).pk:
            raise PermissionDenied(_("You can only check yourself in."))
        today = timezone.localdate()
        first = timezone.localtime(event.starts_at).date()
        last = timezone.localtime(event.ends_at).date() if event.ends_at else first
        if not first <= today <= last:
            raise ValidationError(_("Check-in by QR code is possible only on the day of the event."))
    if event.status == S.CANCELLED:
        raise ValidationError(_("The event is cancelled."))
    with transaction.atomic():
        inv = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if inv.checked_in_at is not None:
            raise ValidationError(_("“%(party)s” already checked in at %(time)s.")
                                  % {"party": inv, "time": timezone.localtime(inv.checked_in_at).strftime("%H:%M")})
        if inv.status == I.DECLINED and via != "desk":
            raise ValidationError(_("You declined this event; ask the organiser at the desk."))
        inv.status = I.ATTENDED
        inv.checked_in_at = timezone.now()
        inv.checked_in_by = by
        _saved(inv, by, AuditAction.UPDATE, event=event, check_in=via)
    return inv


def check_in_self(*, event: Event, by) -> Invitation:
    """QR code at the venue: an invitee checks in; an uninvited enterprise/expert/university user is
    registered on the spot if the event is open and has room."""
    party = party_of(by)
    if not party:
        raise ValidationError(_("Only enterprise, expert and university accounts can check in."))
    inv = Invitation.objects.filter(event=event, **party).first()
    if inv is None:
        with transaction.atomic():
            ev = _lock_event(event)
            if ev.status not in (S.OPEN, S.HELD):
                raise ValidationError(_("You are not invited to this event."))
            _check_capacity(ev)
            inv = Invitation(event=ev, self_registered=True, status=I.REGISTERED, **party)
            _saved(inv, by, AuditAction.CREATE, event=ev, registration="walk-in")
    return check_in(invitation=inv, by=by, via="qr")


# ------------------------------------------------------------------------------------- 1:1 meetings
def _conflict(event: Event, starts_at: datetime, ends_at: datetime, *, enterprise, expert, table: str,
              exclude_pk=None) -> str | None:
    overlapping = MeetingSlot.objects.filter(event=event, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude_pk:
        overlapping = overlapping.exclude(pk=exclude_pk)
    for slot in overlapping.select_related("enterprise", "expert"):
        when = timezone.localtime(slot.starts_at).strftime("%H:%M")
        if slot.enterprise_id == enterprise.pk:
            return _("“%(party)s” already has a meeting at %(time)s.") % {"party": enterprise, "time": when}
        if slot.expert_id == expert.pk:
            return _("“%(party)s” already has a meeting at %(time)s.") % {"party": expert, "time": when}
        if table and slot.table == table:
            return _("%(table)s is taken at %(time)s.") % {"table": table, "time": when}
    return None


def _book(ev: Event, by, *, enterprise, expert, starts_at: datetime, ends_at: datetime | None,
          table: str) -> MeetingSlot:
    """Book inside a transaction that holds the event row lock."""
    ends_at = ends_at or starts_at + timedelta(minutes=ev.slot_minutes or 20)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("A meeting must end after it starts.")})
    live = Invitation.objects.filter(event=ev, status__in=LIVE)
    if not live.filter(enterprise=enterprise).exists():
        raise ValidationError({"enterprise": _("“%(party)s” is not invited to this event (or declined).")
                               % {"party": enterprise}})
    if not live.filter(expert=expert).exists():
        raise ValidationError({"expert": _("“%(party)s” is not invited to this event (or declined).")
                               % {"party": expert}})
    problem = _conflict(ev, starts_at, ends_at, enterprise=enterprise, expert=expert, table=table)
    if problem:
        raise ValidationError(problem)
    slot = MeetingSlot(event=ev, enterprise=enterprise, expert=expert, starts_at=starts_at, ends_at=ends_at,
                       table=table)
    try:
        with transaction.atomic():
            _saved(slot, by, AuditAction.CREATE, event=ev)
    except IntegrityError:
        raise ValidationError(_("This time is already booked for one of the two, or for the table."))
    return slot


def slot_book(*, event: Event, by, enterprise, expert, starts_at: datetime, ends_at: datetime | None = None,
              table: str = "") -> MeetingSlot:
    """Pair an enterprise with an expert for a 1:1 meeting. Nobody is double-booked: the event row is
    locked (SELECT … FOR UPDATE) while overlaps are checked, so two concurrent bookings of the same
    person serialise and the second is refused; identical start times are also unique in the database."""
    _require_organiser(event, by)
    table = (table or "").strip()
    with transaction.atomic():
        ev = _lock_event(event)
        if ev.status == S.CANCELLED:
            raise ValidationError(_("The event is cancelled."))
        return _book(ev, by, enterprise=enterprise, expert=expert, starts_at=starts_at, ends_at=ends_at,
                     table=table)


def slot_cancel(*, slot: MeetingSlot, by) -> None:
    _require_organiser(slot.event, by)
    with transaction.atomic():
        _lock_event(slot.event)
        text, pk = str(slot), slot.pk
        slot._history_user = by
        slot.delete()
        audit(user=by, action=AuditAction.DELETE, object_type="events.meetingslot", object_id=pk,
              object_repr=text, detail={"event": slot.event_id})


def slot_set_held(*, slot: MeetingSlot, by, held: bool = True) -> MeetingSlot:
    _require_organiser(slot.event, by)
    with transaction.atomic():
        s = MeetingSlot.objects.select_for_update().get(pk=slot.pk)
        s.held = held
        _saved(s, by, AuditAction.UPDATE, event=s.event, held=held)
    return s


def _free_cell(ev: Event, enterprise, expert) -> tuple[datetime, str] | None:
    tables = ev.tables() or [""]
    taken = list(MeetingSlot.objects.filter(event=ev).values_list("starts_at", "ends_at", "table",
                                                                  "enterprise", "expert"))
    step = timedelta(minutes=ev.slot_minutes or 20)
    for t in ev.slot_times():
        end = t + step
        clash = [row for row in taken if row[0] < end and row[1] > t]
        if any(row[3] == enterprise.pk or row[4] == expert.pk for row in clash):
            continue
        used = {row[2] for row in clash}
        for table in tables:
            if table not in used or table == "":
                return t, table
    return None


def slot_book_suggested(*, event: Event, by, enterprise, expert) -> MeetingSlot:
    """Book a suggested pair in the first time and table where both are free."""
    _require_organiser(event, by)
    with transaction.atomic():
        ev = _lock_event(event)
        cell = _free_cell(ev, enterprise, expert)
        if cell is None:
            raise ValidationError(_("No free time left in the grid for “%(a)s” and “%(b)s”.")
                                  % {"a": enterprise, "b": expert})
        return _book(ev, by, enterprise=enterprise, expert=expert, starts_at=cell[0], ends_at=None, table=cell[1])


def slot_fill_suggested(*, event: Event, by, limit: int = 20) -> list[MeetingSlot]:
    """Fill the grid from the ranked suggestions (the EVENTS_PAIR_SUGGESTER hook), best pairs first."""
    from duijie.events.suggest import suggest_pairs

    _require_organiser(event, by)
    booked = []
    with transaction.atomic():
        ev = _lock_event(event)
        for s in suggest_pairs(ev, limit=limit):
            cell = _free_cell(ev, s.enterprise, s.expert)
            if cell is not None:
                booked.append(_book(ev, by, enterprise=s.enterprise, expert=s.expert, starts_at=cell[0],
                                    ends_at=None, table=cell[1]))
    return booked


# -------------------------------------------------------------------------------------------- outcomes
def intention_record(*, event: Event | None, by, enterprise, subject: str, signed_on: date, institution=None,
                     expert=None, notes: str = "", meeting_slot: MeetingSlot | None = None,
                     visibility: str | None = None) -> Intention:
    """Record a cooperation intention (合作意向) signed at (or after) an event. It counts where the event
    counts (region, park, assessment units) and belongs to the enterprise (its owner)."""
    if event is not None:
        _require_organiser(event, by)
    for obj in (enterprise, institution, expert):
        if obj is not None and not selectors.visible_queryset(type(obj), by).filter(pk=obj.pk).exists():
            raise ValidationError(_("“%(party)s”: you may not see this record.") % {"party": obj})
    if expert is not None and institution is None:
        institution = expert.institution
    if meeting_slot is not None and (event is None or meeting_slot.event_id != event.pk):
        raise ValidationError({"meeting_slot": _("This 1:1 meeting belongs to another event.")})
    intention = Intention(event=event, enterprise=enterprise, institution=institution, expert=expert,
                          subject=(subject or "").strip(), signed_on=signed_on, notes=notes, meeting_slot=meeting_slot,
                          owner_org_id=enterprise.organisation_id)
    if visibility:
        intention.visibility = visibility
    m2m = {}
    if event is not None:
        intention.region_id, intention.park_id = event.region_id, event.park_id
        m2m["assessment_units"] = list(event.assessment_units.values_list("pk", flat=True))
    else:
        intention.region_id, intention.park_id = enterprise.region_id, enterprise.park_id
        m2m["assessment_units"] = list(enterprise.assessment_units.values_list("pk", flat=True))
    return record_save(instance=intention, by=by, m2m=m2m)


def followup_create(*, event: Event, by, title: str, owner, due_on: date, intention: Intention | None = None,
                    meeting_record: MeetingRecord | None = None) -> FollowUpTask:
    _require_organiser(event, by)
    if intention is not None and intention.event_id != event.pk:
        raise ValidationError({"intention": _("This intention belongs to another event.")})
    if meeting_record is not None and meeting_record.event_id != event.pk:
        raise ValidationError({"meeting_record": _("This meeting record belongs to another event.")})
    task = _followup(event, title=title, owner=owner, due_on=due_on, intention=intention,
                     meeting_record=meeting_record)
    with transaction.atomic():
        _saved(task, by, AuditAction.CREATE, event=event)
    return task


def _followup(event, *, title, owner, due_on, intention=None, meeting_record=None, row: int | None = None):
    prefix = _("Action %(n)s: ") % {"n": row} if row else ""
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": prefix + _("Describe the task.")})
    if owner is None or not getattr(owner, "is_active", False):
        raise ValidationError({"owner": prefix + _("Name an active user as the owner.")})
    if not isinstance(due_on, date):
        raise ValidationError({"due_on": prefix + _("Give a due date.")})
    return FollowUpTask(event=event, title=title[:300], owner=owner, due_on=due_on, intention=intention,
                        meeting_record=meeting_record)


def followup_set_done(*, task: FollowUpTask, by, done: bool = True) -> FollowUpTask:
    """The owner or the organiser ticks a task off (or reopens it)."""
    if task.owner_id != getattr(by, "pk", None):
        _require_organiser(task.event, by)
    with transaction.atomic():
        t = FollowUpTask.objects.select_for_update().get(pk=task.pk)
        t.done = done
        t.done_at = timezone.now() if done else None
        _saved(t, by, AuditAction.UPDATE, event=t.event, done=done)
    return t


def meeting_record_create(*, event: Event, by, held_on: date, attendees: str, decisions: str, notes: str = "",
                          actions: Iterable[tuple[str, object, date]] = ()) -> MeetingRecord:
    """Minutes of a joint or liaison meeting with its actions (owner, due date), all or nothing."""
    _require_organiser(event, by)
    record = MeetingRecord(event=event, held_on=held_on, attendees=(attendees or "").strip(),
                           decisions=(decisions or "").strip(), notes=notes or "")
    record.full_clean(exclude=["event"])
    with transaction.atomic():
        _saved(record, by, AuditAction.CREATE, event=event)
        for n, (title, owner, due_on) in enumerate(actions, start=1):
            task = _followup(event, title=title, owner=owner, due_on=due_on, meeting_record=record, row=n)
            _saved(task, by, AuditAction.CREATE, event=event)
    return record


def meeting_record_update(*, record: MeetingRecord, by, held_on: date, attendees: str, decisions: str,
                          notes: str = "") -> MeetingRecord:
    _require_organiser(record.event, by)
    with transaction.atomic():
        r = MeetingRecord.objects.select_for_update().get(pk=record.pk)
        r.held_on, r.attendees, r.decisions, r.notes = held_on, (attendees or "").strip(), (decisions or "").strip(), notes
        r.full_clean(exclude=["event"])
        _saved(r, by, AuditAction.UPDATE, event=r.event)
    return r
