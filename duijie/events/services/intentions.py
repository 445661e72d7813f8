"""Cooperation intentions (合作意向) signed at or after an event."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from duijie.core import selectors
from duijie.core.services import record_save
from duijie.events.models import Event, Intention, MeetingSlot
from duijie.events.services.common import _require_organiser


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
