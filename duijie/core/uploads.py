"""Office files (xlsx, docx) are zip packages: the checks of the package itself, made before anything
opens it, shared by imports (duijie/imports/guard.py, which then also inflates and measures every
part) and project documents (duijie/cooperation/services.py, which only store them).

``open_zip`` reads the end-of-directory record first (a directory of a million entries is refused
before ``zipfile`` builds a million objects), then the directory: number of parts, duplicate names,
macro projects, encryption, compression method, the compression ratio of each part and the declared
unpacked total. Figures come from the settings ``DUIJIE_IMPORT_MAX_ZIP_MEMBERS``,
``DUIJIE_IMPORT_MAX_COMPRESSION_RATIO`` and ``DUIJIE_IMPORT_MAX_UNPACKED_BYTES``.
"""

from __future__ import annotations

import io
import struct
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

MB = 1024 * 1024
RATIO_FLOOR = 1 * MB  # parts smaller than this unpacked are never refused for their ratio


class NotAZip(ValueError):
    """Not a zip package, or a damaged one (the caller says which kind of file it should have been)."""


class UnsafeFile(ValueError):
    """A package refused for what it is; the message says which limit, the figure found and allowed."""


def max_members() -> int:
    return int(getattr(settings, "DUIJIE_IMPORT_MAX_ZIP_MEMBERS", 1000))


def max_ratio() -> int:
    return int(getattr(settings, "DUIJIE_IMPORT_MAX_COMPRESSION_RATIO", 200))


def max_unpacked() -> int:
    return int(getattr(settings, "DUIJIE_IMPORT_MAX_UNPACKED_BYTES", 512 * MB))


def mb(n: int) -> str:
    return f"{n / MB:,.1f} MB"


def n(value: int) -> str:
    return f"{value:,}"


def macros(name: str, part: str) -> UnsafeFile:
    return UnsafeFile(
        _("“%(name)s” contains macros (%(part)s). Macro-enabled workbooks and documents are not imported: save it "
          "in Office as a plain .xlsx / .docx (without macros) and upload that.") % {"name": name, "part": part[:100]})


def unpacked(name: str, found: int, limit: int) -> UnsafeFile:
    return UnsafeFile(
        _("“%(name)s” unpacks to %(found)s; at most %(limit)s is read (DUIJIE_IMPORT_MAX_UNPACKED_BYTES). "
          "It may be a zip bomb; otherwise split it into smaller files.")
        % {"name": name, "found": mb(found), "limit": mb(limit)})


def _too_many(name: str, found: int, limit: int) -> UnsafeFile:
    return UnsafeFile(
        _("“%(name)s” is a package of %(found)s parts; at most %(limit)s are accepted "
          "(DUIJIE_IMPORT_MAX_ZIP_MEMBERS).") % {"name": name, "found": n(found), "limit": n(limit)})


def open_zip(data: bytes, name: str, *, members: int | None = None, ratio: int | None = None,
             unpacked_bytes: int | None = None) -> zipfile.ZipFile:
    """The package, its directory checked (the caller closes it). Raises NotAZip or UnsafeFile."""
    members = max_members() if members is None else members
    ratio = max_ratio() if ratio is None else ratio
    unpacked_bytes = max_unpacked() if unpacked_bytes is None else unpacked_bytes
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if end < 0 or end + 22 > len(data):
        raise NotAZip(name)
    entries, directory_size = struct.unpack_from("<HL", data, end + 10)
    if entries > members:  # 0xFFFF: a ZIP64 directory, which no Office file of an accepted size needs
        raise _too_many(name, entries, members)
    # zipfile reads the directory by its size, not its count: a record that understates the count is
    # caught by the size (an entry is 46 bytes and its name; Office part names are short).
    if directory_size > members * 1024:
        raise _too_many(name, directory_size // 46, members)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error):
        raise NotAZip(name)
    try:
        _check_directory(zf, name, members, ratio, unpacked_bytes)
    except BaseException:
        zf.close()
        raise
    return zf


def _check_directory(zf: zipfile.ZipFile, name: str, members: int, ratio: int, unpacked_bytes: int) -> None:
    infos = zf.infolist()
    if len(infos) > members:
        raise _too_many(name, len(infos), members)
    seen: set[str] = set()
    for info in infos:
        if info.filename in seen:
            raise UnsafeFile(_("“%(name)s” holds the part “%(part)s” twice: it is damaged or crafted, and is not "
                               "read.") % {"name": name, "part": info.filename[:100]})
        seen.add(info.filename)
        if info.filename.lower().rsplit("/", 1)[-1].startswith("vbaproject"):
            raise macros(name, info.filename)
        if info.flag_bits & 0x1:
            raise UnsafeFile(_("“%(name)s” is password-protected: remove the password in Office and upload it "
                               "again.") % {"name": name})
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise NotAZip(name)
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > ratio * max(info.compress_size, 1):
            raise UnsafeFile(
                _("“%(name)s” is a zip bomb, or looks like one: its part “%(part)s” unpacks from %(packed)s to "
                  "%(unpacked)s, %(found)s times its packed size; at most %(limit)s times is accepted "
                  "(DUIJIE_IMPORT_MAX_COMPRESSION_RATIO).")
                % {"name": name, "part": info.filename[:100], "packed": mb(info.compress_size),
                   "unpacked": mb(info.file_size), "found": n(info.file_size // max(info.compress_size, 1)),
                   "limit": n(ratio)})
    declared = sum(i.file_size for i in infos)
    if declared > unpacked_bytes:
        raise unpacked(name, declared, unpacked_bytes)
