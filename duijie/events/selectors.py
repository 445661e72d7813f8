"""Reads for the event page. Event visibility comes from core.selectors (scope + visibility);
the invitee list, the 1:1 grid, follow-ups and meeting records are the organiser's: others see only
their own invitation and their own meetings."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from duijie.core import selectors
from duijie.core.registry import REGISTRY
from duijie.events.choices import InvitationStatus as I
from duijie.events.models import Event, FollowUpTask, Invitation, MeetingRecord, MeetingSlot
from duijie.events.services.registration import party_of


def event_get(*, user, pk) -> Event:
    """An event the user may read; raises Event.DoesNotExist otherwise."""
    return selectors.record_get(record_type=REGISTRY["events"], user=user, pk=pk)


def is_organiser(user, event: Event) -> bool:
    return selectors.can_edit(user, event)


def invitation_list(*, event: Event, user, organiser: bool | None = None) -> QuerySet:
    organiser = is_organiser(user, event) if organiser is None else organiser
    qs = Invitation.objects.filter(event=event).select_related("enterprise", "institution", "expert",
                                                               "expert__institution")
    if organiser:
        return qs
    party = party_of(user)
    return qs.filter(**party) if party else qs.none()


def invitation_counts(event: Event) -> dict[str, int]:
    rows = dict(Invitation.objects.filter(event=event).values_list("status").annotate(n=Count("pk")))
    counts = {s: rows.get(s, 0) for s in I.values}
    counts["total"] = sum(rows.values())
    counts["checked_in"] = Invitation.objects.filter(event=event, checked_in_at__isnull=False).count()
    return counts


def my_invitation(*, event: Event, user) -> Invitation | None:
    party = party_of(user)
    return Invitation.objects.filter(event=event, **party).first() if party else None


def slot_list(*, event: Event, user, organiser: bool | None = None) -> QuerySet:
    organiser = is_organiser(user, event) if organiser is None else organiser
    qs = MeetingSlot.objects.filter(event=event).select_related("enterprise", "expert", "expert__institution")
    if organiser:
        return qs
    party = party_of(user)
    if "enterprise" in party:
        return qs.filter(enterprise=party["enterprise"])
    if "expert" in party:
        return qs.filter(expert=party["expert"])
    return qs.none()


def slot_grid(event: Event, slots) -> dict:
    """Rows = start times, columns = tables; each cell the slot there (or None). Slots at a table not in
    the grid or at an off-grid time are listed apart."""
    times = event.slot_times()
    tables = event.tables()
    cells = {(timezone.localtime(s.starts_at), s.table): s for s in slots}
    rows = [{"time": t, "cells": [{"table": tb, "slot": cells.pop((t, tb), None)} for tb in tables]} for t in times]
    return {"tables": tables, "rows": rows, "other": sorted(cells.values(), key=lambda s: (s.starts_at, s.table))}


def intention_list(*, user, event: Event | None = None) -> QuerySet:
    qs = selectors.record_list(record_type=REGISTRY["intentions"], user=user)
    return qs.filter(event=event) if event is not None else qs


def followup_list(*, user, event: Event | None = None, overdue: bool = False) -> QuerySet:
    """Tasks of events the user organises (may edit), and tasks the user owns."""
    editable = selectors.editable_queryset(Event, user).values("pk")
    qs = FollowUpTask.objects.filter(Q(event__in=editable) | Q(owner=user.pk))
    if event is not None:
        qs = qs.filter(event=event)
    if overdue:
        qs = qs.filter(done=False, due_on__lt=timezone.localdate())
    return qs.select_related("event", "owner", "intention", "meeting_record")


def meeting_record_list(*, event: Event, user) -> QuerySet:
    if not is_organiser(user, event):
        return MeetingRecord.objects.none()
    return MeetingRecord.objects.filter(event=event).prefetch_related("actions__owner")


def intention_for_event(*, user, event: Event) -> QuerySet:
    return intention_list(user=user, event=event).select_related("enterprise", "institution", "expert")

