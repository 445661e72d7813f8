"""Events themselves: creation (organiser, region, park and assessment unit default to the creator's
own) and the status transitions."""

from __future__ import annotations

from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from duijie.core.registry import Transition
from duijie.core.roles import Role
from duijie.core.services import record_save, workflow_service
from duijie.events.choices import EventStatus as S
from duijie.events.models import ORGANISER_ROLES, Event

EVENT_TRANSITIONS = (
    Transition("open", gettext_lazy("Open registration"), (S.PLANNED,), S.OPEN, style="success"),
    Transition("hold", gettext_lazy("Mark as held"), (S.PLANNED, S.OPEN), S.HELD),
    Transition("cancel", gettext_lazy("Cancel the event"), (S.PLANNED, S.OPEN), S.CANCELLED, style="danger"),
    Transition("replan", gettext_lazy("Back to planning"), (S.CANCELLED, S.OPEN), S.PLANNED, style="secondary"),
)
event_open = workflow_service(EVENT_TRANSITIONS, "open", "event")
event_hold = workflow_service(EVENT_TRANSITIONS, "hold", "event")
event_cancel = workflow_service(EVENT_TRANSITIONS, "cancel", "event")


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


def events_mark_held(today: date) -> dict[str, int]:
    """The calendar's daily job: an open event that ended before ``today`` is marked held (no longer
    报名中). Between its start and end its page shows 进行中 (``Event.phase``). Idempotent."""
    midnight = timezone.make_aware(datetime.combine(today, time.min))
    over = Q(ends_at__lt=midnight) | Q(ends_at__isnull=True, starts_at__lt=midnight)
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Marked held automatically: the event has ended")
    held = 0
    for event in Event.objects.filter(over, status=S.OPEN).order_by("pk").iterator():
        if event.ends() < midnight:
            event_hold(instance=event, by=None, reason=reason)
            held += 1
    return {"held": held}
