"""Login-attempt counters are shared by every web process (gunicorn runs several): two real processes
with the deployment's own cache settings — the file cache of a host without Redis, and Redis — count
into one quota, so the 21st attempt of a minute is refused whichever process takes it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[3]
LIMIT, PER_PROCESS = 20, 15

SCRIPT = """
import json, sys, django
django.setup()
from django.conf import settings
from django.test import RequestFactory
from duijie.accounts.throttling import login_allowed
request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="203.0.113.5")
# one fixed minute (the counter's window), so the test never depends on the clock
print(json.dumps({"backend": settings.CACHES["default"]["BACKEND"],
                  "allowed": [login_allowed(request, now=1_700_000_000.0) for _ in range(int(sys.argv[1]))]}))
"""


def run_two(env: dict) -> list[dict]:
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT, str(PER_PROCESS)], cwd=ROOT, env=env,  # noqa: S603
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def base_env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DUIJIE_", "DATABASE_URL", "REDIS_URL"))}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings", "DUIJIE_DATA_DIR": str(tmp_path),
                "DUIJIE_LOGIN_RATE_PER_MINUTE": str(LIMIT), "DUIJIE_MATCH_ENCODER": "none"})
    return env


def test_two_processes_share_the_file_cache(tmp_path):
    results = run_two(base_env(tmp_path))
    assert {r["backend"] for r in results} == {"django.core.cache.backends.filebased.FileBasedCache"}
    allowed = [a for r in results for a in r["allowed"]]
    assert len(allowed) == 2 * PER_PROCESS and sum(allowed) == LIMIT  # not 2 × 15: one shared quota


def test_two_processes_share_redis(tmp_path):
    redis = pytest.importorskip("redis")
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at " + url)
    prefix = f"{settings.REDIS_PREFIX}-counters-{os.getpid()}"
    env = {**base_env(tmp_path), "REDIS_URL": url, "DUIJIE_CACHE_PREFIX": prefix}
    try:
        results = run_two(env)
    finally:
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
    assert {r["backend"] for r in results} == {"django.core.cache.backends.redis.RedisCache"}
    assert sum(a for r in results for a in r["allowed"]) == LIMIT
