"""1:1 meeting slots: booking without double-booking anyone (event row locked), cancelling, marking
held, and filling the grid from the suggested pairs."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duijie.core import changes
from duijie.core.audit import audit
from duijie.core.choices import AuditAction
from duijie.events.choices import EventStatus as S
from duijie.events.choices import InvitationStatus as I
from duijie.events.models import Event, Invitation, MeetingSlot
from duijie.events.services.common import _lock_event, _require_organiser, _saved
from duijie.events.suggest import suggest_pairs

LIVE = (I.INVITED, I.REGISTERED, I.ATTENDED)  # invitees who count for places and meetings


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
        changes.announce(changes.Kind.DELETED, MeetingSlot, [pk])


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
