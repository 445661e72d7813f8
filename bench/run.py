"""Benchmarks of the foundation: list pages, API lists, xlsx export and personal-data encryption.

Builds a fresh database (SQLite in a temp dir by default; BENCH_DATABASE_URL=postgres://… for
PostgreSQL), loads the demo generator at a larger scale, then prints, for every registry, the
median time of its first list page (UI and API) and the ratio against a baseline measured in the
same process: fetching the same page of rows straight from the selector's queryset (the floor any
page has to pay). Usage: make bench  |  .venv/bin/python bench/run.py [--enterprises 5000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_ms(fn, repeat: int) -> float:
    fn()  # warm caches (templates, query plans)
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=5000)
    parser.add_argument("--experts", type=int, default=3000)
    parser.add_argument("--achievements", type=int, default=3000)
    parser.add_argument("--patents", type=int, default=5000)
    parser.add_argument("--demands", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="duijie-bench-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DUIJIE_DATA_DIR"] = tmp
    # As `make demo`: the demo city administrator is exempt from the second factor only in a demo
    # deployment (otherwise every page would be the 2FA redirect, which is what this once timed).
    os.environ["DUIJIE_DEMO"] = "1"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    from duijie.accounts.models import User
    from duijie.core import crypto, selectors
    from duijie.core.registry import REGISTRY
    from duijie.demo.generator import Scale, generate

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"database: {engine}; scale: {args.enterprises} enterprises, {args.experts} experts, "
          f"{args.achievements} achievements, {args.patents} patents, {args.demands} demands")
    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    generate(seed=7, scale=Scale(enterprises=args.enterprises, experts=args.experts,
                                 achievements=args.achievements, patents=args.patents, demands=args.demands))
    print(f"demo generator: {time.perf_counter() - t:.1f} s")

    user = User.objects.get(username="admin")  # the demo city administrator (常州)
    client = Client()
    client.force_login(user)

    def checked(slug, rows):
        """Fail loudly unless the page and the API answer 200 with the rows the selector counts."""
        page = client.get(REGISTRY[slug].url())
        api = client.get(f"/api/{slug}/")
        if page.status_code != 200 or api.status_code != 200 or api.json().get("count") != rows:
            raise SystemExit(f"{slug}: not measuring the real thing (page {page.status_code}, API "
                             f"{api.status_code}, count {api.json().get('count') if api.status_code == 200 else '-'}"
                             f" vs {rows} rows)")

    print(f"\n{'registry':<20}{'rows':>8}{'baseline ms':>13}{'page ms':>10}{'ratio':>7}{'API ms':>9}{'ratio':>7}"
          f"{'search ms':>11}")
    for slug, rt in sorted(REGISTRY.items(), key=lambda kv: kv[1].order):
        if not selectors.may_list(user, rt):
            continue  # platform-administration tables: not this role's
        qs = selectors.record_list(record_type=rt, user=user)
        rows = qs.count()
        checked(slug, rows)
        columns = list(rt.list_columns)

        def baseline():
            # The rows of the first page with their joins, every list column read.
            for obj in qs[:25]:
                for c in columns:
                    getattr(obj, c, None)

        base = median_ms(baseline, args.repeat)
        page = median_ms(lambda: client.get(rt.url()), args.repeat)
        api = median_ms(lambda: client.get(f"/api/{slug}/"), args.repeat)
        search = median_ms(lambda: client.get(rt.url(), {"q": "材料"}), args.repeat)
        print(f"{slug:<20}{rows:>8}{base:>13.1f}{page:>10.1f}{page / base:>7.1f}{api:>9.1f}{api / base:>7.1f}"
              f"{search:>11.1f}")

    t = time.perf_counter()
    response = client.get("/r/enterprises/export.xlsx")
    elapsed = time.perf_counter() - t
    if response.status_code != 200 or len(response.content) < 10_000:
        raise SystemExit(f"export: not measuring the real thing (status {response.status_code}, "
                         f"{len(response.content)} bytes)")
    print(f"\nxlsx export of all {args.enterprises} enterprises: {elapsed:.2f} s "
          f"({args.enterprises / elapsed:.0f} rows/s, {len(response.content) / 1024:.0f} KiB)")

    n = 20000
    values = [f"139{i:08d}" for i in range(n)]
    t = time.perf_counter()
    tokens = [crypto.encrypt(v) for v in values]
    enc = (time.perf_counter() - t) / n * 1e6
    t = time.perf_counter()
    for tok in tokens:
        crypto.decrypt(tok)
    dec = (time.perf_counter() - t) / n * 1e6
    t = time.perf_counter()
    for v in values:
        crypto.blind_index(v)
    bidx = (time.perf_counter() - t) / n * 1e6
    # Baseline in the same process: AES-GCM (hardware-accelerated) on the same values.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aes = AESGCM(os.urandom(16))
    t = time.perf_counter()
    for v in values:
        aes.encrypt(os.urandom(12), v.encode(), b"duijie")
    aes_us = (time.perf_counter() - t) / n * 1e6
    print(f"personal data, per value: SM4-GCM encrypt {enc:.1f} µs, decrypt {dec:.1f} µs, blind index "
          f"{bidx:.1f} µs; AES-GCM baseline {aes_us:.1f} µs (SM4/AES = {enc / aes_us:.1f}×)")


if __name__ == "__main__":
    main()
