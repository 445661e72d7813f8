"""Time-travel tests: lockout after 5 failures for 30 minutes, idle timeout, absolute lifetime."""

from datetime import timedelta

import pytest
from freezegun import freeze_time

from duijie.accounts.tests.helpers import PW, logged_in_user_id, login, session_exists
from duijie.core.models import AuditLog
from duijie.core.roles import Role
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def ent_user():
    return f.user(username="alice", role=Role.ENTERPRISE, password=PW)


def test_fifth_failure_locks_right_password_refused_until_30_minutes_pass(client, ent_user):
    with freeze_time("2026-03-02 09:00:00", tick=False) as clock:
        for _ in range(4):
            r = login(client, "alice", "wrong-password")
            assert r.status_code == 200 and 'id="login-error"' in r.content.decode()
        r = login(client, "alice", "wrong-password")  # the 5th failure locks
        assert r.status_code == 429
        assert 'id="locked-out"' in r.content.decode()

        r = login(client, "alice", PW)  # the right password while locked
        assert r.status_code == 429
        assert logged_in_user_id(client) is None

        clock.tick(timedelta(minutes=29, seconds=59))
        assert login(client, "alice", PW).status_code == 429
        assert logged_in_user_id(client) is None

        clock.tick(timedelta(seconds=2))  # 30 minutes after the 5th failure
        r = login(client, "alice", PW)
        assert r.status_code == 302
        assert logged_in_user_id(client) == str(ent_user.pk)

    reasons = list(AuditLog.objects.filter(action="login_failed").order_by("pk").values_list("detail__reason",
                                                                                              flat=True))
    assert reasons[:5] == ["bad_password"] * 5
    assert set(reasons[5:]) == {"locked"}
    assert AuditLog.objects.filter(action="login", result="success", user=ent_user).count() == 1


def test_four_failures_do_not_lock_and_success_resets_the_count(client, ent_user):
    for _ in range(4):
        login(client, "alice", "wrong-password")
    assert login(client, "alice", PW).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        login(client, "alice", "wrong-password")
    assert login(client, "alice", PW).status_code == 302  # the earlier 4 were forgotten on success


def test_lockout_is_per_account_not_per_address(client, ent_user):
    f.user(username="bob", role=Role.ENTERPRISE, password=PW)
    for _ in range(5):
        login(client, "alice", "wrong-password")
    assert login(client, "alice", PW).status_code == 429
    assert login(client, "bob", PW).status_code == 302  # same IP, other account: not locked


def test_idle_timeout_logs_out_after_30_minutes_without_a_request(client, ent_user):
    with freeze_time("2026-03-02 09:00:00", tick=False) as clock:
        assert login(client, "alice").status_code == 302
        key = client.session.session_key
        clock.tick(timedelta(minutes=29))
        assert client.get("/").status_code == 200  # activity restarts the idle clock
        clock.tick(timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.tick(timedelta(minutes=30, seconds=1))
        r = client.get("/r/enterprises/")
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
        assert not session_exists(key)
        assert 'id="logout-reason-idle"' in client.get(r["Location"]).content.decode()
    entry = AuditLog.objects.get(action="logout")
    assert entry.detail["reason"] == "idle" and entry.user == ent_user


def test_api_with_an_idle_session_answers_401(client, ent_user):
    with freeze_time("2026-03-02 09:00:00", tick=False) as clock:
        login(client, "alice")
        assert client.get("/api/enterprises/").status_code == 200
        clock.tick(timedelta(minutes=31))
        assert client.get("/api/enterprises/").status_code == 401


def test_absolute_lifetime_ends_an_active_session_after_12_hours(client, ent_user, settings):
    assert settings.DUIJIE_SESSION_MAX_HOURS == 12
    with freeze_time("2026-03-02 08:00:00", tick=False) as clock:
        login(client, "alice")
        key = client.session.session_key
        for _ in range(11 * 4 + 3):  # a request every 15 minutes: never idle
            clock.tick(timedelta(minutes=15))
            assert client.get("/").status_code == 200
        clock.tick(timedelta(minutes=15, seconds=1))  # 12 h and 1 s after the login
        r = client.get("/")
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
        assert not session_exists(key)
    assert AuditLog.objects.get(action="logout").detail["reason"] == "absolute"


def test_session_cookie_policy(settings):
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_logout_is_post_only_and_deletes_the_session(client, ent_user):
    login(client, "alice")
    key = client.session.session_key
    assert session_exists(key)
    assert client.get("/accounts/logout/").status_code == 405
    assert session_exists(key)
    r = client.post("/accounts/logout/")
    assert r.status_code == 302
    assert not session_exists(key)
    assert client.get("/r/enterprises/").status_code == 302
    entry = AuditLog.objects.get(action="logout")
    assert entry.user == ent_user and entry.result == "success" and entry.detail["reason"] == "user"


def test_login_rate_limit_per_ip(client, ent_user, settings):
    settings.DUIJIE_LOGIN_RATE_PER_MINUTE = 3
    with freeze_time("2026-03-02 09:00:10", tick=False) as clock:
        for _ in range(3):
            assert login(client, "nobody", "x").status_code == 200
        r = login(client, "alice")  # even the right password: the address is throttled
        assert r.status_code == 429 and logged_in_user_id(client) is None
        clock.tick(timedelta(minutes=1))
        assert login(client, "alice").status_code == 302
    assert AuditLog.objects.filter(action="login_failed", detail__reason="rate_limited").count() == 1
