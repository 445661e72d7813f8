"""Annex 1 of seed 001, 大院大所科技成果信息表: one achievement per filled form.

Read from Word (one form per table; the 填报区镇 / 填报人及联系电话 / 填报时间 line below the table) and
from Excel (one form per sheet whose first columns hold the printed labels), written back filled in
(chosen options ☑, the others □) or blank, laid out like the printed annex.
"""

from __future__ import annotations

import io
import re
import unicodedata
from copy import deepcopy

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from duijie.core.export import neutralise
from duijie.core.masking import looks_masked, mask
from duijie.core.models import AssessmentUnit
from duijie.core.pii import mask_pii
from duijie.imports import readers
from duijie.imports.kinds import KINDS
from duijie.imports.layouts import Layout, register, ticks
from duijie.imports.layouts.grid import (
    Cell,
    Grid,
    docx_grids,
    find_labels,
    fold_label,
    xlsx_first_columns,
    xlsx_grids,
)

TITLE = "大院大所科技成果信息表"
ANNEX = "附件1"
FIELD_OPTIONS = ["电子信息", "能源环保", "装备制造", "生物技术与新医药", "新材料", "现代农业", "民生用品", "其他"]
STAGE_OPTIONS = ["研制阶段", "试生产阶段", "小批量生产阶段", "批量生产阶段", "其他"]

# The printed labels, in form order: (label as printed, field, other spellings accepted).
LABELS: list[tuple[str, str, tuple[str, ...]]] = [
    ("科技成果名称", "name", ("成果名称",)),
    ("大院大所名称", "institution", ("高校院所名称",)),
    ("成果所在院、系、实验室", "unit_name", ("所在院、系、实验室", "所在院系实验室")),
    ("科技成果研发负责人", "lead_name", ("研发负责人", "成果研发负责人")),
    ("职务、职称", "lead_title", ("职务/职称", "职称")),
    ("联系电话", "lead_phone", ("负责人联系电话",)),
    ("科技成果\n所属领域", "field", ("所属领域",)),
    ("科技成果\n所处阶段", "stage", ("所处阶段",)),
    ("科技成果及研发团队简介\n（限500字）", "introduction", ("成果及研发团队简介",)),
    ("科技成果与区镇的契合情况说明\n（限300字）", "district_fit", ("科技成果与、区镇的契合情况说明",)),
    ("科技成果在区镇推介计划\n（限200字）", "promotion_plan", ()),
]
LABEL_OF = {name: printed.replace("\n", "") for printed, name, _a in LABELS}
FOLDED = {fold_label(text): name for printed, name, aliases in LABELS for text in (printed, *aliases)}
REQUIRED = ("name", "institution", "lead_name", "field", "stage", "introduction")
COLUMNS = ("name", "institution", "unit_name", "lead_name", "lead_title", "lead_phone", "field", "field_other",
           "stage", "stage_other", "introduction", "district_fit", "promotion_plan", "filing_unit", "filer_name",
           "filer_phone", "filing_date")
PHONES = ("lead_phone", "filer_phone")
FOOTER_WORDS = ("填报区镇", "填报单位", "填报人", "填报时间", "填报日期")
FOOTER_RE = re.compile(r"(填报区镇|填报单位|填报人及联系电话|填报人联系电话|填报人|联系电话|填报时间|填报日期)\s*[:：]?")
PHONE_RE = re.compile(r"(?:\+?86[\s-]?)?[0-9*][0-9*\s\-()]{5,}[0-9*]")
MIN_LABELS = 3  # a table with fewer of the printed labels is something else (a letterhead, a note)


def _header(kind, name: str) -> str:
    with translation.override("zh-hans"):
        return str(kind.field(name).verbose_name)


def _clean(text: str) -> str:
    return text.strip().strip("_＿").strip()


def _split_filer(text: str) -> tuple[str, str]:
    """“张三 13812345678” → (name, phone); either may be missing."""
    folded = unicodedata.normalize("NFKC", text)
    phone = ""
    for m in PHONE_RE.finditer(folded):
        if sum(ch.isdigit() for ch in m.group(0)) >= 4:
            phone = m.group(0)
            start, end = m.span()
            text = folded[:start] + folded[end:]
    name = text.strip(" ,，、/／;；:：()（）\n\t_＿")
    return name, re.sub(r"\s+", "", phone)


def _footer(lines: list[str]) -> dict[str, str]:
    text = " ".join(lines)
    out: dict[str, str] = {}
    marks = list(FOOTER_RE.finditer(text))
    for i, m in enumerate(marks):
        value = _clean(text[m.end():marks[i + 1].start() if i + 1 < len(marks) else len(text)])
        value = re.sub(r"^[(（][^()（）]*[)）]\s*[:：]?", "", value).strip()  # “填报单位（盖章）：”
        label = m.group(1)
        if label in ("填报区镇", "填报单位"):
            out.setdefault("filing_unit", value)
        elif label == "填报人及联系电话":
            out["filer_name"], out["filer_phone"] = _split_filer(value)
        elif label == "填报人":
            out.setdefault("filer_name", _split_filer(value)[0])
            phone = _split_filer(value)[1]
            if phone:
                out.setdefault("filer_phone", phone)
        elif label in ("联系电话", "填报人联系电话"):
            out.setdefault("filer_phone", _split_filer(value)[1] or value)
        elif label in ("填报时间", "填报日期"):
            compact = re.sub(r"\s+", "", value)
            out["filing_date"] = compact if any(ch.isdigit() for ch in compact) else ""
    return out


def _choice(grid: Grid, cell: Cell, field: str, options: list[str]) -> tuple[object, object]:
    """(the chosen option, its “其他” text) or an Invalid cell naming the form and the field."""
    label = LABEL_OF[field]
    where = grid.where
    t = ticks.parse(cell.text, options, emphasised=set(cell.emphasised))
    if not t.ticked:
        return readers.Invalid(cell.text, _("%(form)s, “%(label)s”: no option is ticked. Tick one option "
                                            "(☑ or √ in its □).") % {"form": where, "label": label}), None
    if len(t.ticked) > 1:
        return readers.Invalid(cell.text, _("%(form)s, “%(label)s”: %(options)s are ticked; tick only one.")
                               % {"form": where, "label": label,
                                  "options": "、".join(f"“{o}”" for o in t.ticked)}), None
    chosen = t.ticked[0]
    if chosen == "其他":
        return chosen, t.other_text or None
    if t.other_text:
        return readers.Invalid(cell.text, _("%(form)s, “%(label)s”: “%(option)s” is ticked but “%(text)s” is "
                                            "written after “其他”; keep one of them.")
                               % {"form": where, "label": label, "option": chosen, "text": t.other_text}), None
    return chosen, readers.Parsed("", "")  # not “其他”: no other text (clears a stored one)


BLANK = object()  # an Annex-1 form left empty (a spare copy of the blank form): skipped


def form_values(grid: Grid) -> list | object | None:
    """One row of the synthetic sheet (in ``COLUMNS`` order); None if the grid is not an Annex-1 form,
    ``BLANK`` if it is one nobody filled in."""
    found = find_labels(grid, FOLDED, FOOTER_WORDS)
    if len(found.values) < MIN_LABELS:
        return None
    footer = _footer([line for line in grid.after if any(w in line for w in FOOTER_WORDS)] + found.footer)
    options = {"field": FIELD_OPTIONS, "stage": STAGE_OPTIONS}
    if not any(footer.values()) and not any(
            ticks.parse(cell.text, options[name]).ticked if name in options else cell.text.strip()
            for name, cell in found.values.items()):
        return BLANK
    vals: dict[str, object] = {}
    for _printed, name, _a in LABELS:
        cell = found.values.get(name)
        if cell is None:
            if name in REQUIRED:
                vals[name] = readers.Invalid("", _("%(form)s has no “%(label)s” row: fill in the form as printed.")
                                             % {"form": grid.where, "label": LABEL_OF[name]})
            continue
        if name == "field":
            vals["field"], vals["field_other"] = _choice(grid, cell, "field", FIELD_OPTIONS)
        elif name == "stage":
            vals["stage"], vals["stage_other"] = _choice(grid, cell, "stage", STAGE_OPTIONS)
        else:
            text = cell.text.strip()
            if name not in PHONES and looks_masked(text):
                continue  # masked free text from an export keeps the stored value
            vals[name] = text or None
    for name, value in footer.items():
        if value and not (name not in PHONES and looks_masked(value)):
            vals[name] = value
    return [vals.get(name) for name in COLUMNS]


def _no_form(file_name: str, what: str) -> readers.FileProblem:
    return readers.FileProblem(
        _("No Annex-1 form (大院大所科技成果信息表) was found in “%(name)s”: none of its %(what)s has the printed "
          "labels (科技成果名称, 大院大所名称 …). Download the blank form and fill it in.")
        % {"name": file_name, "what": what})


@register
class Annex1Form(Layout):
    name = "annex1"
    kind = "achievement"
    title = TITLE
    extensions = (".docx", ".xlsx")

    def claims(self, data: bytes, ext: str) -> bool:
        if ext == ".docx":
            return True
        try:
            sheets = xlsx_first_columns(data)
        except Exception:
            return False  # the plain reader explains what is wrong with the file
        return any(len({FOLDED[f] for f in map(fold_label, texts) if f in FOLDED}) >= MIN_LABELS for texts in sheets)

    def read(self, data: bytes, file_name: str) -> readers.Sheet:
        ext = readers.extension(file_name)
        grids = docx_grids(data, file_name) if ext == ".docx" else xlsx_grids(data, file_name)
        rows, blank = [], 0
        for grid in grids:
            values = form_values(grid)
            if values is BLANK:
                blank += 1
            elif values is not None:
                rows.append((grid.number, tuple(values)))
        if not rows and blank:
            raise readers.FileProblem(_("The Annex-1 forms in “%(name)s” are not filled in.") % {"name": file_name})
        if not rows:
            raise _no_form(file_name, _("tables") if ext == ".docx" else _("sheets"))
        kind = KINDS[self.kind]
        header = (0, tuple(_header(kind, n) for n in COLUMNS))
        return readers.Sheet(rows=[header, *rows], file_type="docx-form" if ext == ".docx" else "xlsx-form",
                             notes=[_("%(n)d forms read.") % {"n": len(rows)}])

    # ------------------------------------------------------------ writing

    def values(self, obj, masked: bool) -> dict[str, str]:
        """The form's texts for one achievement (personal data masked if asked)."""
        def text(value) -> str:
            value = value or ""
            return mask_pii(value) if masked and value else value

        def phone(value) -> str:
            return mask(value, "phone") if masked and value else (value or "")

        return {
            "name": text(obj.name), "institution": obj.institution.name if obj.institution_id else "",
            "unit_name": text(obj.unit_name), "lead_name": text(obj.lead_name), "lead_title": text(obj.lead_title),
            "lead_phone": phone(obj.lead_phone),
            "field": options_text(FIELD_OPTIONS, obj.field, obj.field_other, 4),
            "stage": options_text(STAGE_OPTIONS, obj.stage, obj.stage_other, 4),
            "introduction": text(obj.introduction), "district_fit": text(obj.district_fit),
            "promotion_plan": text(obj.promotion_plan),
            "footer": footer_text(unit_text(obj.filing_unit), text(obj.filer_name), phone(obj.filer_phone),
                                  obj.filing_date),
        }

    def blank_values(self) -> dict[str, str]:
        values = {name: "" for name in COLUMNS}
        values["field"] = options_text(FIELD_OPTIONS, "", "", 4)
        values["stage"] = options_text(STAGE_OPTIONS, "", "", 4)
        values["footer"] = footer_text("", "", "", None)
        return values

    def write(self, objs, fmt: str, masked: bool) -> bytes:
        forms = [self.values(obj, masked) for obj in objs]
        return write_docx(forms) if fmt == "docx" else write_xlsx(forms)

    def blank(self, fmt: str) -> bytes:
        forms = [self.blank_values()]
        return write_docx(forms) if fmt == "docx" else write_xlsx(forms)


def options_text(options: list[str], chosen: str, other: str, per_line: int) -> str:
    parts = []
    for i, opt in enumerate(options):
        box = "☑" if opt == chosen else "□"
        if opt == "其他":
            parts.append(f"{box}{opt}" + (f"：{other}" if opt == chosen and other else "＿＿＿＿＿＿"))
        else:
            parts.append(f"{box}{opt}；" + ("\n" if (i + 1) % per_line == 0 else ""))
    return "".join(parts)


def unit_text(unit) -> str:
    """The filing district as the import finds it again: its name, or code and name when several share it."""
    if unit is None:
        return ""

    if AssessmentUnit.objects.filter(name=unit.name).count() > 1:
        return f"{unit.code} {unit.name}"
    return unit.name


def footer_text(unit: str, filer: str, phone: str, day) -> str:
    gap = "\u3000" * 4
    when = f"{day.year}年{day.month}月{day.day}日" if day else "\u3000\u3000年\u3000\u3000月\u3000\u3000日"
    who = " ".join(p for p in (filer, phone) if p) or "\u3000" * 8
    return f"填报区镇：{unit or chr(0x3000) * 6}{gap}填报人及联系电话：{who}{gap}填报时间：{when}"


# ---------------------------------------------------------------- Word and Excel files

# (label, field) per table row; a None field continues the cell above (merged down).
TABLE = [
    [(LABELS[0][0], "name")],
    [(LABELS[1][0], "institution"), (LABELS[2][0], "unit_name")],
    [(LABELS[3][0], "lead_name"), (LABELS[4][0], "lead_title")],
    [(None, None), (LABELS[5][0], "lead_phone")],
    [(LABELS[6][0], "field")],
    [(LABELS[7][0], "stage")],
    [(LABELS[8][0], "introduction")],
    [(LABELS[9][0], "district_fit")],
    [(LABELS[10][0], "promotion_plan")],
]
TALL = {"introduction": 9, "district_fit": 6, "promotion_plan": 5}  # printed space, in lines


def write_docx(forms: list[dict[str, str]]) -> bytes:
    """The table is built once (merging Word cells is slow) and copied for every form."""
    # deferred: python-docx (lxml) loads only for the Annex-1 Word form
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt
    from docx.table import Table

    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "宋体", Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    widths = [Cm(3.6), Cm(5.0), Cm(3.4), Cm(4.4)]
    proto = document.add_table(rows=len(TABLE), cols=4)
    proto.style = "Table Grid"
    proto.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, row in enumerate(TABLE):
        for c in range(4):
            proto.cell(r, c).width = widths[c]
        if len(row) == 1:
            proto.cell(r, 1).merge(proto.cell(r, 3))
    proto.cell(2, 0).merge(proto.cell(3, 0))
    proto.cell(2, 1).merge(proto.cell(3, 1))
    cells = proto._cells
    for r, row in enumerate(TABLE):
        for i, (label, _name) in enumerate(row):
            if label is not None:
                cells[r * 4 + (0 if i == 0 else 2)].text = label
    body = document._body
    proto_xml = proto._tbl
    proto_xml.getparent().remove(proto_xml)
    for n, form in enumerate(forms):
        if n:
            document.add_page_break()
        document.add_paragraph().add_run(ANNEX).bold = True
        title = document.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = title.add_run(TITLE)
        run.bold, run.font.size = True, Pt(16)
        tbl = deepcopy(proto_xml)
        body._element._insert_tbl(tbl)
        cells = Table(tbl, body)._cells
        for r, row in enumerate(TABLE):
            for i, (label, name) in enumerate(row):
                if label is None:
                    continue
                value = form.get(name, "")
                if name in TALL and not value:
                    value = "\n" * TALL[name]
                cells[r * 4 + (1 if i == 0 else 3)].text = value
        document.add_paragraph()
        document.add_paragraph(form["footer"])
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def write_xlsx(forms: list[dict[str, str]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    for n, form in enumerate(forms, start=1):
        ws = wb.create_sheet(f"成果表{n}" if len(forms) > 1 else "成果表")
        for col, width in zip("ABCD", (22, 30, 20, 26), strict=True):
            ws.column_dimensions[col].width = width
        ws["A1"] = ANNEX
        ws["A1"].font = Font(bold=True)
        ws.merge_cells("A2:D2")
        ws["A2"] = TITLE
        ws["A2"].font = Font(bold=True, size=16)
        ws["A2"].alignment = Alignment(horizontal="center")
        top = 3
        for r, row in enumerate(TABLE):
            excel_row = top + r
            for c in range(1, 5):
                ws.cell(excel_row, c).border = border
                ws.cell(excel_row, c).alignment = wrap
            for i, (label, name) in enumerate(row):
                if label is None:
                    continue
                col = 1 if i == 0 else 3
                ws.cell(excel_row, col, label)
                value = form.get(name, "")
                ws.cell(excel_row, col + 1, value if name in PHONES else neutralise(value) or None)
            if len(row) == 1:
                ws.merge_cells(start_row=excel_row, start_column=2, end_row=excel_row, end_column=4)
            name = row[0][1]
            ws.row_dimensions[excel_row].height = 18 * TALL.get(name, 3 if name in ("field", "stage") else 1.5)
        ws.merge_cells(start_row=top + 2, start_column=1, end_row=top + 3, end_column=1)
        ws.merge_cells(start_row=top + 2, start_column=2, end_row=top + 3, end_column=2)
        footer_row = top + len(TABLE) + 1
        ws.merge_cells(start_row=footer_row, start_column=1, end_row=footer_row, end_column=4)
        ws.cell(footer_row, 1, form["footer"])
        ws.print_area = f"A1:D{footer_row}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
