"""Self-registration: the party a logged-in user acts for, registering within capacity and
declining."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from duijie.core import selectors
from duijie.core.choices import AuditAction
from duijie.core.roles import Role
from duijie.events.choices import EventStatus as S
from duijie.events.choices import InvitationStatus as I
from duijie.events.models import Event, Invitation
from duijie.events.services.common import _check_capacity, _lock_event, _saved
from duijie.experts.models import Expert
from duijie.orgs.models import Enterprise, Institution


def party_of(user) -> dict:
    """The enterprise, institution or expert a logged-in user acts for: {"enterprise": obj} etc."""
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
