"""Planning: from the read sheet to one outcome per row and the records to write."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from duijie.core import bulk, crypto
from duijie.core.fields import EncryptedTextField
from duijie.core.masking import looks_masked, mask
from duijie.core.selectors import editable_queryset
from duijie.imports import m2m, readers
from duijie.imports import values as V
from duijie.imports.engine.cells import _Column, _exact_part, _key_part
from duijie.imports.engine.existing import _candidates, _chunks, _current_values, _editable_ids
from duijie.imports.engine.reading import _field_header, _find_header, template_header
from duijie.imports.engine.results import (
    ERROR,
    NEW,
    PREVIEW_VALUE_ROWS,
    UNCHANGED,
    UPDATE,
    VALUE_CHARS,
    Result,
    RowResult,
    _no_progress,
)
from duijie.imports.engine.scoping import _own_parent_only, _ScopeCheck
from duijie.imports.kinds import Kind
from duijie.imports.resolvers import NewInstitution, Resolvers

PROGRESS_ROWS = 500  # the progress callback is called every this many rows while checking


@dataclass
class _Work:
    new: list = field(default_factory=list)  # (RowResult, obj, NewInstitution | None)
    updates: list = field(default_factory=list)  # (RowResult, obj, [field names])


def _overrides(model, name: str) -> bool:
    return getattr(model, name) is not getattr(models.Model, name)


def _blank_defaults(model, relations: set[str]) -> list[tuple[str, list[str]]]:
    """Fields a new record would fail ``clean_fields`` on when the file leaves them out (a required
    field with no default): (name, messages)."""
    out = []
    for f in model._meta.concrete_fields:
        if f.name in relations or f.primary_key:
            continue
        default = f.get_default()
        if f.blank and default in f.empty_values:
            continue
        try:
            f.clean(default, None)
        except ValidationError as exc:
            out.append((f.name, exc.messages))
    return out


def _clean_errors(kind: Kind, exc: ValidationError, headers: dict[str, str], personal: dict[str, str],
                  obj) -> list[tuple[str, str]]:
    out = []
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [(NON_FIELD_ERRORS, exc.messages)]
    for name, messages in items:
        for msg in messages:
            if name in personal:
                value = getattr(obj, name, "") or ""
                if value:
                    msg = msg.replace(value, mask(value, personal[name]))
            out.append((_field_header(kind, name, headers), msg))
    return out


@dataclass
class _Columns:
    """The file's columns mapped to fields, and what planning needs to know of the model. ``fields``
    and ``headers`` grow while rows are parsed when ``kind.prepare`` derives values."""

    columns: list[_Column]
    fields: dict[str, models.Field]  # field name → field, for every value a row may hold
    headers: dict[str, str]  # field name → the file's header (or the template's)
    personal: dict[str, str]  # encrypted field name → its kind of personal data (for masking)
    relations: set[str]
    full_clean: bool  # the model overrides clean_fields (Patent derives its type): full_clean per record
    run_clean: bool
    blank_defaults: list[tuple[str, list[str]]]
    key_columns: list[int]
    required_keys: list[tuple[str, str]]


def plan(kind: Kind, sheet: readers.Sheet, user, result: Result, resolvers: Resolvers,
         progress=_no_progress) -> _Work:
    """Read the header, map the columns, parse the rows, check their scope, match the existing
    records, find what changed and decide each row's outcome (the records to write in ``_Work``)."""
    header_index, found = _find_header(kind, sheet, result)
    if result.file_errors:
        return _Work()
    cols = _map_columns(kind, found, resolvers)
    total = len(sheet.rows) - header_index - 1
    repeats: dict[int, int] = {}
    parsed = _parse_rows(kind, sheet.rows[header_index + 1:], cols, result, total, progress, repeats)
    live = [i for i, rr in enumerate(result.rows) if rr.outcome != ERROR and not rr.note]
    index = crypto.blind_indexer()
    matches = _match_existing(kind, cols, parsed, live, index)
    progress("check", total, total)
    allowed = _editable_ids(kind, user, [r["pk"] for r in matches.values()])
    parents_allowed = _parents_allowed(kind, user, parsed, live)
    forbidden: list[int] = []
    changes, links_now = _compare(kind, cols, result, parsed, live, matches, allowed, index, forbidden)
    _repeated_keys(result, repeats, matches, changes)
    # Only rows that write are held to the own-records rule: a list export's rows of other
    # organisations' published records come back unchanged.
    for i in forbidden:
        result.rows[i].outcome = UPDATE
    _own_parent_only(kind, user, result, parsed, cols.headers, resolvers)
    for i in forbidden:
        if not result.rows[i].errors:
            result.rows[i].outcome, result.rows[i].errors = ERROR, [("", _("This is not a record you may change."))]
    for i in [i for i in changes if result.rows[i].outcome == ERROR]:
        del changes[i]
    return _decide(kind, user, cols, result, parsed, live, matches, changes, links_now, parents_allowed)


def _map_columns(kind: Kind, found: list[tuple[int, str, str]], resolvers: Resolvers) -> _Columns:
    """Each found column as a ``_Column`` (its field and cell reader), and the model's checks."""
    model = kind.model
    personal = {f.name: f.kind for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)}
    relations = {f.name for f in model._meta.fields if f.is_relation}
    # Patent derives its type in clean_fields: such models keep Django's full_clean per record.
    full_clean = _overrides(model, "clean_fields")
    run_clean = _overrides(model, "clean")
    headers = {fname: text for _i, fname, text in found}
    columns = [_Column(kind, i, fname, text, resolvers, validate=not full_clean) for i, fname, text in found]
    fields = {c.name: c.field for c in columns}
    blank_defaults = [] if full_clean else _blank_defaults(model, relations)
    key_columns = [c.idx for c in columns if c.name in kind.key]
    required_keys = [(n, _field_header(kind, n, headers)) for n in kind.key if kind.field(n).blank is False]
    return _Columns(columns=columns, fields=fields, headers=headers, personal=personal, relations=relations,
                    full_clean=full_clean, run_clean=run_clean, blank_defaults=blank_defaults,
                    key_columns=key_columns, required_keys=required_keys)


def _parse_rows(kind: Kind, rows: list, cols: _Columns, result: Result, total: int, progress,
                repeats: dict[int, int]) -> list[dict]:
    """One ``RowResult`` per data row (appended to ``result.rows``) and its parsed values: cell errors,
    missing keys, and rows repeating an earlier key (the same values: counted once; different: kept in
    ``repeats`` (row index → the earlier one's) for ``_repeated_keys``)."""
    columns, fields, headers = cols.columns, cols.fields, cols.headers
    key_columns, required_keys = cols.key_columns, cols.required_keys
    parsed: list[dict] = []
    first_by_key: dict[tuple, int] = {}
    for n, (number, cells) in enumerate(rows):
        if n % PROGRESS_ROWS == 0:
            progress("check", n, total)
        rr = RowResult(row=number)
        vals: dict[str, Any] = {}
        errors = rr.errors
        width = len(cells)
        shown = rr.values if n < PREVIEW_VALUE_ROWS else None
        for c in columns:
            raw = cells[c.idx] if c.idx < width else None
            if raw is None or (raw.__class__ is str and not raw.strip()):
                continue
            if c.personal and looks_masked(V.cell_text(raw)):
                continue  # a masked value coming back never overwrites the stored one
            value, problems = c.read(raw)
            if problems:
                errors.extend(problems)
            else:
                vals[c.name] = value
            if shown is not None and not c.personal:  # personal data is not repeated, even masked
                shown.append((c.header, _shown(c, raw, None if problems else value)))
        if kind.prepare is not None and not errors:
            try:
                kind.prepare(vals)
            except ValueError as exc:
                errors.append((_field_header(kind, kind.key[0], headers), str(exc)))
            for name in vals.keys() - fields.keys():  # derived values (a region's level from its code)
                fields[name] = kind.field(name)
                headers[name] = template_header(kind, name)
        rr.label = " · ".join(V.cell_text(cells[i]) for i in key_columns if i < width and cells[i] is not None)
        failed = {h for h, _m in errors} if errors else ()
        for name, header in required_keys:
            if name not in vals and header not in failed:
                errors.append((header, _("This value is required.")))
        if not errors:
            key = tuple(_exact_part(vals.get(n)) for n in kind.key)
            if key in first_by_key:
                first = first_by_key[key]
                same = parsed[first] == vals
                rr.outcome = UNCHANGED if same else ERROR
                if same:
                    rr.note = _("Same as row %(row)d; counted once.") % {"row": result.rows[first].row}
                else:
                    rr.outcome = NEW
                    repeats[len(result.rows)] = first
            else:
                first_by_key[key] = len(result.rows)
        if errors:
            rr.outcome = ERROR
        result.rows.append(rr)
        parsed.append(vals)
    return parsed


def _repeated_keys(result: Result, repeats: dict[int, int], matches: dict[int, dict],
                   changes: dict[int, list[str]]) -> None:
    """A row repeating an earlier row's key with other values is an error — unless both name
    distinct stored records and leave them as they are (the registry holds two experts of one name
    at one university; a list export lists both)."""
    for i, first in repeats.items():
        rr = result.rows[i]
        if rr.outcome == ERROR:
            continue
        mine, theirs = matches.get(i), matches.get(first)
        if (rr.outcome == UNCHANGED and mine is not None and theirs is not None and mine["pk"] != theirs["pk"]
                and result.rows[first].outcome == UNCHANGED):
            continue
        rr.outcome, rr.changes = ERROR, []
        rr.errors.append(("", _("Row %(row)d has the same key with different values; keep one of them.")
                          % {"row": result.rows[first].row}))
        changes.pop(i, None)


def _shown(c: _Column, raw, value) -> str:
    """A cell as the import understood it, for the preview: a choice as its label, a list as its
    items, personal data masked; a reference (or a cell in error) as written."""
    f = c.field
    if value is None or f.is_relation:
        text = V.cell_text(raw)
    elif isinstance(value, list):
        text = "、".join(str(v) for v in value)
    elif f.choices:
        text = str(dict(f.choices).get(value, value))
    elif isinstance(value, bool):
        text = _("yes") if value else _("no")
    else:
        text = V.cell_text(value) if not isinstance(value, str) else value
    if c.personal and text:
        text = mask(text, c.personal)
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS - 1] + "…"


def _match_existing(kind: Kind, cols: _Columns, parsed: list[dict], live: list[int], index) -> dict[int, dict]:
    """Existing records by natural key (and, for experts, by phone), as plain values: row index → record.
    A key spelled exactly as stored wins over one equal only once folded; where the key names several
    records, the row is the one whose values it repeats (else the first)."""
    current = _current_values(kind, cols.fields)
    existing: dict[tuple, list[dict]] = {}
    exact: dict[tuple, list[dict]] = {}
    by_phone: dict[str, dict] = {}
    key_attnames = [kind.field(n).attname for n in kind.key]
    for row in _candidates(kind, [parsed[i] for i in live], current):
        existing.setdefault(tuple(_key_part(row[a]) for a in key_attnames), []).append(row)
        exact.setdefault(tuple(_exact_part(row[a]) for a in key_attnames), []).append(row)
        if kind.name == "expert" and row["phone_hash"]:
            by_phone.setdefault(row["phone_hash"], row)
    plain = [(n, f.attname) for n, f in cols.fields.items()
             if not m2m.is_m2m(f) and not isinstance(f, EncryptedTextField)]
    matches: dict[int, dict] = {}
    if existing:
        for i in live:
            vals = parsed[i]
            row = None
            if kind.name == "expert" and vals.get("phone"):
                row = by_phone.get(index(vals["phone"]))
            if row is None:
                found = (exact.get(tuple(_exact_part(vals.get(n)) for n in kind.key))
                         or existing.get(tuple(_key_part(vals.get(n)) for n in kind.key)) or [])
                if len(found) > 1:
                    same = [r for r in found if all(r[a] == vals[n] for n, a in plain if n in vals)]
                    found = same or found
                row = found[0] if found else None
            if row is not None:
                matches[i] = row
    return matches


def _parents_allowed(kind: Kind, user, parsed: list[dict], live: list[int]) -> set[int] | None:
    """Sub-records (qualifications, metrics) take their scope from their parent: a new one may only
    be added under a parent the user may change. None when the kind has no such parent."""
    model = kind.model
    via = getattr(model, "SCOPE_VIA", None)
    parents_allowed: set[int] | None = None
    if via:
        parent_ids = sorted({parsed[i][via] for i in live if isinstance(parsed[i].get(via), int)})
        parent_model = model._meta.get_field(via).related_model
        parents_allowed = set()
        for chunk in _chunks(parent_ids):
            parents_allowed.update(editable_queryset(parent_model, user).filter(pk__in=chunk)
                                   .values_list("pk", flat=True))
    return parents_allowed


def _compare(kind: Kind, cols: _Columns, result: Result, parsed: list[dict], live: list[int],
             matches: dict[int, dict], allowed: set[int], index,
             forbidden: list[int]) -> tuple[dict[int, list[str]], dict]:
    """For each row that names an existing record: an error if the user may not change it or another
    row already updates it, else its changed fields (none: unchanged). Returns row index → changed
    field names, and the matched records' current many-to-many links."""
    fields = cols.fields
    hashed = {name: f.hash_field for name, f in fields.items() if isinstance(f, EncryptedTextField) and f.hash_field}
    seen_pks: set[int] = set()
    changes: dict[int, list[str]] = {}  # row index → changed field names, for existing records
    m2m_names = {n for n, f in fields.items() if m2m.is_m2m(f)}
    links_now = m2m.current(kind.model, sorted(m2m_names), sorted(r["pk"] for r in matches.values())) if m2m_names else {}

    for i in live:
        rr, vals = result.rows[i], parsed[i]
        row = matches.get(i)
        if row is None:
            continue
        pk = row["pk"]
        changed = []
        for name, value in vals.items():
            if name in hashed:  # compared by blind index: the stored value stays encrypted
                if (index(value) if value else "") != row[hashed[name]]:
                    changed.append(name)
            elif name in m2m_names:  # compared as sets (sorted pks)
                if links_now.get((pk, name), ()) != value:
                    changed.append(name)
            elif row[fields[name].attname] != value:
                changed.append(name)
        if not changed:
            # Nothing to write: a row of a list export naming a record the user reads but may not
            # change (another district's published demand) is no error.
            rr.outcome = UNCHANGED
            continue
        if pk not in allowed:
            rr.outcome = ERROR  # the reason follows the own-records rule's, if any (``plan``)
            forbidden.append(i)
            continue
        if pk in seen_pks:
            rr.outcome, rr.errors = ERROR, [("", _("Another row of this file updates the same record."))]
            continue
        seen_pks.add(pk)
        changes[i] = changed
    return changes, links_now


def _decide(kind: Kind, user, cols: _Columns, result: Result, parsed: list[dict], live: list[int],
            matches: dict[int, dict], changes: dict[int, list[str]], links_now: dict,
            parents_allowed: set[int] | None) -> _Work:
    """Each remaining row's outcome: an update of the loaded record or a new one, checked against the
    scope rules and the model's own cleaning; returns the records to write."""
    model = kind.model
    work = _Work()
    fields, headers, personal = cols.fields, cols.headers, cols.personal
    via = getattr(model, "SCOPE_VIA", None)
    m2m_names = {n for n, f in fields.items() if m2m.is_m2m(f)}
    scope_check = _ScopeCheck(model, user, fields)
    # Only the records that change are loaded whole (their history rows need every field).
    full: dict[int, models.Model] = {}
    for chunk in _chunks(sorted(matches[i]["pk"] for i in changes)):
        full.update(model._default_manager.in_bulk(chunk))

    for i in live:
        rr, vals = result.rows[i], parsed[i]
        if rr.outcome in (ERROR, UNCHANGED):
            continue
        pending = vals.get("institution") if isinstance(vals.get("institution"), NewInstitution) else None
        if i in changes:
            obj = full[matches[i]["pk"]]
            changed = changes[i]
            for name in changed:
                if name not in m2m_names:
                    setattr(obj, fields[name].attname, vals[name])
            obj._import_m2m = {n: vals[n] for n in changed if n in m2m_names}  # written by m2m.write
            rr.outcome = UPDATE
            rr.changes = [headers[n] for n in changed]
        else:
            if parents_allowed is not None and vals.get(via) not in parents_allowed:
                rr.outcome, rr.errors = ERROR, [("", _("This is not a record you may change."))]
                continue
            missing = [(name, msgs) for name, msgs in cols.blank_defaults if name not in vals]
            if missing:
                rr.outcome = ERROR
                rr.errors = [(_field_header(kind, name, headers), m) for name, msgs in missing for m in msgs]
                continue
            obj = bulk.new_instance(model, {fields[name].attname: value for name, value in vals.items()
                                            if not isinstance(value, NewInstitution) and name not in m2m_names})
            obj._import_m2m = {n: vals[n] for n in vals if n in m2m_names}
            rr.outcome = NEW
            if pending is not None:
                rr.note = _("“%(name)s” is not in the registry: it will be added as a provisional institution "
                            "for review.") % {"name": pending.name}
        scope_errors = scope_check.errors(obj, vals, matches[i] if i in changes else None, links_now)
        if scope_errors:
            rr.outcome, rr.changes = ERROR, []
            rr.errors = [(_field_header(kind, name, headers), msg) for name, msg in scope_errors.items()]
            continue
        try:
            if cols.full_clean:
                # Foreign keys were resolved against the database already: skip Django's one query per key.
                obj.full_clean(exclude=cols.relations, validate_unique=False, validate_constraints=False)
            elif cols.run_clean:
                obj.clean()
        except ValidationError as exc:
            rr.outcome, rr.changes = ERROR, []
            rr.errors = _clean_errors(kind, exc, headers, personal, obj)
            continue
        obj._import_row = rr.row
        if rr.outcome == NEW:
            work.new.append((rr, obj, pending))
        else:
            work.updates.append((rr, obj, changes[i]))
    return work
