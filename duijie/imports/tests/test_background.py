"""Large files in the background: queued after the upload commits, checked and (after confirmation)
written by a task, progress stored outside the import's transaction, failures reported on the job.

Tasks run at once here (the test settings' immediate backend); test_worker.py drives a real worker."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from duijie.core.roles import Role
from duijie.core.tests import factories as f
from duijie.imports import engine, progress, services
from duijie.imports.engine import planning, writing
from duijie.imports.kinds import KINDS
from duijie.imports.models import ImportJob, ImportStatus
from duijie.imports.tests.helpers import csv_bytes, xlsx
from duijie.imports.tests.test_views import upload
from duijie.orgs.models import Enterprise

pytestmark = pytest.mark.django_db

HEAD = ["统一社会信用代码", "企业名称", "成立日期"]


def rows(n: int) -> list[list]:
    return [HEAD] + [[f.uscc(), f"常州后台{i}号科技有限公司", "2020-01-02"] for i in range(n)]


def test_a_small_file_is_still_checked_at_once(admin_client, settings):
    settings.DUIJIE_IMPORT_BACKGROUND_ROWS = 10
    upload(admin_client, "small.xlsx", xlsx(rows(10)))
    job = ImportJob.objects.get()
    assert not job.background and job.status == ImportStatus.PREVIEWED and job.new == 10


def test_a_large_file_is_checked_and_written_in_the_background(admin_client, settings,
                                                                django_capture_on_commit_callbacks):
    settings.DUIJIE_IMPORT_BACKGROUND_ROWS = 10
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = upload(admin_client, "large.xlsx", xlsx(rows(11)))
    job = ImportJob.objects.get()
    assert job.background and job.status == ImportStatus.QUEUED and job.rows == 11 and len(queued) == 1
    page = admin_client.get(response.url).content.decode()
    assert "等待后台任务" in page and 'hx-trigger="every 1s"' in page and "确认导入" not in page
    assert "等待后台任务" in admin_client.get(reverse("imports:history")).content.decode()

    queued[0]()  # the upload committed: the task runs
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED and job.new == 11 and not Enterprise.objects.exists()
    partial = admin_client.get(reverse("imports:progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert partial["HX-Refresh"] == "true"  # finished: the page reloads and shows the preview
    assert "确认导入" in admin_client.get(response.url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("imports:confirm", args=[job.pk]), follow=True)
    assert "后台任务正在写入" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and Enterprise.objects.count() == 11 and job.finished_at


def test_the_engine_reports_each_phase_at_chunk_boundaries(admin_user, monkeypatch):
    monkeypatch.setattr(writing, "BATCH_SIZE", 100)
    monkeypatch.setattr(planning, "PROGRESS_ROWS", 100)
    calls = []
    result = engine.run(KINDS["enterprise"], xlsx(rows(250)), "e.xlsx", admin_user, commit=True,
                        progress=lambda *a: calls.append(a))
    assert result.committed
    assert calls[0][0] == "read"
    assert [c for c in calls if c[0] == "check"] == [("check", 0, 250), ("check", 100, 250), ("check", 200, 250),
                                                    ("check", 250, 250)]
    assert [c for c in calls if c[0] == "write"] == [("write", 0, 250), ("write", 100, 250), ("write", 200, 250),
                                                    ("write", 250, 250)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_progress_is_seen_by_others_while_the_import_transaction_is_open(admin_user, settings, tmp_path):
    job = services.job_start(user=admin_user, kind=KINDS["enterprise"], file_name="e.csv",
                             data=csv_bytes(rows(3)))
    reporter = progress.Reporter(job)
    try:
        with transaction.atomic():
            f.enterprise(name="写入中的企业有限公司")  # the import's transaction holds uncommitted rows
            reporter("write", 40, 100)
            if connection.vendor == "sqlite":
                seen = progress.read(job)
            else:  # read on another connection, as the job page in another request does
                default = connections["default"]
                other = type(default)(default.settings_dict, alias="reader")
                try:
                    with other.cursor() as cursor:
                        cursor.execute("SELECT phase, done, total FROM imports_importjob WHERE id = %s", [job.pk])
                        phase, done, total = cursor.fetchone()
                    seen = progress.Snapshot(phase, done, total, None)
                finally:
                    other.close()
            assert (seen.phase, seen.done, seen.total, seen.percent) == ("write", 40, 100, 40)
            assert seen.phase_label == "写入"
    finally:
        reporter.close()


def test_eta_is_worked_out_from_the_pace_so_far():
    snap = progress.Snapshot("write", 250, 1000, timezone.now() - timedelta(seconds=10))
    assert 29 <= snap.eta_seconds <= 31 and "秒" in snap.eta_text
    assert progress.Snapshot("write", 0, 1000, timezone.now()).eta_seconds is None
    assert "分钟" in progress.Snapshot("check", 10, 1000, timezone.now() - timedelta(seconds=10)).eta_text


def test_a_task_run_twice_does_nothing_the_second_time(admin_user, settings, django_capture_on_commit_callbacks):
    settings.DUIJIE_IMPORT_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start(user=admin_user, kind=KINDS["enterprise"], file_name="e.csv",
                                 data=csv_bytes(rows(3)))
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED
    assert services.job_check(job_id=job.pk) is None and services.job_write(job_id=job.pk) is None
    with django_capture_on_commit_callbacks(execute=True):
        services.job_confirm(job=job, user=admin_user)
    assert services.job_write(job_id=job.pk) is None
    assert Enterprise.objects.count() == 3


def test_a_failing_background_write_marks_the_job_failed_and_writes_nothing(
        admin_user, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.DUIJIE_IMPORT_BACKGROUND_ROWS = 2
    before = f.enterprise(name="原有企业有限公司")
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_start(user=admin_user, kind=KINDS["enterprise"], file_name="e.csv",
                                 data=csv_bytes(rows(5)))

    def broken(model, objs, user, now):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(writing, "create_batch", broken)  # a failure inside the write (not our code's logic)
    monkeypatch.setattr(planning, "PROGRESS_ROWS", 1)
    with django_capture_on_commit_callbacks(execute=True):
        services.job_confirm(job=job, user=admin_user)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.errors == 1
    assert "磁盘已满" in job.error_rows[0][2] and "未写入任何数据" in job.error_rows[0][2]
    assert list(Enterprise.objects.all()) == [before]


def test_a_task_that_raises_marks_the_job_failed_with_the_reason(admin_client, admin_user, settings, import_dir,
                                                                django_capture_on_commit_callbacks):
    settings.DUIJIE_IMPORT_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = services.job_start(user=admin_user, kind=KINDS["enterprise"], file_name="e.csv",
                                 data=csv_bytes(rows(5)))
    (import_dir / job.stored_name).unlink()  # the kept upload is gone before the worker gets to it
    queued[0]()
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and not Enterprise.objects.exists()
    page = admin_client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "上传的文件已不在服务器上" in page and "失败" in page


def test_a_queued_job_can_be_cancelled_and_the_task_then_does_nothing(admin_client, admin_user, settings,
                                                                     django_capture_on_commit_callbacks):
    settings.DUIJIE_IMPORT_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = services.job_start(user=admin_user, kind=KINDS["enterprise"], file_name="e.csv",
                                 data=csv_bytes(rows(5)))
    admin_client.post(reverse("imports:cancel", args=[job.pk]))
    queued[0]()
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED and job.new == 0


def _interrupted_write(user, settings, captured):
    """A confirmed background import whose worker claimed the write and then stopped (killed)."""
    settings.DUIJIE_IMPORT_BACKGROUND_ROWS = 2
    with captured(execute=True):
        job = services.job_start(user=user, kind=KINDS["enterprise"], file_name="e.csv", data=csv_bytes(rows(5)))
    with captured(execute=False):
        services.job_confirm(job=job, user=user)
    assert services._claim(job.pk, ImportStatus.CONFIRMED, ImportStatus.WRITING) is not None  # the worker's claim
    job.refresh_from_db()
    assert job.status == ImportStatus.WRITING and job.heartbeat_at
    return job


def test_a_background_run_whose_worker_stopped_is_marked_interrupted_and_can_be_run_again(
        admin_client, admin_user, settings, django_capture_on_commit_callbacks):
    job = _interrupted_write(admin_user, settings, django_capture_on_commit_callbacks)
    assert services.sweep_stale() == []  # a worker seen just now keeps its job
    later = job.heartbeat_at + timedelta(seconds=settings.DUIJIE_IMPORT_STALE_SECONDS + 1)
    assert services.sweep_stale(now=later) == [job.pk]
    assert services.sweep_stale(now=later) == []  # once
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.interrupted == ImportStatus.WRITING
    assert "后台任务中断" in job.error_rows[0][2] and not Enterprise.objects.exists()
    page = admin_client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "未写入任何数据" in page and 'id="retry-import"' in page

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("imports:retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and job.new == 5 and Enterprise.objects.count() == 5
    assert not job.interrupted and job.errors == 0
    response = admin_client.post(reverse("imports:retry", args=[job.pk]), follow=True)  # no second run
    assert "不能再次运行" in response.content.decode() and Enterprise.objects.count() == 5


def test_only_the_importing_user_may_run_an_interrupted_import_again(
        client, admin_user, settings, django_capture_on_commit_callbacks):
    job = _interrupted_write(admin_user, settings, django_capture_on_commit_callbacks)
    services.sweep_stale(now=job.heartbeat_at + timedelta(hours=1))
    other = f.user(role=Role.CITY_ADMIN, organisation=f.city_bureau())  # sees the job (same city), may not run it
    client.force_login(other)
    assert client.post(reverse("imports:retry", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED


def test_a_live_sqlite_import_is_not_swept_while_its_progress_file_moves(admin_user, settings,
                                                                        django_capture_on_commit_callbacks):
    job = _interrupted_write(admin_user, settings, django_capture_on_commit_callbacks)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=2))
    job.refresh_from_db()
    if progress.uses_file():
        progress.Reporter(job)("write", 1, 5)  # the worker's latest step, in the file beside the upload
        assert services.sweep_stale() == []
        progress.clear(job)
    assert services.sweep_stale() == [job.pk]


def test_the_sweep_command_reports_what_it_marked(admin_user, settings, django_capture_on_commit_callbacks):
    job = _interrupted_write(admin_user, settings, django_capture_on_commit_callbacks)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=2))
    out = io.StringIO()
    call_command("sweep_imports", stdout=out)
    assert json.loads(out.getvalue()) == {"interrupted": 1, "jobs": [job.pk]}
