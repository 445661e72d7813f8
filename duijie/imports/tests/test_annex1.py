"""The Annex-1 achievement form (seed 001): Word and Excel forms in, filled forms out, through the
same engine as spreadsheets."""

import io
import json
from datetime import date
from io import StringIO

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from openpyxl import Workbook, load_workbook

from duijie.core.models import AuditLog
from duijie.core.roles import Role
from duijie.core.tests import factories as f
from duijie.imports import engine
from duijie.imports.kinds import KINDS
from duijie.imports.layouts import LAYOUTS, ticks
from duijie.imports.models import ImportJob, ImportStatus
from duijie.orgs.models import Institution
from duijie.supply.models import Achievement

pytestmark = pytest.mark.django_db

FIELDS = "□电子信息；□能源环保；□装备制造；□生物技术与新医药；\n□新材料；□现代农业；□民生用品；□其他           "
STAGES = "□研制阶段；□试生产阶段；□小批量生产阶段；□批量生产阶段；\n□其他                "


def form(**kw):
    values = {"name": "高安全固态电解质", "institution": "示例大学", "unit": "材料学院", "lead": "张伟",
              "title": "教授", "phone": "13900001111", "field": FIELDS.replace("□新材料", "☑新材料"),
              "stage": STAGES.replace("□研制阶段", "☑研制阶段"), "intro": "固态电解质成果与团队简介",
              "fit": "契合本区新能源产业", "plan": "举办推介会",
              "footer": "填报区镇：        填报人及联系电话：李四 13812345678      填报时间：2026年 2 月 3 日"}
    values.update(kw)
    return values


def add_form_table(document, v, symbol_field=False, bold_field=False):
    """The printed Annex-1 layout: 4 columns, values merged across, the lead researcher merged down."""
    document.add_paragraph("附件1")
    document.add_paragraph("大院大所科技成果信息表")
    t = document.add_table(rows=9, cols=4)
    for r in (0, 4, 5, 6, 7, 8):
        t.cell(r, 1).merge(t.cell(r, 3))
    t.cell(2, 0).merge(t.cell(3, 0))
    t.cell(2, 1).merge(t.cell(3, 1))
    cells = [(0, 0, "科技成果名称"), (0, 1, v["name"]), (1, 0, "大院大所名称"), (1, 1, v["institution"]),
             (1, 2, "成果所在院、系、实验室"), (1, 3, v["unit"]), (2, 0, "科技成果研发负责人"), (2, 1, v["lead"]),
             (2, 2, "职务、职称"), (2, 3, v["title"]), (3, 2, "联系电话"), (3, 3, v["phone"]),
             (4, 0, "科技成果\n\n所属领域"), (5, 0, "科技成果\n\n所处阶段"), (5, 1, v["stage"]),
             (6, 0, "科技成果及研发团队简介\n\n（限500字）"), (6, 1, v["intro"]),
             (7, 0, "科技成果与、区镇的契合情况说明\n\n（限300字）"), (7, 1, v["fit"]),
             (8, 0, "科技成果在区镇推介计划\n\n（限200字）"), (8, 1, v["plan"])]
    for r, c, text in cells:
        t.cell(r, c).text = text
    p = t.cell(4, 1).paragraphs[0]
    if symbol_field:  # ☑ inserted from Word's Symbol dialog: a w:sym in Wingdings 2, no text
        for opt in ["电子信息", "能源环保", "新材料", "其他"]:
            run = p.add_run()
            sym = OxmlElement("w:sym")
            sym.set(qn("w:font"), "Wingdings 2")
            sym.set(qn("w:char"), "F052" if opt == "新材料" else "F0A3")
            run._r.append(sym)
            p.add_run(f"{opt}；")
    elif bold_field:  # no marks: the chosen option in bold
        for opt in ["电子信息", "能源环保", "新材料", "其他"]:
            p.add_run("□")
            p.add_run(opt).bold = opt == "新材料"
            p.add_run("；")
    else:
        t.cell(4, 1).text = v["field"]
    document.add_paragraph(v["footer"])


def form_docx(*forms, **kw) -> bytes:
    document = docx.Document()
    for i, v in enumerate(forms):
        if i:
            document.add_page_break()
        add_form_table(document, v, **kw)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def form_xlsx(*forms, extra_sheet=False) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    if extra_sheet:
        wb.create_sheet("填表说明").append(["请每个成果填写一个工作表"])
    for i, v in enumerate(forms, start=1):
        ws = wb.create_sheet(f"成果{i}")
        ws.append(["附件1"])
        ws.append(["大院大所科技成果信息表"])
        ws.append(["科技成果名称", v["name"]])
        ws.append(["大院大所名称", v["institution"], "成果所在院、系、实验室", v["unit"]])
        ws.append(["科技成果研发负责人", v["lead"], "职务、职称", v["title"]])
        ws.append([None, None, " 联系电话 ", int(v["phone"]) if v["phone"].isdigit() else v["phone"]])
        ws.append(["科技成果所属领域", v["field"]])
        ws.append(["科技成果所处阶段", v["stage"]])
        ws.append(["科技成果及研发团队简介（限500字）", v["intro"]])
        ws.append(["科技成果与区镇的契合情况说明（限300字）", v["fit"]])
        ws.append(["科技成果在区镇推介计划（限200字）", v["plan"]])
        ws.append([v["footer"]])
        for r in (3, 7, 8, 9, 10, 11):
            ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=4)
        ws.merge_cells("A5:A6")
        ws.merge_cells("B5:B6")
        ws.merge_cells("A12:D12")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run(data, user, name="成果.docx", commit=False):
    return engine.run(KINDS["achievement"], data, name, user, commit=commit)


# ---------------------------------------------------------------- ticks


@pytest.mark.parametrize("text, chosen", [
    (FIELDS.replace("□新材料", "☑新材料"), ["新材料"]),
    (FIELDS.replace("□新材料", "■新材料"), ["新材料"]),
    (FIELDS.replace("□新材料", "√新材料"), ["新材料"]),
    (FIELDS.replace("□新材料", "□√新材料"), ["新材料"]),
    (FIELDS.replace("□新材料", "☒新材料"), ["新材料"]),
    (FIELDS.replace("□新材料", "⊠新材料"), ["新材料"]),
    (FIELDS.replace("□新材料", "●新材料"), ["新材料"]),
    (FIELDS.replace("新材料；", "新材料✔；"), ["新材料"]),
    (FIELDS.replace("□新材料", "新材料"), ["新材料"]),  # its □ deleted, the others kept
    ("新材料", ["新材料"]),  # the others deleted
    ("□电子信息□能源环保×装备制造□新材料", ["装备制造"]),
    (FIELDS.replace("□其他           ", "☑其他：人工智能"), ["其他"]),
    (FIELDS.replace("□其他           ", "□其他 人工智能"), ["其他"]),  # only the other text written
    (FIELDS, []),
    (FIELDS.replace("□新材料", "☑新材料").replace("□电子信息", "√电子信息"), ["电子信息", "新材料"]),
])
def test_tick_styles(text, chosen):
    assert ticks.parse(text, ticks_options()).ticked == chosen


def ticks_options():
    from duijie.imports.layouts.annex1 import FIELD_OPTIONS

    return FIELD_OPTIONS


def test_longer_options_win_and_other_text_is_kept_as_written():
    from duijie.imports.layouts.annex1 import STAGE_OPTIONS

    assert ticks.parse(STAGES.replace("□批量", "☑批量"), STAGE_OPTIONS).ticked == ["批量生产阶段"]
    assert ticks.parse(STAGES.replace("□小批量", "☑小批量"), STAGE_OPTIONS).ticked == ["小批量生产阶段"]
    t = ticks.parse("☑其他：中试（放大）", STAGE_OPTIONS)
    assert t.ticked == ["其他"] and t.other_text == "中试（放大）"


# ---------------------------------------------------------------- reading forms


@pytest.mark.parametrize("field", [FIELDS.replace("□新材料", "☑新材料"), FIELDS.replace("新材料；", "新材料√；"),
                                   "新材料", FIELDS.replace("□新材料", "■新材料")])
def test_a_docx_form_imports_through_the_engine(admin_user, field):
    result = run(form_docx(form(field=field)), admin_user, commit=True)
    assert result.committed, result.errors()
    a = Achievement.objects.get()
    assert (a.name, a.institution.name, a.unit_name, a.lead_name, a.lead_title, a.lead_phone) == (
        "高安全固态电解质", "示例大学", "材料学院", "张伟", "教授", "13900001111")
    assert (a.field, a.stage, a.introduction, a.district_fit, a.promotion_plan) == (
        "新材料", "研制阶段", "固态电解质成果与团队简介", "契合本区新能源产业", "举办推介会")
    assert (a.filer_name, a.filer_phone, a.filing_date) == ("李四", "13812345678", date(2026, 2, 3))
    assert a.institution.is_provisional and a.filed_by == admin_user


@pytest.mark.parametrize("style", ["symbol_field", "bold_field"])
def test_word_symbols_and_a_bold_option_count_as_ticks(admin_user, style):
    result = run(form_docx(form(), **{style: True}), admin_user)
    assert result.ok, result.errors()
    assert result.counts["new"] == 1


@pytest.mark.parametrize("field", [FIELDS.replace("□新材料", "✓新材料"), "□电子信息；☒新材料；□其他"])
def test_an_xlsx_form_imports_through_the_engine(admin_user, field):
    result = run(form_xlsx(form(field=field)), admin_user, name="成果.xlsx", commit=True)
    assert result.committed, result.errors()
    a = Achievement.objects.get()
    assert a.field == "新材料" and a.lead_phone == "13900001111" and a.filing_date == date(2026, 2, 3)
    assert result.file_type == "xlsx-form"


def test_an_xlsx_in_the_column_template_still_reads_as_rows(admin_user):
    from duijie.imports.tests.helpers import xlsx

    data = xlsx([["科技成果名称", "大院大所名称", "科技成果研发负责人", "科技成果所属领域", "科技成果所处阶段",
                  "科技成果及研发团队简介"], ["成果甲", "新大学", "张三", "新材料", "研制阶段", "简介"]])
    result = run(data, admin_user, name="a.xlsx")
    assert result.ok and result.file_type == "xlsx" and result.counts["new"] == 1


def test_two_forms_in_one_file(admin_user):
    second = form(name="第二项成果", institution="示例大学", field=FIELDS.replace("□电子信息", "☑电子信息"))
    result = run(form_docx(form(), second), admin_user, commit=True)
    assert result.committed and result.counts["new"] == 2
    assert set(Achievement.objects.values_list("field", flat=True)) == {"新材料", "电子信息"}
    assert Institution.objects.count() == 1
    result = run(form_xlsx(form(), second, extra_sheet=True), admin_user, name="b.xlsx")
    assert result.ok and result.counts["unchanged"] == 2
    assert [r.row for r in result.rows] == [2, 3]  # sheets 2 and 3 (the first is instructions)


def test_a_missing_required_field_names_the_form_and_field(admin_user):
    result = run(form_docx(form(), form(name="第二项", lead="")), admin_user, commit=True)
    assert not result.committed and not Achievement.objects.exists()
    assert [(row, col) for row, col, _r in result.errors()] == [(2, "科技成果研发负责人")]


def test_two_ticks_or_none_name_the_form_and_field(admin_user):
    two = FIELDS.replace("□新材料", "☑新材料").replace("□电子信息", "☑电子信息")
    result = run(form_docx(form(), form(name="乙", field=two), form(name="丙", stage=STAGES)), admin_user,
                 commit=True)
    assert not result.committed and not Achievement.objects.exists()
    errors = result.errors()
    assert [(row, col) for row, col, _r in errors] == [(2, "科技成果所属领域"), (3, "科技成果所处阶段")]
    assert "表格 2" in errors[0][2] and "“电子信息”、“新材料”" in errors[0][2] and "只能勾选一项" in errors[0][2]
    assert "表格 3" in errors[1][2] and "没有勾选" in errors[1][2]
    result = run(form_xlsx(form(field=two)), admin_user, name="a.xlsx")
    assert "工作表 1（成果1）" in result.errors()[0][2]


def test_an_unknown_institution_becomes_provisional_and_a_known_alias_matches(admin_user):
    known = f.institution(name="南京示范大学", aliases="南示大")
    result = run(form_docx(form(institution="南示大"), form(name="乙", institution="未知研究院")), admin_user,
                 commit=True)
    assert result.committed
    assert Achievement.objects.get(name="高安全固态电解质").institution == known
    new = Achievement.objects.get(name="乙").institution
    assert new.name == "未知研究院" and new.is_provisional


def test_a_user_without_scope_gets_not_yours(enterprise_user):
    inst = f.institution(name="示例大学")
    f.achievement(inst, name="高安全固态电解质", lead_phone="13900001111")
    result = run(form_docx(form()), enterprise_user, commit=True)
    # the form names an institution that is not the user's own (tests/test_own_records.py)
    assert not result.committed and result.rows[0].errors == [
        ("大院大所名称", "“示例大学”不是本单位：企业或高校院所账号只能导入本单位的记录；其他单位的记录请由科技局导入。")]


# ---------------------------------------------------------------- bad files


@pytest.mark.parametrize("name, data, message", [
    ("a.docx", b"PK\x03\x04 broken", "不是有效的 Word (.docx) 文件"),
    ("a.docx", b"not a zip at all", "不是有效的 Word (.docx) 文件"),
    ("a.doc", b"\xd0\xcf\x11\xe0 old word", "另存为 .docx"),
    ("a.docx", b"", "是空的"),
])
def test_bad_word_files_get_a_clear_message(admin_user, name, data, message):
    result = run(data, admin_user, name=name, commit=True)
    assert not result.committed and message in result.file_errors[0], result.file_errors


def test_a_docx_without_an_annex1_table(admin_user):
    document = docx.Document()
    document.add_paragraph("关于报送成果的通知")
    t = document.add_table(rows=2, cols=2)
    t.cell(0, 0).text = "序号"
    buf = io.BytesIO()
    document.save(buf)
    result = run(buf.getvalue(), admin_user)
    assert "没有找到附件1" in result.file_errors[0] and "科技成果名称" in result.file_errors[0]


def test_blank_forms_are_skipped_and_a_file_of_blank_forms_is_refused(admin_client, admin_user):
    blank = admin_client.get(reverse("imports:form_blank", args=["annex1", "docx"])).content
    result = run(blank, admin_user)
    assert result.file_errors == ["“成果.docx”中的附件1成果表都没有填写。"]
    document = docx.Document(io.BytesIO(blank))  # a filled form after the blank one
    add_form_table(document, form(footer="填报单位（盖章）：    填报人：李四"))
    buf = io.BytesIO()
    document.save(buf)
    result = run(buf.getvalue(), admin_user)
    assert result.ok and [r.row for r in result.rows] == [2], result.errors()


def test_a_docx_for_another_kind_is_refused(admin_user):
    result = engine.run(KINDS["enterprise"], form_docx(form()), "a.docx", admin_user)
    assert "不能导入为企业" in result.file_errors[0], result.file_errors


# ---------------------------------------------------------------- export and round trip


def full_achievement():
    from duijie.core.models import AssessmentUnit, Region

    city = Region.objects.get(code="3204")
    # Two units share the name (常州经开区 in two schemes): the form names the unit by code and name.
    AssessmentUnit.objects.create(name="常州经开区", code="jkq-2016", kind="zone", city=city)
    unit = AssessmentUnit.objects.create(name="常州经开区", code="jkq-2026", kind="zone", city=city)
    inst = f.institution(name="示例大学")
    return f.achievement(inst, name="高安全固态电解质", unit_name="材料学院（一）", lead_title="教授",
                         lead_phone="13900001111", field="其他", field_other="人工智能（AI）", stage="小批量生产阶段",
                         introduction="第一段\n第二段", district_fit="=契合", promotion_plan="推介",
                         filing_unit=unit, filer_name="李四", filer_phone="13812345678", filing_date=date(2026, 2, 3))


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_round_trip_of_an_exported_form_changes_nothing(admin_client, admin_user, fmt):
    a = full_achievement()
    detail = reverse("registry:detail", args=["achievements", a.pk])
    page = admin_client.get(detail).content.decode()
    url = reverse("imports:form_export", args=["annex1", fmt, a.pk])
    assert f'href="{url}"' in page and "导出成果表（Word）" in page and "导出成果表（Excel）" in page
    masked = admin_client.get(url)
    assert AuditLog.objects.filter(action="export").latest("pk").detail["unmasked"] is False
    page = admin_client.post(detail, {"reveal": "1"}).content.decode()  # the audited “show full”
    assert f'href="{url}?full=1"' in page
    response = admin_client.get(f"{url}?full=1")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert response.content != masked.content
    entry = AuditLog.objects.filter(action="export").latest("pk")
    assert entry.object_id == str(a.pk) and entry.detail["unmasked"] is True
    history = a.history.count()
    result = run(response.content, admin_user, name=f"成果.{fmt}", commit=True)
    assert result.committed, result.errors()
    assert result.counts == {"new": 0, "updated": 0, "unchanged": 1, "errors": 0}
    assert a.history.count() == history


def test_the_exported_form_is_laid_out_like_the_annex(admin_client):
    a = full_achievement()
    response = admin_client.get(reverse("imports:form_export", args=["annex1", "docx", a.pk]) + "?full=1")
    document = docx.Document(io.BytesIO(response.content))
    assert [p.text for p in document.paragraphs[:2]] == ["附件1", "大院大所科技成果信息表"]
    table = document.tables[0]
    labels = [table.cell(r, 0).text.replace("\n", "") for r in range(9)]
    assert labels[0] == "科技成果名称" and labels[4] == "科技成果所属领域" and labels[8].startswith("科技成果在区镇推介计划")
    assert "☑其他：人工智能（AI）" in table.cell(4, 1).text and "□新材料" in table.cell(4, 1).text
    assert "☑小批量生产阶段" in table.cell(5, 1).text and "□批量生产阶段" in table.cell(5, 1).text
    ws = load_workbook(io.BytesIO(admin_client.get(
        reverse("imports:form_export", args=["annex1", "xlsx", a.pk]) + "?full=1").content)).active
    assert ws["A3"].value == "科技成果名称" and ws["B3"].value == "高安全固态电解质"
    assert ws["B10"].value == "'=契合"  # formula-like text neutralised
    assert "填报区镇：jkq-2026 常州经开区" in ws["A13"].value and "李四 13812345678" in ws["A13"].value


def test_footer_in_table_cells_and_labels_spaced_out(admin_user):
    from duijie.core.models import AssessmentUnit, Region

    unit = AssessmentUnit.objects.create(name="武进区", code="wujin-2026", kind="district",
                                         city=Region.objects.get(code="3204"))
    wb = load_workbook(io.BytesIO(form_xlsx(form(footer=""))))
    ws = wb.active
    ws["A3"], ws["B3"] = "科 技 成 果 名 称", "另一项成果"  # a label typed with spaces
    ws.unmerge_cells("A12:D12")
    for col, value in zip("ABCD", ["填报区镇", "武进区", "填报人及联系电话", "王五，0519-86001234"], strict=True):
        ws[f"{col}12"] = value
    ws["A13"], ws["B13"] = "填报时间", date(2026, 5, 6)
    buf = io.BytesIO()
    wb.save(buf)
    result = run(buf.getvalue(), admin_user, name="c.xlsx", commit=True)
    assert result.committed, result.errors()
    a = Achievement.objects.get()
    assert (a.name, a.filing_unit, a.filer_name, a.filer_phone, a.filing_date) == (
        "另一项成果", unit, "王五", "0519-86001234", date(2026, 5, 6))


def test_a_masked_phone_in_an_exported_form_does_not_overwrite(client, admin_user):
    a = full_achievement()
    Achievement.objects.filter(pk=a.pk).update(status="published", visibility="public",
                                               introduction="成果简介，咨询 13900001111")
    reader = f.user(role=Role.ENTERPRISE, organisation=f.enterprise().organisation)
    client.force_login(reader)
    response = client.get(reverse("imports:form_export", args=["annex1", "docx", a.pk]) + "?full=1")
    assert response.status_code == 200  # asking for full values does not give them to a reader
    text = "\n".join(c.text for row in docx.Document(io.BytesIO(response.content)).tables[0].rows for c in row.cells)
    assert "139****1111" in text and "13900001111" not in text
    assert AuditLog.objects.filter(action="export").latest("pk").detail["unmasked"] is False
    result = run(response.content, admin_user, commit=True)
    assert result.counts["unchanged"] == 1 and result.counts["updated"] == 0, result.rows[0].changes
    a.refresh_from_db()
    assert a.lead_phone == "13900001111" and a.filer_phone == "13812345678"
    assert a.introduction == "成果简介，咨询 13900001111"  # masked free text kept the stored value


def test_an_enterprise_user_cannot_export_a_form_they_cannot_read(enterprise_client):
    a = f.achievement(lead_phone="13900001111")  # a draft: restricted to its filer and institution
    response = enterprise_client.get(reverse("imports:form_export", args=["annex1", "docx", a.pk]))
    assert response.status_code == 404


# ---------------------------------------------------------------- pages and the command


def test_blank_form_upload_preview_and_confirm(admin_client):
    page = admin_client.get(reverse("imports:upload", args=["achievements"])).content.decode()
    blank_url = reverse("imports:form_blank", args=["annex1", "docx"])
    assert blank_url in page and ".docx" in page
    blank = admin_client.get(blank_url)
    assert blank.status_code == 200
    table = docx.Document(io.BytesIO(blank.content)).tables[0]
    assert "□电子信息" in table.cell(4, 1).text and "☑" not in table.cell(4, 1).text
    response = admin_client.post(reverse("imports:upload", args=["achievements"]),
                                 {"file": SimpleUploadedFile("成果.docx", form_docx(form(), form(name="乙")))})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportStatus.PREVIEWED and job.new == 2
    page = admin_client.get(response.url).content.decode()
    assert "<th>表格</th>" in page
    admin_client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and Achievement.objects.count() == 2


def test_import_file_reads_a_word_form(tmp_path):
    path = tmp_path / "成果.docx"
    path.write_bytes(form_docx(form()))
    out = StringIO()
    call_command("import_file", "achievement", str(path), stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == {"new": 1, "updated": 0, "unchanged": 0,
                                                                    "errors": 0}
    assert LAYOUTS["annex1"].kind == "achievement"


def test_export_file_writes_forms_that_import_back_unchanged(tmp_path):
    full_achievement()
    f.achievement(name="另一项成果", lead_phone="13900002222")
    for fmt in ("docx", "xlsx"):
        path = tmp_path / f"forms.{fmt}"
        call_command("export_file", "achievement", str(path), "--form", stdout=StringIO())
        out = StringIO()
        call_command("import_file", "achievement", str(path), stdout=out)
        assert json.loads(out.getvalue().strip().splitlines()[-1]) == {"new": 0, "updated": 0, "unchanged": 2,
                                                                        "errors": 0}
