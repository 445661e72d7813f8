"""Many-to-many columns: one cell lists several related records (“武进区、常州经开区” or codes,
separated by 、 , ， ; or line breaks), resolved like a foreign key, compared as a set (so a
re-import in another order changes nothing) and written in bulk with their history rows.

An empty cell keeps the stored links, as for every other column.
"""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from duijie.imports import values as V


def is_m2m(f) -> bool:
    return bool(getattr(f, "many_to_many", False))


def parse(resolvers, f: models.ManyToManyField, raw) -> tuple[int, ...]:
    """The sorted primary keys a cell names; ValueError naming every value not found."""
    pks, problems = set(), []
    for part in V.split_list(raw):
        try:
            pks.add(resolvers.resolve(f.name, f.related_model._meta.label_lower, part))
        except ValueError as exc:
            problems.append(str(exc))
    if problems:
        raise ValueError("".join(problems))
    return tuple(sorted(pks))


def split(vals: dict, fields: dict) -> tuple[dict, dict]:
    """(plain field values, many-to-many values) of one parsed row."""
    plain = {n: v for n, v in vals.items() if not is_m2m(fields[n])}
    links = {n: v for n, v in vals.items() if is_m2m(fields[n])}
    return plain, links


def _ends(model, name: str) -> tuple[type[models.Model], str, str]:
    f = model._meta.get_field(name)
    through = f.remote_field.through
    return through, f.m2m_field_name(), f.m2m_reverse_field_name()


def current(model, names: list[str], pks: list[int]) -> dict[tuple[int, str], tuple[int, ...]]:
    """(record pk, field) → the sorted pks it links to now, one query per field and chunk."""
    out: dict[tuple[int, str], list[int]] = {}
    for name in names:
        through, src, dst = _ends(model, name)
        for i in range(0, len(pks), 2000):
            for a, b in through.objects.filter(**{f"{src}_id__in": pks[i:i + 2000]}).values_list(
                    f"{src}_id", f"{dst}_id"):
                out.setdefault((a, name), []).append(b)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def write(model, objs: list, now) -> None:
    """Replace the links of each object's ``_import_m2m`` fields and record them in the history rows
    written at ``now`` (simple-history's bulk helpers write no m2m history themselves)."""
    by_field: dict[str, list] = {}
    for obj in objs:
        for name in getattr(obj, "_import_m2m", {}):
            by_field.setdefault(name, []).append(obj)
    if not by_field:
        return
    history = getattr(model, "history", None)
    tracked = {f.name: f for f in getattr(history.model, "_history_m2m_fields", [])} if history is not None else {}
    hist_ids: dict[int, int] = {}
    if set(tracked) & set(by_field):
        ids = sorted({o.pk for o in objs})
        for i in range(0, len(ids), 2000):
            hist_ids.update(history.model.objects.filter(id__in=ids[i:i + 2000], history_date=now)
                            .values_list("id", "history_id"))
    for name, items in by_field.items():
        through, src, dst = _ends(model, name)
        ids = [o.pk for o in items]
        for i in range(0, len(ids), 2000):
            through.objects.filter(**{f"{src}_id__in": ids[i:i + 2000]}).delete()
        links = through.objects.bulk_create([through(**{f"{src}_id": o.pk, f"{dst}_id": pk})
                                             for o in items for pk in o._import_m2m[name]], batch_size=2000)
        if name in tracked:
            m2m_history = HistoricalRecords.m2m_models[tracked[name]]
            m2m_history.objects.bulk_create(
                [m2m_history(id=link.pk, history_id=hist_ids[getattr(link, f"{src}_id")],
                             **{f"{src}_id": getattr(link, f"{src}_id"), f"{dst}_id": getattr(link, f"{dst}_id")})
                 for link in links if getattr(link, f"{src}_id") in hist_ids], batch_size=2000)
