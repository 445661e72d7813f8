"""Word tables and Excel sheets as grids of cells, and label → value lookup on them.

A cell knows its text, which characters are bold or highlighted (Word) and an identity shared by
all grid positions of one merged cell, so a value merged across three columns or a label merged
down two rows is read once. Labels are matched folded: full/half width, spaces and line breaks,
punctuation and a trailing “（限500字）” ignored.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from duijie.imports import readers
from duijie.imports.values import cell_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# Check boxes typed with the Symbol dialog: the character in the Wingdings fonts → what it shows.
SYMBOL_FONTS = {
    "wingdings 2": {"R": "☑", "T": "☒", "S": "☒", "£": "□", "P": "√", "O": "×", "Q": "☒"},
    "wingdings": {"þ": "☑", "ý": "☒", "¨": "□", "o": "□", "x": "☒", "ü": "√", "û": "×", "n": "■", "l": "●"},
}


@dataclass
class Cell:
    text: str
    key: object  # the same for every grid position of one merged cell
    emphasised: frozenset[int] = frozenset()
    raw: object = None  # the spreadsheet value (dates, numbers) where there is one


@dataclass
class Grid:
    number: int  # 1-based position of the table / sheet in the file
    where: str  # “第 2 个表格”, “第 1 个工作表（成果1）”
    rows: list[list[Cell]]
    after: list[str] = field(default_factory=list)  # paragraphs between this table and the next (Word)


def fold_label(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"[(（][^()（）]*[)）]\s*$", "", text.strip())
    return re.sub(r"[\s\W_]+", "", text)


# ---------------------------------------------------------------- Word

def _symbol(font: str | None, code: str) -> str:
    try:
        ch = chr(int(code, 16) & 0xFF)
    except (TypeError, ValueError):
        return ""
    return SYMBOL_FONTS.get((font or "").lower(), {}).get(ch, "")


def _on(el) -> bool:
    if el is None:
        return False
    return el.get(f"{W}val") not in ("0", "false", "off", "none")


def _run_emphasis(r) -> bool:
    rpr = r.find(f"{W}rPr")
    if rpr is None:
        return False
    shd = rpr.find(f"{W}shd")
    return (_on(rpr.find(f"{W}b")) or _on(rpr.find(f"{W}highlight"))
            or (shd is not None and shd.get(f"{W}fill", "auto").lower() not in ("auto", "ffffff", "")))


def _run_font(r) -> str:
    fonts = r.find(f"{W}rPr/{W}rFonts")
    return (fonts.get(f"{W}ascii") or fonts.get(f"{W}hAnsi") or "") if fonts is not None else ""


def element_text(el) -> tuple[str, frozenset[int]]:
    """The text of a Word cell or paragraph (paragraphs on lines, symbols as the box they show) and
    the positions of its bold / highlighted characters."""
    out: list[str] = []
    strong: set[int] = set()
    paragraphs = [el] if el.tag == f"{W}p" else list(el.iter(f"{W}p"))
    for n, p in enumerate(paragraphs):
        if n:
            out.append("\n")
        for r in p.iter(f"{W}r"):
            emph = _run_emphasis(r)
            font = _run_font(r).lower()
            for child in r:
                if child.tag == f"{W}t":
                    text = child.text or ""
                    if font in SYMBOL_FONTS:
                        text = "".join(SYMBOL_FONTS[font].get(ch, ch) for ch in text)
                elif child.tag == f"{W}sym":
                    text = _symbol(child.get(f"{W}font"), child.get(f"{W}char"))
                elif child.tag in (f"{W}tab", f"{W}br", f"{W}cr"):
                    text = " " if child.tag == f"{W}tab" else "\n"
                else:
                    continue
                start = sum(map(len, out))
                out.append(text)
                if emph:
                    strong.update(range(start, start + len(text)))
    return "".join(out), frozenset(strong)


def docx_grids(data: bytes, name: str) -> list[Grid]:
    # deferred: python-docx (lxml) loads only for the Annex-1 Word form
    import docx
    from docx.table import Table

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise readers.FileProblem(_("“%(name)s” is not a valid Word (.docx) file (it may be damaged, or an old "
                                    ".doc renamed): open it in Word and save it again as .docx.") % {"name": name})
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:
        raise readers.FileProblem(_("“%(name)s” could not be opened as a Word document (it may be damaged): "
                                    "open it in Word and save it again.") % {"name": name})
    grids: list[Grid] = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == f"{W}tbl":
            table = Table(child, document)
            rows = []
            texts: dict[object, tuple[str, frozenset[int]]] = {}
            for row in table.rows:
                cells = []
                for c in row.cells:
                    tc = c._tc
                    if tc not in texts:
                        texts[tc] = element_text(tc)
                    cells.append(Cell(text=texts[tc][0], key=tc, emphasised=texts[tc][1]))
                rows.append(cells)
            number = len(grids) + 1
            grids.append(Grid(number=number, where=_("table %(n)d") % {"n": number}, rows=rows))
        elif child.tag == f"{W}p" and grids:
            text = element_text(child)[0].strip()
            if text:
                grids[-1].after.append(text)
    return grids


# ---------------------------------------------------------------- Excel

def open_workbook(data: bytes, name: str):
    """The workbook in ``data`` (cached values, not formulas), or a FileProblem a clerk can act on."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise readers.FileProblem(_("“%(name)s” is not a valid .xlsx file (it may be damaged, or an old .xls "
                                    "renamed): open it in Excel and save it again as .xlsx.") % {"name": name})
    try:
        return load_workbook(io.BytesIO(data), data_only=True)
    except Exception:
        raise readers.FileProblem(_("“%(name)s” could not be opened as an Excel workbook (it may be damaged): "
                                    "open it in Excel and save it again.") % {"name": name}) from None


def xlsx_grids(data: bytes, name: str, max_rows: int = 200, max_cols: int = 30) -> list[Grid]:
    wb = open_workbook(data, name)
    grids = []
    for number, ws in enumerate(wb.worksheets, start=1):
        merged: dict[tuple[int, int], tuple[int, int]] = {}
        for rng in ws.merged_cells.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    merged[(r, c)] = (rng.min_row, rng.min_col)
        rows = []
        for r in range(1, min(ws.max_row, max_rows) + 1):
            cells = []
            for c in range(1, min(ws.max_column, max_cols) + 1):
                top = merged.get((r, c), (r, c))
                cell = ws.cell(*top)
                value = cell.value
                text = cell_text(value)
                font = (cell.font.name or "").lower() if cell.font else ""
                if font in SYMBOL_FONTS:
                    text = "".join(SYMBOL_FONTS[font].get(ch, ch) for ch in text)
                cells.append(Cell(text=text, key=("xlsx", number, top), raw=value))
            rows.append(cells)
        grids.append(Grid(number=number, where=_("sheet %(n)d (%(title)s)") % {"n": number, "title": ws.title},
                          rows=rows))
    wb.close()
    return grids


def xlsx_first_columns(data: bytes, rows: int = 60, cols: int = 3) -> list[list[str]]:
    """The texts of each of the first columns of every sheet (cheap: read-only, a few rows), for detection."""
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    out = []
    try:
        for ws in wb.worksheets:
            columns: list[list[str]] = [[] for _ in range(cols)]
            for row in ws.iter_rows(max_row=rows, max_col=cols, values_only=True):
                for i, v in enumerate(row[:cols]):
                    if v is not None:
                        columns[i].append(cell_text(v))
            out.extend(columns)
        return out
    finally:
        wb.close()


# ---------------------------------------------------------------- labels

@dataclass
class Found:
    values: dict[str, Cell] = field(default_factory=dict)  # field → the value cell (text "" if left empty)
    footer: list[str] = field(default_factory=list)  # rows / paragraphs holding the footer labels


def find_labels(grid: Grid, labels: dict[str, str], footer_words: tuple[str, ...]) -> Found:
    """``labels``: folded label → field. The value of a label is the next cell to its right that is
    neither the label's own (merged) cell nor another label."""
    found = Found()
    seen: set = set()
    for row in grid.rows:
        distinct: list[Cell] = []
        for cell in row:
            if not distinct or distinct[-1].key != cell.key:
                distinct.append(cell)
        folded = [fold_label(c.text) for c in distinct]
        if any(w in f for f in folded for w in footer_words) and not any(f in labels for f in folded):
            found.footer.append(" ".join(c.text for c in distinct if c.text))
            continue
        for i, cell in enumerate(distinct):
            name = labels.get(folded[i])
            if name is None or cell.key in seen or name in found.values:
                continue
            seen.add(cell.key)
            value = Cell(text="", key=None)
            for j in range(i + 1, len(distinct)):
                if distinct[j].key != cell.key and folded[j] not in labels:
                    value = distinct[j]
                    break
                if folded[j] in labels:
                    break
            found.values[name] = value
    return found
