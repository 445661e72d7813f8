"""Writing the plan all or nothing: provisional institutions first, then the records in batches
through their app's bulk upsert service (history and one audit entry), then many-to-many links."""

from __future__ import annotations

import importlib
from functools import partial

from django.utils import timezone
from django.utils.translation import gettext as _

from duijie.core import bulk, changes
from duijie.core.services import BulkWriteFailed, record_bulk_upsert
from duijie.imports import m2m
from duijie.imports import values as V
from duijie.imports.engine.planning import _Work
from duijie.imports.engine.results import ImportFailed, _no_progress
from duijie.imports.engine.scoping import _owner_org
from duijie.imports.kinds import Kind
from duijie.imports.resolvers import NewInstitution, Resolvers
from duijie.orgs.models import Institution

BATCH_SIZE = 1000


def create_batch(model, objs: list, user, now) -> list:
    """One bulk insert with its history rows (a seam for tests that inject a failure)."""
    return bulk.insert(model, objs, now=now, user=user)


def update_batch(model, objs: list, fields: list[str], user, now) -> None:
    bulk.update(model, objs, fields, now=now, user=user)


def bulk_upsert_service(model):
    """The ``<entity>_bulk_upsert`` service of ``model``'s app if it has one (enterprises and
    institutions also write their organisations), else the generic ``record_bulk_upsert``."""
    try:
        module = importlib.import_module(f"duijie.{model._meta.app_label}.services")
    except ModuleNotFoundError:
        module = None
    service = getattr(module, f"{model._meta.model_name}_bulk_upsert", None)
    return service or partial(record_bulk_upsert, model=model)


def _row_span(objs: list) -> str:
    rows = [getattr(o, "_import_row", 0) for o in objs]
    return f"{min(rows)}–{max(rows)}" if len(rows) > 1 else str(rows[0])


def write(kind: Kind, work: _Work, user, resolvers: Resolvers, *, audit_entry: dict | None = None,
          progress=_no_progress) -> None:
    model = kind.model
    to_write, written = len(work.new) + len(work.updates), 0
    progress("write", 0, to_write)

    def counted(write_batch):  # the records' own batches (not provisional institutions) report progress
        def batch(*args):
            nonlocal written
            out = write_batch(*args)
            written += len(args[1])
            progress("write", written, to_write)
            return out
        return batch

    now = timezone.now()
    actor_id = user.pk if getattr(user, "is_authenticated", False) else None
    user_org = getattr(user, "organisation_id", None)
    try:
        # Provisional institutions named by achievements.
        pending: dict[str, NewInstitution] = {}
        for _rr, _o, p in work.new:
            if p is not None:
                pending.setdefault(p.key, p)  # the first spelling in the file
        if pending:
            insts = [bulk.new_instance(Institution, {"name": p.name, "kind": "other", "is_provisional": True,
                                                     "filed_by_id": actor_id, "filed_by_org_id": user_org})
                     for p in pending.values()]
            bulk_upsert_service(Institution)(
                creates=insts, by=user, now=now, batch_size=BATCH_SIZE, insert_batch=create_batch,
                audit_entry={"object_repr": f"{Institution._meta.verbose_name_plural} ← {kind.name} import"[:300],
                             "detail": {"import": kind.name, "provisional": len(insts)}})
            made = {V.fold_key(i.name): i for i in insts}
            for _rr, obj, p in work.new:
                if p is not None:
                    obj.institution_id = made[p.key].pk
                    resolvers.institution_org[made[p.key].pk] = made[p.key].organisation_id
        new_objs = [obj for _rr, obj, _p in work.new]
        if hasattr(model, "filed_by"):
            for obj in new_objs:
                d = obj.__dict__
                d["filed_by_id"] = actor_id
                d["filed_by_org_id"] = user_org
                if d.get("owner_org_id") is None:
                    d["owner_org_id"] = _owner_org(kind, obj, user, resolvers)
        names: set[str] = set()
        for _rr, _obj, changed in work.updates:
            names.update(kind.field(name).attname for name in changed if not m2m.is_m2m(kind.field(name)))
        updated = [obj for _rr, obj, _c in work.updates]
        # create_batch/update_batch are looked up when called (tests replace them to inject failures).
        bulk_upsert_service(model)(
            creates=new_objs, updates=updated, fields=sorted(names), by=user, now=now, batch_size=BATCH_SIZE,
            insert_batch=counted(lambda *a: create_batch(*a)), update_batch=counted(lambda *a: update_batch(*a)),
            audit_entry=audit_entry)
    except BulkWriteFailed as exc:
        raise ImportFailed(_("Writing rows %(rows)s failed, so nothing was written: %(error)s")
                           % {"rows": _row_span(exc.objs), "error": exc.error}) from exc
    m2m.write(model, new_objs + updated, now)  # after the rows and their history rows (same ``now``)
    # The bulk upsert announced the rows (core.changes, after commit); add the relations written here.
    relations = sorted({name for _rr, _obj, changed in work.updates for name in changed
                        if m2m.is_m2m(kind.field(name))})
    if relations:
        changes.announce(changes.Kind.UPDATED, model, [o.pk for o in updated], fields=relations, bulk=True)
