"""Crafted upload files, generated (no binary blobs): each is small on disk and made to hurt a parser
that trusts it. Used by the tests (tests/test_guard.py) and by ``bench/crafted_files.py``.

``CRAFTED`` maps a name to (file name, builder, what the refusal says). The builders take a few
seconds at most: the zip bombs repeat one flushed deflate block instead of compressing gigabytes.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from openpyxl import Workbook

MB = 1024 * 1024


def workbook(rows: list[list] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows or [["统一社会信用代码", "企业名称"], ["91320412MA1XXXXXX0", "常州示例科技有限公司"]]:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: zf.read(i) for i in zf.infolist()}


def repack(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()


def deflate_repeated(prefix: bytes, block: bytes, times: int) -> tuple[bytes, int, int]:
    """Raw deflate of ``prefix + block * times`` without compressing it all: after a full flush the
    compressor starts afresh, so every flushed copy of ``block`` compresses to the same bytes.
    Returns (compressed, crc32, uncompressed size)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    first = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    assert first == again
    tail = c.flush()
    crc = zlib.crc32(prefix)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    return head + first * times + tail, crc, len(prefix) + len(block) * times


def raw_zip(entries: list[tuple[str, bytes, int, int, int, int]]) -> bytes:
    """A zip written by hand: (name, compressed data, method, crc, size declared, real size unused)."""
    out = io.BytesIO()
    central = []
    for name, data, method, crc, size, _real in entries:
        encoded = name.encode()
        offset = out.tell()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(data), size,
                              len(encoded), 0))
        out.write(encoded)
        out.write(data)
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc, len(data), size,
                                   len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    for c in central:
        out.write(c)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), out.tell() - start,
                          start, 0))
    return out.getvalue()


def _entries(files: dict[str, bytes]) -> list:
    out = []
    for name, content in files.items():
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        data = c.compress(content) + c.flush()
        out.append((name, data, 8, zlib.crc32(content), len(content), len(content)))
    return out


def _bomb_into(files: dict[str, bytes], part: str, unpacked_mb: int, *, declare: int | None = None) -> bytes:
    prefix = files[part][:200]
    data, crc, size = deflate_repeated(prefix, b" " * MB, unpacked_mb)
    entries = [e for e in _entries(files) if e[0] != part]
    entries.append((part, data, 8, crc, size if declare is None else declare, size))
    return raw_zip(entries)


def zip_bomb() -> bytes:
    """An xlsx whose worksheet inflates to 2 GB (the review's “2 MB file asked for 2 GB”)."""
    return _bomb_into(parts(workbook()), "xl/worksheets/sheet1.xml", 2048)


def lying_zip_bomb() -> bytes:
    """The same, but the zip directory claims the worksheet is 10 KB."""
    return _bomb_into(parts(workbook()), "xl/worksheets/sheet1.xml", 64, declare=10_000)


def far_cell(ref: str) -> bytes:
    """An enterprise header row and one cell far away at ``ref``."""
    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "企业名称"])
    ws[ref] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def huge_dimension() -> bytes:
    """One cell at the last column and row (XFD1048576): 4.9 KB that once asked for 512 GB."""
    return far_cell("XFD1048576")


def dense_far_cell() -> bytes:
    """Passes the checks once the cell limit is raised; calamine then wants 20 M cells (640 MB)."""
    return far_cell("CV200000")


def hidden_far_cell() -> bytes:
    """The same cell, with the sheet's <dimension> rewritten to claim A1:B2."""
    files = parts(huge_dimension())
    sheet = files["xl/worksheets/sheet1.xml"]
    start = sheet.index(b"<dimension")
    end = sheet.index(b"/>", start) + 2
    files["xl/worksheets/sheet1.xml"] = sheet[:start] + b'<dimension ref="A1:B2"/>' + sheet[end:]
    return repack(files)


def xxe() -> bytes:
    """Shared strings that declare an external entity (/etc/passwd) and a billion-laughs chain."""
    files = parts(workbook([["企业名称"], ["placeholder"]]))
    files["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        b"<si><t>&xxe;&b;</t></si></sst>")
    sheet = files["xl/worksheets/sheet1.xml"]
    files["xl/worksheets/sheet1.xml"] = sheet.replace(b'<c r="A2" t="inlineStr"><is><t>placeholder</t></is></c>',
                                                      b'<c r="A2" t="s"><v>0</v></c>')
    return repack(files)


def with_macros() -> bytes:
    """A macro-enabled workbook (vbaProject.bin) saved under an .xlsx name."""
    files = parts(workbook())
    files["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"Attribute VB_Name"
    files["[Content_Types].xml"] = files["[Content_Types].xml"].replace(
        b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    return repack(files)


def nul_csv() -> bytes:
    return "统一社会信用代码,企业名称\n91320412MA1XXXXXX0,常州示例\n".encode() + b"\x00" * 64 + b"MZ\x90\x00binary"


def docx_form() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("大院大所科技成果信息表")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "科技成果名称", "示例"
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def docx_bomb() -> bytes:
    """An Annex-1 Word form whose document.xml inflates to 1 GB."""
    return _bomb_into(parts(docx_form()), "word/document.xml", 1024)


def many_parts() -> bytes:
    """An xlsx carrying 5,000 empty parts (a directory that costs memory before anything is read)."""
    files = parts(workbook())
    files.update({f"xl/media/empty{i}.png": b"" for i in range(5000)})
    return repack(files)


def hidden_parts() -> bytes:
    """The same 5,000 parts, with the end record claiming 10 (zipfile reads the directory by its size)."""
    data = bytearray(many_parts())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 10, 10)
    return bytes(data)


def truncated() -> bytes:
    data = workbook([["统一社会信用代码", "企业名称"]] + [[f"91320412MA{i:08d}", f"企业{i}"] for i in range(200)])
    return data[: len(data) // 2]


# name → (upload file name, builder, import kind, a phrase the Chinese refusal contains)
CRAFTED = {
    "zip_bomb": ("炸弹.xlsx", zip_bomb, "enterprise", "压缩比"),
    "lying_zip_bomb": ("炸弹2.xlsx", lying_zip_bomb, "enterprise", "不是有效的 .xlsx 文件"),
    "huge_dimension": ("超大范围.xlsx", huge_dimension, "enterprise", "XFD1048576"),
    "hidden_far_cell": ("隐藏单元格.xlsx", hidden_far_cell, "enterprise", "1,048,576"),
    "xxe": ("实体.xlsx", xxe, "enterprise", "DOCTYPE"),
    "macros": ("宏.xlsx", with_macros, "enterprise", "宏"),
    "nul_csv": ("空字节.csv", nul_csv, "enterprise", "NUL"),
    "docx_bomb": ("成果表.docx", docx_bomb, "achievement", "压缩比"),
    "many_parts": ("部件.xlsx", many_parts, "enterprise", "DUIJIE_IMPORT_MAX_ZIP_MEMBERS"),
    "hidden_parts": ("部件2.xlsx", hidden_parts, "enterprise", "DUIJIE_IMPORT_MAX_ZIP_MEMBERS"),
    "truncated": ("截断.xlsx", truncated, "enterprise", "不是有效的 .xlsx 文件"),
}
