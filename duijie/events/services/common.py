"""What every events service shares: the organiser check, the save that records history and an audit
entry, and the event row lock with the capacity check taken under it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from duijie.core import changes, selectors
from duijie.core.audit import audit
from duijie.events.models import Event


def _require_organiser(event: Event, by) -> None:
    if not selectors.can_edit(by, event):
        raise PermissionDenied(_("Only the organiser of this event (or a government office in scope) may do this."))


def _saved(obj, by, action: str, *, event: Event | None = None, **detail):
    creating = obj.pk is None
    obj._history_user = by if getattr(by, "is_authenticated", False) else None
    obj.save()
    audit(user=by, action=action, obj=obj, detail={**detail, **({"event": event.pk} if event else {})})
    changes.announce(changes.Kind.CREATED if creating else changes.Kind.UPDATED, type(obj), [obj.pk])
    return obj


def _lock_event(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _check_capacity(event: Event) -> None:
    if event.capacity is not None and event.taken_places() >= event.capacity:
        raise ValidationError(_("This event is full (%(n)s places); registration is closed.") % {"n": event.capacity})
