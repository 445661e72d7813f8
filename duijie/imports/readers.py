"""Read an uploaded spreadsheet (xlsx, old xls, CSV) into numbered rows of raw cell values.

Rows carry the number the user sees in Excel (1-based). xlsx is read with calamine (or openpyxl in read-only,
``data_only`` mode): formula cells give their cached values; CSV is decoded as UTF-8 (with or
without BOM) strictly and otherwise as GB18030 (a superset of GBK, what Excel on Chinese Windows
writes), and the encoding used is reported.

These readers trust nothing but run only inside the limited child process of ``guard.py``, after its
checks; call ``guard.read``, never them directly, on uploaded bytes.
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

EXTENSIONS = (".xlsx", ".xls", ".csv")

try:
    import python_calamine  # noqa: F401

    USE_CALAMINE = True
except ImportError:  # pragma: no cover - openpyxl reads the same files, slower
    USE_CALAMINE = False


class FileProblem(Exception):
    """The file as a whole cannot be imported; the message says why in plain words."""


class Parsed(str):
    """A cell value a layout has already interpreted: the engine stores ``value`` as it is (``""``
    clears a field, which a blank cell never does). The text is what the file said."""

    def __new__(cls, text: str, value):
        obj = super().__new__(cls, text or "—")
        obj.value = value
        return obj

    def __reduce__(self):  # sheets travel from the parsing child process (guard.py) pickled
        return (Parsed, (str(self), self.value))


class Invalid(str):
    """A cell value a layout could not make sense of (two ticks in a single-choice list …): the engine
    reports ``message`` as that row's error in that column. The text is what the file said."""

    def __new__(cls, text: str, message: str):
        obj = super().__new__(cls, text or "?")
        obj.message = message
        return obj

    def __reduce__(self):
        return (Invalid, (str(self), self.message))


@dataclass
class Sheet:
    rows: list[tuple[int, tuple]]  # (row number as Excel shows it, cell values)
    file_type: str
    encoding: str = ""
    notes: list[str] = field(default_factory=list)


def extension(name: str) -> str:
    return Path(name).suffix.lower()


MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlsb", ".xlam", ".docm", ".dotm")


def check_name(name: str) -> str:
    ext = extension(name)
    if ext in MACRO_EXTENSIONS:
        raise FileProblem(_("“%(name)s” is a macro-enabled Office file (%(ext)s), which is not imported: save it in "
                            "Office as .xlsx (or .docx) without macros and upload that.") % {"name": name, "ext": ext})
    if ext not in EXTENSIONS:
        raise FileProblem(_("“%(name)s” is not a spreadsheet this import reads: upload an .xlsx, .xls or .csv file.")
                          % {"name": name})
    return ext


def read(data: bytes, name: str) -> Sheet:
    ext = check_name(name)
    if not data:
        raise FileProblem(_("The file “%(name)s” is empty.") % {"name": name})
    if ext == ".xlsx":
        return _read_xlsx(data, name)
    if ext == ".xls":
        return _read_xls(data, name)
    return _read_csv(data)


def _kept(values) -> bool:
    return any(v is not None and (not isinstance(v, str) or v.strip()) for v in values)


def _read_xlsx(data: bytes, name: str) -> Sheet:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FileProblem(_("“%(name)s” is not a valid .xlsx file (it may be damaged, or an old .xls renamed): "
                            "open it in Excel and save it again as .xlsx.") % {"name": name})
    if USE_CALAMINE:
        return _read_xlsx_calamine(data, name)
    return _read_xlsx_openpyxl(data, name)


def _read_xlsx_calamine(data: bytes, name: str) -> Sheet:
    """calamine (Rust) reads the cached values of formula cells too, about ten times faster than
    openpyxl: a 100,000-row file in seconds rather than half a minute."""
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        values = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception:
        raise FileProblem(_("“%(name)s” could not be opened as an Excel workbook (it may be damaged): "
                            "open it in Excel and save it again.") % {"name": name})
    uncached = formulas_without_values(data)
    marked = {r for r, _c in uncached}
    rows = [(number, tuple(None if v == "" else v for v in row))
            for number, row in enumerate(values, start=1) if _kept(row) or number in marked]
    notes = [_("Only the first sheet was read.")] if len(wb.sheet_names) > 1 else []
    return Sheet(rows=_mark_uncached(rows, uncached), file_type="xlsx", notes=notes)


def _first_sheet_part(zf: zipfile.ZipFile) -> str | None:
    """The zip member of the workbook's first sheet (the one the readers read)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    try:
        book = ET.fromstring(zf.read("xl/workbook.xml"))  # noqa: S314 - guard.py refused DOCTYPEs (no entities)
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    except (KeyError, ET.ParseError):
        return None
    first = book.find("m:sheets/m:sheet", ns)
    if first is None:
        return None
    rid = first.get(f"{{{ns['r']}}}id")
    for rel in rels:
        if rel.get("Id") == rid:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


_REF = re.compile(r"([A-Z]+)(\d+)")


def formulas_without_values(data: bytes) -> dict[tuple[int, int], str]:
    """(row, column index from 0) → formula of every formula cell of the first sheet saved without its
    result (a file written by a program, never opened in Excel): read as empty, it would silently keep
    the stored value or fail as "required". Run in the parsing child (guard.py) after its checks."""
    out: dict[tuple[int, int], str] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            part = _first_sheet_part(zf)
            if part is None or part not in zf.namelist():
                return out
            with zf.open(part) as fh:
                if b"<f" not in fh.read():
                    return out
            with zf.open(part) as fh:
                for _event, el in ET.iterparse(fh):  # noqa: S314 - as above
                    if el.tag.rsplit("}", 1)[-1] != "c":
                        continue
                    f = v = None
                    for child in el:
                        tag = child.tag.rsplit("}", 1)[-1]
                        if tag == "f":
                            f = child
                        elif tag in ("v", "is"):
                            v = child
                    # No result: no <v>, or an empty one that is not a cached empty text (t="str"),
                    # as openpyxl and other writers leave it.
                    if f is not None and (v is None or (not (v.text or "").strip() and v.tag.endswith("v")
                                                        and el.get("t") != "str")):
                        m = _REF.fullmatch(el.get("r", ""))
                        if m:
                            col = 0
                            for ch in m.group(1):
                                col = col * 26 + ord(ch) - 64
                            out[(int(m.group(2)), col - 1)] = f.text or ""
                    el.clear()
    except (zipfile.BadZipFile, ET.ParseError, KeyError):
        return out
    return out


def _mark_uncached(rows: list, uncached: dict[tuple[int, int], str]) -> list:
    if not uncached:
        return rows
    by_row: dict[int, list[int]] = {}
    for r, c in uncached:
        by_row.setdefault(r, []).append(c)
    out = []
    for number, cells in rows:
        cols = by_row.get(number)
        if cols:
            cells = list(cells) + [None] * (max(cols) + 1 - len(cells))
            for c in cols:
                ref = f"{_column_letters(c)}{number}"
                cells[c] = Invalid(f"={uncached[(number, c)]}", _(
                    "Cell %(cell)s holds the formula “=%(formula)s” but the file has no result for it (it was "
                    "written by a program and never calculated): open the file in Excel or WPS and save it, or "
                    "paste the values in place of the formulas.") % {"cell": ref, "formula": uncached[(number, c)]})
            cells = tuple(cells)
        out.append((number, cells))
    return out


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _read_xlsx_openpyxl(data: bytes, name: str) -> Sheet:
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise FileProblem(_("“%(name)s” could not be opened as an Excel workbook (it may be damaged): "
                            "open it in Excel and save it again.") % {"name": name})
    uncached = formulas_without_values(data)
    marked = {r for r, _c in uncached}
    try:
        ws = wb.worksheets[0]
        rows = []
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if _kept(values) or number in marked:
                rows.append((number, tuple(values)))
    finally:
        wb.close()
    notes = [_("Only the first sheet was read.")] if len(wb.sheetnames) > 1 else []
    return Sheet(rows=_mark_uncached(rows, uncached), file_type="xlsx", notes=notes)


def _read_xls(data: bytes, name: str) -> Sheet:
    # deferred: xlrd loads only for old .xls files
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data)
    except Exception:
        raise FileProblem(_("“%(name)s” could not be opened as an old Excel (.xls) workbook (it may be damaged).")
                          % {"name": name})
    sheet = book.sheet_by_index(0)
    rows = []
    for r in range(sheet.nrows):
        values = []
        for c in range(sheet.ncols):
            cell = sheet.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                values.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
            elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                values.append(None)
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                values.append(bool(cell.value))
            elif cell.ctype == xlrd.XL_CELL_ERROR:
                values.append(None)
            else:
                values.append(cell.value)
        if _kept(values):
            rows.append((r + 1, tuple(values)))
    notes = [_("Only the first sheet was read.")] if book.nsheets > 1 else []
    return Sheet(rows=rows, file_type="xls", notes=notes)


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name). UTF-8 (BOM or not) strictly first, then GB18030 (GBK's superset)."""
    try:
        text = data.decode("utf-8-sig")
        return text, "UTF-8 (BOM)" if data.startswith(b"\xef\xbb\xbf") else "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GBK/GB18030"
    except UnicodeDecodeError:
        raise FileProblem(_("The CSV file is neither UTF-8 nor GBK text: save it from Excel as “CSV UTF-8”."))


def _read_csv(data: bytes) -> Sheet:
    text, encoding = decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows = []
    number = 0
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
            if any(v.strip() for v in values):
                rows.append((number, tuple(v if v.strip() else None for v in values)))
    except csv.Error as exc:  # a field longer than the csv module's limit (128 KB), a stray quote …
        raise FileProblem(_("The CSV file cannot be read after line %(line)d: %(error)s.")
                          % {"line": number, "error": exc})
    return Sheet(rows=rows, file_type="csv", encoding=encoding)
