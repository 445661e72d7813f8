"""Index invalidation (the one use of signals the architecture allows): a save, delete or
many-to-many change of a declared model marks the record dirty on the interactive lane; a bulk
write announced by ``core.signals.records_bulk_written`` marks its records on the bulk lane.
Grants change what a record's visibility labels are, so they mark the granted record too."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save

from duijie.core.signals import records_bulk_written
from duijie.matching import declarations
from duijie.matching.models import Lane


def _saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from duijie.matching.services import mark_dirty

    mark_dirty(sender, [instance.pk])


def _deleted(sender, instance, **kwargs):
    from duijie.matching.services import mark_dirty

    mark_dirty(sender, [instance.pk])


def _m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from duijie.matching.services import mark_dirty

    if not reverse:
        mark_dirty(type(instance), [instance.pk])
    elif pk_set:
        mark_dirty(model, pk_set)


def _bulk(sender, pks, **kwargs):
    from duijie.matching.services import mark_dirty

    mark_dirty(sender, pks, lane=Lane.BULK)


def _grant(sender, instance, **kwargs):
    model = instance.content_type.model_class()
    if model is not None and declarations.for_model(model):
        from duijie.matching.services import mark_dirty

        mark_dirty(model, [instance.object_id])


def connect() -> None:
    from duijie.core.models import Grant

    for decl in declarations.by_kind().values():
        uid = f"matching-{decl.label}"
        post_save.connect(_saved, sender=decl.model, dispatch_uid=uid + "-save")
        post_delete.connect(_deleted, sender=decl.model, dispatch_uid=uid + "-delete")
        for f in decl.model._meta.many_to_many:
            m2m_changed.connect(_m2m, sender=f.remote_field.through, dispatch_uid=f"{uid}-{f.name}")
    records_bulk_written.connect(_bulk, dispatch_uid="matching-bulk")
    post_save.connect(_grant, sender=Grant, dispatch_uid="matching-grant-save")
    post_delete.connect(_grant, sender=Grant, dispatch_uid="matching-grant-delete")
