"""The official target tables of seed 001 as files: read (in the guard's limited child process) into a
``TableSheet`` — the first sheet's cells with every merged range filled with its value, and the
ranges — and parsed from there into a ``Table``: the title, the header columns, one row per owner and
the totals row. The file is read by ``layouts/tables.py`` (in the guard's child process); nothing here
touches the database (``plan.py`` resolves the names).

- Annex 3 (2017年主要任务指标): 序号 | 区镇 | one column per indicator, a 合计 row; the year is the
  title's.
- Annex 2 (部门、区镇对接清单和目标任务表): 序号 | 区镇/部门 | 特色产业领域 | 计划对接大院大所 | the
  “十三五”期间目标任务 group (one column per indicator) and a 总计 row; row 1 is the city bureau and
  its centres, whose targets are prose merged across the indicator columns.

Headers may be merged over several rows and columns, as printed. An exported table adds, under each
indicator, a 目标 (target) and a 完成 (actual) column: the actual columns are read as nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from duijie.imports import readers
from duijie.imports.values import cell_text


@dataclass(frozen=True)
class Spec:
    """What distinguishes the two annexes."""

    name: str  # the import kind
    title: str  # the printed title (Annex 3's with the year: "%(year)s年主要任务指标")
    annex: str  # "附件2"
    period: str  # PeriodKind: "whole" (the programme's period) or "year" (the title's year)
    owner_header: str  # the owner column's printed heading
    text_columns: tuple[str, ...] = ()  # printed columns kept in the layout but not targets
    group: str = ""  # the merged heading over the indicator columns
    total_label: str = "合计"


SPECS = {
    "annex2": Spec(name="annex2", title="部门、区镇对接清单和目标任务表", annex="附件2", period="whole",
                   owner_header="区镇/部门", text_columns=("特色产业领域", "计划对接大院大所"),
                   group="“十三五”期间目标任务", total_label="总计"),
    "annex3": Spec(name="annex3", title="%(year)s年主要任务指标", annex="附件3", period="year", owner_header="区镇"),
}
SERIAL = "序号"
OWNER_WORDS = ("区镇", "部门", "单位", "板块", "园区")
TARGET_WORDS = {"目标", "目标任务", "目标值", "任务"}
ACTUAL_WORDS = {"完成", "实际完成", "完成情况", "完成数", "实际"}
TOTAL_WORDS = {"合计", "总计"}
YEAR_RE = re.compile(r"(20\d{2})\s*年")


def fold(text) -> str:
    """A heading as compared: NFKC, no spaces or line breaks, round brackets."""
    text = unicodedata.normalize("NFKC", cell_text(text))
    return re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")


def stem(text) -> str:
    """A heading without its unit in brackets and punctuation: 对接活动次数（场） → 对接活动次数."""
    return re.sub(r"[\W_]+", "", re.sub(r"（[^（）]*）$", "", fold(text)))


# ---------------------------------------------------------------- the table in the sheet

@dataclass
class Column:
    index: int  # 0-based position in the row
    letter: str
    label: str  # the indicator's heading as printed (the part above 目标 / 完成)
    actual: bool = False
    row: int = 0  # the row the heading is printed in


@dataclass
class Cell:
    raw: object
    span: tuple[str, ...] = ()  # the labels of all indicator columns a merged cell covers (prose for several)


@dataclass
class Row:
    number: int
    owner: str
    cells: dict[int, Cell]  # column index → cell (indicator columns only, empty cells left out)
    texts: dict[str, str] = field(default_factory=dict)  # text column heading → its text


@dataclass
class Table:
    spec: Spec
    title: str
    year: int | None
    header_row: int
    columns: list[Column]  # the indicator (target) columns
    actual_columns: list[Column]
    unknown_headings: list[tuple[int, str, str]]  # (row, letter, text) of headings that are neither
    rows: list[Row]
    totals: Row | None
    notes: list[str] = field(default_factory=list)


def letter(index: int) -> str:
    n, out = index + 1, ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _is_owner_heading(text: str) -> bool:
    t = stem(text)
    return 0 < len(t) <= 8 and any(w in t for w in OWNER_WORDS)


def parse(spec: Spec, sheet: readers.Sheet) -> Table:
    """The table in ``sheet``; ``readers.FileProblem`` when its shape cannot be found."""
    rows = sheet.rows
    merges = getattr(sheet, "merges", [])  # layouts.tables.TableSheet (a plain sheet has none)
    header_at = owner_col = None
    for i, (_n, cells) in enumerate(rows):
        has_serial = any(stem(x) == SERIAL for x in cells if x is not None)
        for c, v in enumerate(cells):
            # the owner heading: in a row with 序号, or among the first three columns
            if v is not None and _is_owner_heading(cell_text(v)) and (has_serial or c <= 2):
                header_at, owner_col = i, c
                break
        if header_at is not None:
            break
    if header_at is None or owner_col is None:
        raise readers.FileProblem(_("No heading row with the “%(owner)s” column was found: the table must keep its "
                                    "printed headings (序号, %(owner)s, one column per indicator).")
                                  % {"owner": spec.owner_header})
    owner_text = fold(rows[header_at][1][owner_col])
    # The heading block: the rows from there on whose owner cell is empty or the heading itself (merged down).
    end = header_at + 1
    while end < len(rows):
        cells = rows[end][1]
        v = cells[owner_col] if owner_col < len(cells) else None
        if v is not None and fold(v) != owner_text:
            break
        end += 1
    head = rows[header_at:end]
    title_rows = [cell_text(v) for _n, cells in rows[:header_at] for v in dict.fromkeys(cells) if v is not None]
    title = next((t for t in title_rows if not re.fullmatch(r"附件\s*\d*", t.strip())), "")
    year_match = YEAR_RE.search(title)
    width = max(len(cells) for _n, cells in rows)
    columns, actuals, unknown = [], [], []
    text_cols: dict[int, str] = {}
    serial_col = None
    for c in range(width):
        path: list[str] = []
        at: list[int] = []
        for number, cells in head:
            v = cells[c] if c < len(cells) else None
            if v is not None and (not path or fold(v) != fold(path[-1])):
                path.append(re.sub(r"\s*\n\s*", "", cell_text(v).strip()))  # a heading broken over lines
                at.append(number)
        if c == owner_col or not path:
            continue
        last = stem(path[-1])
        if last == SERIAL:
            serial_col = c
        elif spec.text_columns and last in {stem(t) for t in spec.text_columns}:
            text_cols[c] = path[-1]
        elif last in ACTUAL_WORDS and len(path) > 1:
            actuals.append(Column(c, letter(c), path[-2], actual=True, row=at[-2]))
        elif last in TARGET_WORDS and len(path) > 1:
            columns.append(Column(c, letter(c), path[-2], row=at[-2]))
        elif spec.group and len(path) == 1 and stem(path[0]) == stem(spec.group):
            unknown.append((head[0][0], letter(c), path[0]))  # the group heading with nothing under it
        else:
            columns.append(Column(c, letter(c), path[-1], row=at[-1]))
    merged_top = {(r1, c1): (r2, c2) for r1, c1, r2, c2 in merges}
    by_index = {col.index: col for col in columns}
    data_rows: list[Row] = []
    totals = None
    notes: list[str] = []
    for number, cells in rows[end:]:
        label_cells = [cell_text(cells[i]).strip() for i in (serial_col, owner_col, *text_cols)
                       if i is not None and i < len(cells) and cells[i] is not None]
        is_total = any(stem(t) in TOTAL_WORDS for t in label_cells)
        owner = cell_text(cells[owner_col]).strip() if owner_col < len(cells) and cells[owner_col] is not None else ""
        row = Row(number=number, owner="" if is_total else owner, cells={},
                  texts={text_cols[i]: cell_text(cells[i]).strip() for i in text_cols
                         if i < len(cells) and cells[i] is not None})
        for col in columns:
            v = cells[col.index] if col.index < len(cells) else None
            if v is None:
                continue
            span: tuple[str, ...] = ()
            for (r1, c1), (r2, c2) in merged_top.items():
                if r1 <= number <= r2 and c1 <= col.index + 1 <= c2 and c2 > c1:
                    covered = [by_index[i - 1].label for i in range(c1, c2 + 1) if i - 1 in by_index]
                    if len(covered) > 1:
                        span = tuple(covered)
            row.cells[col.index] = Cell(raw=v, span=span)
        if totals is not None:
            if row.cells or row.owner:
                notes.append(_("Row %(row)d comes after the totals row and was not read.") % {"row": number})
            continue
        if is_total:
            totals = row
        elif row.owner or row.cells:
            data_rows.append(row)
    return Table(spec=spec, title=title, year=int(year_match.group(1)) if year_match else None,
                 header_row=rows[header_at][0], columns=columns, actual_columns=actuals, unknown_headings=unknown,
                 rows=data_rows, totals=totals, notes=notes)
