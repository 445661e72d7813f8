"""The file a clerk downloads from a registry list (导出 xlsx) imports back unchanged, and an edited cell
updates exactly its row; every template's example row passes its own import."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from duijie.core.tests import factories as f
from duijie.core.tests.test_query_counts import build
from duijie.imports import engine
from duijie.imports.kinds import KINDS
from duijie.imports.sheets import template_xlsx

pytestmark = pytest.mark.django_db

ROW_KINDS = [k.name for k in KINDS.values() if not k.table]


@pytest.mark.parametrize("name", ROW_KINDS)
def test_a_list_export_imports_back_unchanged(name, admin_client, admin_user):
    kind = KINDS[name]
    if kind.slug != "regions":  # the regions are reference data, already there
        build(kind.slug), build(kind.slug)
    response = admin_client.get(f"/r/{kind.slug}/export.xlsx")
    assert response.status_code == 200
    exported = load_workbook(io.BytesIO(response.content)).active.max_row - 1
    assert exported >= 2
    result = engine.run(kind, response.content, "export.xlsx", admin_user)
    assert result.errors() == []
    assert result.counts == {"new": 0, "updated": 0, "unchanged": exported, "errors": 0}
    # its read-only columns (state, version, filer account …) are named as skipped, not refused
    assert any("只读" in note for note in result.notes)


def test_one_edited_cell_updates_exactly_its_row(admin_client, admin_user):
    from duijie.orgs.models import Enterprise

    for _i in range(3):
        build("enterprises")
    response = admin_client.get("/r/enterprises/export.xlsx")
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.active
    headers = [c.value for c in ws[1]]
    assert headers.count("填报人（只读）") <= 1 and "填报人" not in headers  # no two columns of one name
    col = headers.index("主要产品") + 1
    uscc = ws.cell(row=3, column=headers.index("统一社会信用代码") + 1).value
    ws.cell(row=3, column=col).value = "固态电池电解质"
    buf = io.BytesIO()
    wb.save(buf)
    result = engine.run(KINDS["enterprise"], buf.getvalue(), "export.xlsx", admin_user, commit=True)
    assert result.committed
    assert result.counts == {"new": 0, "updated": 1, "unchanged": ws.max_row - 2, "errors": 0}
    updated = [r for r in result.rows if r.outcome == "update"]
    assert updated[0].row == 3 and updated[0].changes == ["主要产品"]
    assert Enterprise.objects.get(uscc=uscc).main_products == "固态电池电解质"
    # and the preview shows the values it read beside the outcome
    assert ("主要产品", "固态电池电解质") in updated[0].values


def test_an_export_of_records_the_user_only_reads_imports_back_unchanged(client, enterprise_user):
    """An enterprise's list holds other enterprises' published demands: unchanged, they are no error;
    changed, they are (only its own records)."""
    from duijie.orgs.models import Enterprise

    other = f.enterprise(name="别家企业有限公司")
    f.demand(other, title="别家的需求", status="published", visibility="public")
    f.demand(Enterprise.objects.get(organisation=enterprise_user.organisation), title="本企业需求", status="published", visibility="public")
    client.force_login(enterprise_user)
    data = client.get("/r/demands/export.xlsx").content
    result = engine.run(KINDS["demand"], data, "export.xlsx", enterprise_user)
    assert result.ok and result.counts["unchanged"] == 2 and result.counts["updated"] == 0
    wb = load_workbook(io.BytesIO(data))
    ws = wb.active
    headers = [c.value for c in ws[1]]
    for row in range(2, ws.max_row + 1):
        ws.cell(row=row, column=headers.index("描述") + 1).value = "改过的描述"
    buf = io.BytesIO()
    wb.save(buf)
    result = engine.run(KINDS["demand"], buf.getvalue(), "export.xlsx", enterprise_user, commit=True)
    assert not result.committed
    errors = [e for _row, _col, e in result.errors()]
    assert len(errors) == 1 and "别家企业有限公司" in errors[0] and "不是本单位" in errors[0]


ORDER = ["region", "park", "assessment_unit", "enterprise", "institution", "expert", "achievement", "patent",
         "demand", "carrier", "scenario", "qualification", "metric"]


def test_every_template_example_row_passes_its_own_import(admin_user):
    """In an order where each example finds what it names (the example enterprise before its
    qualification and metrics), every template's example row imports as one new record."""
    assert sorted(ORDER) == sorted(ROW_KINDS)
    for name in ORDER:
        result = engine.run(KINDS[name], template_xlsx(KINDS[name]), f"{name}-template.xlsx", admin_user,
                            commit=True)
        assert result.errors() == [], name
        assert result.committed and result.counts["new"] == 1, name


def test_a_formula_without_its_result_is_a_row_error_not_an_empty_value(admin_user):
    """openpyxl (like many programs) writes formulas without their results: such a cell is an error
    naming the cell, never read as empty (which would keep the stored value without a word)."""
    from duijie.imports.tests.helpers import xlsx

    data = xlsx([["统一社会信用代码", "企业名称", "注册资本（万元）"],
                 [f.uscc(n=901), "公式测试有限公司", "=100*5"],
                 [f.uscc(n=902), "数值测试有限公司", 500]])
    result = engine.run(KINDS["enterprise"], data, "formulas.xlsx", admin_user, commit=True)
    assert not result.committed
    assert [r.outcome for r in result.rows] == ["error", "new"]
    (column, reason), = result.rows[0].errors
    assert column == "注册资本（万元）" and "C2" in reason and "=100*5" in reason and "计算结果" in reason


@pytest.mark.parametrize(("cell", "ticked", "other"), [
    ("□其他；■人工智能", ["其他"], "人工智能"),  # a written-in option ticked: 其他 with its text, no stray “；■”
    ("□其他；■新材料", ["新材料"], ""),  # an option printed after 其他 is an option, not 其他's text
    ("■其他：区块链 □新材料", ["其他"], "区块链"),
    ("□电子信息 ■新材料 □其他____", ["新材料"], ""),
    ("■电子信息 □其他；", ["电子信息"], ""),
])
def test_ticked_boxes_choose_and_empty_boxes_do_not(cell, ticked, other):
    from duijie.imports.layouts import ticks
    from duijie.imports.layouts.annex1 import FIELD_OPTIONS

    result = ticks.parse(cell, FIELD_OPTIONS)
    assert (result.ticked, result.other_text) == (ticked, other)


@pytest.mark.parametrize(("written", "stored"), [
    ("上海交大", "上海交通大学"), ("南大", "南京大学"), ("中科院", "中国科学院"),
    ("中科院宁波材料技术与工程研究所", "中国科学院宁波材料技术与工程研究所"),
    ("中国科学院微电子研究所", "中科院微电子研究所"),  # and back: the registry may hold the short form
])
def test_institutions_are_found_by_their_common_short_forms(written, stored, admin_user):
    inst = f.institution(name=stored)
    data = xlsx_rows([["专家姓名", "所在单位"], ["王短名", written]])
    result = engine.run(KINDS["expert"], data, "experts.xlsx", admin_user, commit=True)
    assert result.committed, result.errors()
    from duijie.experts.models import Expert

    assert Expert.objects.get(name="王短名").institution == inst


def test_a_short_form_never_names_an_institution_the_registry_lacks(admin_user):
    data = xlsx_rows([["专家姓名", "所在单位"], ["王短名", "南大"]])
    result = engine.run(KINDS["expert"], data, "experts.xlsx", admin_user)
    assert result.rows[0].outcome == "error" and "南大" in result.rows[0].errors[0][1]


def xlsx_rows(rows):
    from duijie.imports.tests.helpers import xlsx

    return xlsx(rows)
