"""Official target tables written out: a programme's targets in the printed layout of Annex 2 / Annex 3,
each target followed by its actual (完成: the live figure ``programmes.progress`` computes for the
reader, "—" where it is not computed), and a totals row. What the reader may not read is not in it: a
district administrator's table holds its own units' rows only.

``write_table`` is the printed layout itself; ``samples.py`` feeds it the seed's figures.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from duijie.imports.tables.layout import SPECS, Spec
from duijie.imports.tables.owners import NAME_SPLIT_RE, _key, _subsequence, label_for
from duijie.imports.tables.plan import owner_name
from duijie.imports.tables.values import parse_target
from duijie.programmes import progress
from duijie.programmes.choices import PeriodKind
from duijie.programmes.models import Programme

TARGET, ACTUAL = "目标", "完成"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass
class Line:
    owner: str
    cells: list  # one per indicator: a number, a printed text, or None
    actuals: list = field(default_factory=list)  # one per indicator when the table has actual columns
    texts: list = field(default_factory=list)  # Annex 2's 特色产业领域, 计划对接大院大所
    in_totals: bool = True  # a departments' row is outside the districts' totals
    prose: str = ""  # one text merged over every indicator column (as Annex 2 prints its row 1)


def _number(value):
    if value is None:
        return None
    d = Decimal(value)
    return int(d) if d == d.to_integral_value() else float(d)


def _cell(value, text: str):
    return text if text else _number(value)


def write_table(spec: Spec, title: str, labels: list[str], lines: list[Line], *, actual: bool) -> bytes:
    """The table as printed (``actual``: a 完成 column beside each target, under a 目标/完成 heading row)."""
    wb = Workbook()
    ws = wb.active
    ws.title = spec.annex
    lead = ["序号", spec.owner_header, *spec.text_columns]
    per = 2 if actual else 1
    width = len(lead) + per * len(labels)
    first = len(lead) + 1  # first indicator column (1-based)
    ws.cell(1, 1, spec.annex).font = Font(bold=True)
    ws.cell(2, 1, title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.cell(2, 1).alignment = CENTRE
    top = 3
    label_row = top + (1 if spec.group else 0)
    last_head = label_row + (1 if actual else 0)
    for c, text in enumerate(lead, start=1):
        ws.cell(top, c, text)
        if last_head > top:
            ws.merge_cells(start_row=top, start_column=c, end_row=last_head, end_column=c)
    if spec.group:
        ws.cell(top, first, spec.group)
        if width > first:
            ws.merge_cells(start_row=top, start_column=first, end_row=top, end_column=width)
    for i, label in enumerate(labels):
        c = first + i * per
        ws.cell(label_row, c, label)
        if actual:
            ws.merge_cells(start_row=label_row, start_column=c, end_row=label_row, end_column=c + 1)
            ws.cell(last_head, c, TARGET)
            ws.cell(last_head, c + 1, ACTUAL)
    r = last_head
    for n, line in enumerate(lines, start=1):
        r += 1
        ws.cell(r, 1, n)
        ws.cell(r, 2, line.owner)
        for j, text in enumerate(line.texts):
            ws.cell(r, 3 + j, text or None)
        if line.prose:
            ws.cell(r, first, line.prose)
            ws.merge_cells(start_row=r, start_column=first, end_row=r, end_column=width)
            continue
        for i, value in enumerate(line.cells):
            c = first + i * per
            ws.cell(r, c, value)
            if actual:
                ws.cell(r, c + 1, line.actuals[i] if line.actuals[i] is not None else "—")
    r += 1
    if spec.text_columns:  # 总计 under 序号, merged over the name and text columns (Annex 2)
        ws.cell(r, 1, spec.total_label)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(lead))
    else:
        ws.cell(r, 2, spec.total_label)
    counted = [line for line in lines if line.in_totals and not line.prose]
    for i in range(len(labels)):
        c = first + i * per
        values = [_value(line.cells[i]) for line in counted]
        ws.cell(r, c, _number(sum((v for v in values if v is not None), Decimal(0))))
        if actual:
            acts = [line.actuals[i] for line in counted if line.cells[i] is not None]
            ws.cell(r, c + 1, _number(sum(acts)) if acts and all(a is not None for a in acts) else "—")
    for row in ws.iter_rows(min_row=top, max_row=r, max_col=width):
        for cell in row:
            cell.border, cell.alignment = BOX, CENTRE
    for row in ws.iter_rows(min_row=top, max_row=last_head, max_col=width):
        for cell in row:
            cell.font = Font(bold=True)
    ws.column_dimensions["B"].width = 22
    for c in range(3, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 26 if c < first else 13
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _value(cell):
    if cell is None:
        return None
    if isinstance(cell, str):
        try:
            return parse_target(cell)[0]
        except ValueError:
            return None
    return Decimal(str(cell))


def _printed_owner(target, owner) -> str:
    """A department's row as the table printed it (市科技局、…中心、招商中心), kept in the target's source."""
    name = owner_name(owner)
    source = target.source or ""
    if target.owner_department_id and source.endswith("）") and "（" in source:
        printed = source[source.rindex("（") + 1:-1]
        lead = NAME_SPLIT_RE.split(printed)[0].strip()
        if lead and (_key(lead) == _key(name) or (_key(lead)[-1:] == _key(name)[-1:]
                                                    and _subsequence(_key(lead), _key(name)))):
            return printed
    return name


def years(user, programme: Programme) -> list[int]:
    """The years of the yearly targets the user may read."""
    return sorted({start.year for start, _end, kind in progress.periods(user, programme) if kind == PeriodKind.YEAR})


def export_table(kind_name: str, programme: Programme, user, *, year: int | None = None,
                 today: date) -> tuple[bytes, int]:
    """(the xlsx, the number of owners' rows) of the programme's targets the user may read."""
    spec = SPECS[kind_name]
    if spec.period == PeriodKind.WHOLE:
        start, end = programme.period_start, programme.period_end
        title = spec.title
    else:
        year = year or next(iter(years(user, programme)), programme.period_start.year)
        start, end = max(date(year, 1, 1), programme.period_start), min(date(year, 12, 31), programme.period_end)
        title = spec.title % {"year": year}
    pis = list(programme.indicators.all())
    targets = (progress.targets(user, programme).filter(period_start=start, period_end=end)
               .select_related("programme_indicator", "owner_unit", "owner_park", "owner_department")
               .order_by("pk"))
    if spec.name == "annex3":
        targets = targets.filter(owner_unit__isnull=False)
    else:
        targets = targets.filter(owner_institution__isnull=True)
    owners: dict[tuple, dict] = {}
    for t in targets:
        owner = t.owner
        key = (0 if t.owner_department_id else 1, type(owner).__name__, owner.pk)
        line = owners.setdefault(key, {"owner": _printed_owner(t, owner), "department": bool(t.owner_department_id),
                                       "targets": {}})
        line["targets"].setdefault(t.programme_indicator_id, t)
    lines = []
    for key in sorted(owners, key=lambda k: k[0]):  # departments first (Annex 2 row 1), then as entered
        entry = owners[key]
        cells, actuals = [], []
        for pi in pis:
            t = entry["targets"].get(pi.pk)
            cells.append(_cell(t.value, t.text) if t is not None else None)
            actuals.append(progress.row_for(user, t, today, ids=False).actual if t is not None else None)
        lines.append(Line(owner=entry["owner"], cells=cells, actuals=actuals,
                          texts=["" for _t in spec.text_columns], in_totals=not entry["department"]))
    labels = [label_for(pi, spec.annex) for pi in pis]
    return write_table(spec, title, labels, lines, actual=True), len(lines)
