"""Import benchmark: a generated N-row enterprise xlsx, dry run then commit (then a re-import).

Builds a fresh database (SQLite in a temp dir by default; BENCH_DATABASE_URL=postgres://… for
PostgreSQL), writes the file, and prints for each step its wall-clock seconds, the process's CPU
seconds (on a shared machine the steadier figure; the database server's own work is not in it),
the engine's phases (read, plan, write) and peak memory (ru_maxrss: the whole process;
--tracemalloc adds Python's own allocation peak). Target (issue 4): 100,000 rows ≤ 60 s, ≤ 1 GiB.
Usage: .venv/bin/python bench/imports.py [--rows 10000] [--file /tmp/bench-100k.xlsx] [--tracemalloc]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_file(rows: int) -> bytes:
    from openpyxl import Workbook

    from duijie.core.tests.factories import uscc

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("企业")
    ws.append(["2026年企业名录"])
    ws.append(["统一社会信用代码", "企业名称", "法定代表人", "成立日期", "注册资本（万元）", "所属行业", "地址",
               "主要产品", "联系人", "联系电话", "地区", "可见范围"])
    for i in range(rows):
        ws.append([uscc(n=i + 1), f"常州基准{i}科技有限公司", "王明", f"2015/{i % 12 + 1}/{i % 28 + 1}",
                   (i % 5000) + 100, "C3841", f"常州市武进区常武中路{i % 400}号", "锂电池隔膜、涂覆材料", "李华",
                   f"138{i:08d}", "320412", "平台用户可见"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


TRACE = False


def measure(label: str, fn):
    if TRACE:
        tracemalloc.start()
    t, cpu = time.perf_counter(), time.process_time()
    value = fn()
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    traced = ""
    if TRACE:
        traced = f"   peak Python {tracemalloc.get_traced_memory()[1] / 1048576:8.1f} MiB"
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{label:<24} {seconds:8.2f} s (CPU {cpu:6.2f} s)   process peak RSS {rss:8.1f} MiB{traced}", flush=True)
    return value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--file", type=Path, help="keep the generated xlsx here and reuse it next time")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also trace Python allocations (slows everything down two- to three-fold)")
    args = parser.parse_args()
    global TRACE
    TRACE = args.tracemalloc

    tmp = tempfile.mkdtemp(prefix="duijie-bench-imports-")
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DUIJIE_DATA_DIR"] = tmp
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from duijie.imports import engine
    from duijie.imports.kinds import KINDS
    from duijie.imports.services import operator_user

    user = operator_user()
    kind = KINDS["enterprise"]
    print(f"database: {connection.vendor}; rows: {args.rows}")
    if args.file and args.file.exists():
        data = args.file.read_bytes()
    else:
        data = measure("write the xlsx", lambda: make_file(args.rows))
        if args.file:
            args.file.write_bytes(data)
    print(f"file size: {len(data) / 1048576:.1f} MiB")
    for label, commit in (("dry run", False), ("commit", True), ("re-import (unchanged)", True)):
        result = measure(label, lambda c=commit: engine.run(kind, data, "bench.xlsx", user, commit=c))
        print("   ", json.dumps(result.counts), "committed" if result.committed else "",
              "  (" + ", ".join(f"{k} {v:.1f} s" for k, v in getattr(result, "timings", {}).items()) + ")")
        assert not result.file_errors, result.file_errors


if __name__ == "__main__":
    main()
