"""The import engine: a file → a plan (every row new / update / unchanged / error) → an
all-or-nothing bulk write that records history and one audit entry.

The same engine serves the UI (preview, then confirm) and ``manage.py import_file``. Confirming
re-reads the stored file and re-plans inside the transaction, so what is written is what the
database holds at that moment, and a failure anywhere leaves the database as it was.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from duijie.core import crypto
from duijie.core.audit import audit
from duijie.core.choices import AuditAction
from duijie.core.fields import EncryptedTextField
from duijie.core.masking import looks_masked, mask
from duijie.core.selectors import editable_queryset
from duijie.core.validators import normalise_uscc, parse_patent_number
from duijie.imports import layouts, m2m, readers
from duijie.imports import values as V
from duijie.imports.kinds import Kind, is_money
from duijie.imports.resolvers import NewInstitution, Resolvers

NEW, UPDATE, UNCHANGED, ERROR = "new", "update", "unchanged", "error"
BATCH_SIZE = 1000
HEADER_SCAN_ROWS = 20
CHUNK = 2000  # keys per IN (…) query
PROGRESS_ROWS = 500  # the progress callback is called every this many rows while checking


def _no_progress(phase: str, done: int, total: int) -> None:
    pass


class ImportFailed(Exception):
    pass


@dataclass
class RowResult:
    row: int
    outcome: str = NEW
    label: str = ""
    changes: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""


@dataclass
class Result:
    kind: Kind
    file_name: str
    file_type: str = ""
    encoding: str = ""
    header_row: int = 0
    notes: list[str] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    committed: bool = False

    @property
    def counts(self) -> dict[str, int]:
        counts = {"new": 0, "updated": 0, "unchanged": 0, "errors": 0}
        for r in self.rows:
            counts[{NEW: "new", UPDATE: "updated", UNCHANGED: "unchanged", ERROR: "errors"}[r.outcome]] += 1
        counts["errors"] += len(self.file_errors)
        return counts

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(r.outcome == ERROR for r in self.rows)

    def errors(self) -> list[tuple[int | None, str, str]]:
        """(row as Excel shows it, column header, reason); file-level problems have no row."""
        out: list[tuple[int | None, str, str]] = [(None, "", msg) for msg in self.file_errors]
        for r in self.rows:
            out.extend((r.row, col, reason) for col, reason in r.errors)
        return out


# ---------------------------------------------------------------- headers

def _norm_header(text: str) -> str:
    text = V.fold_key(text)
    text = re.sub(r"[*＊:：]|\(必填\)|必填", "", text)
    return text


_CJK = re.compile(r"[\u4e00-\u9fff]")


def header_names(kind: Kind) -> dict[str, str]:
    """Folded header spelling → field name: zh-Hans and English verbose names, the field name, the
    official names in brackets and the kind's aliases."""
    mapping: dict[str, str] = {}
    later: list[tuple[str, str]] = []
    for name in kind.columns:
        f = kind.field(name)
        with translation.override("zh-hans"):
            zh = str(f.verbose_name)
        with translation.override("en"):
            en = str(f.verbose_name)
        for text in (zh, en, name):
            mapping.setdefault(_norm_header(text), name)
        for alias in kind.aliases.get(name, ()):
            mapping.setdefault(_norm_header(alias), name)
        for text in (zh, en):
            later.extend((inner, name) for inner in re.findall(r"[(（]([^()（）]+)[)）]", text) if _CJK.search(inner))
    for inner, name in later:
        mapping.setdefault(_norm_header(inner), name)
    for key, name in list(mapping.items()):  # “注册资本（元）” is also found as “注册资本”, “注册资本（万元）”
        mapping.setdefault(_strip_unit(key), name)
    return mapping


_UNIT_RE = re.compile(r"\(([^()]*)\)$")


def _strip_unit(key: str) -> str:
    return _UNIT_RE.sub("", key) or key


def column_unit(header: str) -> str | None:
    """A money column whose header names 万元 or 亿元 scales bare numbers: “注册资本（万元）” 500 → 5,000,000."""
    m = _UNIT_RE.search(_norm_header(header))
    if m and m.group(1) in ("万元", "万", "亿元", "亿"):
        return m.group(1)
    return None


def _lookup_header(names: dict[str, str], text: str) -> str | None:
    key = _norm_header(text)
    return names.get(key) or names.get(_strip_unit(key))


def template_header(kind: Kind, name: str) -> str:
    with translation.override("zh-hans"):
        return str(kind.field(name).verbose_name)


def _find_header(kind: Kind, sheet: readers.Sheet, result: Result) -> tuple[int, list[tuple[int, str, str]]]:
    names = header_names(kind)
    best, best_score = -1, 0
    for i, (_number, cells) in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        score = sum(1 for c in cells if isinstance(c, str) and _lookup_header(names, c))
        if score > best_score:
            best, best_score = i, score
    if best < 0:
        raise readers.FileProblem(
            _("No header row found: the first rows name none of the columns of %(what)s. "
              "Download the template to see the column names.") % {"what": kind.model._meta.verbose_name_plural})
    number, cells = sheet.rows[best]
    above = sheet.rows[best - 1][1] if best > 0 else ()
    if best + 1 < len(sheet.rows):
        # A two-row header: group cells merged across above, the sub-headers below them.
        below_number, below = sheet.rows[best + 1]
        texts = [c for c in below if not V.is_blank(c)]
        if texts and all(isinstance(c, str) and _lookup_header(names, c) for c in texts):
            merged = list(cells) + [None] * max(0, len(below) - len(cells))
            for idx, c in enumerate(below):
                if not V.is_blank(c):
                    merged[idx] = c
            above, cells, number, best = cells, tuple(merged), below_number, best + 1
    columns, unknown, seen = [], [], {}
    for idx, cell in enumerate(cells):
        text = V.cell_text(cell)
        if not text and idx < len(above) and isinstance(above[idx], str) and _lookup_header(names, above[idx]):
            text = above[idx].strip()  # a header cell merged down from the row above
        if not text:
            continue
        fname = _lookup_header(names, text)
        if fname is None:
            unknown.append(text)
        elif fname in seen:
            result.file_errors.append(_("Columns “%(a)s” and “%(b)s” are the same field.") % {"a": seen[fname], "b": text})
        else:
            seen[fname] = text
            columns.append((idx, fname, text))
    if unknown:
        result.file_errors.append(_("Unknown columns: %(cols)s. Remove them or rename them as in the template.")
                                  % {"cols": "、".join(f"“{u}”" for u in unknown)})
    missing = [template_header(kind, n) for n in kind.required if n not in seen]
    if missing:
        result.file_errors.append(_("Required columns are missing: %(cols)s.")
                                  % {"cols": "、".join(f"“{m}”" for m in missing)})
    result.header_row = number
    return best, columns


# ---------------------------------------------------------------- cells

_choice_cache: dict[tuple[str, str], dict[str, Any]] = {}


def _choices(f: models.Field, choices) -> dict[str, Any]:
    key = (f.model._meta.label if hasattr(f, "model") else "", f.name)
    if key not in _choice_cache:
        mapping: dict[str, Any] = {}
        for value, label in choices:
            mapping[V.fold_key(str(value))] = value
            for lang in ("zh-hans", "en"):
                with translation.override(lang):
                    for k in V.label_keys(str(label)):
                        mapping.setdefault(k, value)
        _choice_cache[key] = mapping
    return _choice_cache[key]


def _parse_choice(f: models.Field, raw, choices=None) -> Any:
    text = V.cell_text(raw)
    value = _choices(f, choices or f.choices).get(V.fold_key(text))
    if value is None:
        options = "、".join(str(label) for _v, label in (choices or f.choices))
        raise ValueError(_("“%(value)s” is not one of the options: %(options)s.") % {"value": text, "options": options})
    return value


def parse_cell(kind: Kind, f: models.Field, raw, resolvers: Resolvers) -> Any:
    if isinstance(raw, readers.Invalid):  # a layout already knows what is wrong with this cell
        raise ValueError(raw.message)
    if isinstance(raw, readers.Parsed):  # … or what it means
        return raw.value
    if f.name in kind.list_fields:
        spec = kind.list_fields[f.name]
        parts = V.split_list(raw)
        if spec == "int":
            return [V.parse_int(p) for p in parts]
        app, cls = spec.split(".")
        choices = getattr(importlib.import_module(f"duijie.{app}.choices"), cls).choices
        return [_parse_choice(f, p, choices) for p in parts]
    if m2m.is_m2m(f):
        return m2m.parse(resolvers, f, raw)
    if f.is_relation:
        return resolvers.resolve(f.name, f.related_model._meta.label_lower, raw,
                                 allow_new_institution=kind.name == "achievement" and f.name == "institution")
    if f.choices:
        return _parse_choice(f, raw)
    if isinstance(f, models.DateField):
        return V.parse_date(raw)
    if isinstance(f, models.DecimalField):
        return V.parse_money(raw) if is_money(f) else V.parse_decimal(raw)
    if isinstance(f, models.BooleanField):
        return V.parse_bool(raw)
    if isinstance(f, (models.IntegerField, models.PositiveSmallIntegerField)):
        return V.parse_int(raw)
    if isinstance(f, EncryptedTextField):
        return V.nfkc(V.cell_text(raw)).strip()
    if f.name == "uscc":
        return normalise_uscc(V.cell_text(raw))
    if f.name == "application_no":
        try:
            return parse_patent_number(V.cell_text(raw))[0]
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages))
    return V.parse_text(raw)


def _key_part(value) -> Any:
    if isinstance(value, NewInstitution):
        return ("new", value.key)
    if isinstance(value, str):
        return V.fold_key(value)
    return value


# ---------------------------------------------------------------- existing records

def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _candidates(kind: Kind, parsed: list[dict]) -> list[models.Model]:
    model = kind.model
    manager = model._default_manager
    if kind.name in ("enterprise", "patent"):
        name = kind.key[0]
        keys = sorted({p[name] for p in parsed if name in p})
        return [o for chunk in _chunks(keys) for o in manager.filter(**{f"{name}__in": chunk})]
    if kind.key and kind.key[0] in ("enterprise", "institution"):
        fk = kind.key[0]
        ids = sorted({p[fk] for p in parsed if isinstance(p.get(fk), int)})
        return [o for chunk in _chunks(ids) for o in manager.filter(**{f"{fk}_id__in": chunk})]
    if kind.name == "expert":
        names = sorted({p["name"] for p in parsed if "name" in p})
        hashes = sorted({crypto.blind_index(p["phone"]) for p in parsed if p.get("phone")})
        found: dict[int, models.Model] = {}
        for chunk in _chunks(names):
            found.update((o.pk, o) for o in manager.filter(name__in=chunk))
        for chunk in _chunks(hashes):
            found.update((o.pk, o) for o in manager.filter(phone_hash__in=chunk))
        return list(found.values())
    return list(manager.all())


def _instance_key(kind: Kind, obj: models.Model) -> tuple:
    return tuple(_key_part(getattr(obj, kind.field(n).attname)) for n in kind.key)


def _editable_ids(kind: Kind, user, ids: list[int]) -> set[int]:
    if getattr(user, "is_city_admin", False):
        return set(ids)
    allowed: set[int] = set()
    for chunk in _chunks(sorted(ids)):
        allowed.update(editable_queryset(kind.model, user).filter(pk__in=chunk).values_list("pk", flat=True))
    return allowed


# ---------------------------------------------------------------- planning

def _field_header(kind: Kind, name: str, headers: dict[str, str]) -> str:
    if name == NON_FIELD_ERRORS:
        return ""
    if name in headers:
        return headers[name]
    try:
        return template_header(kind, name)
    except Exception:
        return name


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


def _owner_org(kind: Kind, obj, user, resolvers: Resolvers):
    if not getattr(user, "is_city_admin", False):
        return getattr(user, "organisation_id", None)
    if kind.parent == "enterprise":
        return resolvers.enterprise_org.get(obj.enterprise_id)
    if kind.parent == "institution" and obj.institution_id:
        return resolvers.institution_org.get(obj.institution_id)
    return None


@dataclass
class _Work:
    new: list = field(default_factory=list)  # (RowResult, obj, NewInstitution | None)
    updates: list = field(default_factory=list)  # (RowResult, obj, [field names])


def plan(kind: Kind, sheet: readers.Sheet, user, result: Result, resolvers: Resolvers,
         progress=_no_progress) -> _Work:
    model = kind.model
    personal = {f.name: f.kind for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)}
    header_index, columns = _find_header(kind, sheet, result)
    work = _Work()
    if result.file_errors:
        return work
    headers = {fname: text for _i, fname, text in columns}
    fields = {fname: kind.field(fname) for _i, fname, _t in columns}
    units = {fname: column_unit(text) for _i, fname, text in columns if is_money(fields[fname])}
    parsed: list[dict] = []
    first_by_key: dict[tuple, int] = {}
    total = len(sheet.rows) - header_index - 1
    for n, (number, cells) in enumerate(sheet.rows[header_index + 1:]):
        if n % PROGRESS_ROWS == 0:
            progress("check", n, total)
        rr = RowResult(row=number)
        vals: dict[str, Any] = {}
        for idx, fname, header in columns:
            raw = cells[idx] if idx < len(cells) else None
            if V.is_blank(raw):
                continue
            if fname in personal and looks_masked(V.cell_text(raw)):
                continue  # a masked value coming back never overwrites the stored one
            try:
                unit = units.get(fname)
                if unit and (isinstance(raw, (int, float)) or V.is_plain_number(raw)):
                    raw = f"{V.cell_text(raw)}{unit}"
                vals[fname] = parse_cell(kind, fields[fname], raw, resolvers)
            except ValueError as exc:
                msg = str(exc)
                if fname in personal:
                    msg = msg.replace(V.cell_text(raw), mask(V.cell_text(raw), personal[fname]))
                rr.errors.append((header, msg))
            except ValidationError as exc:
                rr.errors.append((header, " ".join(exc.messages)))
        if kind.prepare is not None and not rr.errors:
            try:
                kind.prepare(vals)
            except ValueError as exc:
                rr.errors.append((_field_header(kind, kind.key[0], headers), str(exc)))
            for name in vals.keys() - fields.keys():  # derived values (a region's level from its code)
                fields[name] = kind.field(name)
                headers[name] = template_header(kind, name)
        rr.label = " · ".join(V.cell_text(cells[i]) for i, f, _h in columns
                              if f in kind.key and i < len(cells) and cells[i] is not None)
        failed = {h for h, _m in rr.errors}
        if rr.errors:  # report the other cells' problems too, in one pass
            probe = model()
            for name, value in vals.items():
                if not isinstance(value, NewInstitution) and name in fields and not m2m.is_m2m(fields[name]):
                    setattr(probe, fields[name].attname, value)
            try:
                probe.clean_fields(exclude=[f.name for f in model._meta.fields if f.name not in vals
                                            or fields[f.name].is_relation])
            except ValidationError as exc:
                rr.errors.extend(_clean_errors(kind, exc, headers, personal, probe))
        for name in kind.key:
            if name not in vals and kind.field(name).blank is False and headers.get(name) not in failed:
                rr.errors.append((_field_header(kind, name, headers), _("This value is required.")))
        if not rr.errors:
            key = tuple(_key_part(vals.get(n)) for n in kind.key)
            if key in first_by_key:
                first = first_by_key[key]
                same = parsed[first] == vals
                rr.outcome = UNCHANGED if same else ERROR
                if same:
                    rr.note = _("Same as row %(row)d; counted once.") % {"row": result.rows[first].row}
                else:
                    rr.errors.append(("", _("Row %(row)d has the same key with different values; keep one of them.")
                                      % {"row": result.rows[first].row}))
            else:
                first_by_key[key] = len(result.rows)
        if rr.errors:
            rr.outcome = ERROR
        result.rows.append(rr)
        parsed.append(vals)

    # Existing records by natural key (and, for experts, by phone).
    live = [i for i, rr in enumerate(result.rows) if rr.outcome != ERROR and not rr.note]
    existing: dict[tuple, models.Model] = {}
    by_phone: dict[str, models.Model] = {}
    for obj in _candidates(kind, [parsed[i] for i in live]):
        existing.setdefault(_instance_key(kind, obj), obj)
        if kind.name == "expert" and obj.phone_hash:
            by_phone.setdefault(obj.phone_hash, obj)
    matches: dict[int, models.Model] = {}
    for i in live:
        vals = parsed[i]
        obj = None
        if kind.name == "expert" and vals.get("phone"):
            obj = by_phone.get(crypto.blind_index(vals["phone"]))
        if obj is None:
            obj = existing.get(tuple(_key_part(vals.get(n)) for n in kind.key))
        if obj is not None:
            matches[i] = obj
    progress("check", total, total)
    allowed = _editable_ids(kind, user, [o.pk for o in matches.values()])
    # Sub-records (qualifications, metrics) take their scope from their parent: a new one may only
    # be added under a parent the user may change.
    via = getattr(model, "SCOPE_VIA", None)
    parents_allowed: set[int] | None = None
    if via and not getattr(user, "is_city_admin", False):
        parent_ids = sorted({parsed[i][via] for i in live if isinstance(parsed[i].get(via), int)})
        parent_model = model._meta.get_field(via).related_model
        parents_allowed = set()
        for chunk in _chunks(parent_ids):
            parents_allowed.update(editable_queryset(parent_model, user).filter(pk__in=chunk)
                                   .values_list("pk", flat=True))
    relations = [f.name for f in model._meta.fields if f.is_relation]
    now_pk_seen: set[int] = set()
    m2m_names = [n for n, f in fields.items() if m2m.is_m2m(f)]
    links_now = m2m.current(model, m2m_names, sorted(o.pk for o in matches.values())) if m2m_names else {}

    for i in live:
        rr = result.rows[i]
        vals, links = m2m.split(parsed[i], fields)
        obj = matches.get(i)
        pending = vals.get("institution") if isinstance(vals.get("institution"), NewInstitution) else None
        if obj is not None:
            if obj.pk not in allowed:
                rr.outcome, rr.errors = ERROR, [("", _("This is not a record you may change."))]
                continue
            if obj.pk in now_pk_seen:
                rr.outcome, rr.errors = ERROR, [("", _("Another row of this file updates the same record."))]
                continue
            now_pk_seen.add(obj.pk)
            changed = []
            for name, value in vals.items():
                f = fields[name]
                if getattr(obj, f.attname) != value:
                    setattr(obj, f.attname, value)
                    changed.append(name)
            obj._import_m2m = {n: pks for n, pks in links.items() if links_now.get((obj.pk, n), ()) != pks}
            changed.extend(obj._import_m2m)
            if not changed:
                rr.outcome = UNCHANGED
                continue
            rr.outcome = UPDATE
            rr.changes = [headers[n] for n in changed]
        else:
            if parents_allowed is not None and vals.get(via) not in parents_allowed:
                rr.outcome, rr.errors = ERROR, [("", _("This is not a record you may change."))]
                continue
            obj = model()
            for name, value in vals.items():
                if not isinstance(value, NewInstitution):
                    setattr(obj, fields[name].attname, value)
            obj._import_m2m = dict(links)
            rr.outcome = NEW
            if pending is not None:
                rr.note = _("“%(name)s” is not in the registry: it will be added as a provisional institution "
                            "for review.") % {"name": pending.name}
        try:
            # Foreign keys were resolved against the database already: skip Django's one query per key.
            obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            rr.outcome, rr.changes = ERROR, []
            rr.errors = _clean_errors(kind, exc, headers, personal, obj)
            continue
        obj._import_row = rr.row
        if rr.outcome == NEW:
            work.new.append((rr, obj, pending))
        else:
            work.updates.append((rr, obj, changed))
    return work


# ---------------------------------------------------------------- writing

def create_batch(model, objs: list, user, now) -> list:
    """One bulk insert with its history rows (a seam for tests that inject a failure)."""
    return bulk_create_with_history(objs, model, batch_size=BATCH_SIZE, default_user=user, default_date=now)


def update_batch(model, objs: list, fields: list[str], user, now) -> None:
    bulk_update_with_history(objs, model, fields, batch_size=BATCH_SIZE, default_user=user, default_date=now)


def _create_organisations(model, objs: list) -> None:
    from duijie.core.models import Organisation

    orgs = Organisation.objects.bulk_create(
        [Organisation(kind=model.org_kind, name=o.name, region_id=o.region_id, park_id=getattr(o, "park_id", None))
         for o in objs], batch_size=BATCH_SIZE)
    for obj, org in zip(objs, orgs, strict=True):
        obj.organisation_id = org.pk
        obj.owner_org_id = org.pk


def _row_span(objs: list) -> str:
    rows = [getattr(o, "_import_row", 0) for o in objs]
    return f"{min(rows)}–{max(rows)}" if len(rows) > 1 else str(rows[0])


def write(kind: Kind, work: _Work, user, resolvers: Resolvers, progress=_no_progress) -> None:
    from duijie.orgs.models import Institution, OrganisationBacked

    model = kind.model
    to_write, written = len(work.new) + len(work.updates), 0
    progress("write", 0, to_write)
    now = timezone.now()
    actor = user if getattr(user, "is_authenticated", False) else None
    # Provisional institutions named by achievements.
    pending: dict[str, NewInstitution] = {}
    for _rr, _o, p in work.new:
        if p is not None:
            pending.setdefault(p.key, p)  # the first spelling in the file
    if pending:
        insts = [Institution(name=p.name, kind="other", is_provisional=True, filed_by=actor,
                             filed_by_org_id=getattr(user, "organisation_id", None)) for p in pending.values()]
        _create_organisations(Institution, insts)
        insts = create_batch(Institution, insts, actor, now)
        made = {V.fold_key(i.name): i for i in insts}
        for _rr, obj, p in work.new:
            if p is not None:
                obj.institution_id = made[p.key].pk
                resolvers.institution_org[made[p.key].pk] = made[p.key].organisation_id
    new_objs = [obj for _rr, obj, _p in work.new]
    scoped = hasattr(model, "filed_by")
    for obj in new_objs:
        if scoped:
            obj.filed_by = actor
            obj.filed_by_org_id = getattr(user, "organisation_id", None)
            if obj.owner_org_id is None:
                obj.owner_org_id = _owner_org(kind, obj, user, resolvers)
    if issubclass(model, OrganisationBacked) and new_objs:
        _create_organisations(model, new_objs)
    for chunk in _chunks(new_objs, BATCH_SIZE):
        try:
            create_batch(model, chunk, actor, now)
        except Exception as exc:
            raise ImportFailed(_("Writing rows %(rows)s failed, so nothing was written: %(error)s")
                               % {"rows": _row_span(chunk), "error": exc}) from exc
        written += len(chunk)
        progress("write", written, to_write)
    if work.updates:
        personal = {f.name: f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)}
        names: set[str] = set()
        stamped = hasattr(model, "updated_at")
        for _rr, obj, changed in work.updates:
            if stamped:
                obj.updated_at = now
            for name in changed:
                if m2m.is_m2m(kind.field(name)):
                    continue  # written below
                names.add(kind.field(name).attname)
                f = personal.get(name)
                if f is not None and f.hash_field:
                    value = getattr(obj, name)
                    setattr(obj, f.hash_field, crypto.blind_index(value) if value else "")
                    names.add(f.hash_field)
        if stamped:
            names.add("updated_at")
        objs = [obj for _rr, obj, _c in work.updates]
        for chunk in _chunks(objs, BATCH_SIZE):
            try:
                update_batch(model, chunk, sorted(names), actor, now)
            except Exception as exc:
                raise ImportFailed(_("Writing rows %(rows)s failed, so nothing was written: %(error)s")
                                   % {"rows": _row_span(chunk), "error": exc}) from exc
            written += len(chunk)
            progress("write", written, to_write)
        if issubclass(model, OrganisationBacked):
            from duijie.core.models import Organisation

            renamed = [Organisation(pk=o.organisation_id, name=o.name, region_id=o.region_id)
                       for _rr, o, changed in work.updates if o.organisation_id and {"name", "region"} & set(changed)]
            Organisation.objects.bulk_update(renamed, ["name", "region_id"], batch_size=BATCH_SIZE)
    m2m.write(model, new_objs + [obj for _rr, obj, _c in work.updates], now)
    # Bulk writes send no post_save: tell index/cache listeners (matching) once, after commit.
    written = [o.pk for o in new_objs] + [o.pk for _rr, o, _c in work.updates]
    if written:
        from duijie.core.signals import records_bulk_written

        transaction.on_commit(lambda: records_bulk_written.send(sender=model, pks=written))


def run(kind: Kind, data: bytes, file_name: str, user, *, commit: bool = False, job=None,
        progress=None) -> Result:
    """Plan the import of ``data``; with ``commit``, write it all or nothing (only if no row has an error).

    ``progress(phase, done, total)``, if given, is called at chunk boundaries with phase "read",
    "check" or "write" (it must store the progress outside this transaction to be seen by others)."""
    progress = progress or _no_progress
    result = Result(kind=kind, file_name=file_name)
    with translation.override("zh-hans"):
        try:
            progress("read", 0, 0)
            sheet = layouts.read(kind, data, file_name)  # an official layout, or a plain spreadsheet
        except readers.FileProblem as exc:
            result.file_errors.append(str(exc))
            return result
        result.file_type, result.encoding, result.notes = sheet.file_type, sheet.encoding, sheet.notes
        resolvers = Resolvers()
        try:
            with transaction.atomic():
                work = plan(kind, sheet, user, result, resolvers, progress)
                if not commit or not result.ok:
                    return result
                write(kind, work, user, resolvers, progress)
                counts = result.counts
                audit(user=user, action=AuditAction.CREATE, obj=job,
                      object_type="" if job is not None else "imports.importjob",
                      object_repr=f"{kind.model._meta.verbose_name_plural} ← {file_name}"[:300],
                      detail={"import": kind.name, "file": file_name, **counts})
                result.committed = True
        except readers.FileProblem as exc:
            result.file_errors.append(str(exc))
        except ImportFailed as exc:
            result.file_errors.append(str(exc))
    return result
