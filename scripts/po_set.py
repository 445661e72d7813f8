"""Developer tool: set translations in the zh_Hans catalogue and clear their fuzzy flags.

usage: python scripts/po_set.py 'msgid=msgstr' ...   (then `make messages` compiles)
"""

import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "duijie/locale/zh_Hans/LC_MESSAGES/django.po"


def quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def main() -> None:
    text = PO.read_text(encoding="utf-8")
    blocks = text.split("\n\n")
    wanted = dict(arg.split("=", 1) for arg in sys.argv[1:])
    for i, block in enumerate(blocks):
        m = re.search(r'^msgid "(.*)"$', block, re.M)
        if not m or m.group(1) not in wanted:
            continue
        lines = [ln for ln in block.split("\n") if not ln.startswith("#| ") and ln != "#, fuzzy"]
        lines = [ln.replace("#, fuzzy, ", "#, ") for ln in lines]
        block = "\n".join(lines)
        block = re.sub(r'^msgstr ".*"$', f'msgstr "{quote(wanted.pop(m.group(1)))}"', block, flags=re.M)
        blocks[i] = block
    PO.write_text("\n\n".join(blocks), encoding="utf-8")
    if wanted:
        sys.exit(f"not found: {', '.join(wanted)}")


if __name__ == "__main__":
    main()
