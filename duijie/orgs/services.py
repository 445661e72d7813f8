"""Writes for organisations (institutions, enterprises and their sub-records)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from duijie.core.models import Region
from duijie.core.validators import normalise_uscc


def uscc_region_warning(uscc: str) -> str | None:
    """A USCC whose registration-region prefix (chars 3–8) is not in the region table is only a
    warning: real codes use prefixes outside GB/T 2260 (320594 苏州工业园区) and abolished districts."""
    code = normalise_uscc(uscc or "")
    if len(code) != 18:
        return None
    prefix = code[2:8]
    # Region codes are stored short: province "32", city "3204", district "320412".
    short = prefix[:2] if prefix.endswith("0000") else prefix[:4] if prefix.endswith("00") else prefix
    if Region.objects.filter(code=short).exists():
        return None
    return _("The registration-region code %(prefix)s in this credit code is not in the region table "
             "(it may be a development zone or an abolished district); please check.") % {"prefix": prefix}


def _organisation_backed_bulk_upsert(*, model, creates=(), updates=(), fields=(), by, now=None, **kwargs) -> None:
    """``record_bulk_upsert`` for records that are also organisations: new records get their
    organisation (and own themselves), renamed or moved ones carry their organisation along —
    what ``OrganisationBacked.save`` does for one record, here in bulk."""
    from django.db import transaction
    from django.utils import timezone

    from duijie.core import bulk, changes
    from duijie.core.models import Organisation
    from duijie.core.services import record_bulk_upsert

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
    from duijie.orgs.models import Enterprise

    _organisation_backed_bulk_upsert(model=Enterprise, creates=creates, updates=updates, fields=fields, by=by,
                                     now=now, **kwargs)


def institution_bulk_upsert(*, creates=(), updates=(), fields=(), by, now=None, **kwargs) -> None:
    """As ``enterprise_bulk_upsert``, for institutions (imports, provisional institutions)."""
    from duijie.orgs.models import Institution

    _organisation_backed_bulk_upsert(model=Institution, creates=creates, updates=updates, fields=fields, by=by,
                                     now=now, **kwargs)
