"""Writes for organisations (institutions, enterprises and their sub-records)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from duijie.core import bulk, changes
from duijie.core.models import Organisation
from duijie.core.services import record_bulk_upsert
from duijie.orgs.models import Enterprise, Institution
from duijie.orgs.validators import uscc_region_warning

__all__ = ["enterprise_bulk_upsert", "institution_bulk_upsert", "uscc_region_warning"]


def _organisation_backed_bulk_upsert(*, model, creates=(), updates=(), fields=(), by, now=None, **kwargs) -> None:
    """``record_bulk_upsert`` for records that are also organisations: new records get their
    organisation (and own themselves), renamed or moved ones carry their organisation along —
    what ``OrganisationBacked.save`` does for one record, here in bulk."""
    now = now or timezone.now()
    with transaction.atomic():
        orgs = [bulk.new_instance(Organisation, {"kind": model.org_kind, "name": o.name, "region_id": o.region_id,
                                                 "park_id": getattr(o, "park_id", None)}) for o in creates]
        bulk.insert(Organisation, orgs, now=now)
        for obj, org in zip(creates, orgs, strict=True):
            obj.organisation_id = org.pk
            if obj.owner_org_id is None:
                obj.owner_org_id = org.pk
        if {"name", "region_id"} & set(fields):
            moved = [bulk.new_instance(Organisation, {"id": o.organisation_id, "name": o.name, "region_id": o.region_id})
                     for o in updates if o.organisation_id]
            bulk.update(Organisation, moved, ["name", "region_id"], now=now)
            changes.announce(changes.Kind.UPDATED, Organisation, [o.pk for o in moved], fields=["name", "region"],
                             bulk=True)
        changes.announce(changes.Kind.CREATED, Organisation, [o.pk for o in orgs], bulk=True)
        record_bulk_upsert(model=model, creates=creates, updates=updates, fields=fields, by=by, now=now, **kwargs)


def enterprise_bulk_upsert(*, creates=(), updates=(), fields=(), by, now=None, **kwargs) -> None:
    """Create and update thousands of enterprises at once, with their organisations, history and one
    audit entry (imports). See ``core.services.record_bulk_upsert`` for the arguments."""
    _organisation_backed_bulk_upsert(model=Enterprise, creates=creates, updates=updates, fields=fields, by=by,
                                     now=now, **kwargs)


def institution_bulk_upsert(*, creates=(), updates=(), fields=(), by, now=None, **kwargs) -> None:
    """As ``enterprise_bulk_upsert``, for institutions (imports, provisional institutions)."""
    _organisation_backed_bulk_upsert(model=Institution, creates=creates, updates=updates, fields=fields, by=by,
                                     now=now, **kwargs)
