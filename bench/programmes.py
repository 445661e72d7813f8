"""Programme benchmark: every indicator of every programme recomputed for a city of N records, and
the progress page's p95 at that size (issue 13: 1M records on PostgreSQL, ≤ 2 s and ≤ 300 ms).

Builds a fresh database (SQLite in a temp dir by default; BENCH_DATABASE_URL=postgres://… for
PostgreSQL), loads the demo (its programmes, units, parties and counted records), then grows the
counted record types to ``--records`` rows in all by copying demo rows in bulk (their dates,
places, parties and assessment-unit tags, so every indicator still finds its records), and prints:

- the recompute of every target of every programme as its reader (the city administrator, Kunshan's
  for Kunshan's): the values only (``progress.recompute``: every programme's figures together), the
  same with each programme's page computing its own, then the values with the record ids behind each
  figure (what an issued report stores); the baseline in the same process is a plain ``COUNT(*)`` of
  every table counted (the floor);
- the progress page (``/programmes/<code>/``) as the city administrator and as a district
  administrator, cold (right after a write: ``--cold`` requests, each after a new figure generation)
  and warm (``--repeat`` requests with nothing written between: the figures from the cache,
  ``programmes/figures.py``): median and p95, checked for status 200 and rows.

Usage: BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_programmes \\
       .venv/bin/python bench/programmes.py --records 1000000
(the database is dropped and created; default --records 20000 on SQLite for a quick look).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from itertools import cycle
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Share of the grown records per record type (the rest of a city — people, accounts, history — is
# not what the indicators read). Children (outcomes, qualifications) follow their parents' copies.
SHARES = {  # children (outcomes, qualifications) follow their parents' copies: their shares are estimates
    "enterprises": 0.10, "projects": 0.22, "project-outcomes": 0.22, "tech-contracts": 0.08,
    "intentions": 0.08, "events": 0.03, "visits": 0.06, "pairings": 0.03, "placements": 0.03,
    "student-teams": 0.01, "qualifications": 0.10, "carriers": 0.01, "expert-roles": 0.03,
}
BATCH = 5000


def median_p95(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, round(0.95 * len(ordered)) - 1)]


def copy_rows(model, n: int, *, fix=None, parents=None, parent_field: str | None = None) -> list[tuple[int, int]]:
    """Insert ``n`` copies of the model's demo rows (cycling through them) with their many-to-many
    tags; ``fix(obj, i)`` makes unique fields unique. With ``parents`` (template parent pk → list of
    copied parent pks) ``n`` is ignored: every child is copied once under each copy of its parent
    (a project's outcomes under the project's copies). Returns (template pk, copy pk) pairs."""
    templates = list(model._default_manager.order_by("pk"))
    if parents is not None:
        templates = [t for t in templates if parents.get(getattr(t, f"{parent_field}_id"))]
    if not templates or n <= 0:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    m2m = {f: {} for f in model._meta.many_to_many}
    for f, values in m2m.items():
        through = f.remote_field.through
        src, dst = f.m2m_field_name() + "_id", f.m2m_reverse_field_name() + "_id"
        for a, b in through.objects.filter(**{f"{src}__in": [t.pk for t in templates]}).values_list(src, dst):
            values.setdefault(a, []).append(b)
    if parents is not None:  # every child of a template parent, once under each of its copies
        plan = [(t, c) for t in templates for c in parents[getattr(t, f"{parent_field}_id")]]
    else:
        plan = [(t, None) for t, _ in zip(cycle(templates), range(n))]
    pairs: list[tuple[int, int]] = []
    for made in range(0, len(plan), BATCH):
        batch, sources = [], []
        for i, (t, parent) in enumerate(plan[made:made + BATCH], start=made):
            obj = model(**{f.attname: getattr(t, f.attname) for f in fields})
            if parent is not None:
                setattr(obj, f"{parent_field}_id", parent)
            if fix is not None:
                fix(obj, i)
            batch.append(obj)
            sources.append(t.pk)
        created = model._default_manager.bulk_create(batch)
        for f, values in m2m.items():
            through = f.remote_field.through
            src, dst = f.m2m_field_name() + "_id", f.m2m_reverse_field_name() + "_id"
            rows = [through(**{src: o.pk, dst: v}) for o, s in zip(created, sources, strict=True) for v in values.get(s, ())]
            through.objects.bulk_create(rows, batch_size=BATCH)
        pairs += list(zip(sources, (o.pk for o in created), strict=True))
    return pairs


def grow(records: int) -> dict[str, int]:
    from django.db import transaction

    from duijie.core.models import Organisation
    from duijie.core.registry import REGISTRY

    def model(slug):
        return REGISTRY[slug].model

    def by_template(pairs):
        out: dict[int, list[int]] = {}
        for t, c in pairs:
            out.setdefault(t, []).append(c)
        return out

    counts = {slug: int(records * share) for slug, share in SHARES.items()}
    grown: dict[str, int] = {}
    with transaction.atomic():
        Enterprise = model("enterprises")

        def enterprise(obj, i):
            org = Organisation(kind=obj.organisation.kind, name=f"{obj.name}·{i}", region_id=obj.region_id)
            obj._org = org
            obj.name, obj.uscc = f"{obj.name}·{i}", None

        # Organisations first (one per enterprise copy), then the enterprises that stand on them.
        templates = list(Enterprise.objects.select_related("organisation").order_by("pk"))
        made, enterprise_pairs = 0, []
        source = cycle(templates)
        while made < counts["enterprises"]:
            size = min(BATCH, counts["enterprises"] - made)
            picked = [next(source) for _ in range(size)]
            orgs = Organisation.objects.bulk_create([
                Organisation(kind=t.organisation.kind, name=f"{t.name}·{made + k}", region_id=t.region_id)
                for k, t in enumerate(picked)])
            fields = [f for f in Enterprise._meta.concrete_fields if not f.primary_key]
            batch = []
            for k, (t, org) in enumerate(zip(picked, orgs, strict=True)):
                obj = Enterprise(**{f.attname: getattr(t, f.attname) for f in fields})
                obj.name, obj.uscc, obj.organisation_id, obj.owner_org_id = f"{t.name}·{made + k}", None, org.pk, org.pk
                batch.append(obj)
            created = Enterprise.objects.bulk_create(batch)
            enterprise_pairs += [(t.pk, c.pk) for t, c in zip(picked, created, strict=True)]
            made += size
        grown["enterprises"] = made
        enterprise_copies = by_template(enterprise_pairs)

        projects = copy_rows(model("projects"), counts["projects"])
        grown["projects"] = len(projects)
        grown["project-outcomes"] = len(copy_rows(model("project-outcomes"), counts["project-outcomes"],
                                                  parents=by_template(projects), parent_field="project"))

        def numbered(field):
            def fix(obj, i):
                setattr(obj, field, f"{getattr(obj, field)}·{i}" if getattr(obj, field) else "")
            return fix

        grown["tech-contracts"] = len(copy_rows(model("tech-contracts"), counts["tech-contracts"],
                                                fix=numbered("registration_number")))
        grown["carriers"] = len(copy_rows(model("carriers"), counts["carriers"], fix=numbered("name")))
        grown["qualifications"] = len(copy_rows(model("qualifications"), counts["qualifications"],
                                                parents=enterprise_copies, parent_field="enterprise"))
        for slug in ("intentions", "events", "visits", "pairings", "placements", "student-teams", "expert-roles"):
            grown[slug] = len(copy_rows(model(slug), counts[slug]))
    return grown


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20000, help="counted records to add (all types)")
    parser.add_argument("--repeat", type=int, default=20, help="warm requests per page")
    parser.add_argument("--cold", type=int, default=5, help="requests per page right after a write")
    parser.add_argument("--no-ids", action="store_true", help="skip the recompute with record ids (slow at 1M)")
    parser.add_argument("--reuse", action="store_true",
                        help="PostgreSQL: measure the database a previous run built (no drop, no growth)")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="duijie-bench-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DUIJIE_DATA_DIR"] = tmp
    os.environ["DUIJIE_DEMO"] = "1"  # as `make demo`: the demo administrators skip the second factor
    import logging

    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)  # one login line per client otherwise
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    reuse = args.reuse and engine == "postgresql"
    if engine == "postgresql" and not reuse:
        from django.db import connections

        name = settings.DATABASES["default"]["NAME"]
        with connections["default"]._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
    from duijie.accounts.models import User
    from duijie.core import plugins
    from duijie.core.registry import REGISTRY
    from duijie.demo.generator import generate
    from duijie.programmes import figures, progress
    from duijie.programmes.models import Programme

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    if reuse:
        print(f"database: {engine}; reusing the records a previous run built")
    else:
        generate(seed=7)
        print(f"database: {engine}; demo generator {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        grown = grow(args.records)
        print(f"grew {sum(grown.values()):,} records in {time.perf_counter() - t:.1f} s")
    if engine == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    total = {slug: REGISTRY[slug].model._default_manager.count() for slug in SHARES}
    print(f"rows now: {sum(total.values()):,} counted records: "
          + ", ".join(f"{slug} {n:,}" for slug, n in total.items()))

    # Each programme is read by the administrator of its city (Changzhou's for its programmes, Kunshan's
    # for Kunshan's): the one who reads the most of its targets; the district one for the page below.
    admins = [User.objects.get(username=name) for name in ("admin", "kunshan")]
    district = User.objects.get(username="wujin")
    from datetime import date

    today = date.today()
    work = []
    for p in Programme.objects.order_by("code"):
        reader = max(admins, key=lambda u: progress.targets(u, p).count())
        work += [(reader, p, t) for t in progress.targets(reader, p).select_related(
            "programme_indicator", "owner_unit", "owner_park", "owner_institution", "owner_department")]
    programmes = sorted({p for _u, p, _t in work}, key=lambda p: p.code)
    computed = [(u, t) for u, _p, t in work if progress.window_for(t) is not None
                and t.programme_indicator.indicator in plugins.indicators()]
    if not computed:
        raise SystemExit("no computed target: not measuring the real thing")

    readers = {p: u for u, p, _t in work}

    by_reader: dict = {}
    for p in programmes:
        by_reader.setdefault(readers[p], []).append(p)

    def recompute(with_ids: bool):
        """Every figure of every programme as its reader sees it. Values: ``progress.recompute`` per
        reader (every programme's figures together, one query per record type — what a write's warm-up
        and "recompute everything" run), then every programme's rows read from what it kept. With ids:
        ``progress.progress(ids=True)`` per programme (what an issued report stores: each figure's
        record ids). Cold: a new generation first, as after any write (``programmes.figures``)."""
        figures.on_change(None)
        if not with_ids:
            made = sum(progress.recompute(reader, progs) for reader, progs in by_reader.items())
            if made == 0:
                raise SystemExit("recompute computed no figure: not measuring the real thing")
        values = []
        for p in programmes:
            rows = progress.progress(readers[p], p, today=today, ids=with_ids)
            values += [r.actual for r in rows if r.actual is not None]
            if with_ids and not any(r.record_ids for r in rows):
                raise SystemExit(f"{p.code}: no record ids behind any figure: not measuring the real thing")
        return values

    def floor():
        for slug in SHARES:
            REGISTRY[slug].model._default_manager.count()

    runs = 3
    base = statistics.median(_timed(floor) for _ in range(runs))
    values = recompute(False)
    nonzero = sum(1 for v in values if v)
    if not nonzero:
        raise SystemExit("every figure is 0: not measuring the real thing")
    only = statistics.median(_timed(lambda: recompute(False)) for _ in range(runs))

    def one_by_one():  # each programme's page computing its own figures after a write (no warm-up)
        figures.on_change(None)
        for p in programmes:
            progress.progress(readers[p], p, today=today, ids=False)
    each = statistics.median(_timed(one_by_one) for _ in range(runs))
    ids = None if args.no_ids else statistics.median(_timed(lambda: recompute(True)) for _ in range(runs))
    print(f"today {today}; {len(programmes)} programmes, {len(work)} targets ({len(computed)} computed, {nonzero} non-zero)")
    print(f"recompute every figure, values only:     {only:8.2f} s   (goal ≤ 2 s)")
    print(f"  the same, each programme on its own:    {each:8.2f} s   (what the {len(programmes)} pages cost cold)")
    if ids is not None:
        print(f"recompute every figure, with record ids: {ids:8.2f} s")
    print(f"baseline, COUNT(*) of the {len(SHARES)} tables:   {base:8.3f} s   (ratio {only / base:.0f}×"
          + (f" / {ids / base:.0f}×)" if ids is not None else ")"))

    print(f"\n{'progress page':<34}{'targets':>8}{'cold median':>12}{'cold p95':>9}{'warm median':>12}{'warm p95':>9}  (ms)")
    for user in (*admins, district):
        client = Client()
        client.force_login(user)
        for p in programmes:
            if not progress.targets(user, p).exists() and user is not district:
                continue
            url = f"/programmes/{p.code}/"
            rows = progress.targets(user, p).count()
            first = client.get(url)
            if first.status_code != 200 or (rows and b"<tr" not in first.content):
                raise SystemExit(f"{url} as {user.username}: status {first.status_code}, not measuring the real thing")
            # Cold: right after a write (a new generation: every figure counted afresh); warm: nothing
            # written since the last view (the figures from the cache, the rest of the page computed).
            cold = [_timed(lambda: (figures.on_change(None), client.get(url))) * 1000 for _ in range(args.cold)]
            warm = [_timed(lambda: client.get(url)) * 1000 for _ in range(args.repeat)]
            last = client.get(url)
            if last.status_code != 200 or (rows and b"<tr" not in last.content):
                raise SystemExit(f"{url} as {user.username}: status {last.status_code}, not measuring the real thing")
            (cmed, cp95), (wmed, wp95) = median_p95(cold), median_p95(warm)
            print(f"{user.username + ' ' + url:<34}{rows:>8}{cmed:>12.0f}{cp95:>9.0f}{wmed:>12.0f}{wp95:>9.0f}")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} (1 min), {os.cpu_count()} CPUs")


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
