"""An event's state follows the date: 报名中 before it starts, 进行中 while it runs, 已结束 after; the
calendar's daily job marks an open event held once the day after its end has come."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from duijie.core.calendar import run_daily
from duijie.events.tests.conftest import make_event

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


def at(*args):
    return datetime(*args, tzinfo=TZ)


def test_phase_follows_the_clock(world):
    event = make_event(world.wujin_admin, status="open")
    event.starts_at, event.ends_at = at(2026, 12, 10, 9), at(2026, 12, 10, 12)
    assert event.phase(at(2026, 12, 7, 15)) == "open"
    assert event.phase(at(2026, 12, 10, 10)) == "running"
    assert event.phase(at(2026, 12, 10, 12, 1)) == "ended"
    event.ends_at = None  # no end given: over at the end of its day
    assert event.phase(at(2026, 12, 10, 23)) == "running" and event.phase(at(2026, 12, 11, 0, 1)) == "ended"
    event.status = "planned"
    assert event.phase(at(2026, 12, 11)) == "planned"


def test_daily_job_marks_ended_events_held(world):
    event = make_event(world.wujin_admin, status="open")
    event.starts_at, event.ends_at = at(2026, 6, 10, 9), at(2026, 6, 10, 12)
    event.save()
    upcoming = make_event(world.wujin_admin, status="open", title="即将举办的对接会")
    upcoming.starts_at, upcoming.ends_at = at(2026, 12, 20, 9), at(2026, 12, 20, 12)
    upcoming.save()
    assert run_daily(at(2026, 6, 10, 0).date())["events_mark_held"] == {"held": 0}  # the day itself
    assert run_daily(at(2026, 12, 7, 0).date())["events_mark_held"] == {"held": 1}
    event.refresh_from_db()
    upcoming.refresh_from_db()
    assert event.status == "held" and upcoming.status == "open"
    assert run_daily(at(2026, 12, 7, 0).date())["events_mark_held"] == {"held": 0}


def test_event_page_shows_the_phase(world):
    client = Client()
    client.force_login(world.wujin_admin)
    soon = make_event(world.wujin_admin, status="open", days=3)
    html = client.get(f"/r/events/{soon.pk}/").content.decode()
    assert 'data-phase="open">报名中<' in html
    now = timezone.now()
    running = make_event(world.wujin_admin, status="open", title="正在进行的活动")
    running.starts_at, running.ends_at = now - timedelta(hours=1), now + timedelta(hours=1)
    running.save()
    assert 'data-phase="running">进行中<' in client.get(f"/r/events/{running.pk}/").content.decode()
    past = make_event(world.wujin_admin, status="held", days=-30)
    assert 'data-phase="ended">已结束<' in client.get(f"/r/events/{past.pk}/").content.decode()
