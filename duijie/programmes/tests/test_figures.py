"""Programme figures are kept between requests until the next announced write (programmes/figures.py):
the progress page reads them from the cache, a write through a service (which announces it) makes
the next read count afresh, and one reader's cached figures are never another's."""

from __future__ import annotations

from datetime import date

import pytest

from duijie.cooperation.tests import helpers as h
from duijie.core import plugins, services
from duijie.core.plugins import Window, batch_values
from duijie.core.tests import factories as f
from duijie.programmes import figures, progress
from duijie.programmes.tests.test_progress_owners import END, START, _target, world  # noqa: F401

pytestmark = pytest.mark.django_db


def _value(user, w, target):
    row = next(r for r in progress.progress(user, w["programme"], today=END, ids=False) if r.target == target)
    return row.actual, row.computed_at


def test_a_write_through_a_service_recomputes_the_cached_figure(world, django_capture_on_commit_callbacks):  # noqa: F811
    target = _target(world, owner_park=world["park"])
    before, at = _value(world["city"], world, target)
    assert before > 0 and at is not None
    # A record created behind the services' back (no announcement) is not seen: the figure is cached.
    extra = h.project(region=world["r"]["320412"], park=world["park"], status="signed", signed_on=date(2025, 3, 1),
                      visibility="classified")
    assert _value(world["city"], world, target) == (before, at)
    # Any write through a service announces itself and the next read counts afresh.
    extra.title = "改名后的项目"
    with django_capture_on_commit_callbacks(execute=True):  # announcements are heard after commit
        services.record_save(instance=extra, by=world["city"])
    after, later = _value(world["city"], world, target)
    assert after == before + 1 and later >= at
    # The drill-down and the ids path are always live.
    row = next(r for r in progress.progress(world["city"], world["programme"], today=END) if r.target == target)
    assert extra.pk in row.record_ids and row.actual == after


def test_one_readers_cached_figures_are_never_anothers(world):  # noqa: F811
    from duijie.core.models import AssessmentUnit, Organisation

    unit = AssessmentUnit.objects.create(name="新北区", code="t-figures-xinbei", kind="district", city=world["r"]["3204"])
    unit.regions.set([world["r"]["320411"]])
    district = f.user(role="unit_admin", organisation=Organisation.objects.create(
        kind="government", name="新北区科技局", region=world["r"]["320411"], assessment_unit=unit))
    items = [(plugins.indicator("signed-projects"), Window(START, END, park=world["park"]))]
    city, _at = figures.values(world["city"], items)
    mine, _at = figures.values(district, items)
    # Each reader gets its own count, equal to the live one, though the first is cached by then.
    assert city == batch_values(world["city"], items) and mine == batch_values(district, items)
    assert city != mine and city[0] > 0


def test_recompute_fills_every_programmes_figures_for_the_pages(world, django_assert_max_num_queries):  # noqa: F811
    target = _target(world, owner_park=world["park"])
    other = _target(world, owner_institution=world["uni"])
    n = progress.recompute(world["city"])
    assert n >= 1
    # The page reads the figures recompute kept (same value, same time) without counting again.
    with django_assert_max_num_queries(30) as ctx:
        rows = progress.progress(world["city"], world["programme"], today=END, ids=False)
    counted = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper() or "SUM(" in q["sql"].upper()]
    assert counted == [], counted
    live = {r.target.pk: r.actual for r in progress.progress(world["city"], world["programme"], today=END)}
    assert {r.target.pk: r.actual for r in rows} == live and rows[0].computed_at is not None
    assert target.pk in live and other.pk in live and live[target.pk] > 0


def test_a_write_warms_up_the_figures_of_recent_readers(world, client, django_capture_on_commit_callbacks,  # noqa: F811
                                                        django_assert_max_num_queries, settings):
    from duijie.programmes import tasks

    settings.DUIJIE_FIGURE_WARMUP_SECONDS = 0  # the test backend runs tasks at once
    target = _target(world, owner_park=world["park"])
    client.force_login(world["city"])
    assert client.get(f"/programmes/{world['programme'].code}/").status_code == 200
    assert figures.recent_readers() == [world["city"].pk]
    before, _at = _value(world["city"], world, target)
    extra = h.project(region=world["r"]["320412"], park=world["park"], status="signed", signed_on=date(2025, 3, 1),
                      visibility="classified")
    with django_capture_on_commit_callbacks(execute=True):
        services.record_save(instance=extra, by=world["city"])  # announced: a new generation, a warm-up
    assert tasks.cache.get(tasks.QUEUED_KEY) is None  # the warm-up ran and cleared its mark
    # The page's figures were computed by the warm-up: reading them counts nothing.
    with django_assert_max_num_queries(30) as ctx:
        after, _at = _value(world["city"], world, target)
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert after == before + 1


def test_no_warm_up_without_readers_or_when_turned_off(world, django_capture_on_commit_callbacks, settings):  # noqa: F811
    from duijie.programmes import tasks

    extra = h.project(region=world["r"]["320412"], status="signed", signed_on=date(2025, 3, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.record_save(instance=extra, by=world["city"])
    assert figures.recent_readers() == [] and tasks.cache.get(tasks.QUEUED_KEY) is None
    figures.note_reader(world["city"])
    settings.DUIJIE_FIGURE_WARMUP_SECONDS = None
    old = figures.generation()
    tasks.on_change(None)
    assert figures.generation() != old and tasks.cache.get(tasks.QUEUED_KEY) is None
