"""Matching hears writes through core.changes only: what a write announces is what gets refreshed."""

from pathlib import Path

import pytest

from duijie.core.roles import Role
from duijie.core.services import record_save
from duijie.core.tests import factories as f
from duijie.matching import services, store
from duijie.matching.models import DirtyRecord


def _on_disk() -> set[str]:
    """The ids in the stored index files of the current version (not this process's reader)."""
    from matchkit import Index

    return set(Index.load(Path(store.index_dir()), encoder=None).ids())


def test_opt_out_and_erasure_on_the_experts_own_pages_leave_the_files_without_a_worker(built, client, settings,
                                                                                       django_capture_on_commit_callbacks):
    """No refresh task runs here (auto refresh off, no worker): the announcement itself removes them."""
    w = built
    settings.DUIJIE_MATCH_AUTO_REFRESH = False
    good, vp = w["e_good"], w["e_vp"]
    for expert in (good, vp):
        expert.user = f.user(role=Role.EXPERT)
        record_save(instance=expert, by=None, validate=False)
    assert {f"expert:{good.pk}", f"expert:{vp.pk}"} <= _on_disk()
    client.force_login(good.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/me/expert/opt-out/", {"do_not_recommend": "1"}).status_code == 302
    assert f"expert:{good.pk}" not in _on_disk()
    client.force_login(vp.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/me/expert/erase/", {"confirm": "1"}).status_code == 302
    stored = _on_disk()
    assert f"expert:{vp.pk}" not in stored and f"expert:{w['e_other'].pk}" in stored


def test_a_rolled_back_opt_out_leaves_the_index_alone(built, django_capture_on_commit_callbacks):
    from django.db import transaction

    from duijie.experts.services import expert_set_do_not_recommend

    w = built
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            expert_set_do_not_recommend(expert=w["e_good"], wanted=True, by=None)
            transaction.set_rollback(True)
    assert f"expert:{w['e_good'].pk}" in _on_disk()


def test_a_write_through_record_save_marks_the_record_dirty(world, settings, django_capture_on_commit_callbacks):
    settings.DUIJIE_MATCH_AUTO_REFRESH = False
    w = world
    DirtyRecord.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        w["demand"].title = "钙钛矿叠层光伏组件封装"
        record_save(instance=w["demand"], by=None, validate=False)
    assert list(DirtyRecord.objects.values_list("model", "object_id", "lane")) == [
        ("demands.Demand", str(w["demand"].pk), "interactive")]


@pytest.mark.django_db
def test_a_bulk_import_refreshes_exactly_the_records_it_changed(admin_user, settings,
                                                                django_capture_on_commit_callbacks):
    from duijie.imports import engine
    from duijie.imports.kinds import KINDS
    from duijie.imports.tests.helpers import xlsx
    from duijie.orgs.models import Enterprise

    settings.DUIJIE_MATCH_AUTO_REFRESH = False
    head = ["统一社会信用代码", "企业名称", "注册资本（元）", "所属行业", "区域", "可见范围"]
    rows = [[f.uscc(n=7100 + i), f"常州导入{i}科技有限公司", "50万元", "C3841", "320412", "公开"] for i in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        assert engine.run(KINDS["enterprise"], xlsx([head, *rows]), "a.xlsx", admin_user, commit=True).committed
    created = set(Enterprise.objects.values_list("pk", flat=True))
    assert set(DirtyRecord.objects.filter(lane="bulk").values_list("object_id", flat=True)) == {str(p) for p in created}
    services.rebuild()
    assert not DirtyRecord.objects.exists()
    rows[1][1] = "常州改名科技有限公司"
    rows[3][2] = "1.5亿"
    with django_capture_on_commit_callbacks(execute=True):
        result = engine.run(KINDS["enterprise"], xlsx([head, *rows]), "b.xlsx", admin_user, commit=True)
    assert result.counts["updated"] == 2 and result.counts["unchanged"] == 3
    changed = {str(pk) for pk in Enterprise.objects.filter(uscc__in=[rows[1][0], rows[3][0]])
               .values_list("pk", flat=True)}
    assert set(DirtyRecord.objects.values_list("model", "object_id", "lane")) == {
        ("orgs.Enterprise", pk, "bulk") for pk in changed}
    assert services.refresh(lane="bulk") == {"added": 2, "removed": 0, "left": 0}
    assert f"enterprise:{Enterprise.objects.get(uscc=rows[1][0]).pk}" in _on_disk()


def test_a_merge_of_two_experts_marks_the_kept_the_dropped_and_the_partners(world, admin_user, settings,
                                                                           django_capture_on_commit_callbacks):
    """The dropped expert leaves the index; the enterprise whose project moves to the kept one is marked."""
    from duijie.cooperation.models import CooperationProject
    from duijie.dedupe.services import record_merge

    settings.DUIJIE_MATCH_AUTO_REFRESH = False
    w = world
    keep, drop = w["e_good"], f.expert(name="王正极", research_directions="锂电池正极材料")
    with django_capture_on_commit_callbacks(execute=True):
        record_save(instance=CooperationProject(title="联合攻关", source="other"), by=None, validate=False,
                    m2m={"enterprises": [w["b"].pk], "experts": [drop.pk]})
    DirtyRecord.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        record_merge(keep=keep, drop=drop, by=admin_user)
    dirty = set(DirtyRecord.objects.values_list("model", "object_id"))
    assert {("experts.Expert", str(keep.pk)), ("experts.Expert", str(drop.pk)),
            ("orgs.Enterprise", str(w["b"].pk))} <= dirty
