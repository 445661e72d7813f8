"""An Annex 2 / Annex 3 table → the targets it sets for one programme, checked whole, then written
through ``core.services.record_save`` (history, change announcements, audit) all or nothing.

One outcome per target (a cell): new, update (its value or printed text changed), unchanged, or an
error naming the row and column. A table naming a unit or an indicator the programme does not have
is refused whole, every unknown name listed; the totals row must be the sum of the rows (the
departments' row of Annex 2 is outside the districts' totals, as printed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from duijie.core import selectors
from duijie.core.audit import audit
from duijie.core.registry import REGISTRY
from duijie.core.scope import scope_field_errors
from duijie.core.services import record_save
from duijie.imports import readers
from duijie.imports.engine.results import ERROR, NEW, UNCHANGED, UPDATE, ImportFailed, Result, RowResult
from duijie.imports.tables import layout
from duijie.imports.tables.owners import Owner, Owners, indicator_index
from duijie.imports.tables.values import parse_target, shown
from duijie.imports.values import fold_key
from duijie.programmes.choices import PeriodKind
from duijie.programmes.models import Programme, ProgrammeIndicator, Target

CLAUSE_SPLIT_RE = re.compile(r"[、，,；;。]")


@dataclass
class Work:
    new: list[Target] = field(default_factory=list)
    updates: list[tuple[Target, list[str]]] = field(default_factory=list)


def owner_name(owner) -> str:
    return getattr(owner, "name", None) or str(owner)


def programme_for(user, code: str) -> Programme:
    """The programme ``code`` the user may read; ``readers.FileProblem`` otherwise."""
    if not code:
        raise readers.FileProblem(_("Choose the programme the table sets targets for (--programme CODE)."))
    programme = (selectors.record_list(record_type=REGISTRY["programmes"], user=user)
                 .filter(code=code).select_related("region").first())
    if programme is None:
        raise readers.FileProblem(_("No programme “%(code)s”, or you may not read it.") % {"code": code})
    return programme


def period_for(spec: layout.Spec, programme: Programme, year: int | None) -> tuple[date, date, str]:
    if spec.period == PeriodKind.WHOLE:
        return programme.period_start, programme.period_end, PeriodKind.WHOLE
    if year is None:
        raise readers.FileProblem(_("The title names no year: it must read like “2017年主要任务指标”."))
    start, end = date(year, 1, 1), date(year, 12, 31)
    if end < programme.period_start or start > programme.period_end:
        raise readers.FileProblem(_("The title's year %(year)d lies outside the programme's period "
                                    "(%(start)s – %(end)s).") % {"year": year, "start": programme.period_start,
                                                                 "end": programme.period_end})
    return max(start, programme.period_start), min(end, programme.period_end), PeriodKind.YEAR


def _lcs(a: str, b: str) -> int:
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


def split_prose(text: str, labels: tuple[str, ...]) -> dict[str, str]:
    """A prose cell merged over several indicator columns (举办市级产学研对接活动10场、引介科学家团队20个、
    协调各区镇建设载体5个) → heading → its clause: each clause goes to the heading it shares the longest
    run of characters with (at least two). ValueError naming a clause that fits no heading, or two."""
    out: dict[str, str] = {}
    for clause in (c.strip() for c in CLAUSE_SPLIT_RE.split(text)):
        if not clause:
            continue
        scores = sorted(((_lcs(layout.stem(clause), layout.stem(label)), label) for label in labels), reverse=True)
        if scores[0][0] < 2 or (len(scores) > 1 and scores[1][0] == scores[0][0]):
            raise ValueError(_("“%(clause)s” cannot be placed under one of %(labels)s: write each target in its "
                               "own column.") % {"clause": clause, "labels": "、".join(labels)})
        if scores[0][1] in out:
            raise ValueError(_("“%(a)s” and “%(b)s” both fall under %(label)s: write each target in its own column.")
                             % {"a": out[scores[0][1]], "b": clause, "label": scores[0][1]})
        out[scores[0][1]] = clause
    return out


def _source(spec: layout.Spec, table: layout.Table, printed: str) -> str:
    return f"{spec.annex} {table.title or spec.title}（{printed}）"[:300]


def plan(kind, sheet: readers.Sheet, user, result: Result, options: dict) -> Work:
    spec = layout.SPECS[kind.table]
    programme = programme_for(user, (options or {}).get("programme", ""))
    table = layout.parse(spec, sheet)
    result.notes.extend(table.notes)
    result.header_row = table.header_row
    start, end, period_kind = period_for(spec, programme, table.year)
    texts = sorted({heading for row in table.rows for heading, text in row.texts.items() if text})
    if texts:  # Annex 2's docking lists: printed beside the targets, not targets themselves
        result.notes.append(_("The columns %(columns)s are read as text and not stored: only the targets are "
                              "imported.") % {"columns": "、".join(texts)})

    # 1. Every name known, or the table is refused whole.
    index = indicator_index(programme)
    owners = Owners(programme, departments_and_parks=spec.name == "annex2")
    columns: dict[int, ProgrammeIndicator] = {}
    unknown: list[str] = []
    heading_errors: list[tuple[int, str, str]] = []  # (row, cell, reason)
    for row, col_letter, text in table.unknown_headings:
        heading_errors.append((row, f"{col_letter}{row}", _("“%(text)s” has no indicator columns under it.")
                               % {"text": text}))
    taken: dict[int, str] = {}
    for col in table.columns:
        found = index.get(fold_key(layout.fold(col.label))) or index.get(fold_key(layout.stem(col.label))) or []
        where = f"{col.letter}{col.row}"
        if len(found) != 1:
            known = "、".join(pi.label or str(pi.indicator_label) for pi in programme.indicators.all())
            msg = (_("No indicator of programme %(code)s is printed “%(label)s” (its indicators: %(known)s).")
                   if not found else _("“%(label)s” fits several indicators of programme %(code)s (%(known)s)."))
            heading_errors.append((col.row, where, msg % {"code": programme.code, "label": col.label, "known": known}))
            unknown.append(_("indicator “%(label)s” (cell %(cell)s)") % {"label": col.label, "cell": where})
        elif found[0].pk in taken:
            heading_errors.append((col.row, where, _("Column %(other)s already holds “%(label)s”.") % {
                "other": taken[found[0].pk], "label": col.label}))
        else:
            columns[col.index] = found[0]
            taken[found[0].pk] = col.letter
    for row_number, where, reason in heading_errors:
        result.rows.append(RowResult(row=row_number, outcome=ERROR, label=_("Headings"), errors=[(where, reason)]))
    resolved: dict[int, Owner] = {}
    for row in table.rows:
        try:
            owner = owners.resolve(row.owner) if row.owner else None
        except ValueError as exc:
            result.rows.append(RowResult(row=row.number, outcome=ERROR, label=row.owner,
                                         errors=[(spec.owner_header, str(exc))]))
            continue
        if owner is None:
            what = _("assessment unit, park or city department") if spec.name == "annex2" else _("assessment unit")
            reason = (_("No %(what)s “%(name)s”.") % {"what": what, "name": row.owner}) if row.owner \
                else _("The row names no owner.")
            result.rows.append(RowResult(row=row.number, outcome=ERROR, label=row.owner or "?",
                                         errors=[(spec.owner_header, reason)]))
            unknown.append(_("“%(name)s” (row %(row)d)") % {"name": row.owner or "?", "row": row.number})
            continue
        resolved[row.number] = owner
    if unknown:
        result.file_errors.append(_("The table names what programme %(code)s does not know, so nothing was imported: "
                                    "%(names)s.") % {"code": programme.code, "names": "；".join(unknown)})
    if not result.ok:
        return Work()

    # 2. The cells.
    values: dict[tuple[int, int], tuple[Decimal, str]] = {}  # (row, column index) → (value, text)
    for row in table.rows:
        errors: list[tuple[str, str]] = []
        for index_, cell in row.cells.items():
            if index_ not in columns:
                continue
            col = next(c for c in table.columns if c.index == index_)
            raw = cell.raw
            if cell.span:
                try:
                    raw = split_prose(str(raw), cell.span).get(col.label)
                except ValueError as exc:
                    errors.append((col.label, str(exc)))
                    continue
                if raw is None:
                    continue
            try:
                values[(row.number, index_)] = parse_target(raw)
            except ValueError as exc:
                errors.append((col.label, str(exc)))
        if errors:
            result.rows.append(RowResult(row=row.number, outcome=ERROR, label=row.owner, errors=list(dict.fromkeys(errors))))
    _check_totals(table, columns, resolved, values, result)
    if not result.ok:
        return Work()
    return _decide(spec, table, programme, user, result, columns, resolved, values, (start, end, period_kind))


def _check_totals(table: layout.Table, columns: dict[int, ProgrammeIndicator], resolved: dict[int, Owner],
                  values: dict, result: Result) -> None:
    """The totals row against the sum of the rows, column by column (departments' rows and prose merged
    over several columns are outside the printed totals)."""
    if table.totals is None:
        result.notes.append(_("The table has no totals row (%(label)s); nothing was checked against it.")
                            % {"label": table.spec.total_label})
        return
    errors = []
    for col in table.columns:
        cell = table.totals.cells.get(col.index)
        if col.index not in columns or cell is None:
            continue
        try:
            total, _text = parse_target(cell.raw)
        except ValueError as exc:
            errors.append((col.label, str(exc)))
            continue
        rows = [r for r in table.rows if resolved[r.number].field != "owner_department"
                and (r.number, col.index) in values and not r.cells[col.index].span]
        added = sum((values[(r.number, col.index)][0] for r in rows), Decimal(0))
        if added != total:
            errors.append((col.label, _("The totals row says %(total)s but the rows above add up to %(sum)s.")
                           % {"total": shown(total), "sum": shown(added)}))
    if errors:
        result.rows.append(RowResult(row=table.totals.number, outcome=ERROR, label=table.spec.total_label,
                                     errors=errors))


def _decide(spec, table, programme, user, result, columns, resolved, values, period) -> Work:
    start, end, period_kind = period
    existing: dict[tuple, Target] = {}
    for t in (Target.objects.filter(programme_indicator__programme=programme, period_start=start, period_end=end)
              .order_by("pk")):
        owner_field = next(n for n in ("owner_unit", "owner_park", "owner_institution", "owner_department")
                           if getattr(t, f"{n}_id"))
        existing.setdefault((t.programme_indicator_id, owner_field, getattr(t, f"{owner_field}_id")), t)
    editable = set(selectors.editable_queryset(Target, user).filter(
        pk__in=[t.pk for t in existing.values()]).values_list("pk", flat=True))
    work = Work()
    first_row: dict[tuple, int] = {}
    for row in table.rows:
        owner = resolved[row.number]
        for index_, pi in columns.items():
            if (row.number, index_) not in values:
                continue
            value, text = values[(row.number, index_)]
            col = next(c for c in table.columns if c.index == index_)
            rr = RowResult(row=row.number, label=f"{owner_name(owner.obj)} · {col.label}", note=owner.note)
            result.rows.append(rr)
            key = (pi.pk, owner.field, owner.pk)
            if key in first_row:
                rr.outcome = ERROR
                rr.errors = [(spec.owner_header, _("Row %(row)d already sets the targets of %(owner)s; keep one of the "
                                                   "rows.") % {"row": first_row[key], "owner": owner_name(owner.obj)})]
                continue
            first_row[key] = row.number
            target = existing.get(key)
            if target is not None:
                if target.pk not in editable:
                    rr.outcome, rr.errors = ERROR, [(col.label, _("This is not a record you may change."))]
                    continue
                changed = [n for n, v in (("value", value), ("text", text)) if getattr(target, n) != v]
                if not changed:
                    rr.outcome = UNCHANGED
                    continue
                rr.outcome = UPDATE
                rr.changes = [f"{col.label}：{shown(target.value)}→{shown(value)}" if n == "value"
                              else f"{col.label}：{target.text or '—'}→{text or '—'}" for n in changed]
                target.value, target.text = value, text
                obj = target
            else:
                obj = Target(programme_indicator=pi, period_kind=period_kind, period_start=start, period_end=end,
                             value=value, text=text, source=_source(spec, table, row.owner), **{owner.field: owner.obj})
                rr.outcome = NEW
            problems = scope_field_errors(obj, user) if getattr(user, "is_authenticated", False) else {}
            if problems:
                rr.outcome, rr.changes = ERROR, []
                rr.errors = [(col.label, msg) for msg in problems.values()]
                continue
            try:
                obj.full_clean(validate_unique=False)
            except ValidationError as exc:
                rr.outcome, rr.changes = ERROR, []
                rr.errors = [(col.label, m) for m in exc.messages]
                continue
            if rr.outcome == NEW:
                work.new.append(obj)
            else:
                work.updates.append((obj, changed))
    return work


def write(work: Work, user, audit_entry: dict | None) -> None:
    """Every new and changed target through ``record_save``; the first refusal undoes them all."""
    for obj in [*work.new, *(t for t, _c in work.updates)]:
        try:
            record_save(instance=obj, by=user)
        except (ValidationError, PermissionDenied) as exc:
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise ImportFailed(_("Writing the target “%(target)s” failed, so nothing was written: %(error)s")
                               % {"target": obj, "error": reason}) from exc
    if audit_entry:
        audit(user=user, **audit_entry)
