"""Import jobs: upload (checked, stored in a protected directory, dry run), confirm, cancel.

A file with more than ``DUIJIE_IMPORT_BACKGROUND_ROWS`` rows is checked, and after confirmation
written, by the background worker (the tasks at the end of this module): the job is queued when the upload
commits, the task claims it (so a second run of the same task does nothing) and reports progress
through ``duijie/imports/progress.py``; a task that fails marks the job failed with the reason and
leaves the stored data as it was (the import's transaction rolled back).

Uploads live under ``settings.DUIJIE_IMPORT_DIR`` (inside DATA_DIR, outside the static and media
roots), named by a random token; only the job pages of their owner and of the government roles
whose scope covers the owner (``selectors.import_job_list``) reach them, and only through the engine.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from duijie.accounts.models import SERVER_OPERATOR_USERNAME as OPERATOR_USERNAME
from duijie.accounts.models import User
from duijie.core import crypto
from duijie.core.roles import Role
from duijie.imports import engine, guard, layouts, progress, readers
from duijie.imports.engine.results import ERROR, Result
from duijie.imports.kinds import KINDS, Kind
from duijie.imports.models import ImportJob, ImportStatus
from duijie.imports.storage import import_dir
from duijie.imports.tables import run as tables_run

PREVIEW_ROWS = 5000
ERROR_ROWS = 20000


def max_bytes() -> int:
    return int(getattr(settings, "DUIJIE_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def background_rows() -> int:
    return int(getattr(settings, "DUIJIE_IMPORT_BACKGROUND_ROWS", 2000))


def stale_seconds() -> int:
    return int(getattr(settings, "DUIJIE_IMPORT_STALE_SECONDS", 900))


def check_upload(name: str, size: int) -> None:
    """Refuse, before reading it, a file that is too large or of the wrong type."""
    if readers.extension(name) not in layouts.extensions():  # Word forms and other official layouts
        readers.check_name(name)
    if size > max_bytes():
        raise readers.FileProblem(
            _("The file is %(size).1f MB; the largest file accepted is %(limit).1f MB. Split it into smaller files.")
            % {"size": size / 1048576, "limit": max_bytes() / 1048576})
    if size == 0:
        raise readers.FileProblem(_("The file “%(name)s” is empty.") % {"name": name})


def operator_user():
    """The built-in operator account that command-line imports run as (city scope, cannot log in)."""
    user, created = User.objects.get_or_create(
        username=OPERATOR_USERNAME,
        defaults={"role": Role.CITY_ADMIN, "display_name": "导入操作员"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _fill(job: ImportJob, result: Result) -> None:
    counts = result.counts
    job.new, job.updated, job.unchanged, job.errors = (counts["new"], counts["updated"], counts["unchanged"],
                                                      counts["errors"])
    job.file_type, job.encoding = result.file_type, result.encoding
    job.error_rows = [list(e) for e in result.errors()[:ERROR_ROWS]]
    job.preview = [[r.row, r.outcome, r.label, "、".join(r.changes), "；".join(
        f"{c}：{m}" if c else m for c, m in r.errors), r.note, [list(v) for v in r.values]]
        for r in result.rows[:PREVIEW_ROWS]]


def run(kind: Kind, data: bytes, file_name: str, user, *, options: dict | None = None, **kw) -> Result:
    """``engine.run``, or for an official target table (``kind.table``) ``tables.run`` with its options."""
    if kind.table:
        return tables_run.run(kind, data, file_name, user, options=options, **kw)
    return engine.run(kind, data, file_name, user, **kw)


def job_start(*, user, kind: Kind, file_name: str, data: bytes, options: dict | None = None) -> ImportJob:
    """Store the upload and dry-run it. A file the guard refuses before parsing (a zip bomb, a sheet
    reaching XFD1048576, XXE, macros …) raises ``readers.FileProblem`` and nothing is stored; problems
    found while reading leave a refused job with the reason."""
    rows = guard.count_rows(data, file_name)
    stored = f"{secrets.token_hex(16)}{readers.extension(file_name)}"
    path = import_dir() / stored
    path.write_bytes(crypto.encrypt_bytes(data))  # kept uploads hold personal data: encrypted at rest
    path.chmod(0o600)
    background = rows - 1 > background_rows()  # the header row does not count
    job = ImportJob.objects.create(user=user, kind=kind.name, file_name=file_name[:255], stored_name=stored,
                                   size=len(data), rows=max(rows - 1, 0), background=background, options=options or {},
                                   status=ImportStatus.QUEUED if background else ImportStatus.PREVIEWED)
    if background:
        _enqueue("import_check", job)
        return job
    result = run(kind, data, file_name, user, commit=False, options=job.options)
    _fill(job, result)
    job.status = ImportStatus.PREVIEWED if result.ok else ImportStatus.REFUSED
    job.save()
    return job


def _enqueue(task_name: str, job: ImportJob) -> None:
    background_task = TASKS[task_name]
    queue = getattr(settings, "DUIJIE_TASKS_QUEUE", "default")
    transaction.on_commit(lambda: background_task.using(queue_name=queue).enqueue(job.pk))


def job_data(job: ImportJob) -> bytes:
    return crypto.decrypt_bytes((import_dir() / job.stored_name).read_bytes())


def job_confirm(*, job: ImportJob, user) -> Result | None:
    """Re-plan the stored file and write it all or nothing. A background job is only queued for
    writing (None is returned); the worker does the rest."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportStatus.PREVIEWED:
            raise ValueError(_("This import is no longer waiting for confirmation."))
        if job.background:
            job.status = ImportStatus.CONFIRMED
            job.save(update_fields=["status"])
            _enqueue("import_write", job)
            return None
        result = run(KINDS[job.kind], job_data(job), job.file_name, user, commit=True, job=job,
                            options=job.options)
        _finish(job, result)
    return result


def _finish(job: ImportJob, result: Result) -> None:
    _fill(job, result)
    job.status = ImportStatus.COMMITTED if result.committed else (
        ImportStatus.REFUSED if any(r.outcome == ERROR for r in result.rows) else ImportStatus.FAILED)
    job.finished_at = timezone.now()
    job.save()


def _claim(job_id: int, waiting: str, running: str) -> ImportJob | None:
    """Move the job from ``waiting`` to ``running`` (one conditional UPDATE, committed at once), so
    that a task run twice, or a job cancelled meanwhile, does nothing."""
    if not ImportJob.objects.filter(pk=job_id, status=waiting).update(
            status=running, phase="", done=0, total=0, heartbeat_at=timezone.now(), interrupted=""):
        return None
    return ImportJob.objects.select_related("user").get(pk=job_id)


def _fail(job: ImportJob, exc: BaseException) -> None:
    with translation.override("zh-hans"):
        if isinstance(exc, FileNotFoundError):
            reason = _("The uploaded file is no longer on the server; upload it again.")
        else:
            reason = _("The import stopped and nothing was written: %(error)s") % {
                "error": str(exc) or type(exc).__name__}
    job.status = ImportStatus.FAILED
    job.error_rows = [[None, "", reason]]
    job.errors = 1
    job.finished_at = timezone.now()
    job.save()


def _background(job: ImportJob, *, commit: bool) -> Result:
    reporter = progress.Reporter(job)
    try:
        if job.user is None:
            raise ValueError(_("The account that uploaded the file no longer exists."))
        return run(KINDS[job.kind], job_data(job), job.file_name, job.user, commit=commit,
                          job=job if commit else None, progress=reporter, options=job.options)
    except BaseException as exc:
        _fail(job, exc)
        raise
    finally:
        reporter.close()
        progress.clear(job)


def job_check(*, job_id: int) -> ImportJob | None:
    """The background dry run of a queued job (the task's body)."""
    job = _claim(job_id, ImportStatus.QUEUED, ImportStatus.CHECKING)
    if job is None:
        return None
    result = _background(job, commit=False)
    _fill(job, result)
    job.status = ImportStatus.PREVIEWED if result.ok else ImportStatus.REFUSED
    job.phase, job.done, job.total = "", 0, 0
    job.save()
    return job


def job_write(*, job_id: int) -> ImportJob | None:
    """The background commit of a confirmed job (the task's body): all rows or none."""
    job = _claim(job_id, ImportStatus.CONFIRMED, ImportStatus.WRITING)
    if job is None:
        return None
    result = _background(job, commit=True)
    job.phase, job.done, job.total = "", 0, 0
    _finish(job, result)
    return job


# What a stopped run goes back to when it is run again, and the task that runs it.
_RETRY = {ImportStatus.CHECKING: (ImportStatus.QUEUED, "import_check"),
          ImportStatus.WRITING: (ImportStatus.CONFIRMED, "import_write")}


def sweep_stale(*, now=None) -> list[int]:
    """Mark interrupted every background job that is being checked or written but whose worker has
    shown no sign of life (claim or progress step) for ``DUIJIE_IMPORT_STALE_SECONDS``: the worker
    stopped (killed, machine restarted) and its transaction was rolled back, so nothing was written.
    Each is a conditional UPDATE on the status and heartbeat it was seen with, so a worker that
    reports at that moment keeps its job. Returns the ids marked. Run by the ``sweep_imports``
    command and, cheaply, whenever the import pages are shown."""
    now = now or timezone.now()
    limit = now - timezone.timedelta(seconds=stale_seconds())
    marked = []
    candidates = ImportJob.objects.filter(status__in=list(_RETRY), background=True).exclude(heartbeat_at__gt=limit)
    for job in candidates.only("pk", "status", "heartbeat_at", "stored_name", "created_at"):
        seen = progress.last_seen(job)
        if seen is not None and seen > limit:
            continue
        with translation.override("zh-hans"):
            reason = _("The background worker stopped while this import was %(status)s; nothing was written. "
                       "Run it again from this page.") % {"status": job.get_status_display()}
        if ImportJob.objects.filter(pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at).update(
                status=ImportStatus.FAILED, interrupted=job.status, error_rows=[[None, "", reason]], errors=1,
                phase="", done=0, total=0, finished_at=now):
            progress.clear(job)
            marked.append(job.pk)
    return marked


def can_retry(job: ImportJob) -> bool:
    return job.status == ImportStatus.FAILED and job.interrupted in _RETRY \
        and (import_dir() / job.stored_name).exists()


def job_retry(*, job: ImportJob) -> None:
    """Queue an interrupted background run again (its check, or its confirmed write)."""
    waiting, task_name = _RETRY.get(job.interrupted, (None, ""))
    with transaction.atomic():
        if not can_retry(job) or not ImportJob.objects.filter(pk=job.pk, status=ImportStatus.FAILED).update(
                status=waiting, interrupted="", error_rows=[], errors=0, finished_at=None):
            raise ValueError(_("This import cannot be run again."))
        _enqueue(task_name, job)


def job_cancel(*, job: ImportJob) -> None:
    """Cancel a job waiting for confirmation (or, in the background, still waiting to be checked)."""
    ImportJob.objects.filter(pk=job.pk, status__in=(ImportStatus.PREVIEWED, ImportStatus.QUEUED)).update(
        status=ImportStatus.CANCELLED, finished_at=timezone.now())


# ------------------------------------------------------------------ background tasks
# Thin and idempotent (each claims its job by a conditional status change, so running one twice does
# nothing); enqueued after the upload or confirmation commits. Declared here, beside the services they
# run and that enqueue them, so that services and tasks do not import each other (``tasks.py`` names
# them for the worker's readers).
@task()
def import_check(job_id: int) -> None:
    """Dry-run a large upload: every row's outcome, as for a small file."""
    job_check(job_id=job_id)


@task()
def import_write(job_id: int) -> None:
    """Write a confirmed large import, all rows or none."""
    job_write(job_id=job_id)


TASKS = {"import_check": import_check, "import_write": import_write}
