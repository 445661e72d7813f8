"""Reading the file's header: which row names the columns (one or two rows, cells merged down), and
which field each column is — by its zh-Hans or English name, the field name, an official name in
brackets or an alias of the kind; money columns may name their unit (万元, 亿元)."""

from __future__ import annotations

import re

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import translation
from django.utils.translation import gettext as _

from duijie.core.export import is_read_only_header
from duijie.imports import readers
from duijie.imports import values as V
from duijie.imports.engine.results import Result
from duijie.imports.kinds import Kind

HEADER_SCAN_ROWS = 20


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


def _field_header(kind: Kind, name: str, headers: dict[str, str]) -> str:
    if name == NON_FIELD_ERRORS:
        return ""
    if name in headers:
        return headers[name]
    try:
        return template_header(kind, name)
    except Exception:
        return name


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
    columns, unknown, seen, skipped = [], [], {}, []
    for idx, cell in enumerate(cells):
        text = V.cell_text(cell)
        if not text and idx < len(above) and isinstance(above[idx], str) and _lookup_header(names, above[idx]):
            text = above[idx].strip()  # a header cell merged down from the row above
        if not text:
            continue
        if is_read_only_header(text):
            skipped.append(text)  # a list export's read-only column (state, filer, version …)
            continue
        fname = _lookup_header(names, text)
        if fname is None:
            unknown.append(text)
        elif fname in seen:
            result.file_errors.append(_("Columns “%(a)s” and “%(b)s” are the same field.") % {"a": seen[fname], "b": text})
        else:
            seen[fname] = text
            columns.append((idx, fname, text))
    if skipped:
        result.notes.append(_("Read-only columns of the export, not imported: %(cols)s.")
                            % {"cols": "、".join(f"“{s}”" for s in skipped)})
    if unknown:
        result.file_errors.append(_("Unknown columns: %(cols)s. Remove them or rename them as in the template.")
                                  % {"cols": "、".join(f"“{u}”" for u in unknown)})
    missing = [template_header(kind, n) for n in kind.required if n not in seen]
    if missing:
        result.file_errors.append(_("Required columns are missing: %(cols)s.")
                                  % {"cols": "、".join(f"“{m}”" for m in missing)})
    result.header_row = number
    return best, columns
