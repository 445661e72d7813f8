"""A real background worker (a separate process) checks and writes a large import while this test
watches the progress through the job page's partial; a task that fails marks the job failed.

The worker runs ``manage.py db_worker --batch`` (django-tasks-db) against the live test database —
on SQLite a file copy of the in-memory test database, copied back when the worker exits — and, on
PostgreSQL, also ``manage.py rqworker --burst`` (django-tasks-rq) on Redis with this checkout's own
queue name."""

import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from duijie.core.tests import factories as f
from duijie.imports.models import ImportJob, ImportStatus
from duijie.imports.tests.helpers import xlsx
from duijie.imports.tests.test_views import upload
from duijie.orgs.models import Enterprise

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROWS = 20_000  # enough for the check to outlast a few progress updates (0.5 s apart) since the planner got fast
BASE_DIR = Path(settings.BASE_DIR)
ROW_RE = re.compile(r'data-phase="(\w*)".*?(\d+) / (\d+) 行', re.S)


class Worker:
    """Runs a worker command against the test database and copies the SQLite database across."""

    def __init__(self, tmp_path: Path, tasks: str = "db"):
        self.sqlite = connection.vendor == "sqlite"
        self.file = tmp_path / "worker.sqlite3"
        db = connection.settings_dict
        url = (f"sqlite:///{self.file}" if self.sqlite else
               f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}")
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": url,
                    "DUIJIE_FIELD_KEY": settings.DUIJIE_FIELD_KEY, "DUIJIE_DATA_DIR": str(tmp_path),
                    "DUIJIE_TASKS": tasks, "DUIJIE_TASKS_QUEUE": settings.DUIJIE_TASKS_QUEUE,
                    "REDIS_URL": settings.REDIS_URL,
                    # every progress step stored (not one per 0.5 s), so the watcher sees the middle of a
                    # phase however fast this machine checks 20,000 rows
                    "DUIJIE_IMPORT_PROGRESS_SECONDS": "0"}
        assert Path(settings.DUIJIE_IMPORT_DIR) == tmp_path / "imports"  # the worker finds the kept upload

    def push(self) -> None:
        if self.sqlite:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.file}{suffix}").unlink(missing_ok=True)
            connection.ensure_connection()
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()

    def pull(self) -> None:
        if self.sqlite:
            connection.ensure_connection()
            source = sqlite3.connect(self.file)
            source.backup(connection.connection)
            source.close()

    def run(self, *command: str) -> subprocess.Popen:
        self.push()
        return subprocess.Popen([sys.executable, "manage.py", *command], cwd=BASE_DIR, env=self.env,  # noqa: S603
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def watch(self, process: subprocess.Popen, client, job: ImportJob) -> list[tuple[str, int, int]]:
        """Poll the progress partial (as the page does) until the worker exits; the states seen."""
        seen: list[tuple[str, int, int]] = []
        url = reverse("imports:progress", args=[job.pk])
        deadline = time.monotonic() + 600
        while process.poll() is None:
            assert time.monotonic() < deadline, "the worker did not finish"
            match = ROW_RE.search(client.get(url).content.decode())
            if match:
                state = (match.group(1), int(match.group(2)), int(match.group(3)))
                if not seen or seen[-1] != state:
                    seen.append(state)
            time.sleep(0.05)
        self.output = process.stdout.read()
        assert process.returncode == 0, self.output
        self.pull()
        return seen


def midway(seen, phase):
    return [s for s in seen if s[0] == phase and 0 < s[1] < s[2]]


def large_file() -> bytes:
    head = ["统一社会信用代码", "企业名称", "成立日期", "注册资本（万元）"]
    return xlsx([head] + [[f.uscc(), f"常州后台导入{i}号科技有限公司", "2021/3/4", 50] for i in range(ROWS)])


def _import_with(worker: Worker, client, command: list[str]) -> None:
    response = upload(client, "大文件.xlsx", large_file())
    job = ImportJob.objects.get()
    assert job.background and job.status == ImportStatus.QUEUED and job.rows == ROWS
    assert "等待后台任务处理" in client.get(response.url).content.decode()

    seen = worker.watch(worker.run(*command), client, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED and job.new == ROWS, (seen, worker.output)
    assert not Enterprise.objects.exists()
    assert midway(seen, "check"), seen  # progress seen while the worker was checking

    client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.CONFIRMED
    seen = worker.watch(worker.run(*command), client, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and job.new == ROWS, (job.error_rows, seen)
    assert Enterprise.objects.count() == ROWS
    assert midway(seen, "write"), seen  # rows written so far, seen while the write transaction was open
    assert "已导入" in client.get(reverse("imports:history")).content.decode()


def test_a_db_worker_checks_and_writes_a_large_import_with_progress(admin_client, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": list(settings.RQ_QUEUES)}}
    worker = Worker(tmp_path)
    _import_with(worker, admin_client, ["db_worker", "--batch", "--no-reload", "--no-startup-delay",
                                        "--interval", "0.1", "--queue-name", settings.DUIJIE_TASKS_QUEUE])
    from django_tasks_db.models import DBTaskResult

    assert sorted(DBTaskResult.objects.filter(queue_name=settings.DUIJIE_TASKS_QUEUE).values_list("status", flat=True)) == ["SUCCESSFUL", "SUCCESSFUL"]


def test_a_failing_task_in_the_worker_marks_the_job_failed_with_the_reason(admin_client, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": list(settings.RQ_QUEUES)}}
    settings.DUIJIE_IMPORT_BACKGROUND_ROWS = 2
    before = f.enterprise(name="原有企业有限公司")
    worker = Worker(tmp_path)
    response = upload(admin_client, "e.xlsx", xlsx([["统一社会信用代码", "企业名称"]]
                                                   + [[f.uscc(), f"企业{i}有限公司"] for i in range(3)]))
    job = ImportJob.objects.get()
    (tmp_path / "imports" / job.stored_name).unlink()  # the kept upload is gone when the worker runs
    worker.watch(worker.run("db_worker", "--batch", "--no-reload", "--no-startup-delay",
                            "--queue-name", settings.DUIJIE_TASKS_QUEUE), admin_client, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "上传的文件已不在服务器上" in job.error_rows[0][2]
    assert list(Enterprise.objects.all()) == [before]
    assert "上传的文件已不在服务器上" in admin_client.get(response.url).content.decode()
    from django_tasks_db.models import DBTaskResult

    assert list(DBTaskResult.objects.filter(queue_name=settings.DUIJIE_TASKS_QUEUE).values_list("status", flat=True)) == ["FAILED"]


def test_an_rq_worker_on_redis_checks_and_writes_a_large_import_with_progress(admin_client, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("production runs RQ with PostgreSQL; SQLite installations use the database worker")
    import django_rq

    queue = settings.DUIJIE_TASKS_QUEUE
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": list(settings.RQ_QUEUES)}}
    django_rq.get_queue(queue).empty()
    worker = Worker(tmp_path, tasks="rq")
    _import_with(worker, admin_client, ["rqworker", queue, "--burst", "--job-class", "django_tasks_rq.Job"])


def test_a_worker_killed_mid_write_leaves_nothing_and_the_import_can_be_run_again(admin_client, settings, tmp_path):
    """kill -9 of the worker while it writes: PostgreSQL rolls its transaction back; the sweep marks the
    job interrupted once its heartbeat is older than the limit; "run again" and a new worker finish it."""
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite worker works on a copy of the test database; the kill is shown on PostgreSQL")
    from duijie.imports import services

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": list(settings.RQ_QUEUES)}}
    command = ["db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0.1",
               "--queue-name", settings.DUIJIE_TASKS_QUEUE]
    worker = Worker(tmp_path)
    before = f.enterprise(name="原有企业有限公司")
    upload(admin_client, "大文件.xlsx", large_file())
    job = ImportJob.objects.get()
    worker.watch(worker.run(*command), admin_client, job)
    admin_client.post(reverse("imports:confirm", args=[job.pk]))

    process = worker.run(*command)
    url = reverse("imports:progress", args=[job.pk])
    deadline = time.monotonic() + 600
    while True:  # wait until rows are being written, then kill the worker outright
        assert process.poll() is None and time.monotonic() < deadline, "the write ended before the kill"
        match = ROW_RE.search(admin_client.get(url).content.decode())
        if match and match.group(1) == "write" and int(match.group(2)) > 0:
            break
        time.sleep(0.05)
    process.kill()
    process.wait()
    job.refresh_from_db()
    assert job.status == ImportStatus.WRITING and list(Enterprise.objects.all()) == [before]
    assert services.sweep_stale() == []  # not yet stale
    assert services.sweep_stale(now=job.heartbeat_at + timezone.timedelta(
        seconds=settings.DUIJIE_IMPORT_STALE_SECONDS + 1)) == [job.pk]
    page = admin_client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "后台任务中断" in page and 'id="retry-import"' in page
    assert list(Enterprise.objects.all()) == [before]  # the killed transaction left nothing

    admin_client.post(reverse("imports:retry", args=[job.pk]))
    worker.watch(worker.run(*command), admin_client, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and job.new == ROWS, job.error_rows
    assert Enterprise.objects.count() == ROWS + 1
