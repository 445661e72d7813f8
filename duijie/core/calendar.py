"""The calendar: once a day every app's ``DailyJob`` (core/plugins.py) runs for the day — demands past
their deadline close, events past their end are marked held. Dates move things only here, in one
place, with the day passed in (tests give a fixed ``today``).

Two ways to run it, both idempotent: ``manage.py calendar_tick`` (cron, or once at start-up) and the
background task ``calendar_tick``, which re-enqueues itself for 00:05 local time of the next day on a
task backend that can defer (django-tasks-db, the default; ``calendar_tick --schedule`` starts the
chain unless one is already waiting).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django_tasks import task

from duijie.core import plugins

log = logging.getLogger(__name__)
RUN_AT = time(0, 5)  # local time of the daily run


def run_daily(today: date | None = None) -> dict[str, Mapping[str, Any]]:
    """Run every app's daily job for ``today`` (default: the local date); returns each job's counts.
    A job that fails is logged and the others still run."""
    today = today or timezone.localdate()
    out: dict[str, Mapping[str, Any]] = {}
    for job in plugins.daily_jobs():
        try:
            out[job.name] = dict(job.run(today))
        except Exception:
            log.exception("daily job %s failed for %s", job.name, today)
            out[job.name] = {"failed": True}
    return out


def next_run(now: datetime) -> datetime:
    """00:05 local time of the day after ``now``."""
    local = timezone.localtime(now)
    return timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), RUN_AT), local.tzinfo)


def _pending() -> bool:
    """Whether a scheduled tick is already waiting (django-tasks-db only; other backends: no)."""
    backend = calendar_tick.get_backend()
    if not type(backend).__module__.startswith("django_tasks_db"):
        return False
    # deferred: django_tasks_db's models load only when that backend is installed
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=calendar_tick.module_path, status="READY").exists()


def schedule_next(*, force: bool = False) -> bool:
    """Enqueue the next daily tick if the backend can defer and none is waiting; whether it did."""
    if not calendar_tick.get_backend().supports_defer or (not force and _pending()):
        return False
    calendar_tick.using(run_after=next_run(timezone.now())).enqueue(reschedule=True)
    return True


@task(queue_name="default")
def calendar_tick(reschedule: bool = False) -> dict:
    out = run_daily()
    if reschedule:
        schedule_next(force=True)  # this run was the waiting one: the chain goes on
    return {name: dict(counts) for name, counts in out.items()}
