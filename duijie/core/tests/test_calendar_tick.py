"""The calendar's command and its self-rescheduling task."""

import json
from datetime import datetime

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from duijie.core import calendar

pytestmark = pytest.mark.django_db


def test_command_runs_every_daily_job_for_the_given_day(capsys):
    call_command("calendar_tick", "--today", "2026-12-07")
    out = json.loads(capsys.readouterr().out)
    assert out["jobs"]["demands_close_expired"] == {"closed": 0}
    assert out["jobs"]["events_mark_held"] == {"held": 0}
    assert out["scheduled"] is False


def test_command_names_a_bad_day():
    with pytest.raises(CommandError, match="--today: '2026-13-01' is not a date"):
        call_command("calendar_tick", "--today", "2026-13-01")


def test_next_run_is_five_past_midnight_tomorrow():
    tz = timezone.get_current_timezone()
    assert calendar.next_run(datetime(2026, 12, 7, 23, 59, tzinfo=tz)) == datetime(2026, 12, 8, 0, 5, tzinfo=tz)
    assert calendar.next_run(datetime(2026, 12, 31, 0, 1, tzinfo=tz)) == datetime(2027, 1, 1, 0, 5, tzinfo=tz)


def test_schedule_starts_one_chain_on_the_database_backend():
    from django_tasks_db.models import DBTaskResult

    db_tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}}
    with override_settings(TASKS=db_tasks):
        assert calendar.schedule_next() is True
        assert calendar.schedule_next() is False  # one is already waiting
        waiting = DBTaskResult.objects.get(task_path=calendar.calendar_tick.module_path)
        assert waiting.run_after == calendar.next_run(timezone.now())
        assert waiting.args_kwargs["kwargs"] == {"reschedule": True}
    assert calendar.schedule_next() is False  # the in-process test backend cannot defer
