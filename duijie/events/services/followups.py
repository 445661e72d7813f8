"""Follow-up tasks and the meeting records (minutes) whose actions become follow-up tasks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duijie.core.choices import AuditAction
from duijie.events.models import Event, FollowUpTask, Intention, MeetingRecord
from duijie.events.services.common import _require_organiser, _saved


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
