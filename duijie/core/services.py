"""Generic writes for registry records: create/update/delete/transition.

Each owns its transaction, records history (django-simple-history, with the acting user) and an
audit entry (field names only, never values). Domain services call these and add their rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Model, ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from duijie.core import bulk, changes
from duijie.core.audit import audit
from duijie.core.choices import AuditAction, Visibility
from duijie.core.models import Grant, RecordBase
from duijie.core.registry import Transition
from duijie.core.roles import Role
from duijie.core.scope import scope_field_errors, scope_field_names
from duijie.core.selectors import can_edit, editable_queryset


class StaleRecord(ValidationError):
    """The record changed (or went) after the writer read it: nothing was written.

    ``expected`` is the version the writer read, ``current`` the stored one (None: deleted). A
    ValidationError, so a caller that does not know about versions still refuses with a message
    (never a 500); the generic edit page shows both versions, the API answers 412/409."""

    def __init__(self, model: type[Model], pk, expected, current):
        self.model, self.pk, self.expected, self.current = model, pk, expected, current
        if current is None:
            message = _("This record was deleted by someone else meanwhile; nothing was saved.")
        else:
            message = _("This record was changed by someone else meanwhile (you edited version %(expected)s, "
                        "the stored one is version %(current)s); nothing was saved. Reload it and edit again.") \
                % {"expected": expected, "current": current}
        super().__init__(message, code="stale")


def is_versioned(model: type[Model]) -> bool:
    return any(f.name == "version" for f in model._meta.concrete_fields)


def claim_version(model: type[Model], pk, expected: int) -> int:
    """Move the stored record from version ``expected`` to the next one, or raise :class:`StaleRecord`.

    One conditional UPDATE (``… SET version = version + 1 WHERE pk = %s AND version = %s``): of two
    writers that read the same version, the second finds no row — on PostgreSQL it waits for the
    first one's row lock and then re-checks the condition against the committed row; on SQLite the
    write lock serialises them. Must run inside the caller's transaction (the row stays locked)."""
    if not model._base_manager.filter(pk=pk, version=expected).update(version=F("version") + 1):
        current = model._base_manager.filter(pk=pk).values_list("version", flat=True).first()
        raise StaleRecord(model, pk, expected, current)
    return int(expected) + 1


def _stored(instance: Model) -> Model | None:
    """The record as stored now (None: new, or gone)."""
    if instance.pk is None:
        return None
    return type(instance)._default_manager.filter(pk=instance.pk).first()


def _changed_fields(instance: Model, old: Model | None = None) -> list[str]:
    old = old if old is not None else _stored(instance)
    if old is None:
        return []
    return [f.name for f in instance._meta.concrete_fields
            if f.editable and getattr(old, f.attname) != getattr(instance, f.attname)]


def _relations(instance: Model, names) -> dict[str, tuple[type[Model], str | None, set]]:
    """For each named foreign key or many-to-many field of ``instance`` (as stored now): the related
    model, the name of the relation on that side, and the related pks."""
    out = {}
    for name in names:
        f = instance._meta.get_field(name)
        if not f.is_relation or f.related_model is None or not (f.many_to_many or f.many_to_one):
            continue
        back = None if f.remote_field.hidden else (f.remote_field.get_accessor_name() or f.name)
        if f.many_to_many:
            pks = set(getattr(instance, name).values_list("pk", flat=True)) if instance.pk is not None else set()
        else:
            pks = {getattr(instance, f.attname)} - {None}
        out[name] = (f.related_model, back, pks)
    return out


def _announce_relations(before: dict, after: dict) -> None:
    """The records on the other side of a changed relation changed too (their reverse relation):
    e.g. a project's old and new experts, so copies keyed on those records (past cooperation
    partners in matching) hear of it even after the old ones are gone."""
    for name in before.keys() | after.keys():
        model, back, old = before.get(name) or (*after[name][:2], set())
        new = after.get(name, (None, None, set()))[2]
        if old != new and back is not None:  # a hidden relation (related_name="+") has no other side
            changes.announce(changes.Kind.UPDATED, model, sorted(old ^ new, key=str), fields=[back])


def _announce_save(instance: Model, creating: bool, changed: list[str], m2m_names) -> None:
    model = type(instance)
    names = set(changed) | set(m2m_names)
    changes.announce(changes.Kind.CREATED if creating else changes.Kind.UPDATED, model, [instance.pk], fields=names)
    scope = set(scope_field_names(model))
    if not creating and names & scope:
        changes.announce(changes.Kind.VISIBILITY_CHANGED, model, [instance.pk], fields=names & scope)


def record_save(*, instance: Model, by, m2m: dict[str, Any] | None = None, validate: bool = True) -> Model:
    """Create or update one record with its many-to-many values, all or nothing.

    An update of a versioned record writes only if the stored version is still ``instance.version``
    — the version the writer read (the edit form's hidden field, the API's If-Match) — and moves it
    on by one; otherwise :class:`StaleRecord` and nothing is written."""
    creating = instance.pk is None
    if not creating and is_versioned(type(instance)):
        expected = instance.version
        try:
            with transaction.atomic():
                instance.version = claim_version(type(instance), instance.pk, expected)
                instance._version_claimed = True
                return _record_save(instance, by, m2m, validate, creating)
        except BaseException:
            instance.version, instance._version_claimed = expected, False
            raise
    with transaction.atomic():
        return _record_save(instance, by, m2m, validate, creating)


def _record_save(instance: Model, by, m2m: dict[str, Any] | None, validate: bool, creating: bool) -> Model:
    if creating and isinstance(instance, RecordBase):
        instance.filed_by = by if getattr(by, "is_authenticated", False) else None
        instance.filed_by_org_id = getattr(by, "organisation_id", None)
        if instance.owner_org_id is None and not getattr(by, "is_government", False):
            instance.owner_org_id = getattr(by, "organisation_id", None)
    m2m = dict(m2m or {})
    # The fields that decide who sees the record: set only by those entitled to (core.scope).
    errors = scope_field_errors(instance, by, m2m) if getattr(by, "is_authenticated", False) else {}
    if errors:
        raise ValidationError(errors)
    if validate:
        instance.full_clean(exclude=list(m2m))
    old = None if creating else _stored(instance)
    changed = _changed_fields(instance, old) if old is not None else []
    relation_names = list(m2m) + changed
    before = _relations(old, relation_names) if old is not None else {}
    instance._history_user = by if getattr(by, "is_authenticated", False) else None
    instance.save()
    for name, values in m2m.items():
        getattr(instance, name).set(values)
    _check_scope(instance, by)
    after = _relations(instance, relation_names)
    nothing: tuple[None, None, set] = (None, None, set())
    m2m_changed = [n for n in m2m if n not in after or after[n][2] != before.get(n, nothing)[2]]
    _announce_save(instance, creating, changed, m2m_changed)
    _announce_relations(before, after)
    audit(user=by, action=AuditAction.CREATE if creating else AuditAction.UPDATE, obj=instance,
          detail={"fields": changed + sorted(m2m)} if not creating else {})
    return instance


def _check_scope(instance: Model, by) -> None:
    """A write must leave the record inside the writer's scope (and, for records that belong to a
    parent such as a demand's enterprise, the parent too); otherwise it is refused and the
    transaction rolls back. System writes (by=None: migrations, the demo generator) are exempt."""
    if by is None or not getattr(by, "is_authenticated", False):
        return

    model = type(instance)
    if not editable_queryset(model, by).filter(pk=instance.pk).exists():
        raise PermissionDenied(_("This record would fall outside your scope; nothing was saved."))
    for name in getattr(model, "SCOPE_PARENTS", ()):
        parent = getattr(instance, name)
        if parent is not None and not editable_queryset(type(parent), by).filter(pk=parent.pk).exists():
            raise PermissionDenied(_("“%(parent)s” is not yours to file for; nothing was saved.") % {"parent": parent})


def record_delete(*, instance: Model, by, expected_version: int | None = None) -> None:
    """Delete one record; given ``expected_version`` (the API's If-Match), only while the stored
    record is still that version (:class:`StaleRecord` otherwise)."""
    with transaction.atomic():
        if expected_version is not None and is_versioned(type(instance)):
            claim_version(type(instance), instance.pk, expected_version)
        label, pk, text = instance._meta.label_lower, instance.pk, str(instance)
        model = type(instance)
        # Its relations as stored before the delete (a project's parties): those records changed too.
        relations = _relations(instance, [f.name for f in model._meta.get_fields()
                                          if (f.many_to_one and f.concrete) or (f.many_to_many and not f.auto_created)])
        instance._history_user = by if getattr(by, "is_authenticated", False) else None
        try:
            instance.delete()
        except ProtectedError as exc:
            names = sorted({str(o._meta.verbose_name) for o in exc.protected_objects})
            raise ValidationError(
                _("This record is still referenced by: %(names)s. Remove those references first.")
                % {"names": "、".join(names)}
            ) from exc
        audit(user=by, action=AuditAction.DELETE, object_type=label, object_id=pk, object_repr=text)
        changes.announce(changes.Kind.DELETED, model, [pk])
        _announce_relations(relations, {})


def record_transition(*, instance: Model, transition: Transition, by, reason: str = "",
                      allowed: bool = True, expected_version: int | None = None) -> Model:
    """Move a workflow record along ``transition`` (status change + audit + history); a new version.
    Given ``expected_version`` (the API's If-Match), only from that version (:class:`StaleRecord`)."""
    if not allowed:
        raise PermissionDenied(_("You may not do this."))
    with transaction.atomic():
        versioned = is_versioned(type(instance))
        if versioned and expected_version is not None:
            # Claimed first: the row is locked (PostgreSQL) before it is read below.
            claim_version(type(instance), instance.pk, expected_version)
        locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        if versioned and expected_version is None:
            claim_version(type(instance), locked.pk, locked.version)
            locked.version += 1
        if versioned:
            locked._version_claimed = True
        # A model may refuse a step in its own words first (e.g. "not signed yet") …
        if hasattr(locked, "check_transition"):
            locked.check_transition(transition, reason)
        if locked.status not in transition.sources:
            raise ValidationError(
                _("“%(action)s” is not possible while the record is “%(status)s”.")
                % {"action": transition.label, "status": locked.get_status_display()}
            )
        if transition.needs_reason and not reason.strip():
            raise ValidationError({"reason": _("Please give a reason.")})
        old = locked.status
        locked.status = transition.target
        if hasattr(locked, "return_reason"):
            locked.return_reason = reason.strip() if transition.needs_reason else ""
        # … and set its own fields on the way (stage dates, the reason kept on the record).
        if hasattr(locked, "apply_transition"):
            locked.apply_transition(transition, reason)
        stamp = f"{transition.target}_at"
        if hasattr(locked, stamp):
            setattr(locked, stamp, timezone.now())
        locked._history_user = by
        locked._change_reason = reason[:100] if reason else transition.name
        changed = _changed_fields(locked)
        locked.save()
        audit(user=by, action=AuditAction.TRANSITION, obj=locked,
              detail={"from": old, "to": transition.target, "transition": transition.name})
        _announce_save(locked, False, changed, ())
    return locked


def workflow_service(transitions: tuple[Transition, ...], name: str, entity: str):
    """The named service for one workflow step, e.g. ``demand_publish = workflow_service(STEPS, "publish",
    "demand")``: ``demand_publish(instance=demand, by=user, reason="")``."""
    step = next(t for t in transitions if t.name == name)

    def run(*, instance: Model, by, reason: str = "", allowed: bool = True) -> Model:
        return record_transition(instance=instance, transition=step, by=by, reason=reason, allowed=allowed)

    run.__name__ = run.__qualname__ = f"{entity}_{name}"
    return run


def grant_create(*, obj: Model, to_user, by, purpose: str = "access", expires_on=None):
    """Let ``to_user`` read one restricted record (or assign a broker to it). Only someone who may
    edit the record grants; classified records are never opened this way."""
    if not can_edit(by, obj):
        raise PermissionDenied(_("You may not share this record."))
    if getattr(obj, "visibility", None) == Visibility.CLASSIFIED:
        raise ValidationError(_("Classified (不宜公开) records cannot be shared."))
    if purpose == "broker" and getattr(to_user, "role", None) != Role.BROKER:
        raise ValidationError(_("Only technology brokers can be assigned."))
    with transaction.atomic():
        grant, _created = Grant.objects.update_or_create(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk, user=to_user,
            defaults={"purpose": purpose, "granted_by": by, "expires_on": expires_on})
        audit(user=by, action=AuditAction.UPDATE, obj=obj,
              detail={"grant": {"user": to_user.pk, "purpose": purpose}})
        changes.announce(changes.Kind.VISIBILITY_CHANGED, type(obj), [obj.pk], fields=["grants"])
    return grant


def grant_revoke(*, grant, by) -> None:
    obj = grant.content_type.get_object_for_this_type(pk=grant.object_id)
    if not can_edit(by, obj):
        raise PermissionDenied(_("You may not change who sees this record."))
    with transaction.atomic():
        user_id = grant.user_id
        grant.delete()
        audit(user=by, action=AuditAction.UPDATE, obj=obj, detail={"grant_revoked": {"user": user_id}})
        changes.announce(changes.Kind.VISIBILITY_CHANGED, type(obj), [obj.pk], fields=["grants"])


class BulkWriteFailed(Exception):
    """One batch of a bulk write failed; ``objs`` is that batch (the transaction rolls back)."""

    def __init__(self, objs, error: Exception):
        super().__init__(str(error))
        self.objs, self.error = objs, error


def record_bulk_upsert(*, model: type[Model], creates: Sequence[Model] = (), updates: Sequence[Model] = (),
                       fields: Sequence[str] = (), by, now=None, audit_entry: dict[str, Any] | None = None,
                       batch_size: int = 1000, insert_batch=None, update_batch=None) -> None:
    """Create ``creates`` and write ``fields`` (attnames) of ``updates`` — thousands of records at a
    time, all or nothing — with a history row per record and one audit entry for the whole call.

    Records arrive validated (the caller checked fields and ``clean()``), with filed-by and owner
    set. ``insert_batch(model, objs, user, now)`` / ``update_batch(model, objs, fields, user, now)``
    write one batch (default: :mod:`duijie.core.bulk`); a batch that raises ends the call with
    :class:`BulkWriteFailed` naming its records, and the transaction is rolled back.
    """
    now = now or timezone.now()
    actor = by if getattr(by, "is_authenticated", False) else None
    insert_batch = insert_batch or (lambda m, objs, user, when: bulk.insert(m, objs, now=when, user=user))
    update_batch = update_batch or (lambda m, objs, names, user, when: bulk.update(m, objs, names, now=when, user=user))
    with transaction.atomic():
        for i in range(0, len(creates), batch_size):
            chunk = creates[i:i + batch_size]
            try:
                insert_batch(model, chunk, actor, now)
            except Exception as exc:
                raise BulkWriteFailed(chunk, exc) from exc
        for i in range(0, len(updates), batch_size):
            chunk = updates[i:i + batch_size]
            try:
                update_batch(model, chunk, list(fields), actor, now)
            except Exception as exc:
                raise BulkWriteFailed(chunk, exc) from exc
        entry = {"object_type": model._meta.label_lower,
                 "object_repr": f"{model._meta.verbose_name_plural}: +{len(creates)} ~{len(updates)}",
                 "detail": {"bulk": True, "created": len(creates), "updated": len(updates)}}
        entry.update(audit_entry or {})
        action = entry.pop("action", AuditAction.CREATE if creates or not updates else AuditAction.UPDATE)
        audit(user=by, action=action, **entry)
        # Bulk writes skip save(): say what was written, once per call, on the bulk lane.
        changes.announce(changes.Kind.CREATED, model, [o.pk for o in creates], bulk=True)
        changes.announce(changes.Kind.UPDATED, model, [o.pk for o in updates], fields=_names(model, fields), bulk=True)


def _names(model: type[Model], attnames) -> list[str]:
    """Field names for attnames (``region_id`` → ``region``)."""
    by_attname = {f.attname: f.name for f in model._meta.concrete_fields}
    return [by_attname.get(a, a) for a in attnames]
