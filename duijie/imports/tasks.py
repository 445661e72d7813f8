"""Background import tasks: thin and idempotent (each claims its job by a conditional status
change, so running one twice does nothing). Enqueued after the upload or confirmation commits."""

from __future__ import annotations

from django_tasks import task

from duijie.imports import services


@task()
def import_check(job_id: int) -> None:
    """Dry-run a large upload: every row's outcome, as for a small file."""
    services.job_check(job_id=job_id)


@task()
def import_write(job_id: int) -> None:
    """Write a confirmed large import, all rows or none."""
    services.job_write(job_id=job_id)
