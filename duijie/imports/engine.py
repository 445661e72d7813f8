"""The import engine: a file → a plan (every row new / update / unchanged / error) → an
all-or-nothing bulk write that records history and one audit entry.

The same engine serves the UI (preview, then confirm) and ``manage.py import_file``. Confirming
re-reads the stored file and re-plans inside the transaction, so what is written is what the
database holds at that moment, and a failure anywhere leaves the database as it was.
"""

from __future__ import annotations

import importlib
import re
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from duijie.core import bulk, crypto
from duijie.core.choices import AuditAction
from duijie.core.fields import EncryptedTextField
from duijie.core.masking import looks_masked, mask
from duijie.core.roles import GOVERNMENT_ROLES
from duijie.core.scope import DERIVED_FIELDS, ScopeFieldRule, derived_location
from duijie.core.selectors import editable_queryset
from duijie.core.services import BulkWriteFailed, record_bulk_upsert
from duijie.core.validators import normalise_uscc, parse_patent_number
from duijie.imports import guard, m2m, readers
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


@dataclass(slots=True)
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
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase: read, plan, write

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


def cell_parser(kind: Kind, f: models.Field, resolvers: Resolvers):
    """The function from a raw cell of field ``f`` to the value to store (ValueError with a reason).
    Cells a layout already interpreted (``readers.Parsed``) or rejected (``readers.Invalid``) are
    handled by ``parse_layout_cell`` before this function is called."""
    if f.name in kind.list_fields:
        spec = kind.list_fields[f.name]
        if spec == "int":
            return lambda raw: [V.parse_int(p) for p in V.split_list(raw)]
        app, cls = spec.split(".")
        choices = getattr(importlib.import_module(f"duijie.{app}.choices"), cls).choices
        return lambda raw: [_parse_choice(f, p, choices) for p in V.split_list(raw)]
    if m2m.is_m2m(f):
        return lambda raw: m2m.parse(resolvers, f, raw)
    if f.is_relation:
        label = f.related_model._meta.label_lower
        allow_new = kind.name == "achievement" and f.name == "institution"
        return lambda raw: resolvers.resolve(f.name, label, raw, allow_new_institution=allow_new)
    if f.choices:
        return lambda raw: _parse_choice(f, raw)
    if isinstance(f, models.DateField):
        return V.parse_date
    if isinstance(f, models.DecimalField):
        return V.parse_money if is_money(f) else V.parse_decimal
    if isinstance(f, models.BooleanField):
        return V.parse_bool
    if isinstance(f, (models.IntegerField, models.PositiveSmallIntegerField)):
        return V.parse_int
    if isinstance(f, EncryptedTextField):
        return lambda raw: V.nfkc(V.cell_text(raw)).strip()
    if f.name == "uscc":
        return lambda raw: normalise_uscc(V.cell_text(raw))
    if f.name == "application_no":
        def patent_number(raw):
            try:
                return parse_patent_number(V.cell_text(raw))[0]
            except ValidationError as exc:
                raise ValueError(" ".join(exc.messages))
        return patent_number
    return V.parse_text


_LAYOUT_CELLS = (readers.Parsed, readers.Invalid)


def parse_layout_cell(raw) -> Any:
    """The value of a cell a layout already read: an Invalid cell is an error with its message, a
    Parsed cell is the value it means."""
    if raw.__class__ is readers.Invalid:  # a layout already knows what is wrong with this cell
        raise ValueError(raw.message)
    return raw.value  # … or what it means


def parse_cell(kind: Kind, f: models.Field, raw, resolvers: Resolvers) -> Any:
    if isinstance(raw, _LAYOUT_CELLS):
        return parse_layout_cell(raw)
    return cell_parser(kind, f, resolvers)(raw)


_PLAIN_VALIDATORS = (MaxLengthValidator, ProhibitNullCharactersValidator)


def _quick_check(f: models.Field):
    """For a text field whose only validators are its length (and no NUL): a check that passes
    exactly the values ``f.clean`` passes, without its machinery; None for other fields."""
    if f.get_internal_type() not in ("CharField", "TextField") or f.choices or not f.editable:
        return None
    if any(not isinstance(v, _PLAIN_VALIDATORS) for v in f.validators):
        return None
    limit = f.max_length or 10**9
    return lambda v: v.__class__ is str and 0 < len(v) <= limit and "\x00" not in v


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


def _candidates(kind: Kind, parsed: list[dict], names: list[str]) -> list[dict]:
    """The existing records the file's keys may name, as dicts of ``names`` (attnames and "pk")."""
    manager = kind.model._default_manager
    if kind.name in ("enterprise", "patent"):
        name = kind.key[0]
        keys = sorted({p[name] for p in parsed if name in p})
        return [o for chunk in _chunks(keys) for o in manager.filter(**{f"{name}__in": chunk}).values(*names)]
    if kind.key and kind.key[0] in ("enterprise", "institution"):
        fk = kind.key[0]
        ids = sorted({p[fk] for p in parsed if isinstance(p.get(fk), int)})
        return [o for chunk in _chunks(ids) for o in manager.filter(**{f"{fk}_id__in": chunk}).values(*names)]
    if kind.name == "expert":
        names_ = sorted({p["name"] for p in parsed if "name" in p})
        index = crypto.blind_indexer()
        hashes = sorted({index(p["phone"]) for p in parsed if p.get("phone")})
        found: dict[int, dict] = {}
        for chunk in _chunks(names_):
            found.update((o["pk"], o) for o in manager.filter(name__in=chunk).values(*names))
        for chunk in _chunks(hashes):
            found.update((o["pk"], o) for o in manager.filter(phone_hash__in=chunk).values(*names))
        return list(found.values())
    return list(manager.values(*names))


def _editable_ids(kind: Kind, user, ids: list[int]) -> set[int]:
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


class _ScopeCheck:
    """core.scope's rule on who sets the fields that decide scope, row by row: a row that changes one
    the user may not set, or sets one outside the user's scope, is an error row; a new row from a
    non-government user that leaves the location empty lies where what it belongs to lies."""

    def __init__(self, model, user, fields: dict):
        self.rule = ScopeFieldRule(model, user)
        self.user, self.model = user, model
        self.names = [n for n in self.rule.names if n in fields]
        self._derived: dict = {}

    def _derive(self, obj) -> dict:
        parents = getattr(self.model, "SCOPE_PARENTS", ())
        key = tuple(getattr(obj, self.model._meta.get_field(p).attname, None) for p in parents)
        if key not in self._derived:
            self._derived[key] = derived_location(obj, self.user)
        return self._derived[key]

    def errors(self, obj, vals: dict, current: dict | None, links: dict) -> dict[str, str]:
        if not self.names:
            return {}
        new, old = {}, {}
        derived = self._derive(obj) if current is None and self.rule.derives else None
        for name in self.names:
            if name not in vals:
                continue
            f = self.model._meta.get_field(name)
            value = frozenset(vals[name] or ()) if f.many_to_many else vals[name]
            if current is not None:
                before = frozenset(links.get((current["pk"], name), ())) if f.many_to_many else current.get(f.attname)
            elif derived is not None and name in DERIVED_FIELDS:
                before = derived[name]
                if not value:  # left empty: take the derived place
                    if f.many_to_many:
                        obj._import_m2m[name] = sorted(before)
                    else:
                        setattr(obj, f.attname, before)
                    continue
            else:
                before = frozenset() if f.many_to_many else f.get_default()
            new[name], old[name] = value, before
        return self.rule.errors(new, old, pk=current["pk"] if current else None)


def _own_parent_only(kind: Kind, user, result: Result, parsed: list[dict], headers: dict[str, str],
                     resolvers: Resolvers) -> None:
    """A university office or an enterprise imports only its own records: every row's owning
    institution / enterprise (``kind.parent``: an achievement's 完成单位, a demand's enterprise) must be
    the user's own organisation. A row naming another one — or one the registry does not have, which
    would become a provisional institution filed by this user — is an error naming the row and field.
    Government roles import for the organisations in their scope (their edit scope decides updates)."""

    if not kind.parent or getattr(user, "role", None) in GOVERNMENT_ROLES:
        return
    own = getattr(user, "organisation_id", None)
    orgs = resolvers.institution_org if kind.parent == "institution" else resolvers.enterprise_org
    header = _field_header(kind, kind.parent, headers)
    wrong = [(rr, vals[kind.parent]) for rr, vals in zip(result.rows, parsed, strict=True)
             if rr.outcome != ERROR and vals.get(kind.parent) is not None
             and (isinstance(vals[kind.parent], NewInstitution) or own is None or orgs.get(vals[kind.parent]) != own)]
    model = kind.field(kind.parent).related_model
    names = dict(model._default_manager.filter(pk__in={v for _rr, v in wrong if isinstance(v, int)})
                 .values_list("pk", "name"))
    for rr, value in wrong:
        name = value.name if isinstance(value, NewInstitution) else names.get(value, str(value))
        rr.outcome, rr.note = ERROR, ""
        rr.errors.append((header, _("“%(value)s” is not your own organisation: an account of an enterprise or a "
                                    "university imports only its own records; ask the science bureau to import "
                                    "records of others.") % {"value": name}))


@dataclass
class _Work:
    new: list = field(default_factory=list)  # (RowResult, obj, NewInstitution | None)
    updates: list = field(default_factory=list)  # (RowResult, obj, [field names])


class _Column:
    """One column of the file: where it is, its field, and a reader from raw cell to
    (value, errors) — parsed and validated once per distinct raw value (industry codes, regions,
    dates and choices repeat on every row; a 100,000-row file has a few hundred of them)."""

    __slots__ = ("attname", "field", "header", "idx", "name", "personal", "read")

    def __init__(self, kind: Kind, idx: int, name: str, header: str, resolvers: Resolvers, validate: bool):
        f = kind.field(name)
        self.idx, self.name, self.header, self.field, self.attname = idx, name, header, f, f.attname
        self.personal = f.kind if isinstance(f, EncryptedTextField) else None
        unit = column_unit(header) if is_money(f) else None
        checked = validate and not f.is_relation
        quick = _quick_check(f) if checked else None
        parse = cell_parser(kind, f, resolvers)
        personal = self.personal
        # Remember outcomes per distinct raw value — until a column turns out to hold mostly distinct
        # values (names, codes, phones), where remembering costs more than it saves.
        memo: dict | None = None if name in kind.list_fields else {}
        calls = 0

        def read(raw) -> tuple[Any, tuple]:
            nonlocal memo, calls
            if raw.__class__ in _LAYOUT_CELLS:
                # str subclasses that compare and hash as their text: two such cells with the same
                # text may mean different values (or carry different messages), so never remembered.
                return compute(raw)
            if memo is not None:
                calls += 1
                if calls == MEMO_PROBE and len(memo) > MEMO_PROBE // 2:
                    memo = None  # mostly distinct values
                else:
                    key = (raw.__class__, raw)
                    hit = memo.get(key)
                    if hit is not None:
                        return hit
            out = compute(raw)
            if memo is not None and len(memo) < MEMO_LIMIT:
                memo[key] = out
            return out

        def compute(raw) -> tuple[Any, tuple]:
            errors = []
            value = None
            try:
                if raw.__class__ in _LAYOUT_CELLS:
                    value = parse_layout_cell(raw)
                else:
                    cell = raw
                    if unit and (isinstance(raw, (int, float)) or V.is_plain_number(raw)):
                        cell = f"{V.cell_text(raw)}{unit}"
                    value = parse(cell)
            except ValueError as exc:
                msg = str(exc)
                if personal:
                    msg = msg.replace(V.cell_text(raw), mask(V.cell_text(raw), personal))
                errors.append((header, msg))
            except ValidationError as exc:
                errors.append((header, " ".join(exc.messages)))
            else:
                if checked and not (quick is not None and quick(value)) and not (f.blank and value in f.empty_values):
                    try:  # what Model.clean_fields does for this field
                        value = f.clean(value, None)
                    except ValidationError as exc:
                        for msg in exc.messages:
                            if personal and isinstance(value, str) and value:
                                msg = msg.replace(value, mask(value, personal))
                            errors.append((header, msg))
            return value, tuple(errors)

        self.read = read


MEMO_LIMIT = 20_000
MEMO_PROBE = 2_000


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


def _current_values(kind: Kind, fields: dict[str, models.Field]) -> list[str]:
    """What to read of existing records to compare with the file: personal fields only by their
    blind index (decrypting 100,000 phones to compare them costs more than the rest of the plan);
    many-to-many fields separately (``m2m.current``)."""
    names = {"pk"} | {kind.field(n).attname for n in kind.key}
    for f in fields.values():
        if m2m.is_m2m(f):
            continue
        names.add(f.hash_field if isinstance(f, EncryptedTextField) and f.hash_field else f.attname)
    if kind.name == "expert":
        names.add("phone_hash")
    return sorted(names)


def plan(kind: Kind, sheet: readers.Sheet, user, result: Result, resolvers: Resolvers,
         progress=_no_progress) -> _Work:
    model = kind.model
    personal = {f.name: f.kind for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)}
    header_index, found = _find_header(kind, sheet, result)
    work = _Work()
    if result.file_errors:
        return work
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
    parsed: list[dict] = []
    first_by_key: dict[tuple, int] = {}
    total = len(sheet.rows) - header_index - 1
    for n, (number, cells) in enumerate(sheet.rows[header_index + 1:]):
        if n % PROGRESS_ROWS == 0:
            progress("check", n, total)
        rr = RowResult(row=number)
        vals: dict[str, Any] = {}
        errors = rr.errors
        width = len(cells)
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
            key = tuple(_key_part(vals.get(n)) for n in kind.key)
            if key in first_by_key:
                first = first_by_key[key]
                same = parsed[first] == vals
                rr.outcome = UNCHANGED if same else ERROR
                if same:
                    rr.note = _("Same as row %(row)d; counted once.") % {"row": result.rows[first].row}
                else:
                    errors.append(("", _("Row %(row)d has the same key with different values; keep one of them.")
                                   % {"row": result.rows[first].row}))
            else:
                first_by_key[key] = len(result.rows)
        if errors:
            rr.outcome = ERROR
        result.rows.append(rr)
        parsed.append(vals)
    del first_by_key
    _own_parent_only(kind, user, result, parsed, headers, resolvers)

    # Existing records by natural key (and, for experts, by phone), as plain values.
    live = [i for i, rr in enumerate(result.rows) if rr.outcome != ERROR and not rr.note]
    index = crypto.blind_indexer()
    current = _current_values(kind, fields)
    existing: dict[tuple, dict] = {}
    by_phone: dict[str, dict] = {}
    key_attnames = [kind.field(n).attname for n in kind.key]
    for row in _candidates(kind, [parsed[i] for i in live], current):
        existing.setdefault(tuple(_key_part(row[a]) for a in key_attnames), row)
        if kind.name == "expert" and row["phone_hash"]:
            by_phone.setdefault(row["phone_hash"], row)
    matches: dict[int, dict] = {}
    if existing:
        for i in live:
            vals = parsed[i]
            row = None
            if kind.name == "expert" and vals.get("phone"):
                row = by_phone.get(index(vals["phone"]))
            if row is None:
                row = existing.get(tuple(_key_part(vals.get(n)) for n in kind.key))
            if row is not None:
                matches[i] = row
    progress("check", total, total)
    allowed = _editable_ids(kind, user, [r["pk"] for r in matches.values()])
    # Sub-records (qualifications, metrics) take their scope from their parent: a new one may only
    # be added under a parent the user may change.
    via = getattr(model, "SCOPE_VIA", None)
    parents_allowed: set[int] | None = None
    if via:
        parent_ids = sorted({parsed[i][via] for i in live if isinstance(parsed[i].get(via), int)})
        parent_model = model._meta.get_field(via).related_model
        parents_allowed = set()
        for chunk in _chunks(parent_ids):
            parents_allowed.update(editable_queryset(parent_model, user).filter(pk__in=chunk)
                                   .values_list("pk", flat=True))
    hashed = {name: f.hash_field for name, f in fields.items() if isinstance(f, EncryptedTextField) and f.hash_field}
    seen_pks: set[int] = set()
    changes: dict[int, list[str]] = {}  # row index → changed field names, for existing records
    m2m_names = {n for n, f in fields.items() if m2m.is_m2m(f)}
    links_now = m2m.current(model, sorted(m2m_names), sorted(r["pk"] for r in matches.values())) if m2m_names else {}

    for i in live:
        rr, vals = result.rows[i], parsed[i]
        row = matches.get(i)
        if row is None:
            continue
        pk = row["pk"]
        if pk not in allowed:
            rr.outcome, rr.errors = ERROR, [("", _("This is not a record you may change."))]
            continue
        if pk in seen_pks:
            rr.outcome, rr.errors = ERROR, [("", _("Another row of this file updates the same record."))]
            continue
        seen_pks.add(pk)
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
        if changed:
            changes[i] = changed
        else:
            rr.outcome = UNCHANGED
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
            missing = [(name, msgs) for name, msgs in blank_defaults if name not in vals]
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
            if full_clean:
                # Foreign keys were resolved against the database already: skip Django's one query per key.
                obj.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
            elif run_clean:
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


# ---------------------------------------------------------------- writing

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
    from duijie.orgs.models import Institution

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
    # Bulk writes send no post_save: tell index/cache listeners (matching) once, after commit.
    pks = [o.pk for o in new_objs] + [o.pk for o in updated]
    if pks:
        from duijie.core.signals import records_bulk_written

        transaction.on_commit(lambda: records_bulk_written.send(sender=model, pks=pks))


def run(kind: Kind, data: bytes, file_name: str, user, *, commit: bool = False, job=None,
        progress=None) -> Result:
    """Plan the import of ``data``; with ``commit``, write it all or nothing (only if no row has an error).

    ``progress(phase, done, total)``, if given, is called at chunk boundaries with phase "read",
    "check" or "write" (it must store the progress outside this transaction to be seen by others)."""
    progress = progress or _no_progress
    result = Result(kind=kind, file_name=file_name)
    clock = time.perf_counter()
    with translation.override("zh-hans"):
        try:
            progress("read", 0, 0)
            # An official layout or a plain spreadsheet, checked and parsed in a limited child process.
            sheet = guard.read(kind, data, file_name)
        except readers.FileProblem as exc:
            result.file_errors.append(str(exc))
            return result
        result.file_type, result.encoding, result.notes = sheet.file_type, sheet.encoding, sheet.notes
        result.timings["read"] = time.perf_counter() - clock
        resolvers = Resolvers()
        try:
            with transaction.atomic():
                clock = time.perf_counter()
                work = plan(kind, sheet, user, result, resolvers, progress)
                del sheet  # the cells are parsed: free them before writing
                result.timings["plan"] = time.perf_counter() - clock
                if not commit or not result.ok:
                    return result
                clock = time.perf_counter()
                write(kind, work, user, resolvers, audit_entry={
                    "action": AuditAction.CREATE, "obj": job,
                    "object_type": "" if job is not None else "imports.importjob",
                    "object_repr": f"{kind.model._meta.verbose_name_plural} ← {file_name}"[:300],
                    "detail": {"import": kind.name, "file": file_name, **result.counts}}, progress=progress)
                result.timings["write"] = time.perf_counter() - clock
                result.committed = True
        except readers.FileProblem as exc:
            result.file_errors.append(str(exc))
        except ImportFailed as exc:
            result.file_errors.append(str(exc))
    return result
