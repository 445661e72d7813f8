"""A Kunshan-like world for the official target tables: the 11 units of seed 001's Annex 3, the city
bureau, a city and a district administrator, and programmes with the demo's targets."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from openpyxl import Workbook, load_workbook

from duijie.core.models import AssessmentUnit, Organisation, Region
from duijie.core.tests import factories as f
from duijie.demo.areas.programmes import KS_ANNEX2, KS_ANNEX3, KS_CITY_EVENTS, KS_END, KS_START
from duijie.imports import services
from duijie.imports.kinds import KINDS
from duijie.programmes.models import Programme, ProgrammeIndicator, Target

UNITS = {"ks2017-kaifa": "开发区", "ks2017-gaoxin": "高新区", "ks2017-huaqiao": "花桥开发区", "ks2017-zhangpu": "张浦",
         "ks2017-zhoushi": "周市", "ks2017-lujia": "陆家", "ks2017-bacheng": "巴城", "ks2017-qiandeng": "千灯",
         "ks2017-dianshanhu": "淀山湖", "ks2017-zhouzhuang": "周庄", "ks2017-jinxi": "锦溪"}
# The demo's two indicators, then the two the sample's other columns need (any installed slugs will do).
INDICATORS = [
    ("signed-projects", "校企合作项目数（项）", "附件2“项目合作（项）”；附件3“校企合作项目数（项）”"),
    ("events-held", "对接活动次数（场）", "附件2“对接活动（次）”；附件3“对接活动次数（场）”"),
    ("paired-experts", "引进人才数（人）", "附件2“人才团队（个）”；附件3“引进人才数（人）”"),
    ("carriers-approved", "建设载体数（个）", "附件2“载体建设（个）”；附件3“建设载体数（个）”"),
]


def region(code: str, name: str, level: int, parent=None) -> Region:
    return Region.objects.filter(code=code).first() or Region.objects.create(code=code, name=name, level=level,
                                                                             parent=parent)


def world(indicators: int = 2, targets: bool = True) -> dict:
    suzhou = region("3205", "苏州市", 2)
    kunshan = region("320583", "昆山市", 3, suzhou)
    units = {code: AssessmentUnit.objects.create(code=code, name=name, kind="town", city=kunshan,
                                                 valid_from=KS_START, valid_to=KS_END)
             for code, name in UNITS.items()}
    bureau = Organisation.objects.create(kind="government", name="昆山市科学技术局", region=kunshan)
    city = f.user(role="city_admin", organisation=bureau)
    kaifa_office = Organisation.objects.create(kind="government", name="昆山开发区科技局", region=kunshan,
                                               assessment_unit=units["ks2017-kaifa"])
    district = f.user(role="unit_admin", organisation=kaifa_office)
    programme = Programme.objects.create(code="kunshan-2017", name="关于进一步推进与大院大所合作的工作意见",
                                         period_start=KS_START, period_end=KS_END, region=kunshan,
                                         visibility="platform")
    pis = [ProgrammeIndicator.objects.create(programme=programme, indicator=slug, label=label, source=source,
                                             order=n)
           for n, (slug, label, source) in enumerate(INDICATORS[:indicators], start=1)]
    if targets:  # as the demo builds them (duijie/demo/areas/programmes.py)
        for code, figures in KS_ANNEX2.items():
            for pi, value in zip(pis, figures, strict=False):
                Target.objects.create(programme_indicator=pi, owner_unit=units[code], period_kind="whole",
                                      period_start=KS_START, period_end=KS_END, value=Decimal(value))
        for code, figures in KS_ANNEX3.items():
            for pi, value in zip(pis, figures, strict=False):
                Target.objects.create(programme_indicator=pi, owner_unit=units[code], period_kind="year",
                                      period_start=KS_START, period_end=date(2017, 12, 31), value=Decimal(value))
        Target.objects.create(programme_indicator=pis[1], owner_department=bureau, period_kind="whole",
                              period_start=KS_START, period_end=KS_END, value=Decimal(KS_CITY_EVENTS),
                              text="举办市级产学研对接活动10场",
                              source="附件2 第1行（市科技局、智能装备与半导体产业促进中心、招商中心）")
    return {"units": units, "bureau": bureau, "city": city, "district": district, "programme": programme,
            "pis": pis, "kunshan": kunshan}


def run(kind: str, data: bytes, user, *, commit: bool = True, programme: str = "kunshan-2017",
        name: str = "table.xlsx"):
    return services.run(KINDS[kind], data, name, user, commit=commit, options={"programme": programme})


def sheet(data: bytes) -> tuple[list[tuple], set[str]]:
    ws = load_workbook(io.BytesIO(data)).active
    return list(ws.iter_rows(values_only=True)), {str(r) for r in ws.merged_cells.ranges}


def edit(data: bytes, changes: dict[str, object]) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    for ref, value in changes.items():
        wb.active[ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def printed_annex2(rows: list[list], labels: list[str], totals: list) -> bytes:
    """Annex 2 as printed: title, 序号/区镇/部门/… merged down two rows, the “十三五” heading merged over
    the indicator columns, a prose row merged over them, and 总计 merged over the first four columns."""
    wb = Workbook()
    ws = wb.active
    n = len(labels)
    width = 4 + n
    ws.append(["附件2"])
    ws.append(["部门、区镇对接清单和目标任务表"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    ws.append(["序号", "区镇/部门", "特色产业领域", "计划对接大院大所", "“十三五”期间目标任务"])
    ws.append([None, None, None, None, *labels])
    for c in range(1, 5):
        ws.merge_cells(start_row=3, start_column=c, end_row=4, end_column=c)
    ws.merge_cells(start_row=3, start_column=5, end_row=3, end_column=width)
    for i, row in enumerate(rows, start=1):
        ws.append([i, *row])
        if len(row) == 4:  # owner, two texts, one prose cell
            ws.merge_cells(start_row=ws.max_row, start_column=5, end_row=ws.max_row, end_column=width)
    ws.append(["总计", None, None, None, *totals])
    ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=4)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
