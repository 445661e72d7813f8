"""Importing an official target table, as ``engine.run`` imports a spreadsheet: the file checked and
read in the guard's limited child process (``layouts/tables.py``), then planned for the programme in
``options`` and, with ``commit``, written target by target through the services, all or nothing.
``services.run`` sends the table kinds here."""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import translation

from duijie.core.choices import AuditAction
from duijie.imports import guard, readers
from duijie.imports.engine.results import ImportFailed, Result
from duijie.imports.kinds import Kind
from duijie.imports.tables import plan


def run(kind: Kind, data: bytes, file_name: str, user, *, commit: bool = False, job=None, progress=None,
        options: dict | None = None) -> Result:
    result = Result(kind=kind, file_name=file_name)
    clock = time.perf_counter()
    with translation.override("zh-hans"):
        try:
            sheet = guard.read(kind, data, file_name)
        except readers.FileProblem as exc:
            result.file_errors.append(str(exc))
            return result
        result.file_type, result.notes = sheet.file_type, sheet.notes
        result.timings["read"] = time.perf_counter() - clock
        try:
            with transaction.atomic():
                clock = time.perf_counter()
                work = plan.plan(kind, sheet, user, result, options or {})
                result.timings["plan"] = time.perf_counter() - clock
                if not commit or not result.ok:
                    return result
                clock = time.perf_counter()
                plan.write(work, user, {
                    "action": AuditAction.CREATE, "obj": job,
                    "object_type": "" if job is not None else "imports.importjob",
                    "object_repr": f"{kind.title} ← {file_name}"[:300],
                    "detail": {"import": kind.name, "file": file_name, "options": options or {}, **result.counts}})
                result.timings["write"] = time.perf_counter() - clock
                result.committed = True
        except (readers.FileProblem, ImportFailed) as exc:
            result.file_errors.append(str(exc))
    return result
