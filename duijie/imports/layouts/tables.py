"""The official target tables (Annex 2 / Annex 3 of seed 001, ``imports/tables``) as files: the first
sheet's cells with every merged range filled with its value, and the ranges themselves, so that
headings merged over rows and columns and a prose cell merged over several indicator columns can be
read as printed. Read in the guard's limited child process like every layout; ``tables.layout``
finds the table in it."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from duijie.imports import readers
from duijie.imports.layouts import Layout, register
from duijie.imports.layouts.grid import open_workbook

MAX_ROWS, MAX_COLS = 500, 60


@dataclass
class TableSheet(readers.Sheet):
    # (first row, first column, last row, last column), 1-based, of every merged range
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


def read_xlsx(data: bytes, name: str) -> TableSheet:
    wb = open_workbook(data, name)
    try:
        ws = wb.worksheets[0]
        merges = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges]
        top: dict[tuple[int, int], tuple[int, int]] = {}
        for r1, c1, r2, c2 in merges:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    top[(r, c)] = (r1, c1)
        rows = []
        width = min(ws.max_column, MAX_COLS)
        for r in range(1, min(ws.max_row, MAX_ROWS) + 1):
            values = tuple(ws.cell(*top.get((r, c), (r, c))).value for c in range(1, width + 1))
            values = tuple(None if isinstance(v, str) and not v.strip() else v for v in values)
            if any(v is not None for v in values):
                rows.append((r, values))
        notes = [_("Only the first sheet was read.")] if len(wb.worksheets) > 1 else []
    finally:
        wb.close()
    return TableSheet(rows=rows, file_type="xlsx", notes=notes, merges=merges)


class TableLayout(Layout):
    """An official target table (Annex 2 / Annex 3) in .xlsx, as printed or as exported."""

    extensions = (".xlsx",)
    formats = ("xlsx",)

    def claims(self, data: bytes, ext: str) -> bool:
        return ext == ".xlsx"

    def read(self, data: bytes, file_name: str) -> readers.Sheet:
        return read_xlsx(data, file_name)

    def write(self, objs, fmt: str, masked: bool) -> bytes:  # pragma: no cover - exported per programme
        raise NotImplementedError

    def blank(self, fmt: str) -> bytes:  # pragma: no cover - the sample is offered instead
        raise NotImplementedError


@register
class Annex2Layout(TableLayout):
    name = kind = "annex2"
    title = "部门、区镇对接清单和目标任务表"


@register
class Annex3Layout(TableLayout):
    name = kind = "annex3"
    title = "年度主要任务指标"
