"""Official layouts: printed forms and tables that offices fill in, read into the import engine and
written back out filled in.

A layout turns a file in an official shape into a ``readers.Sheet`` — a synthetic sheet whose first
row holds the kind's template headers and whose following rows are one record each, numbered by the
form they came from (the 1st table of a Word file, the 2nd sheet of a workbook…). From there the
ordinary engine does everything else (``engine.run``: dry run → confirm, all or nothing, upsert by
natural key, scope checks, provisional institutions), so a layout never writes to the database.

Each layout declares:

- ``name`` (used in URLs), ``kind`` (the import kind it produces, ``kinds.KINDS``), ``title``;
- ``extensions`` it reads (``.docx``, ``.xlsx`` …);
- ``claims(data, ext)`` — for file types the plain spreadsheet reader also reads (``.xlsx``), whether
  this file is in the layout's shape (a file of an extension only layouts read is always theirs);
- ``read(data, file_name) -> readers.Sheet`` — find the forms in the file; a problem with one form
  (an unticked option list, two ticks in a single-choice list) becomes that form's error through a
  ``readers.Invalid`` cell value, a problem with the whole file raises ``readers.FileProblem``;
- ``write(objs, fmt, masked) -> bytes`` — the filled form(s); ``blank(fmt)`` — the empty one.

Adding a layout (e.g. the programmes issue's Annex-2 / Annex-3 target tables of seed 001): write a
module here with a ``Layout`` subclass for its kind (a ``kinds._kind(...)`` for the target model first,
if the kind is new), decorate it with ``@register`` and import the module at the bottom of this file.
The upload page, ``import_file`` and confirm pick it up through ``read()`` below (called by
``guard.read`` in the limited child process, after the checks); nothing in the engine changes. ``grid.py`` (tables and sheets as cells found by their printed labels) and ``ticks.py``
(□ option lists however they were ticked) are there to reuse.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from duijie.imports import readers

FORMATS = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class Layout:
    name: str = ""
    kind: str = ""
    title: str = ""
    extensions: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("docx", "xlsx")  # what write()/blank() produce

    def claims(self, data: bytes, ext: str) -> bool:
        return ext not in readers.EXTENSIONS

    def read(self, data: bytes, file_name: str) -> readers.Sheet:  # pragma: no cover - interface
        raise NotImplementedError

    def write(self, objs, fmt: str, masked: bool) -> bytes:  # pragma: no cover - interface
        raise NotImplementedError

    def blank(self, fmt: str) -> bytes:  # pragma: no cover - interface
        raise NotImplementedError


LAYOUTS: dict[str, Layout] = {}


def register(cls: type[Layout]) -> type[Layout]:
    LAYOUTS[cls.name] = cls()
    return cls


def for_kind(kind_name: str) -> list[Layout]:
    return [layout for layout in LAYOUTS.values() if layout.kind == kind_name]


def extensions() -> set[str]:
    """File types some layout reads beyond the plain spreadsheets (and the old .doc, refused clearly)."""
    return {ext for layout in LAYOUTS.values() for ext in layout.extensions} | {".doc"}


def read(kind, data: bytes, file_name: str) -> readers.Sheet:
    """The sheet the engine plans from: a layout's synthetic sheet when one of the kind's layouts
    claims the file, else the plain spreadsheet reader."""
    ext = readers.extension(file_name)
    own = [layout for layout in for_kind(kind.name) if ext in layout.extensions]
    if not own and ext not in extensions():
        return readers.read(data, file_name)  # a plain spreadsheet, or the reader's “wrong type” message
    if ext == ".doc":
        raise readers.FileProblem(_("“%(name)s” is an old Word (.doc) file, which cannot be read: open it in "
                                    "Word and save it as .docx.") % {"name": file_name})
    if not data:
        raise readers.FileProblem(_("The file “%(name)s” is empty.") % {"name": file_name})
    for layout in own:
        if layout.claims(data, ext):
            return layout.read(data, file_name)
    if ext in readers.EXTENSIONS:
        return readers.read(data, file_name)
    raise readers.FileProblem(
        _("A %(ext)s file cannot be imported as %(what)s: upload an .xlsx, .xls or .csv file.")
        % {"ext": ext, "what": kind.model._meta.verbose_name_plural})

# Registers the Annex-1 form and the Annex-2/3 target tables.
from duijie.imports.layouts import annex1, tables  # noqa: E402,F401
