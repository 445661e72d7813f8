"""Concurrent edits against the real server: no lost updates, no 5xx.

Starts gunicorn (as ``make demo`` does: 2 workers × 4 threads) on 127.0.0.1 over a fresh database —
SQLite in a temp dir, or PostgreSQL with BENCH_DATABASE_URL=postgres://… (migrated in place) — creates
an enterprise user and two demands, then fires edit *pairs*: two clients read the same version of
the record, wait for each other, and both write a value of their own.

- API pairs: GET (ETag) → PATCH with If-Match, as two token-authenticated clients;
- UI pairs: two logged-in browser sessions GET the edit page and POST the form they read (every
  field as a browser sends it, the hidden version included).

Pairs run ``--parallel`` at a time on the same record, so writes also race other pairs. Then it
checks the database: the record's history after the start must be exactly the accepted writes
(each value once, refused values never), each accepted write must be the version right after
the one its client read, versions contiguous, and the stored value the last accepted one.

Prints pairs, accepted, refused (412 / the 409 conflict page), 5xx, lost updates and elapsed time
per channel; exits 1 on any lost update, any 5xx or any unexplained answer. Bounded: at most
``--pairs`` pairs per channel, ``--deadline`` seconds in all, traffic only to 127.0.0.1.

Usage: .venv/bin/python bench/concurrent_edits.py [--pairs 100] [--parallel 4] [--deadline 600]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"
PASSWORD = "Bench-Edits-2026!"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- the server

def server_env(database_url: str, data_dir: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"}
    env.update({
        "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": database_url, "DUIJIE_DATA_DIR": data_dir,
        "DUIJIE_MATCH_DIR": str(Path(data_dir) / "match"), "DUIJIE_MATCH_ENCODER": "none",
        # one client address makes every login: the per-IP login and API rates would throttle the bench
        "DUIJIE_LOGIN_RATE_PER_MINUTE": "100000", "DUIJIE_API_RATE_USER": "1000000/minute",
    })
    env.update(extra)
    return env


class Server:
    """gunicorn on a free loopback port, stopped (its process group) on exit."""

    def __init__(self, env: dict, workers: int = 2, threads: int = 4):
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.log_path = Path(env["DUIJIE_DATA_DIR"]) / f"gunicorn-{self.port}.log"
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [gunicorn, "config.wsgi:application", "--bind", f"{HOST}:{self.port}", "--workers", str(workers),
             "--threads", str(threads), "--timeout", "60", "--log-level", "warning"],
            cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT)

    def wait_ready(self, seconds: float = 60) -> None:
        import requests

        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz in time")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)

    def __enter__(self):
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()


# ---------------------------------------------------------------- data (in this process, same database)

@dataclass
class Fixture:
    username: str
    token: str
    api_demand: int
    ui_demand: int


def make_fixture(tag: str) -> Fixture:
    from duijie.accounts.models import ApiToken, User
    from duijie.demands.models import Demand
    from duijie.orgs.models import Enterprise

    ent = Enterprise.objects.create(name=f"并发编辑基准科技有限公司{tag}", uscc=None, visibility="public")
    user = User.objects.create_user(username=f"bench-edits-{tag}", password=PASSWORD, role="enterprise",
                                    organisation=ent.organisation)
    _token, key = ApiToken.issue(user, "bench")
    demands = [Demand.objects.create(enterprise=ent, owner_org_id=ent.organisation_id, demand_type="tech_challenge",
                                     title=f"并发编辑基准需求{kind}{tag}", description="两人同时修改同一条需求",
                                     keywords="初始", visibility="public") for kind in ("API", "UI")]
    return Fixture(user.username, key, demands[0].pk, demands[1].pk)


# ---------------------------------------------------------------- clients

class FormReader(HTMLParser):
    """What a browser submits for each POST form of a page (csrf token and hidden version included)."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._select_multiple = False
        self._select_first: str | None = None
        self._select_chosen = False
        self._option: dict | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._in_form, self.fields = True, []
            self.forms.append(self.fields)
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            else:
                self.fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self._select, self._select_multiple = name, "multiple" in a
            self._select_first, self._select_chosen = None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self.fields.append((self._select, value))
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form:
            self._in_form = False
        elif tag == "select" and self._select:
            if not self._select_chosen and not self._select_multiple and self._select_first is not None:
                self.fields.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def read_form(html: str, having: str = "csrfmiddlewaretoken") -> list[tuple[str, str]]:
    """The fields of the page's largest POST form that has a field named ``having``."""
    parser = FormReader()
    parser.feed(html)
    forms = [f for f in parser.forms if any(name == having for name, _v in f)]
    return max(forms, key=len) if forms else []


def login(base: str, username: str):
    import requests

    s = requests.Session()
    # No keep-alive: a connection the server closed while idle would reset the next request on it.
    s.headers["Connection"] = "close"
    page = s.get(f"{base}/accounts/login/", timeout=30)
    data = dict(read_form(page.text, "username"))
    data.update({"username": username, "password": PASSWORD})
    r = s.post(f"{base}/accounts/login/", data=data, timeout=30, allow_redirects=False,
               headers={"Referer": f"{base}/accounts/login/"})
    if r.status_code != 302:
        raise RuntimeError(f"login failed: {r.status_code} {r.text[:300]}")
    return s


@dataclass
class Tally:
    pairs: int = 0
    accepted: list = field(default_factory=list)  # (value, version read, version written or None)
    refused: list = field(default_factory=list)   # (value, status)
    server_errors: list = field(default_factory=list)
    other: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, item) -> None:
        with self.lock:
            getattr(self, kind).append(item)


def counted(write):
    """A writer whose every failure (a refused connection, a broken barrier) is counted, never lost."""

    def run(*args):
        barrier, tally = args[-2], args[-1]
        try:
            write(*args)
        except Exception as exc:
            barrier.abort()
            tally.add("other", (write.__name__, type(exc).__name__, str(exc)[:200]))

    run.__name__ = write.__name__
    return run


@counted
def api_write(base: str, token: str, pk: int, value: str, barrier: threading.Barrier, tally: Tally) -> None:
    import requests

    s = requests.Session()
    s.headers.update({"Authorization": f"Token {token}", "Connection": "close"})
    r = s.get(f"{base}/api/demands/{pk}/", timeout=30)
    if r.status_code != 200:
        barrier.abort()
        tally.add("server_errors" if r.status_code >= 500 else "other", ("GET", r.status_code, r.text[:200]))
        return
    etag, read = r.headers.get("ETag"), r.json()["version"]
    barrier.wait(30)
    r = s.patch(f"{base}/api/demands/{pk}/", json={"keywords": value}, headers={"If-Match": etag}, timeout=60)
    if r.status_code == 200:
        tally.add("accepted", (value, read, r.json()["version"]))
    elif r.status_code == 412 and r.json().get("current_version", 0) > read:
        tally.add("refused", (value, 412))
    elif r.status_code >= 500:
        tally.add("server_errors", ("PATCH", r.status_code, r.text[:200]))
    else:
        tally.add("other", ("PATCH", r.status_code, r.text[:200]))


VERSION_RE = re.compile(r'name="record_version" value="(\d+)"')


@counted
def ui_write(base: str, session, pk: int, value: str, barrier: threading.Barrier, tally: Tally) -> None:
    url = f"{base}/r/demands/{pk}/edit/"
    page = session.get(url, timeout=30)
    if page.status_code != 200 or not VERSION_RE.search(page.text):
        barrier.abort()
        tally.add("server_errors" if page.status_code >= 500 else "other", ("GET form", page.status_code))
        return
    read = int(VERSION_RE.search(page.text).group(1))
    data = [(k, v) for k, v in read_form(page.text, "record_version") if k != "keywords"] + [("keywords", value)]
    barrier.wait(30)
    r = session.post(url, data=data, timeout=60, allow_redirects=False, headers={"Referer": url})
    if r.status_code == 302:
        tally.add("accepted", (value, read, None))
    elif r.status_code == 409 and 'id="conflict"' in r.text:
        tally.add("refused", (value, 409))
    elif r.status_code >= 500:
        tally.add("server_errors", ("POST form", r.status_code, r.text[:200]))
    else:
        errors = re.findall(r'<ul class="errorlist"[^>]*>(.*?)</ul>|alert-danger[^>]*>(.*?)</div>', r.text, re.S)
        tally.add("other", ("POST form", r.status_code, [re.sub("<[^>]+>", " ", "".join(e)).strip() for e in errors]
                            or r.text[:300]))


def run_pairs(n: int, parallel: int, deadline: float, one_pair) -> Tally:
    """``n`` pairs, ``parallel`` at a time; ``one_pair(i, barrier, tally)`` runs one side."""
    tally = Tally()

    def pair(i: int) -> None:
        if time.monotonic() > deadline:
            return
        barrier = threading.Barrier(2)
        sides = [threading.Thread(target=one_pair, args=(i, side, barrier, tally)) for side in "ab"]
        for t in sides:
            t.start()
        for t in sides:
            t.join(120)
        with tally.lock:
            tally.pairs += 1

    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(pair, range(n)))
    return tally


# ---------------------------------------------------------------- the check

def lost_updates(pk: int, since_version: int, tally: Tally) -> list[str]:
    """Every way the stored record and its history could disagree with the accepted writes."""
    from duijie.demands.models import Demand

    problems = []
    demand = Demand.objects.get(pk=pk)
    rows = list(demand.history.filter(version__gt=since_version).order_by("version", "history_id")
                .values_list("version", "keywords"))
    versions = [v for v, _k in rows]
    if versions != list(range(since_version + 1, since_version + 1 + len(rows))):
        problems.append(f"history versions are not one per write: {versions[:20]}…")
    history = {k: v for v, k in rows}
    accepted = {value: (read, written) for value, read, written in tally.accepted}
    if sorted(k for _v, k in rows) != sorted(accepted):
        missing = set(accepted) - set(history)
        extra = set(history) - set(accepted)
        problems.append(f"history ≠ accepted writes (accepted but not in history: {sorted(missing)[:5]}, "
                        f"in history but not accepted: {sorted(extra)[:5]})")
    for value, (read, written) in accepted.items():
        stored_as = history.get(value)
        if stored_as is not None and stored_as != read + 1:
            problems.append(f"{value}: written as version {stored_as} by a client that read version {read}")
        if written is not None and written != stored_as:
            problems.append(f"{value}: answered version {written}, history says {stored_as}")
    for value, _status in tally.refused:
        if value in history:
            problems.append(f"{value}: refused, yet in the history")
    last = rows[-1][1] if rows else "初始"
    if demand.keywords != last or demand.version != since_version + len(rows):
        problems.append(f"stored value {demand.keywords!r} v{demand.version} ≠ last accepted {last!r}")
    return problems


def busy_check(database_url: str, data_dir: str, fixture: Fixture) -> str:
    """Hold SQLite's write lock from another connection while the server (busy timeout 0.2 s) takes an
    API write and a form post: both must answer 503 with Retry-After (nothing written), and the same
    write must succeed once the lock is gone."""
    import sqlite3

    import requests

    path = database_url.removeprefix("sqlite:///")
    with Server(server_env(database_url, data_dir, DUIJIE_SQLITE_BUSY_SECONDS="0.2"), workers=1, threads=2) as server:
        api = requests.Session()
        api.headers["Authorization"] = f"Token {fixture.token}"
        url = f"{server.url}/api/demands/{fixture.api_demand}/"
        etag = api.get(url, timeout=30).headers["ETag"]
        browser = login(server.url, fixture.username)
        form_url = f"{server.url}/r/demands/{fixture.ui_demand}/edit/"
        form = read_form(browser.get(form_url, timeout=30).text, "record_version")
        holder = sqlite3.connect(path, timeout=5, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            r = api.patch(url, json={"keywords": "busy"}, headers={"If-Match": etag}, timeout=30)
            p = browser.post(form_url, data=form, timeout=30, allow_redirects=False, headers={"Referer": form_url})
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        answers = f"API {r.status_code} Retry-After {r.headers.get('Retry-After')}, " \
                  f"form {p.status_code} Retry-After {p.headers.get('Retry-After')}"
        again = api.patch(url, json={"keywords": "busy"}, headers={"If-Match": etag}, timeout=30)
        ok = r.status_code == p.status_code == 503 and r.headers.get("Retry-After") and p.headers.get("Retry-After") \
            and again.status_code == 200
        return f"{'503' if ok else 'FAILED'}: {answers}; after the lock: API {again.status_code}"


def report(label: str, tally: Tally, problems: list[str], seconds: float) -> str:
    return (f"{label:<4} pairs {tally.pairs:4d}  writes {2 * tally.pairs:4d}  accepted {len(tally.accepted):4d}  "
            f"refused {len(tally.refused):4d}  5xx {len(tally.server_errors):3d}  other {len(tally.other):3d}  "
            f"lost updates {len(problems):3d}  elapsed {seconds:6.1f} s")


def run(pairs: int = 100, parallel: int = 4, deadline_seconds: float = 600, ui_pairs: int | None = None,
        database_url: str | None = None, data_dir: str | None = None, out=print) -> dict:
    """Set up the database (migrate), start the server, run both channels; returns the figures.
    Django must not be set up yet in this process (it is, here, on the bench database)."""
    import django

    if data_dir is None:  # a fresh temp dir, removed at the end
        with tempfile.TemporaryDirectory(prefix="duijie-bench-edits-") as tmp:
            return run(pairs, parallel, deadline_seconds, ui_pairs, database_url, tmp, out)
    tmp = data_dir
    database_url = database_url or os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DUIJIE_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    out(f"database: {connection.vendor} ({database_url.split('@')[-1]}), migrated in {time.perf_counter() - t:.1f} s")
    fixture = make_fixture(f"{os.getpid()}-{int(time.time())}")
    connection.close()
    deadline = time.monotonic() + deadline_seconds
    results = {}
    with Server(server_env(database_url, tmp)) as server:
        out(f"server: gunicorn 2 workers × 4 threads at {server.url}; {parallel} pairs at a time on one record")

        def api_side(i, side, barrier, tally):
            api_write(server.url, fixture.token, fixture.api_demand, f"api-{i}-{side}", barrier, tally)

        t = time.perf_counter()
        tally = run_pairs(pairs, parallel, deadline, api_side)
        results["api"] = (tally, lost_updates(fixture.api_demand, 1, tally), time.perf_counter() - t)
        connection.close()

        sessions = [[login(server.url, fixture.username) for _ in "ab"] for _ in range(parallel)]
        free = list(range(parallel))
        free_lock = threading.Lock()

        # each pair holds one lane (two sessions) from its start to its end
        def run_ui() -> Tally:
            tally = Tally()
            lanes = threading.Semaphore(parallel)

            def pair(i: int) -> None:
                if time.monotonic() > deadline:
                    return
                with lanes:
                    with free_lock:
                        lane = free.pop()
                    try:
                        barrier = threading.Barrier(2)
                        sides = [threading.Thread(target=ui_write, args=(
                            server.url, sessions[lane][k], fixture.ui_demand, f"ui-{i}-{side}", barrier, tally))
                            for k, side in enumerate("ab")]
                        for th in sides:
                            th.start()
                        for th in sides:
                            th.join(120)
                        with tally.lock:
                            tally.pairs += 1
                    finally:
                        with free_lock:
                            free.append(lane)

            with ThreadPoolExecutor(parallel) as pool:
                list(pool.map(pair, range(pairs if ui_pairs is None else ui_pairs)))
            return tally

        t = time.perf_counter()
        tally = run_ui()
        results["ui"] = (tally, lost_updates(fixture.ui_demand, 1, tally), time.perf_counter() - t)
        connection.close()
    failed = False
    if connection.vendor == "sqlite":
        busy = busy_check(database_url, tmp, fixture)
        out(f"busy: a write while another connection holds SQLite's lock → {busy}")
        failed = failed or not busy.startswith("503")
    for label, (tally, problems, seconds) in results.items():
        out(report(label, tally, problems, seconds))
        for line in problems[:10] + [f"5xx: {e}" for e in tally.server_errors[:5]] + \
                [f"unexplained: {e}" for e in tally.other[:5]]:
            out(f"     {line}")
        answered = len(tally.accepted) + len(tally.refused) + len(tally.server_errors) + len(tally.other)
        if answered != 2 * tally.pairs:
            out(f"     {2 * tally.pairs - answered} writes unaccounted for")
        if problems or tally.server_errors or tally.other or not tally.accepted or tally.pairs == 0 \
                or answered != 2 * tally.pairs:
            failed = True
    return {"failed": failed, **{k: {"pairs": v[0].pairs, "accepted": len(v[0].accepted), "refused": len(v[0].refused),
                                     "server_errors": len(v[0].server_errors), "other": len(v[0].other),
                                     "lost_updates": len(v[1]), "seconds": v[2]} for k, v in results.items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=100, help="edit pairs per channel (API, UI)")
    parser.add_argument("--parallel", type=int, default=4, help="pairs in flight at once")
    parser.add_argument("--deadline", type=float, default=600, help="seconds at most for all pairs")
    parser.add_argument("--data-dir", help="keep the SQLite database (and server logs) here; reused when run again")
    args = parser.parse_args()
    if not 1 <= args.pairs <= 1000 or not 1 <= args.parallel <= 16:
        parser.error("--pairs 1..1000, --parallel 1..16")
    if args.data_dir:
        Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    figures = run(pairs=args.pairs, parallel=args.parallel, deadline_seconds=args.deadline, data_dir=args.data_dir)
    if figures["failed"]:
        print("FAILED: lost updates, server errors or unexplained answers (see above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
