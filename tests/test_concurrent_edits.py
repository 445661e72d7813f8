"""bench/concurrent_edits.py, smaller: a real gunicorn server, edit pairs through the API and the
form racing on one record — no lost update, no 5xx; on SQLite also a held write lock answering 503.
Runs on the database the suite runs on (TEST_DB): a temp SQLite file, or a scratch PostgreSQL
database next to the test database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def bench_database_url():
    if os.environ.get("TEST_DB", "sqlite") != "postgres":
        yield None  # the bench makes its own SQLite file
        return
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    name = f"{db['TEST']['NAME']}_bench"
    admin = psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                            password=db["PASSWORD"] or None, dbname="postgres", autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        yield f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_concurrent_edit_pairs_lose_nothing(bench_database_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    env.pop("BENCH_DATABASE_URL", None)
    if bench_database_url:
        env["BENCH_DATABASE_URL"] = bench_database_url
    out = subprocess.run([sys.executable, "bench/concurrent_edits.py", "--pairs", "12", "--parallel", "3",
                          "--deadline", "300"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    text = out.stdout + out.stderr
    assert out.returncode == 0, text[-4000:]
    lines = {line.split()[0]: line for line in out.stdout.splitlines() if line.startswith(("api ", "ui "))}
    for channel in ("api", "ui"):
        figures = lines[channel].split()
        numbers = dict(zip(figures[1::2], figures[2::2], strict=False))
        assert numbers["pairs"] == "12" and numbers["5xx"] == "0" and numbers["other"] == "0", lines[channel]
        # both writers of a pair read the same version: at most one of them can be accepted
        assert 1 <= int(numbers["accepted"]) <= 12 and int(numbers["refused"]) >= 12, lines[channel]
        assert "lost updates   0" in lines[channel]
    if not bench_database_url:
        assert "busy: a write while another connection holds SQLite's lock → 503" in out.stdout, text[-2000:]
