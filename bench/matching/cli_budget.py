"""The command-line contract's budget (issue 5): a corpus of 15,000 short records and 1,000 queries
ranked by `duijie-match rank --method hybrid` within 20 minutes on 2 cores, model encoding included.

Writes CORPUS.jsonl / QUERIES.jsonl made of real public text (the labelled set's demands, see
README.md): each record is a real demand title cut to 8–30 characters plus its opening and one real
sentence of another demand, ≤ 120 characters in all ("short records"); each query is a real title plus
a real opening. Then runs the CLI as a user would (a separate process, `python -m matchkit.cli`) and
prints wall-clock seconds, the CLI's own phase timings, rows written and the ratio to the budget.

Usage: .venv/bin/python bench/matching/cli_budget.py [--records 15000] [--queries 1000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DATA = Path(__file__).resolve().parent / "data"
BUDGET_S = 20 * 60


def make(records: int, queries: int, out: Path) -> tuple[Path, Path]:
    rng = random.Random(5)
    real = [json.loads(x) for x in (DATA / "corpus.jsonl").read_text(encoding="utf-8").splitlines() if x]
    sentences = [s for r in real for s in re.split(r"(?<=[。；！？])", r.get("text") or "") if len(s) > 8]
    kinds = ["expert", "achievement", "patent", "enterprise", "demand"]
    corpus, qs = out / "corpus.jsonl", out / "queries.jsonl"
    with corpus.open("w", encoding="utf-8") as fh:
        for i in range(records):
            a = rng.choice(real)
            text = ((a.get("text") or "")[:60] + rng.choice(sentences))[:120 - 30]
            fh.write(json.dumps({"id": f"R{i:05d}", "kind": rng.choice(kinds),
                                 "title": (a.get("title") or "")[: rng.randint(8, 30)], "text": text,
                                 "region": a.get("region")}, ensure_ascii=False) + "\n")
    with qs.open("w", encoding="utf-8") as fh:
        for i in range(queries):
            a = rng.choice(real)
            fh.write(json.dumps({"id": f"Q{i:04d}", "title": a.get("title") or "",
                                 "text": (a.get("text") or "")[:100]}, ensure_ascii=False) + "\n")
    return corpus, qs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=15_000)
    ap.add_argument("--queries", type=int, default=1_000)
    ap.add_argument("--keep", type=Path, help="write the files (and RUN.tsv) here instead of a temp dir")
    args = ap.parse_args()
    out = args.keep or Path(tempfile.mkdtemp(prefix="duijie-cli-budget-"))
    out.mkdir(parents=True, exist_ok=True)
    corpus, qs = make(args.records, args.queries, out)
    run = out / "run.tsv"
    cmd = [sys.executable, "-m", "matchkit.cli", "rank", "--corpus", str(corpus), "--queries", str(qs),
           "--out", str(run), "--top", "100", "--method", "hybrid"]
    print(f"{args.records} records, {args.queries} queries; running: duijie-match rank … --method hybrid", flush=True)
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    sys.stdout.write(proc.stderr[-2000:])
    if proc.returncode:
        sys.exit(f"the CLI failed ({proc.returncode})")
    lines = run.read_text(encoding="utf-8").count("\n")
    per_query = {x.split("\t")[0] for x in run.read_text(encoding="utf-8").splitlines()}
    print(f"wall clock {seconds:.1f} s = {seconds / BUDGET_S:.2f} × the 20-minute budget; "
          f"{lines} rows for {len(per_query)} queries")


if __name__ == "__main__":
    main()
