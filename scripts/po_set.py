"""Developer tool: set translations in the zh_Hans catalogue and clear their fuzzy flags.

usage: python scripts/po_set.py 'msgid=msgstr' ...   (then `make messages` compiles)
Multi-line msgids are matched on their joined text.
"""

import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "duijie/locale/zh_Hans/LC_MESSAGES/django.po"
STRING = re.compile(r'^"(.*)"$')


def quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def unquote(text: str) -> str:
    return text.replace('\\"', '"').replace("\\\\", "\\")


def parse(block: str) -> tuple[str | None, int, int]:
    """(joined msgid, index of msgstr line, index after the msgstr's continuation lines)."""
    lines = block.split("\n")
    msgid, i = None, 0
    while i < len(lines):
        if lines[i].startswith("msgid "):
            parts = [lines[i][7:-1]]
            i += 1
            while i < len(lines) and STRING.match(lines[i]):
                parts.append(lines[i][1:-1])
                i += 1
            msgid = unquote("".join(parts))
            continue
        if lines[i].startswith("msgstr ") and msgid is not None:
            end = i + 1
            while end < len(lines) and STRING.match(lines[end]):
                end += 1
            return msgid, i, end
        i += 1
    return None, -1, -1


def main() -> None:
    blocks = PO.read_text(encoding="utf-8").split("\n\n")
    wanted = dict(arg.split("=", 1) for arg in sys.argv[1:])
    for n, block in enumerate(blocks):
        msgid, start, end = parse(block)
        if msgid is None or msgid not in wanted:
            continue
        lines = block.split("\n")
        lines[start:end] = [f'msgstr "{quote(wanted.pop(msgid))}"']
        lines = [ln for ln in lines if not ln.startswith("#| ") and ln != "#, fuzzy"]
        blocks[n] = "\n".join(ln.replace("#, fuzzy, ", "#, ") for ln in lines)
    PO.write_text("\n\n".join(blocks), encoding="utf-8")
    if wanted:
        sys.exit(f"not found: {', '.join(wanted)}")


if __name__ == "__main__":
    main()
