"""Progress of a background import, stored where other requests see it while the import's own
transaction is still open.

- PostgreSQL: the worker updates the job's progress columns over a second connection to the same
  database (autocommit), so the job page sees each step although the rows being written are not
  committed yet.
- SQLite: the import holds the database's only write lock until it commits, so a second
  connection could not write either; progress goes to a small JSON file beside the kept upload
  (``<stored name>.progress.json`` in the protected import directory), replaced atomically.

``Reporter`` is the callback ``engine.run(progress=…)`` calls at chunk boundaries; ``read`` gives the
page what to show (phase, rows done / total, percentage, ETA).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from duijie.imports.models import ImportJob
from duijie.imports.storage import import_dir

PHASES = {"read": _("Reading"), "check": _("Checking"), "write": _("Writing")}
def min_interval() -> float:
    """Seconds between two stored updates within one phase (DUIJIE_IMPORT_PROGRESS_SECONDS, default 0.5)."""
    return float(getattr(settings, "DUIJIE_IMPORT_PROGRESS_SECONDS", 0.5))


def uses_file() -> bool:
    return connections[DEFAULT_DB_ALIAS].vendor == "sqlite"


def _path(job: ImportJob):
    return import_dir() / f"{job.stored_name}.progress.json"


class Reporter:
    """``reporter(phase, done, total)``: store the progress of ``job`` (throttled), outside any transaction."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.phase = ""
        self.started: datetime | None = None
        self._last = 0.0
        self._wrapper = None
        self.interval = min_interval()

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase != self.phase:
            self.phase, self.started = phase, timezone.now()
        elif now - self._last < self.interval and done < total:
            return
        self._last = now
        if uses_file():
            self._write_file(phase, done, total)
        else:
            self._write_row(phase, done, total)

    def _write_file(self, phase: str, done: int, total: int) -> None:
        path = _path(self.job)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"phase": phase, "done": done, "total": total,
                                   "started": self.started.isoformat() if self.started else None,
                                   "at": timezone.now().isoformat()}))
        os.replace(tmp, path)

    def _write_row(self, phase: str, done: int, total: int) -> None:
        if self._wrapper is None:
            default = connections[DEFAULT_DB_ALIAS]
            # A second connection with the same settings: autocommit, not part of the import's transaction.
            self._wrapper = type(default)(default.settings_dict, alias="import_progress")
        table = self._wrapper.ops.quote_name(ImportJob._meta.db_table)
        with self._wrapper.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET phase = %s, done = %s, total = %s, phase_started_at = %s, "  # noqa: S608
                           "heartbeat_at = %s WHERE id = %s",
                           [phase, done, total, self.started, timezone.now(), self.job.pk])

    def close(self) -> None:
        if self._wrapper is not None:
            self._wrapper.close()
            self._wrapper = None


def clear(job: ImportJob) -> None:
    _path(job).unlink(missing_ok=True)


def last_seen(job: ImportJob) -> datetime | None:
    """The worker's last sign of life for ``job``: the claim or last stored step (the row on
    PostgreSQL; on SQLite the row cannot be written during the import, so the progress file's time)."""
    seen = job.heartbeat_at
    if uses_file():
        try:
            at = json.loads(_path(job).read_text()).get("at")
        except (OSError, ValueError):
            at = None
        if at:
            at = datetime.fromisoformat(at)
            seen = max(seen, at) if seen else at
    return seen


@dataclass
class Snapshot:
    phase: str
    done: int
    total: int
    started: datetime | None

    @property
    def phase_label(self) -> str:
        return str(PHASES.get(self.phase, ""))

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0

    @property
    def eta_text(self) -> str:
        seconds = self.eta_seconds
        if seconds is None:
            return ""
        if seconds < 90:
            return gettext("about %(n)d s left") % {"n": seconds}
        return gettext("about %(n)d min left") % {"n": round(seconds / 60)}

    @property
    def eta_seconds(self) -> int | None:
        """Seconds left in this phase at the pace so far (None until there is a pace)."""
        if not self.started or not self.total or self.done <= 0 or self.done >= self.total:
            return None
        elapsed = (timezone.now() - self.started).total_seconds()
        return max(1, round(elapsed * (self.total - self.done) / self.done))


def read(job: ImportJob) -> Snapshot:
    if uses_file():
        try:
            data = json.loads(_path(job).read_text())
        except (OSError, ValueError):
            return Snapshot("", 0, job.rows, None)
        started = datetime.fromisoformat(data["started"]) if data.get("started") else None
        return Snapshot(data.get("phase", ""), int(data.get("done", 0)), int(data.get("total", 0)), started)
    return Snapshot(job.phase, job.done, job.total, job.phase_started_at)
