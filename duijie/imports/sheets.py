"""Spreadsheets the import writes: the template, the full-value export that imports back unchanged,
and the error report."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

from django.db import models
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from duijie.core.export import neutralise, sheet_title
from duijie.imports.engine.reading import template_header
from duijie.imports.kinds import Kind

REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")

EXAMPLES: dict[str, dict[str, object]] = {
    "enterprise": {"uscc": "91320412MA1XXXXXXK", "name": "常州示例科技有限公司", "legal_representative": "王明",
                   "founded_on": "2018-05-20", "registered_capital": "500万元", "industry": "C3841",
                   "address": "常州市武进区常武中路18号", "main_products": "锂电池隔膜", "contact_name": "李华",
                   "contact_phone": "13812345678", "region": "320412", "visibility": "平台用户可见"},
    "institution": {"name": "示例大学", "short_name": "示大", "kind": "高校", "is_local": "是", "country": "中国"},
    "expert": {"name": "张伟", "institution": "示例大学", "title": "教授", "research_directions": "储能材料",
               "keywords": "锂电池、固态电解质", "phone": "13900001111"},
    "achievement": {"name": "高安全固态电解质", "institution": "示例大学", "unit_name": "材料学院", "lead_name": "张伟",
                    "lead_title": "教授", "lead_phone": "13900001111", "field": "新材料", "stage": "研制阶段",
                    "introduction": "成果与团队简介（限500字）", "filing_date": "2026年2月3日",
                    "transfer_modes": "转让、许可", "asking_price": "50万元"},
    "patent": {"application_no": "202310123456.6", "title": "一种固态电解质的制备方法", "legal_status": "审中",
               "applicants": "示例大学", "inventors": "张伟", "application_date": "2023-01-05"},
    "demand": {"enterprise": "常州示例科技有限公司", "demand_type": "技术难题攻关", "title": "隔膜涂覆均匀性提升",
               "description": "需求描述", "budget_min": "50万元", "budget_max": "100万元", "deadline": "2026/12/31"},
    "park": {"name": "示例科技产业园", "level": "省级", "region": "320412", "industry_tracks": "新能源、智能制造",
             "industries": "C3841、C3842",
             "directory_years": "2025、2026"},
    "region": {"code": "320412001901", "name": "示例社区", "parent": "320412001"},  # a new one: never renames a town
    "assessment_unit": {"code": "example-2026", "name": "示例高新区", "kind": "经开区/高新区", "city": "3204", "parent": "",
             "regions": "320412、320411", "parks": "示例科技产业园", "valid_from": "2026-01-01", "valid_to": "2028-12-31"},
    "carrier": {"name": "示例新材料重点实验室", "kind": "重点实验室", "level": "省级", "approval_date": "2020-06-01"},
    "scenario": {"title": "智能工厂质检场景", "domain": "智能制造", "description": "场景描述", "investment": "1.5亿"},
    "qualification": {"enterprise": "91320412MA1XXXXXXK", "kind": "高新技术企业", "level": "国家级",
                      "valid_from": "2025-12-01", "valid_to": "2028-11-30"},
    "metric": {"enterprise": "91320412MA1XXXXXXK", "year": 2025, "revenue": "1.2亿", "rd_spend": "600万元",
               "employees": 120, "rd_staff": 30},
}


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _header(ws, headers: list[str], required: set[int] = frozenset()) -> None:
    ws.append(headers)
    for i, cell in enumerate(ws[1]):
        cell.font = Font(bold=True)
        if i in required:
            cell.fill = REQUIRED_FILL
    for i, text in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(len(text) * 2, 12), 40)
    ws.freeze_panes = "A2"


def import_columns(kind: Kind) -> list[tuple[str, str]]:
    """(field name, header) of every column the import reads, in template order: the template, the
    operator's export and every list's xlsx export (core/export.py) write these, the import reads them."""
    with translation.override("zh-hans"):
        return [(n, template_header(kind, n)) for n in kind.columns]


def template_xlsx(kind: Kind) -> bytes:
    """Chinese headers (required ones shaded) and one example row."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(str(kind.model._meta.verbose_name_plural))
    with translation.override("zh-hans"):
        headers = [header for _n, header in import_columns(kind)]
        ws.title = sheet_title(str(kind.model._meta.verbose_name_plural))
    _header(ws, headers, {i for i, n in enumerate(kind.columns) if n in kind.required})
    example = EXAMPLES.get(kind.name, {})
    ws.append([example.get(n) for n in kind.columns])
    return _save(wb)


def _natural(obj: models.Model | None) -> str | None:
    """How a related record is written in a cell so that the import finds it again."""
    if obj is None:
        return None
    label = obj._meta.label_lower
    if label in ("core.industry", "core.region", "core.assessmentunit"):
        return obj.code
    if label == "orgs.enterprise":
        return obj.uscc
    return obj.name


def export_value(kind: Kind, obj: models.Model, name: str):
    f = kind.field(name)
    if getattr(f, "many_to_many", False):
        return "、".join(sorted(_natural(o) for o in getattr(obj, name).all())) or None
    if f.is_relation:
        return _natural(getattr(obj, name))
    value = getattr(obj, name)
    if value in (None, ""):
        return None
    if f.choices:
        return str(dict(f.choices).get(value, value))
    if isinstance(value, list):
        labels = dict(f.choices or [])
        return "、".join(str(labels.get(v, v)) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, (date, int)):
        return value
    if isinstance(value, Decimal):
        return format(value, "f")  # text: exact to the fen, whatever its size
    return neutralise(str(value))


def export_xlsx(kind: Kind, objs) -> bytes:
    """Full values (an operator on the server), in the columns and spellings the import reads."""
    wb = Workbook(write_only=True)
    with translation.override("zh-hans"):
        ws = wb.create_sheet(sheet_title(str(kind.model._meta.verbose_name_plural)))
        ws.append([header for _n, header in import_columns(kind)])
        for obj in objs:
            ws.append([export_value(kind, obj, n) for n in kind.columns])
    return _save(wb)


def error_report_xlsx(rows: list, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    with translation.override("zh-hans"):
        ws.title = sheet_title(title)
    _header(ws, ["行号", "列", "原因"])
    for row, column, reason in rows:
        ws.append([row, neutralise(column or ""), neutralise(reason)])
    ws.column_dimensions["C"].width = 80
    return _save(wb)
