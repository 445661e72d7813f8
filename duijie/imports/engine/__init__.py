"""The import engine: a file → a plan (every row new / update / unchanged / error) → an
all-or-nothing bulk write that records history and one audit entry.

The same engine serves the UI (preview, then confirm) and ``manage.py import_file``. Confirming
re-reads the stored file and re-plans inside the transaction, so what is written is what the
database holds at that moment, and a failure anywhere leaves the database as it was.

``run`` (here) is the whole of it; its parts, one module each:

- ``reading``: the header row and which field each column is;
- ``cells``: from a raw cell to the value to store, column by column;
- ``existing``: the records the file's keys may name, and which of them the user may change;
- ``scoping``: who owns a new record, who may set the fields that decide scope, own records only;
- ``planning``: ``plan`` in named steps, from the read sheet to one outcome per row;
- ``writing``: the plan written all or nothing;
- ``results``: what an import reports (the row outcomes, counts, timings).

Nothing else is re-exported here: callers import the part they use (``engine.results.Result``).
"""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import translation

from duijie.core.choices import AuditAction
from duijie.imports import guard, readers
from duijie.imports.engine.planning import plan
from duijie.imports.engine.results import ImportFailed, Result, _no_progress
from duijie.imports.engine.writing import write
from duijie.imports.kinds import Kind
from duijie.imports.resolvers import Resolvers


def run(kind: Kind, data: bytes, file_name: str, user, *, commit: bool = False, job=None,
        progress=None) -> Result:
    """Plan the import of ``data``; with ``commit``, write it all or nothing (only if no row has an error).

    ``progress(phase, done, total)``, if given, is called at chunk boundaries with phase "read",
    "check" or "write" (it must store the progress outside this transaction to be seen by others)."""
    progress = progress or _no_progress
    result = Result(kind=kind, file_name=file_name)
    clock = time.perf_counter()
    with translation.override("zh-hans"):
        try:
            progress("read", 0, 0)
            # An official layout or a plain spreadsheet, checked and parsed in a limited child process.
            sheet = guard.read(kind, data, file_name)
        except readers.FileProblem as exc:
            result.file_errors.append(str(exc))
            return result
        result.file_type, result.encoding, result.notes = sheet.file_type, sheet.encoding, sheet.notes
        result.timings["read"] = time.perf_counter() - clock
        resolvers = Resolvers()
        try:
            with transaction.atomic():
                clock = time.perf_counter()
                work = plan(kind, sheet, user, result, resolvers, progress)
                del sheet  # the cells are parsed: free them before writing
                result.timings["plan"] = time.perf_counter() - clock
                if not commit or not result.ok:
                    return result
                clock = time.perf_counter()
                write(kind, work, user, resolvers, audit_entry={
                    "action": AuditAction.CREATE, "obj": job,
                    "object_type": "" if job is not None else "imports.importjob",
                    "object_repr": f"{kind.model._meta.verbose_name_plural} ← {file_name}"[:300],
                    "detail": {"import": kind.name, "file": file_name, **result.counts}}, progress=progress)
                result.timings["write"] = time.perf_counter() - clock
                result.committed = True
        except readers.FileProblem as exc:
            result.file_errors.append(str(exc))
        except ImportFailed as exc:
            result.file_errors.append(str(exc))
    return result
