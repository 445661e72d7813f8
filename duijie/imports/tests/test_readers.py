"""Every encoding and every bad file gives a clear answer."""

import io
import re
import zipfile

import pytest

from duijie.imports import readers
from duijie.imports.tests.helpers import csv_bytes, xls, xlsx


@pytest.fixture(params=["calamine", "openpyxl"], autouse=True)
def xlsx_reader(request, monkeypatch):
    """Both xlsx readers read every file the same way."""
    monkeypatch.setattr(readers, "USE_CALAMINE", request.param == "calamine")
    return request.param


ROWS = [["统一社会信用代码", "企业名称"], ["91320412MA1XXXXXX0", "常州甲科技有限公司"]]


@pytest.mark.parametrize(("data", "encoding"), [
    (csv_bytes(ROWS, "utf-8"), "UTF-8"),
    (b"\xef\xbb\xbf" + csv_bytes(ROWS, "utf-8"), "UTF-8 (BOM)"),
    (csv_bytes(ROWS, "gbk"), "GBK/GB18030"),
    (csv_bytes(ROWS, "gb18030"), "GBK/GB18030"),
])
def test_csv_encodings_are_detected_and_named(data, encoding):
    sheet = readers.read(data, "a.csv")
    assert sheet.encoding == encoding
    assert sheet.rows[0][1][0] == "统一社会信用代码"
    assert sheet.rows[1][1][1] == "常州甲科技有限公司"


def test_xlsx_rows_keep_excel_numbers_and_skip_empty_rows():
    data = xlsx([ROWS[0], [None, None], ROWS[1]])
    sheet = readers.read(data, "a.xlsx")
    assert [n for n, _v in sheet.rows] == [1, 3]


def test_xlsx_formula_cells_give_cached_values():
    # openpyxl does not compute formulas; a file saved by Excel carries the cached value, which
    # data_only mode reads. Simulate by writing the cached value into the sheet XML.
    data = xlsx([["年度", "营业收入"], [2025, "=1+1"]])
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            body = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                # openpyxl writes an empty cached value as <v /> (stdlib writer) or <v></v> / <v/> (lxml)
                body, n = re.subn(rb"<f>1\+1</f><v\s*/>|<f>1\+1</f><v></v>", b"<f>1+1</f><v>2</v>", body)
                assert n == 1
            zout.writestr(item, body)
    sheet = readers.read(out.getvalue(), "a.xlsx")
    assert sheet.rows[1][1][1] == 2


def test_old_xls_is_read_with_dates():
    from datetime import date

    sheet = readers.read(xls([["成立日期"], [date(2026, 2, 3)]]), "a.xls")
    assert sheet.file_type == "xls"
    assert sheet.rows[1][1][0].date() == date(2026, 2, 3)


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"hello", "a.txt", "不是本导入能读取的表格"),
    (b"PK\x03\x04 broken zip", "a.xlsx", "不是有效的 .xlsx 文件"),
    (b"", "a.xlsx", "是空的"),
    (b"", "a.csv", "是空的"),
    (b"not an xls", "a.xls", "无法作为旧版 Excel"),
])
def test_bad_files_give_a_clear_message(data, name, message):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(readers.FileProblem, match=message):
        readers.read(data, name)


def test_a_zip_that_is_not_a_workbook():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(readers.FileProblem):
        readers.read(buf.getvalue(), "a.xlsx")
