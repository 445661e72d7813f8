"""Index invalidation (the one use of signals the architecture allows): a save, delete or
many-to-many change of a declared model marks the record dirty on the interactive lane; a bulk
write announced by ``core.signals.records_bulk_written`` marks its records on the bulk lane.
Grants change what a record's visibility labels are, so they mark the granted record too.
Cooperation projects, technology contracts and pairings are not indexed, but they are the records'
past-cooperation partners (``matching.cooperation``): saving or deleting one, or changing a project's
parties, marks the records of every party before and after the change."""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from duijie.core.models import Grant
from duijie.core.signals import records_bulk_written
from duijie.matching import declarations
from duijie.matching.freshness import mark_links_dirty, mark_parties_dirty, mark_projects_dirty
from duijie.matching.models import Lane
from duijie.matching.services import mark_dirty


def _saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    mark_dirty(sender, [instance.pk])


def _deleted(sender, instance, **kwargs):
    mark_dirty(sender, [instance.pk])


def _m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        mark_dirty(type(instance), [instance.pk])
    elif pk_set:
        mark_dirty(model, pk_set)


def _bulk(sender, pks, **kwargs):
    if not mark_links_dirty(sender._meta.label, pks, lane=Lane.BULK):
        mark_dirty(sender, pks, lane=Lane.BULK)


def _grant(sender, instance, **kwargs):
    model = instance.content_type.model_class()
    if model is not None and declarations.for_model(model):
        mark_dirty(model, [instance.object_id])


# ------------------------------------------------------------------ cooperation records → partners
_PARTY_KIND = {"orgs.Enterprise": "enterprise", "experts.Expert": "expert", "orgs.Institution": "institution"}


def _project_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        mark_projects_dirty([instance.pk])


def _project_deleting(sender, instance, **kwargs):
    mark_projects_dirty([instance.pk])  # the parties are still there before the delete


def _project_parties(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("pre_clear", "post_add", "post_remove"):
        return
    if not reverse:  # project.experts.add(…): pk_set are parties of ``model``
        mark_projects_dirty([instance.pk], {_PARTY_KIND[model._meta.label]: pk_set or ()})
        return
    kind = _PARTY_KIND[type(instance)._meta.label]
    projects = pk_set if pk_set is not None else instance.cooperation_projects.values_list("pk", flat=True)
    mark_projects_dirty(list(projects), {kind: [instance.pk]})


_LINK_FIELDS = {"cooperation.TechContract": {"enterprise": "enterprise_id", "institution": "institution_id"},
                "pairings.Pairing": {"enterprise": "enterprise_id", "expert": "expert_id"}}


def _link_before(sender, instance, raw=False, **kwargs):
    """Remember a contract's or pairing's parties before an edit, so the old ones are marked too."""
    if raw or instance.pk is None:
        return
    fields = _LINK_FIELDS[sender._meta.label]
    instance._matching_old_parties = sender._default_manager.filter(pk=instance.pk).values(*fields.values()).first()


def _link_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    fields = _LINK_FIELDS[sender._meta.label]
    old = getattr(instance, "_matching_old_parties", None) or {}
    ids = {kind: {getattr(instance, col), old.get(col)} - {None} for kind, col in fields.items()}
    mark_parties_dirty(enterprises=ids.get("enterprise", ()), experts=ids.get("expert", ()),
                       institutions=ids.get("institution", ()))


def connect_cooperation() -> None:
    project = apps.get_model("cooperation.CooperationProject")
    post_save.connect(_project_saved, sender=project, dispatch_uid="matching-coop-project-save")
    pre_delete.connect(_project_deleting, sender=project, dispatch_uid="matching-coop-project-delete")
    for name in ("enterprises", "experts", "institutions"):
        m2m_changed.connect(_project_parties, sender=getattr(project, name).through,
                            dispatch_uid=f"matching-coop-project-{name}")
    for label in _LINK_FIELDS:
        model = apps.get_model(label)
        pre_save.connect(_link_before, sender=model, dispatch_uid=f"matching-coop-{label}-before")
        post_save.connect(_link_changed, sender=model, dispatch_uid=f"matching-coop-{label}-save")
        post_delete.connect(_link_changed, sender=model, dispatch_uid=f"matching-coop-{label}-delete")


def connect() -> None:
    for decl in declarations.by_kind().values():
        uid = f"matching-{decl.label}"
        post_save.connect(_saved, sender=decl.model, dispatch_uid=uid + "-save")
        post_delete.connect(_deleted, sender=decl.model, dispatch_uid=uid + "-delete")
        for f in decl.model._meta.many_to_many:
            m2m_changed.connect(_m2m, sender=f.remote_field.through, dispatch_uid=f"{uid}-{f.name}")
    records_bulk_written.connect(_bulk, dispatch_uid="matching-bulk")
    post_save.connect(_grant, sender=Grant, dispatch_uid="matching-grant-save")
    post_delete.connect(_grant, sender=Grant, dispatch_uid="matching-grant-delete")
    connect_cooperation()
