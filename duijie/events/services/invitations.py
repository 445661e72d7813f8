"""Invitations by the organiser: one party, many at once, the confirmed plan (按主题规划邀请), replies
and removal."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from duijie.core import changes, selectors
from duijie.core.audit import audit
from duijie.core.choices import AuditAction
from duijie.events.choices import EventStatus as S
from duijie.events.choices import InvitationStatus as I
from duijie.events.models import Event, Invitation, MeetingSlot
from duijie.events.services.common import _require_organiser, _saved


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
        changes.announce(changes.Kind.CREATED, Invitation, [i.pk for i in created])
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
        changes.announce(changes.Kind.DELETED, Invitation, [pk])
