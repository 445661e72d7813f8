"""The sample tables the import page offers: Annex 2 and Annex 3 of seed 001 in their printed layout,
generated from the seed's text (``scripts/make_annex_samples.py SEED``), never typed by hand.

The seed prints each table as blocks separated by blank lines, one block per table row, each cell a
line starting with a tab (a heading broken over lines continues on the lines without one).
"""

from __future__ import annotations

import re
from pathlib import Path

from duijie.imports.tables.export import Line, write_table
from duijie.imports.tables.layout import SPECS

DIR = Path(__file__).resolve().parent / "samples"
FILES = {"annex2": "annex2.xlsx", "annex3": "annex3-2017.xlsx"}  # stored as
NAMES = {"annex2": "附件2-部门、区镇对接清单和目标任务表.xlsx", "annex3": "附件3-2017年主要任务指标.xlsx"}  # downloaded as


def path(kind_name: str) -> Path:
    return DIR / FILES[kind_name]


def _section(text: str, start: str, stop: str | None) -> str:
    begin = text.index(f"\n{start}\n", text.index("附件1\n")) + len(start) + 2
    end = text.index(f"\n{stop}\n", begin) if stop else len(text)
    return text[begin:end]


def _blocks(section: str) -> tuple[str, list[list[str]]]:
    """(the title, the rows as lists of cells)."""
    lines = section.strip("\n").split("\n")
    title = lines[0].strip()
    rows: list[list[str]] = []
    cells: list[str] | None = None
    for line in lines[1:]:
        if not line.strip() and not line.startswith("\t"):
            cells = None
            continue
        if line.startswith("\t"):
            if cells is None:
                cells = []
                rows.append(cells)
            cells.append(line[1:].strip())
        elif cells:
            cells[-1] += "\n" + line.strip()
    return title, [r for r in rows if any(r)]


def _number(text: str):
    return int(text) if re.fullmatch(r"\d+", text) else text


def build(seed_text: str) -> dict[str, bytes]:
    """Both annexes as printed, from the seed's text."""
    out = {}
    title, rows = _blocks(_section(seed_text, "附件3", None).split("\n\t抄送")[0])
    head, body = rows[0], rows[1:]
    lines = [Line(owner=r[1], cells=[_number(c) for c in r[2:]]) for r in body if r[1] != "合计"]
    out["annex3"] = write_table(SPECS["annex3"], title, head[2:], lines, actual=False)
    title, rows = _blocks(_section(seed_text, "附件2", "附件3"))
    labels = rows[1][-4:]
    lines = []
    for r in rows[2:]:
        if r[0] == "总计":
            continue
        if len(r) == 5:  # the departments' row: prose merged over the four target columns
            lines.append(Line(owner=r[1], cells=[None] * 4, texts=r[2:4], in_totals=False, prose=r[4]))
        else:
            lines.append(Line(owner=r[1], cells=[_number(c) for c in r[4:]], texts=r[2:4]))
    out["annex2"] = write_table(SPECS["annex2"], title, labels, lines, actual=False)
    return out
