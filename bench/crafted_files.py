"""Crafted upload files through the guarded parse (duijie/imports/guard.py): each is refused, and what
it cost is printed beside normal files as a baseline.

For every file: its size, how long the guard took, where it was stopped (the checks in the calling
process, or the limited child process) and the peak memory — of the child (VmHWM, sampled while it
runs, so a child killed by its limit still has a figure) when one ran, else the growth of this
process's peak RSS. Normal files (2,000 and 100,000 enterprise rows, as bench/imports.py writes them)
are read through the guard and directly, so the guard's overhead is printed too.

Exits non-zero (and says which) if a crafted file was NOT refused, if a refusal does not carry its
expected message, or if a normal file was refused or read differently through the guard.

Usage: .venv/bin/python bench/crafted_files.py [--rows 2000 100000] [--file-dir /tmp]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="*", default=[2000, 100000])
    parser.add_argument("--file-dir", type=Path, default=Path("/tmp"),
                        help="keep the generated normal files here and reuse them next time")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.utils import translation
    from imports import make_file

    from duijie.imports import guard, readers
    from duijie.imports.kinds import KINDS
    from duijie.imports.tests.crafted import CRAFTED, dense_far_cell

    translation.activate("zh-hans")
    lim = guard.limits()
    print(f"limits: unpacked {lim.unpacked_bytes / 2**20:.0f} MB, ratio {lim.ratio}, parts {lim.members}, "
          f"rows {lim.rows:,}, columns {lim.columns}, cells {lim.cells:,}, child memory {lim.memory_mb} MB, "
          f"{lim.seconds} s")
    guard.probe("allocate", 1)  # start the fork server (Django set up once) outside the figures
    print(f"{'file':<22}{'size':>12}{'guard s':>10}  {'stopped in':<11}{'peak MB':>9}  outcome")
    failures = []

    def run(label: str, data: bytes, kind: str, name: str) -> tuple[object, guard.ChildStats, float, float]:
        stats = guard.ChildStats()
        before = rss_mb()
        clock = time.perf_counter()
        try:
            out = guard.read(KINDS[kind], data, name, stats=stats)
        except readers.FileProblem as exc:
            out = exc
        return out, stats, time.perf_counter() - clock, rss_mb() - before

    def show(label, data, seconds, stats, grown, outcome):
        where = "child" if stats.exitcode is not None else "checks"
        peak = f"{stats.peak_rss_mb:9.1f}" if where == "child" else f"{grown:+9.1f}"
        print(f"{label:<22}{len(data):>12,}{seconds:>10.3f}  {where:<11}{peak}  {outcome}", flush=True)

    for key, (name, build, kind, phrase) in CRAFTED.items():
        data = build()
        out, stats, seconds, grown = run(key, data, kind, name)
        refused = isinstance(out, readers.FileProblem)
        show(key, data, seconds, stats, grown, str(out)[:90] if refused else "NOT REFUSED")
        if not refused:
            failures.append(f"{key}: NOT refused")
        elif phrase not in str(out):
            failures.append(f"{key}: refused without “{phrase}”: {out}")

    # The memory limit itself: a file that passes the checks once the cell limit is raised, and needs
    # 640 MB in calamine under a 256 MB budget.
    settings.DUIJIE_IMPORT_MAX_CELLS, settings.DUIJIE_IMPORT_PARSE_MEMORY_MB = 50_000_000, 256
    data = dense_far_cell()
    out, stats, seconds, grown = run("dense_far_cell", data, "enterprise", "远.xlsx")
    refused = isinstance(out, readers.FileProblem)
    show("dense_far_cell*", data, seconds, stats, grown,
         (f"exit {stats.exitcode}: " + str(out)[:70]) if refused else "NOT REFUSED")
    if not refused or stats.exitcode is None or "256 MB" not in str(out):
        failures.append(f"dense_far_cell: not stopped by the child's memory limit: {out}")
    print("  * with DUIJIE_IMPORT_MAX_CELLS=50,000,000 and DUIJIE_IMPORT_PARSE_MEMORY_MB=256: the child's limit")
    settings.DUIJIE_IMPORT_MAX_CELLS, settings.DUIJIE_IMPORT_PARSE_MEMORY_MB = lim.cells, lim.memory_mb

    print("\nnormal files: guarded (checks + child) vs direct (readers.read in this process)")
    for rows in args.rows:
        path = args.file_dir / f"bench-crafted-baseline-{rows}.xlsx"
        if not path.exists():
            path.write_bytes(make_file(rows))
        data = path.read_bytes()
        clock = time.perf_counter()
        guard.inspect(data, "企业.xlsx")
        checks = time.perf_counter() - clock
        out, stats, seconds, grown = run(f"{rows} rows", data, "enterprise", "企业.xlsx")
        clock = time.perf_counter()
        direct = readers.read(data, "企业.xlsx")
        plain = time.perf_counter() - clock
        ok = not isinstance(out, readers.FileProblem) and out.rows == direct.rows
        show(f"normal {rows:,} rows", data, seconds, stats, grown,
             f"{len(direct.rows):,} rows read; direct {plain:.3f} s, overhead {seconds - plain:+.3f} s "
             f"(checks {checks:.3f} s){'' if ok else '  DIFFERENT/REFUSED'}")
        if not ok:
            failures.append(f"normal {rows}: {'refused: ' + str(out) if isinstance(out, Exception) else 'rows differ'}")
    print(f"\nthis process's peak RSS: {rss_mb():.1f} MiB (pid {os.getpid()}, alive)")
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures))
        return 1
    print("every crafted file was refused; normal files read the same through the guard")
    return 0


if __name__ == "__main__":
    sys.exit(main())
