"""Uploaded office files are untrusted input: check them before any parser touches them, then parse
them where a crafted file cannot take the web or worker process down.

1. ``inspect(data, name)`` runs in the calling process and never builds the document. An .xlsx/.docx
   is a zip: the number of parts, duplicate names, encryption, the compression method, the declared
   unpacked size (in total) and compression ratio (per part) are read from the zip's directory; then
   every part is inflated as a stream (a few MB at a time, never kept) so the real sizes are counted
   and a lying directory ends in a CRC error. XML parts must be UTF-8 with no DOCTYPE (so no
   entities: no XXE, no billion laughs); macro projects (vbaProject.bin, a macro-enabled content type)
   are refused. Each worksheet's declared range (``<dimension>``), its largest row and column
   reference and its cell count are measured on the stream, so one cell at XFD1048576 or a million
   empty-looking cells are refused before calamine would allocate the dense range. A CSV may not hold
   NUL bytes. Every refusal is a ``readers.FileProblem`` naming the limit, the figure found and the
   figure allowed.
2. ``read(kind, data, name)`` then parses in a child process (multiprocessing "forkserver": the
   server process has Django loaded once, each parse is a fork of it) whose address space and CPU time
   are limited with ``setrlimit``. A child that runs out of memory (Python's MemoryError, or the
   Rust/C library aborting) or time is reported as a refusal; the caller only ever sees rows or a
   FileProblem. The sheet's rows and columns are checked again on what the parser returned (xls, CSV).

Limits are settings (``DUIJIE_IMPORT_MAX_*``, ``DUIJIE_IMPORT_PARSE_*``; README, Configuration).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import resource
import signal
import time
import zipfile
from dataclasses import dataclass, field

import django
from django.apps import apps
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from duijie.core import uploads
from duijie.imports import readers

MB = 1024 * 1024
CHUNK = 4 * MB  # inflated bytes handled at a time
PROLOGUE_BYTES = 64 * 1024  # an XML part's root element must start within this many bytes
ZIP_EXTENSIONS = (".xlsx", ".xlsm", ".docx", ".docm")
XML_SUFFIXES = (".xml", ".rels", ".vml")
MACRO_TYPES = (b"macroEnabled", b"vbaProject")


@dataclass(frozen=True)
class Limits:
    unpacked_bytes: int = 512 * MB
    members: int = 1000
    ratio: int = 200
    rows: int = 300_000
    columns: int = 200
    cells: int = 6_000_000
    memory_mb: int = 2048
    seconds: int = 300


def limits() -> Limits:
    def get(name: str, default: int) -> int:
        return int(getattr(settings, name, default))

    d = Limits()
    return Limits(unpacked_bytes=get("DUIJIE_IMPORT_MAX_UNPACKED_BYTES", d.unpacked_bytes),
                  members=get("DUIJIE_IMPORT_MAX_ZIP_MEMBERS", d.members),
                  ratio=get("DUIJIE_IMPORT_MAX_COMPRESSION_RATIO", d.ratio),
                  rows=get("DUIJIE_IMPORT_MAX_ROWS", d.rows), columns=get("DUIJIE_IMPORT_MAX_COLUMNS", d.columns),
                  cells=get("DUIJIE_IMPORT_MAX_CELLS", d.cells),
                  memory_mb=get("DUIJIE_IMPORT_PARSE_MEMORY_MB", d.memory_mb),
                  seconds=get("DUIJIE_IMPORT_PARSE_SECONDS", d.seconds))


@dataclass
class SheetFacts:
    part: str
    declared: str = ""  # the <dimension ref="…"> as written
    max_row: int = 0  # an upper bound of the largest row number a parser will see
    max_column: int = 0  # … and of the largest column
    cells: int = 0


@dataclass
class Facts:
    unpacked: int = 0
    sheets: list[SheetFacts] = field(default_factory=list)
    lines: int = 0  # CSV

    @property
    def rows(self) -> int:
        """The first sheet's largest row number (CSV: its lines); 0 if unknown."""
        if self.sheets:
            return self.sheets[0].max_row
        return self.lines


def _n(n: int) -> str:
    return f"{n:,}"


def column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


# ---------------------------------------------------------------- checks in the calling process

def inspect(data: bytes, name: str, lim: Limits | None = None) -> Facts:
    """Check an upload without parsing it; raise ``readers.FileProblem`` with the reason."""
    lim = lim or limits()
    ext = readers.extension(name)
    if not data:
        return Facts()  # the reader says the file is empty
    if ext in ZIP_EXTENSIONS:
        return _inspect_zip(data, name, ext, lim)
    if ext == ".csv":
        return _inspect_csv(data, name, lim)
    return Facts()


def _inspect_csv(data: bytes, name: str, lim: Limits) -> Facts:
    at = data.find(b"\x00")
    if at >= 0:
        raise readers.FileProblem(
            _("“%(name)s” holds NUL bytes (the first at byte %(offset)s): it is binary data, not a CSV text "
              "file. Open it in Excel and save it as “CSV UTF-8”.") % {"name": name, "offset": _n(at)})
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if lines > lim.rows:
        raise _too_many_rows(name, lines, lim)
    return Facts(lines=lines)


def _too_many_rows(name: str, rows: int, lim: Limits) -> readers.FileProblem:
    return readers.FileProblem(
        _("“%(name)s” has %(found)s rows; at most %(limit)s rows are imported at once "
          "(DUIJIE_IMPORT_MAX_ROWS). Split it into smaller files.")
        % {"name": name, "found": _n(rows), "limit": _n(lim.rows)})


def _not_valid(name: str, ext: str) -> readers.FileProblem:
    if ext in (".docx", ".docm"):
        return readers.FileProblem(_("“%(name)s” is not a valid Word (.docx) file (it may be damaged, or an old "
                                     ".doc renamed): open it in Word and save it again as .docx.") % {"name": name})
    return readers.FileProblem(_("“%(name)s” is not a valid .xlsx file (it may be damaged, or an old .xls renamed): "
                                 "open it in Excel and save it again as .xlsx.") % {"name": name})


def _inspect_zip(data: bytes, name: str, ext: str, lim: Limits) -> Facts:
    try:
        zf = uploads.open_zip(data, name, members=lim.members, ratio=lim.ratio, unpacked_bytes=lim.unpacked_bytes)
    except uploads.NotAZip:
        raise _not_valid(name, ext)
    except uploads.UnsafeFile as exc:
        raise readers.FileProblem(str(exc))
    with zf:
        infos = zf.infolist()
        facts = Facts()
        total_cells = 0
        for info in infos:
            facts.unpacked += _stream_part(zf, info, name, ext, lim, facts)
            if facts.unpacked > lim.unpacked_bytes:  # the directory understated it
                raise readers.FileProblem(str(uploads.unpacked(name, facts.unpacked, lim.unpacked_bytes)))
        for sheet in facts.sheets:
            total_cells += sheet.cells
        if total_cells > lim.cells:
            raise readers.FileProblem(
                _("“%(name)s” holds %(found)s cells; at most %(limit)s are read (DUIJIE_IMPORT_MAX_CELLS). "
                  "Split it into smaller files.") % {"name": name, "found": _n(total_cells), "limit": _n(lim.cells)})
    # The first worksheet in the package order is not necessarily the workbook's first sheet: order them
    # by their number (sheet1.xml, sheet2.xml …), which is how Office and openpyxl name them.
    facts.sheets.sort(key=lambda s: (len(s.part), s.part))
    return facts


_DECL_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_DIMENSION = re.compile(rb'dimension\s+ref="([A-Z]*)([0-9]*)(?::([A-Z]*)([0-9]*))?"')
_ROW_REF = re.compile(rb'row r="([0-9]+)"')
_CELL_COLUMN = re.compile(rb'r="([A-Z]{1,4})[0-9]')
WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml")
DOCUMENT_PARTS = re.compile(r"word/(document|header\d*|footer\d*)\.xml")


def _check_prologue(head: bytes, name: str, part: str) -> None:
    """An XML part: UTF-8 (as Office writes it) and nothing but the declaration, comments and processing
    instructions before the root element — no DOCTYPE, so no entity can be declared."""
    def refuse(reason: str) -> readers.FileProblem:
        return readers.FileProblem(
            _("“%(name)s” was refused: its part “%(part)s” %(reason)s. Files saved by Excel, WPS or Word never "
              "do; save it again from one of them.") % {"name": name, "part": part[:100], "reason": reason})

    if head.startswith((b"\xfe\xff", b"\xff\xfe")) or b"\x00" in head[:4]:
        raise refuse(_("is not UTF-8 XML"))
    pos = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while pos < len(head) and head[pos:pos + 1] in (b" ", b"\t", b"\r", b"\n"):
            pos += 1
        if head.startswith(b"<?", pos):
            end = head.find(b"?>", pos)
            if end < 0:
                break
            m = _DECL_ENCODING.search(head, pos, end)
            if m and m.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
                raise refuse(_("is not UTF-8 XML"))
            pos = end + 2
        elif head.startswith(b"<!--", pos):
            end = head.find(b"-->", pos)
            if end < 0:
                break
            pos = end + 3
        elif head.startswith(b"<!", pos):
            raise refuse(_("declares a DOCTYPE or entities (an XML external entity attack)"))
        else:
            return  # the root element (or the end of a part with no root, which the parser reports)
    raise refuse(_("has an XML prologue longer than %(n)s KB") % {"n": PROLOGUE_BYTES // 1024})


def _stream_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, ext: str, lim: Limits,
                 facts: Facts) -> int:
    """Inflate one part as a stream: its real size; XML prologue; macros; worksheet measures."""
    part = info.filename
    is_xml = part.lower().endswith(XML_SUFFIXES)
    sheet = SheetFacts(part=part) if WORKSHEET.fullmatch(part) else None
    document = bool(DOCUMENT_PARTS.fullmatch(part))
    big_row_digits = len(str(lim.rows))
    big_row = re.compile(rb'r="[A-Z]{0,3}([0-9]{%d,})"' % big_row_digits)
    size = 0
    head = b""
    carry = b""
    rows_max = rows_elements = cells = refs = cols_max = 0
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(CHUNK)
                size += len(chunk)
                if size > lim.unpacked_bytes:
                    raise readers.FileProblem(str(uploads.unpacked(name, facts.unpacked + size, lim.unpacked_bytes)))
                if not is_xml:
                    if not chunk:
                        break
                    continue
                if len(head) < PROLOGUE_BYTES:
                    head += chunk[:PROLOGUE_BYTES - len(head)]
                    if len(head) >= PROLOGUE_BYTES or not chunk:
                        _check_prologue(head, name, part)
                        if part == "[Content_Types].xml" or part.endswith(".rels"):
                            if any(t in head for t in MACRO_TYPES):
                                raise readers.FileProblem(str(uploads.macros(name, part)))
                        if sheet is not None:
                            m = _DIMENSION.search(head)
                            if m:
                                sheet.declared = m.group(0)[15:-1].decode("ascii", "replace")
                                _check_declared(m, name, part, lim)
                if sheet is not None or document:
                    buf = carry + chunk
                    if chunk:  # keep an unfinished tag for the next round
                        cut = buf.rfind(b">") + 1
                        buf, carry = buf[:cut], buf[cut:]
                    if document:
                        cells += buf.count(b"<w:tc>") + buf.count(b"<w:tc ")
                    else:
                        cells += buf.count(b"<c ") + buf.count(b"<c>")
                        refs += buf.count(b'r="')
                        rows_elements += buf.count(b"<row")
                        found = _ROW_REF.findall(buf)
                        if found:
                            rows_max = max(rows_max, max(map(int, found)))
                        for n in big_row.findall(buf):
                            rows_max = max(rows_max, int(n))
                        letters = set(_CELL_COLUMN.findall(buf))
                        if letters:
                            widest = max(letters, key=lambda c: (len(c), c))
                            cols_max = max(cols_max, column_number(widest.decode("ascii")))
                if not chunk:
                    break
    except readers.FileProblem:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        # zlib errors, a CRC that does not match (a directory that lies about a part's size), truncation
        raise _not_valid(name, ext)
    except Exception as exc:  # zlib.error and friends
        if type(exc).__module__ == "zlib":
            raise _not_valid(name, ext)
        raise
    if document and cells > lim.cells:
        raise readers.FileProblem(
            _("“%(name)s” holds %(found)s table cells; at most %(limit)s are read (DUIJIE_IMPORT_MAX_CELLS).")
            % {"name": name, "found": _n(cells), "limit": _n(lim.cells)})
    if sheet is not None:
        # Cells and rows without a reference take the next position: bound them by their number.
        refless = max(0, cells + rows_elements - refs)
        sheet.max_row = rows_max + refless
        sheet.max_column = cols_max + refless
        sheet.cells = cells
        _check_sheet(sheet, name, lim)
        facts.sheets.append(sheet)
    return size


def _check_declared(m: re.Match, name: str, part: str, lim: Limits) -> None:
    cols = [column_number(g.decode()) for g in (m.group(1), m.group(3)) if g]
    rows = [int(g) for g in (m.group(2), m.group(4)) if g]
    declared = SheetFacts(part=part, declared=m.group(0)[15:-1].decode("ascii", "replace"),
                          max_row=max(rows, default=0), max_column=max(cols, default=0))
    _check_sheet(declared, name, lim, what=_("declares"))


def _check_sheet(sheet: SheetFacts, name: str, lim: Limits, what: str | None = None) -> None:
    area = sheet.max_row * sheet.max_column
    if sheet.max_row > lim.rows or sheet.max_column > lim.columns or area > lim.cells:
        raise readers.FileProblem(
            _("“%(name)s”: the sheet %(part)s %(what)s cell %(cell)s (row %(rows)s, column %(columns)s: a range of "
              "%(found)s cells); at most %(max_rows)s rows, %(max_columns)s columns and %(max_cells)s cells are read "
              "(DUIJIE_IMPORT_MAX_ROWS, _MAX_COLUMNS, _MAX_CELLS). Delete what lies beyond the data, or split "
              "the file.")
            % {"name": name, "part": sheet.part, "what": what or _("reaches"),
               "cell": f"{column_letters(sheet.max_column)}{sheet.max_row}", "rows": _n(sheet.max_row),
               "columns": _n(sheet.max_column), "found": _n(area), "max_rows": _n(lim.rows),
               "max_columns": _n(lim.columns), "max_cells": _n(lim.cells)})
    if sheet.cells > lim.cells:
        raise readers.FileProblem(
            _("“%(name)s”: the sheet %(part)s holds %(found)s cells; at most %(limit)s are read "
              "(DUIJIE_IMPORT_MAX_CELLS).") % {"name": name, "part": sheet.part, "found": _n(sheet.cells),
                                              "limit": _n(lim.cells)})


# ---------------------------------------------------------------- the parse, in a limited child process

@dataclass
class ChildStats:
    """What the child reported (the benchmark prints it): its peak resident memory and wall time."""

    peak_rss_mb: float = 0.0
    start_rss_mb: float = 0.0
    seconds: float = 0.0
    exitcode: int | None = None


_context = None


def _ctx():
    global _context
    if _context is None:
        methods = multiprocessing.get_all_start_methods()
        _context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if "forkserver" in methods:
            _context.set_forkserver_preload(["duijie.imports.guard_boot"])
    return _context


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _vm_bytes() -> int:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _child(conn, op: str, args: tuple, memory_bytes: int, cpu_seconds: int, lang: str) -> None:
    start = _rss_mb()
    try:
        if memory_bytes:
            limit = _vm_bytes() + memory_bytes  # what the process already maps, plus the budget
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if cpu_seconds:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        if not apps.ready:
            django.setup()
        with translation.override(lang):
            value = OPS[op](*args)
        conn.send(("ok", value, start, _rss_mb()))
    except readers.FileProblem as exc:
        conn.send(("problem", str(exc), start, _rss_mb()))
    except MemoryError:
        conn.send(("memory", "", start, _rss_mb()))
    except BaseException as exc:  # reported to the parent, which decides
        with contextlib.suppress(BaseException):
            conn.send(("error", f"{type(exc).__name__}: {exc}"[:500], start, _rss_mb()))
    finally:
        conn.close()


def _in_child(op: str, args: tuple, name: str, lim: Limits, stats: ChildStats | None = None):
    ctx = _ctx()
    receive, send = ctx.Pipe(duplex=False)
    lang = translation.get_language() or settings.LANGUAGE_CODE
    process = ctx.Process(target=_child, args=(send, op, args, lim.memory_mb * MB, lim.seconds, lang), daemon=True)
    clock = time.perf_counter()
    process.start()
    send.close()
    message = None
    try:
        if _wait(receive, process, lim.seconds + 10, stats):
            message = receive.recv()
    except (EOFError, OSError):
        message = None  # the child died without a word
    finally:
        receive.close()
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join(5)
    if stats is not None:
        stats.seconds = time.perf_counter() - clock
        stats.exitcode = process.exitcode
        if message is not None:
            stats.start_rss_mb = message[2]
            stats.peak_rss_mb = max(stats.peak_rss_mb, message[3])
    if message is not None and message[0] == "ok":
        return message[1]
    if message is not None and message[0] == "problem":
        raise readers.FileProblem(message[1])
    if message is not None and message[0] == "error":
        raise readers.FileProblem(
            _("“%(name)s” could not be read: %(error)s. Open it in Office, save it again and upload that.")
            % {"name": name, "error": message[1]})
    code = process.exitcode
    if message is None and code in (-signal.SIGXCPU, -signal.SIGKILL) and (time.perf_counter() - clock) >= lim.seconds:
        raise readers.FileProblem(
            _("Reading “%(name)s” took longer than %(limit)s seconds and was stopped (DUIJIE_IMPORT_PARSE_SECONDS). "
              "Split it into smaller files.") % {"name": name, "limit": _n(lim.seconds)})
    if message is None and code == -signal.SIGXCPU:
        raise readers.FileProblem(
            _("Reading “%(name)s” took longer than %(limit)s seconds and was stopped (DUIJIE_IMPORT_PARSE_SECONDS). "
              "Split it into smaller files.") % {"name": name, "limit": _n(lim.seconds)})
    if message is None and code not in (-signal.SIGABRT, -signal.SIGKILL, -signal.SIGSEGV, -signal.SIGBUS):
        raise readers.FileProblem(
            _("“%(name)s” could not be read: %(error)s. Open it in Office, save it again and upload that.")
            % {"name": name, "error": f"exit status {code}"})
    # An allocation refused by RLIMIT_AS: Python raises MemoryError (answered above), Rust and C libraries
    # abort (SIGABRT) or fault; the kernel's OOM killer sends SIGKILL.
    raise readers.FileProblem(
        _("Reading “%(name)s” needed more than the %(limit)s MB of memory allowed (DUIJIE_IMPORT_PARSE_MEMORY_MB) "
          "and was stopped; nothing was imported. Split it into smaller files, or check that it is what it "
          "seems.") % {"name": name, "limit": _n(lim.memory_mb)})


def _hwm_mb(pid: int) -> float:
    """A process's peak resident memory so far (VmHWM), 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _wait(receive, process, seconds: float, stats: ChildStats | None) -> bool:
    """Wait for the child's answer (or its end). When measuring (the benchmark, tests), sample its peak
    memory meanwhile, so a child killed by its limit still has a figure."""
    if stats is None:
        return receive.poll(seconds)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        stats.peak_rss_mb = max(stats.peak_rss_mb, _hwm_mb(process.pid))
        if receive.poll(0.02):
            return True
    return False


def _op_read(kind_name: str, data: bytes, name: str, lim: Limits) -> readers.Sheet:
    # deferred: a spawned sandbox child imports this module before it sets Django up; layouts import models
    from duijie.imports import layouts
    from duijie.imports.kinds import KINDS

    sheet = layouts.read(KINDS[kind_name], data, name)
    check_rows(sheet, name, lim)
    return sheet


def _op_count_xls(data: bytes) -> int:
    # deferred: xlrd loads only for old .xls files
    import xlrd

    return xlrd.open_workbook(file_contents=data, on_demand=True).sheet_by_index(0).nrows


def _op_probe(what: str, amount: int) -> str:
    """For the tests and the benchmark: make the child do something a crafted file would (allocate
    ``amount`` MB, or spin)."""
    if what == "allocate":
        block = bytearray(amount * MB)
        return str(len(block))
    if what == "abort":
        os.abort()
    end = time.time() + amount
    while time.time() < end:
        pass
    return "done"


OPS = {"read": _op_read, "count_xls": _op_count_xls, "probe": _op_probe}


def check_rows(sheet: readers.Sheet, name: str, lim: Limits) -> None:
    """What the parser returned (xls, CSV: not measured beforehand) is within the limits too."""
    rows = sheet.rows[-1][0] if sheet.rows else 0
    if rows > lim.rows:
        raise _too_many_rows(name, rows, lim)
    width = max((len(cells) for _n, cells in sheet.rows), default=0)
    if width > lim.columns:
        raise readers.FileProblem(
            _("“%(name)s” has %(found)s columns; at most %(limit)s columns are read (DUIJIE_IMPORT_MAX_COLUMNS).")
            % {"name": name, "found": _n(width), "limit": _n(lim.columns)})


def read(kind, data: bytes, name: str, *, stats: ChildStats | None = None) -> readers.Sheet:
    """The sheet the engine plans from (``layouts.read``), checked first and parsed in a limited child."""
    lim = limits()
    inspect(data, name, lim)
    return _in_child("read", (kind.name, data, name, lim), name, lim, stats)


def probe(what: str, amount: int, *, lim: Limits | None = None, stats: ChildStats | None = None) -> str:
    return _in_child("probe", (what, amount), "probe", lim or limits(), stats)


def count_rows(data: bytes, name: str) -> int:
    """Rows in the file (header included), to decide whether it is imported in the background; checks
    the file first (``inspect``: a refusal raises FileProblem). 0 if it cannot be known cheaply."""
    lim = limits()
    facts = inspect(data, name, lim)
    ext = readers.extension(name)
    if ext == ".xls" and data:
        try:
            return int(_in_child("count_xls", (data,), name, lim))
        except readers.FileProblem:
            return 0  # read in full later, where the problem is reported
    return facts.rows
