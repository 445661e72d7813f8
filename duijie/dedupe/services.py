"""Writes: merge two records of one kind, say two records are not duplicates, confirm a provisional
institution as new.

``record_merge`` is generic. Every reference to the dropped record is found through the model's
reverse relations (``_meta.get_fields(include_hidden=True)``: foreign keys, one-to-ones and
many-to-manys of every installed app, including ones added later, and the hidden ``related_name="+"``
scope fields such as ``owner_org``), plus generic references (a ``content_type`` + ``object_id``
pair, e.g. access grants). History tables are never re-pointed: the dropped record's history stays
under its old id, and its deletion is recorded in that history with the reason "合并入 #<kept>".
Where re-pointing would break a unique constraint (an event invitation for both records, a yearly
metric of the same year, a unit of the same name), the dropped side's row is folded into the kept
side's row: blank fields of the kept row are filled from it, whatever references it is re-pointed
(recursively) and it is deleted; the audit entry lists each such fold. Enterprises and institutions
are backed by an organisation (what users belong to and what owns records): the dropped one's
organisation is merged into the kept one's the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _
from simple_history.models import HistoricalChanges

from duijie.core import changes
from duijie.core.audit import audit, audit_failure
from duijie.core.choices import AuditAction
from duijie.core.selectors import can_edit
from duijie.core.services import record_save
from duijie.dedupe.models import DuplicateKind, Merge, NotDuplicate

KIND_MODELS = {DuplicateKind.ENTERPRISE: "orgs.Enterprise", DuplicateKind.INSTITUTION: "orgs.Institution",
               DuplicateKind.EXPERT: "experts.Expert"}
# Forward fields never offered as a per-field choice: identity and bookkeeping.
NOT_CHOOSABLE = {"id", "organisation", "owner_org", "filed_by", "filed_by_org", "created_at", "updated_at", "user",
                 "consent_notice", "consent_at", "personal_data_erased_at", "is_provisional"}


def kind_model(kind: str) -> type[models.Model]:
    if kind not in KIND_MODELS:
        raise ValidationError(_("Unknown kind of record: %(kind)s.") % {"kind": kind})
    return apps.get_model(KIND_MODELS[kind])


def kind_of(model: type[models.Model]) -> str:
    return next(k for k, label in KIND_MODELS.items() if model._meta.label == label)


def choosable_fields(model: type[models.Model]) -> list[models.Field]:
    """Fields a reviewer picks a value for, per field, when merging (the record's own data)."""
    return [f for f in model._meta.concrete_fields
            if f.editable and not f.primary_key and f.name not in NOT_CHOOSABLE and not f.name.endswith("_hash")]


def _is_history(model: type[models.Model]) -> bool:
    if issubclass(model, HistoricalChanges):
        return True
    history_fk = next((f for f in model._meta.concrete_fields if f.name == "history" and f.is_relation), None)
    return history_fk is not None and issubclass(history_fk.related_model, HistoricalChanges)


def _skip(model: type[models.Model]) -> bool:
    # History stays as it was; auto-created m2m tables are handled through their m2m field; our own
    # decision/merge tables hold plain ids on purpose.
    return _is_history(model) or model._meta.auto_created or model._meta.app_label == "dedupe"


def reverse_relations(model: type[models.Model]) -> list:
    return [f for f in model._meta.get_fields(include_hidden=True)
            if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one or f.many_to_many)
            and not _skip(f.related_model)]


def _generic_models() -> list[type[models.Model]]:
    """Models that point at any record by (content_type, object_id), e.g. core.Grant."""
    out = []
    for m in apps.get_models():
        names = {f.name: f for f in m._meta.concrete_fields}
        ct = names.get("content_type")
        if (ct is not None and ct.is_relation and ct.related_model is ContentType and "object_id" in names
                and not _skip(m)):
            out.append(m)
    return out


def _unique_sets(model: type[models.Model], name: str) -> list[tuple[str, ...]]:
    sets = []
    if model._meta.get_field(name).unique:
        sets.append((name,))
    sets += [tuple(ut) for ut in model._meta.unique_together if name in ut]
    sets += [tuple(c.fields) for c in model._meta.total_unique_constraints if name in c.fields]
    return sets


@dataclass
class MergeLog:
    """What moved, in the shape the audit entry and the Merge row keep."""

    moved: dict[str, list[int]] = field(default_factory=dict)  # "app.model.field" → re-pointed row ids
    folded: list[dict[str, Any]] = field(default_factory=list)  # duplicate rows merged into the kept side's
    m2m_added: dict[str, list[int]] = field(default_factory=dict)

    def move(self, label: str, pk: Any) -> None:
        self.moved.setdefault(label, []).append(pk)

    def as_dict(self) -> dict[str, Any]:
        return {"moved": self.moved, "folded": self.folded, "m2m_added": self.m2m_added}


def _stamp(obj: models.Model, by, reason: str) -> None:
    obj._history_user = by if getattr(by, "is_authenticated", False) else None
    obj._change_reason = reason[:100]


def _fill_blanks(twin: models.Model, row: models.Model, skip: str) -> list[str]:
    filled = []
    for f in type(twin)._meta.concrete_fields:
        if f.primary_key or f.unique or f.attname == skip or not f.editable:
            continue
        mine, theirs = getattr(twin, f.attname), getattr(row, f.attname)
        if mine in (None, "") and theirs not in (None, ""):
            setattr(twin, f.attname, theirs)
            filled.append(f.name)
    return filled


def _fold(model, label: str, row, twin, by, log: MergeLog, reason: str, skip: str) -> None:
    """``row`` duplicates ``twin`` once re-pointed: fold it into ``twin`` and delete it."""
    filled = _fill_blanks(twin, row, skip)
    if filled:
        _stamp(twin, by, reason)
        twin.save(update_fields=[model._meta.get_field(n).attname for n in filled])
    _repoint(keep=twin, drop=row, by=by, log=log, reason=reason)
    _stamp(row, by, reason)
    row.delete()
    log.folded.append({"relation": label, "dropped_row": row.pk if row.pk else None, "kept_row": twin.pk,
                       "action": "merged into the kept record's row", "filled": filled})


def _repoint(*, keep: models.Model, drop: models.Model, by, log: MergeLog, reason: str) -> None:
    model = type(keep)
    for rel in reverse_relations(model):
        owner, fk = rel.related_model, rel.field
        label = f"{owner._meta.label_lower}.{fk.name}"
        if rel.many_to_many:
            for obj in owner._base_manager.filter(**{fk.name: drop.pk}):
                manager = getattr(obj, fk.name)
                had_keep = manager.filter(pk=keep.pk).exists()
                manager.remove(drop)
                if not had_keep:
                    manager.add(keep)
                log.move(label, obj.pk)
            continue
        sets = _unique_sets(owner, fk.name)
        for row in list(owner._base_manager.filter(**{fk.attname: drop.pk}).order_by("pk")):
            twin = _twin(owner, row, fk.attname, keep.pk, sets)
            if twin is not None:
                row_pk = row.pk
                _fold(owner, label, row, twin, by, log, reason, fk.attname)
                log.folded[-1]["dropped_row"] = row_pk
                continue
            setattr(row, fk.attname, keep.pk)
            _stamp(row, by, reason)
            row.save(update_fields=[fk.attname])
            log.move(label, row.pk)
    ct = ContentType.objects.get_for_model(model)
    for owner in _generic_models():
        label = f"{owner._meta.label_lower}.object_id"
        sets = _unique_sets(owner, "object_id")
        for row in list(owner._base_manager.filter(content_type=ct, object_id=drop.pk).order_by("pk")):
            twin = _twin(owner, row, "object_id", keep.pk, sets)
            if twin is not None:
                row_pk = row.pk
                _fold(owner, label, row, twin, by, log, reason, "object_id")
                log.folded[-1]["dropped_row"] = row_pk
                continue
            row.object_id = keep.pk
            row.save(update_fields=["object_id"])
            log.move(label, row.pk)


def _twin(owner, row, attname: str, keep_pk, sets) -> models.Model | None:
    """The kept side's row that ``row`` would collide with under a unique constraint, if any."""
    for names in sets:
        lookup = {}
        for name in names:
            f = owner._meta.get_field(name)
            if f.attname == attname:
                continue
            value = getattr(row, f.attname)
            if value is None:  # NULLs never collide
                lookup = None
                break
            lookup[f.attname] = value
        if lookup is None:
            continue
        twin = owner._base_manager.filter(**{attname: keep_pk}, **lookup).exclude(pk=row.pk).first()
        if twin is not None:
            return twin
    return None


def may_merge(user, keep: models.Model, drop: models.Model) -> bool:
    """Government roles (review is their job) that may edit both records."""
    return bool(getattr(user, "is_government", False)) and can_edit(user, keep) and can_edit(user, drop)


def record_merge(*, keep: models.Model, drop: models.Model, by, field_choices: dict[str, str] | None = None) -> Merge:
    """Merge ``drop`` into ``keep`` in one transaction (see the module docstring). ``field_choices``
    maps a field name to "keep" or "drop": whose value the surviving record has (default: keep's)."""
    model = type(keep)
    if type(drop) is not model:
        raise ValidationError(_("Only records of the same kind can be merged."))
    if keep.pk == drop.pk:
        raise ValidationError(_("A record cannot be merged with itself."))
    kind = kind_of(model)
    if not may_merge(by, keep, drop):
        audit_failure(user=by, action=AuditAction.DENIED, obj=keep, detail={"merge": {"dropped": drop.pk}})
        raise PermissionDenied(_("You may merge only records that you may edit, both of them."))
    choosable = {f.name: f for f in choosable_fields(model)}
    choices = {k: v for k, v in (field_choices or {}).items() if v in {"keep", "drop"}}
    for name, side in (field_choices or {}).items():
        if name not in choosable:
            raise ValidationError(_("“%(field)s” cannot be chosen when merging.") % {"field": name})
        if side not in {"keep", "drop"}:
            raise ValidationError(_("For “%(field)s” choose the kept or the dropped record's value.")
                                  % {"field": choosable[name].verbose_name})
    try:
        with transaction.atomic():
            merge = _merge(model, kind, keep.pk, drop.pk, by, choices, choosable)
    except IntegrityError as exc:
        raise ValidationError(_("The records could not be merged (a constraint failed: %(error)s); nothing was "
                                "changed.") % {"error": exc}) from exc
    return merge


def _merge(model, kind, keep_pk, drop_pk, by, choices, choosable) -> Merge:
    keep = model._base_manager.select_for_update().get(pk=keep_pk)
    drop = model._base_manager.select_for_update().get(pk=drop_pk)
    keep_repr, drop_repr = str(keep), str(drop)
    reason = f"合并：#{drop.pk} {drop_repr} → #{keep.pk}"
    log = MergeLog()
    taken = {name: getattr(drop, choosable[name].attname) for name, side in choices.items() if side == "drop"}

    # Many-to-many values of the dropped record: the kept record gets the union.
    for m2m in model._meta.many_to_many:
        mine = set(getattr(keep, m2m.name).values_list("pk", flat=True))
        extra = [pk for pk in getattr(drop, m2m.name).values_list("pk", flat=True) if pk not in mine]
        if extra:
            getattr(keep, m2m.name).add(*extra)
            log.m2m_added[m2m.name] = sorted(extra)

    # One-to-one links of the dropped record (an expert's login account) move if the kept has none.
    for f in model._meta.concrete_fields:
        if f.one_to_one and f.name != "organisation" and getattr(drop, f.attname) is not None:
            if getattr(keep, f.attname) is not None:
                raise ValidationError(
                    _("Both records have a linked %(field)s; unlink one of them first.") % {"field": f.verbose_name})
            taken[f.name] = getattr(drop, f.attname)
            setattr(drop, f.attname, None)
            drop.save(update_fields=[f.attname])

    _repoint(keep=keep, drop=drop, by=by, log=log, reason=reason)

    # The dropped record goes; its history stays, ending with this deletion and its reason.
    drop_org = getattr(drop, "organisation", None) if hasattr(model, "organisation") else None
    _stamp(drop, by, f"合并入 #{keep.pk} {keep_repr}")
    drop.delete()

    org_detail = None
    keep_org = getattr(keep, "organisation", None) if hasattr(model, "organisation") else None
    if drop_org is not None and keep_org is not None and drop_org.pk != keep_org.pk:
        org_log = MergeLog()
        _repoint(keep=keep_org, drop=drop_org, by=by, log=org_log, reason=reason)
        org_detail = {"kept": keep_org.pk, "dropped": drop_org.pk, **org_log.as_dict()}
        drop_org.delete()

    keep.refresh_from_db()
    for name, value in taken.items():
        setattr(keep, model._meta.get_field(name).attname, value)
    keep.full_clean()
    _stamp(keep, by, reason)
    keep.save()

    detail = {"kind": kind, "kept": keep.pk, "dropped": drop_pk, "dropped_name": drop_repr[:200],
              "fields_from_dropped": sorted(taken), **log.as_dict()}
    if org_detail:
        detail["organisation"] = org_detail
    merge = Merge.objects.create(kind=kind, kept_id=keep.pk, kept_repr=str(keep)[:300], dropped_id=drop_pk,
                                 dropped_repr=drop_repr[:300], by=by if getattr(by, "is_authenticated", False) else None,
                                 detail=detail)
    audit(user=by, action=AuditAction.UPDATE, obj=keep, detail={"merge": detail, "merge_id": merge.pk})
    audit(user=by, action=AuditAction.DELETE, object_type=model._meta.label_lower, object_id=drop_pk,
          object_repr=drop_repr, detail={"merged_into": keep.pk, "merge_id": merge.pk})
    _announce_merge(model, keep.pk, drop_pk, log, sorted({*taken, *log.m2m_added}))
    if org_detail:
        _announce_merge(type(keep_org), keep_org.pk, drop_org.pk, org_log, [])
    return merge


def _announce_merge(model, keep_pk, drop_pk, log: MergeLog, fields: list[str]) -> None:
    """Say what the merge changed (``core.changes``): the kept record, the dropped one, and every row
    that was re-pointed to the kept record or folded into one of its rows."""
    changes.announce(changes.Kind.UPDATED, model, [keep_pk], fields=fields)
    changes.announce(changes.Kind.DELETED, model, [drop_pk])
    for label, pks in log.moved.items():
        app_label, model_name, field_name = label.split(".")
        changes.announce(changes.Kind.UPDATED, apps.get_model(app_label, model_name), pks, fields=[field_name])
    for fold in log.folded:
        app_label, model_name, _field = fold["relation"].split(".")
        owner = apps.get_model(app_label, model_name)
        changes.announce(changes.Kind.UPDATED, owner, [fold["kept_row"]], fields=fold["filled"])
        changes.announce(changes.Kind.DELETED, owner, [fold["dropped_row"]])


def enterprise_merge(*, keep, drop, by, field_choices: dict[str, str] | None = None) -> Merge:
    return record_merge(keep=keep, drop=drop, by=by, field_choices=field_choices)


institution_merge = expert_merge = enterprise_merge


def not_duplicate_mark(*, kind: str, first: models.Model, second: models.Model, by) -> NotDuplicate:
    """Remember that two records are different, so the pair is not listed again."""
    kind_model(kind)
    if not may_merge(by, first, second):
        raise PermissionDenied(_("You may decide only about records that you may edit, both of them."))
    lo, hi = sorted([first.pk, second.pk])
    if lo == hi:
        raise ValidationError(_("A record cannot be merged with itself."))
    with transaction.atomic():
        decision, _created = NotDuplicate.objects.get_or_create(kind=kind, first_id=lo, second_id=hi,
                                                                defaults={"decided_by": by})
        audit(user=by, action=AuditAction.UPDATE, obj=first, detail={"not_duplicate_of": second.pk})
    return decision


def institution_confirm_new(*, institution, by):
    """A provisional institution (created by an import) is confirmed as a real, new institution."""
    if not may_merge(by, institution, institution):
        raise PermissionDenied(_("You may not confirm this institution."))
    if not institution.is_provisional:
        raise ValidationError(_("This institution is not provisional."))
    institution.is_provisional = False
    institution._change_reason = "确认为新机构"
    return record_save(instance=institution, by=by)
