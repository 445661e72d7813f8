"""Imports sit at the top of a module (issue #12): an import inside a function hides a dependency from
the import contracts' readers and has hidden import circles before. One stays only with a reason, a
comment starting ``# deferred:`` on the line above it (covering the block of imports under it) or at
the end of its line: Django's app loading in ``AppConfig.ready``, a heavy optional library loaded when
its feature is used, code that runs in a process that sets Django up later.

Test modules are not checked (a test may import what only it needs); nor are ``bench/`` and
``scripts/``, which set Django up before importing the product."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = ("duijie", "matchkit", "config")
MARK = "# deferred:"

# Files being split into modules by other parts of issue #12 (events/services.py, imports/engine.py,
# demo/generator.py, matchkit/index.py): their in-function imports move to the top once the split is
# merged. Until then each may keep at most this many, and no more.
PENDING: dict[str, int] = {}


def undocumented(source: str) -> list[int]:
    """Line numbers of the imports inside functions of ``source`` that carry no ``# deferred:`` reason."""
    lines = source.splitlines()
    import_lines: set[int] = set()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            import_lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            if not isinstance(node, ast.Import | ast.ImportFrom) or MARK in lines[node.lineno - 1]:
                continue
            above = node.lineno - 1  # climb over the imports of the same block to the line above it
            while above in import_lines:
                above -= 1
            if above < 1 or not lines[above - 1].strip().startswith(MARK):
                found.append(node.lineno)
    return sorted(set(found))


def product_files():
    for top in CHECKED:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            yield path


def test_imports_inside_functions_say_why_they_are_deferred():
    problems, over = [], []
    for path in product_files():
        rel = path.relative_to(ROOT).as_posix()
        lines = undocumented(path.read_text(encoding="utf-8"))
        if rel in PENDING:
            if len(lines) > PENDING[rel]:
                over.append(f"{rel}: {len(lines)} imports inside functions (at most {PENDING[rel]} until it is split)")
            continue
        problems += [f"{rel}:{n}" for n in lines]
    assert not problems and not over, (
        "Move these imports to the module top, or give the reason in a '# deferred: …' comment above them:\n"
        + "\n".join(problems + over))


def test_the_check_sees_an_undocumented_import_and_accepts_a_documented_block():
    source = (
        "import os\n"
        "\n"
        "def a():\n"
        "    from json import dumps\n"
        "    return dumps\n"
        "\n"
        "def b():\n"
        "    # deferred: a heavy optional library\n"
        "    import csv\n"
        "    from decimal import (\n"
        "        Decimal,\n"
        "    )\n"
        "    import io  # deferred: the end of the line will do\n"
        "    return csv, Decimal, io\n"
        "\n"
        "def c():\n"
        "    x = 1  # deferred: not a comment above the import\n"
        "    import re\n"
        "    return x, re\n")
    assert undocumented(source) == [4, 18]
