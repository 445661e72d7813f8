"""Import jobs: upload (checked, stored in a protected directory, dry run), confirm, cancel.

Uploads live under ``settings.DUIJIE_IMPORT_DIR`` (inside DATA_DIR, outside the static and media
roots), named by a random token; only the job page of their owner (or a city administrator)
reaches them, and only through the engine.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from duijie.core import crypto
from duijie.imports import engine, layouts, readers
from duijie.imports.kinds import KINDS, Kind
from duijie.imports.models import ImportJob, ImportStatus

OPERATOR_USERNAME = "import-operator"
PREVIEW_ROWS = 5000
ERROR_ROWS = 20000


def import_dir() -> Path:
    path = Path(settings.DUIJIE_IMPORT_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def max_bytes() -> int:
    return int(getattr(settings, "DUIJIE_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


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
    from duijie.accounts.models import Role, User

    user, created = User.objects.get_or_create(
        username=OPERATOR_USERNAME,
        defaults={"role": Role.CITY_ADMIN, "display_name": "导入操作员"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _fill(job: ImportJob, result: engine.Result) -> None:
    counts = result.counts
    job.new, job.updated, job.unchanged, job.errors = (counts["new"], counts["updated"], counts["unchanged"],
                                                      counts["errors"])
    job.file_type, job.encoding = result.file_type, result.encoding
    job.error_rows = [list(e) for e in result.errors()[:ERROR_ROWS]]
    job.preview = [[r.row, r.outcome, r.label, "、".join(r.changes), "；".join(
        f"{c}：{m}" if c else m for c, m in r.errors), r.note] for r in result.rows[:PREVIEW_ROWS]]


def job_start(*, user, kind: Kind, file_name: str, data: bytes) -> ImportJob:
    """Store the upload and dry-run it. File-level problems leave a refused job with the reason."""
    stored = f"{secrets.token_hex(16)}{readers.extension(file_name)}"
    path = import_dir() / stored
    path.write_bytes(crypto.encrypt_bytes(data))  # kept uploads hold personal data: encrypted at rest
    path.chmod(0o600)
    job = ImportJob.objects.create(user=user, kind=kind.name, file_name=file_name[:255], stored_name=stored,
                                   size=len(data))
    result = engine.run(kind, data, file_name, user, commit=False)
    _fill(job, result)
    job.status = ImportStatus.PREVIEWED if result.ok else ImportStatus.REFUSED
    job.save()
    return job


def job_data(job: ImportJob) -> bytes:
    return crypto.decrypt_bytes((import_dir() / job.stored_name).read_bytes())


def job_confirm(*, job: ImportJob, user) -> engine.Result:
    """Re-plan the stored file and write it all or nothing."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != ImportStatus.PREVIEWED:
            raise ValueError(_("This import is no longer waiting for confirmation."))
        result = engine.run(KINDS[job.kind], job_data(job), job.file_name, user, commit=True, job=job)
        _fill(job, result)
        job.status = ImportStatus.COMMITTED if result.committed else (
            ImportStatus.REFUSED if any(r.outcome == engine.ERROR for r in result.rows) else ImportStatus.FAILED)
        job.finished_at = timezone.now()
        job.save()
    return result


def job_cancel(*, job: ImportJob) -> None:
    if job.status == ImportStatus.PREVIEWED:
        job.status = ImportStatus.CANCELLED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])


def visible_jobs(user):
    qs = ImportJob.objects.select_related("user")
    return qs if getattr(user, "is_city_admin", False) else qs.filter(user=user)
