"""Build spreadsheets in memory for import tests."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook


def xlsx(rows: list[list], title_rows: list[list] | None = None, merge: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in (title_rows or []) + rows:
        ws.append(row)
    for rng in merge or []:
        ws.merge_cells(rng)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


def xls(rows: list[list]) -> bytes:
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("Sheet1")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    from datetime import date

    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, date):
                ws.write(r, c, value, date_style)
            elif value is not None:
                ws.write(r, c, value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
