"""Files of a supervision report: the xlsx (ranking sheet, then target/actual/score/status per unit and
indicator), the printable A4 page as HTML and as PDF (WeasyPrint renders the same template with the
same print stylesheet; a CJK font — Debian's fonts-noto-cjk — must be installed), and a Word 通报."""

from __future__ import annotations

import io
from decimal import Decimal

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from duijie.programmes import scoring
from duijie.programmes.supervision import Report

STYLESHEET = "programmes/report-print.css"


def rule_rows(report: Report) -> list[tuple[str, str, str, str]]:
    """(indicator, rule in words, unit kinds, source) of every rule the report used, once each."""
    seen, rows = set(), []
    for u in report.units:
        for c in u.cells:
            for r in c.rules:
                key = (c.indicator, r["kind"], r["points"], tuple(r.get("unit_kinds") or ()), r["source"])
                if key not in seen:
                    seen.add(key)
                    rows.append((c.label, scoring.describe(r), "、".join(r.get("unit_kinds") or ()), r["source"]))
    return rows


def _num(value):
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def xlsx(report: Report) -> bytes:
    rnd = report.round
    wb = Workbook()
    ws = wb.active
    ws.title = _("Ranking")[:31]
    ws.append([f"{rnd.programme.name} · {rnd.name}"])
    ws["A1"].font = Font(bold=True, size=13)
    issued = (_("Issue %(n)s, issued %(d)s, SHA-256 %(h)s") % {
        "n": report.issue.number, "d": f"{report.issue.issued_at:%Y-%m-%d %H:%M}", "h": report.issue.content_hash}
        if report.issue else _("Draft — not issued; figures are live and may still change."))
    ws.append([issued])
    ws.append([])
    header = [_("Rank"), _("Assessment unit"), _("Score"), _("Full marks"), _("of which bonus"), _("Lagging indicators")]
    ws.append(header)
    for u in report.units:
        ws.append([u.rank, u.unit.name, _num(u.total), _num(u.maximum), _num(u.bonus),
                   "；".join(f"{c.label}（{c.status_label}）" for c in u.lagging)])
    _widths(ws, [8, 22, 10, 10, 10, 50])
    detail = wb.create_sheet(_("Indicators")[:31])
    detail.append([_("Rank"), _("Assessment unit"), _("Indicator"), _("Unit of measure"), _("Target"),
                   _("Target as printed"), _("Actual"), _("Expected by then"), _("Status"), _("Score"),
                   _("Records counted"), _("Record ids")])
    for u in report.units:
        for c in u.cells:
            detail.append([u.rank, u.unit.name, c.label, c.unit_of_measure, _num(c.target), c.target_text,
                           _num(c.value), _num(c.expected), str(c.status_label), _num(c.score), len(c.record_ids),
                           ",".join(str(i) for i in c.record_ids)])
    _widths(detail, [8, 22, 26, 10, 10, 20, 10, 12, 10, 10, 10, 40])
    notes = wb.create_sheet(_("Comments")[:31])
    notes.append([_("Assessment unit"), _("Comment of the supervising office"), _("Submission of the unit")])
    for u in report.units:
        ru = u.round_unit
        notes.append([u.unit.name, ru.comment if ru else "", ru.submission if ru else ""])
    notes.append([_("Overall comment of the supervising office"), rnd.comment, ""])
    _widths(notes, [22, 60, 60])
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _widths(ws, widths) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    header_row = 4 if ws.title == _("Ranking")[:31] else 1
    for cell in ws[header_row]:
        cell.font = Font(bold=True)


def html(report: Report, *, for_pdf: bool = False, request=None) -> str:
    return render_to_string("programmes/report_print.html", {
        "rnd": report.round, "report": report, "rules": rule_rows(report), "for_pdf": for_pdf}, request=request)


def pdf(report: Report) -> bytes:
    """The printable page as an A4 PDF (the same template and print stylesheet)."""
    # deferred: WeasyPrint (pango, fonts) is heavy; load it only when a PDF is asked for
    from weasyprint import CSS, HTML

    css = CSS(filename=finders.find(STYLESHEET))
    return HTML(string=html(report, for_pdf=True)).write_pdf(stylesheets=[css])


def docx(report: Report) -> bytes:
    """A Word 通报: ranking, each unit's lagging indicators and the comments."""
    # deferred: python-docx is loaded when a Word file is asked for (docs/development/dependencies.md)
    from docx import Document

    rnd = report.round
    doc = Document()
    doc.add_heading(f"{rnd.programme.name}\n{rnd.name}{_(' report')}", level=1)
    if report.issue:
        doc.add_paragraph(_("Issue %(n)s, issued %(d)s, SHA-256 %(h)s") % {
            "n": report.issue.number, "d": f"{report.issue.issued_at:%Y-%m-%d %H:%M}", "h": report.issue.content_hash})
    doc.add_heading(_("Ranking"), level=2)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, [_("Rank"), _("Assessment unit"), _("Score"), _("Lagging indicators")],
                          strict=True):
        cell.text = str(text)
    for u in report.units:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = str(u.rank), u.unit.name, f"{u.total:.2f}"
        cells[3].text = "；".join(f"{c.label}（{c.status_label}）" for c in u.lagging) or "—"
    for u in report.units:
        if u.round_unit and u.round_unit.comment:
            doc.add_paragraph(f"{u.unit.name}：{u.round_unit.comment}")
    if rnd.comment:
        doc.add_heading(_("Overall comment of the supervising office"), level=2)
        doc.add_paragraph(rnd.comment)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
