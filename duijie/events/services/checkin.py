"""Check-in: at the desk by the organiser, or by QR code by the invitee on the day (walk-ins are
registered on the spot when the event is open and has room)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duijie.core.choices import AuditAction
from duijie.events.choices import EventStatus as S
from duijie.events.choices import InvitationStatus as I
from duijie.events.models import Event, Invitation
from duijie.events.services.common import _check_capacity, _lock_event, _require_organiser, _saved
from duijie.events.services.registration import party_of


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
