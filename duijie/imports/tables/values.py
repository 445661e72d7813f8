"""A target cell of an official table as printed: the number it sets and, when the cell says more
than a number, the whole text (``Target.text``).

"30" → (30, ""); "5（含省级以上重点实验室1个）" → (5, the text); "3.5亿元" → (3.5, the text);
"≥10" → (10, the text); "举办市级产学研对接活动10场" → (10, the text). The first number printed is
the target; a cell with no number is refused with the reason.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from duijie.imports.values import cell_text

NUMBER_RE = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
PLAIN_RE = re.compile(r"\s*\d+(?:,\d{3})*(?:\.\d+)?\s*")
MAX_TEXT = 200  # Target.text


def parse_target(raw) -> tuple[Decimal, str]:
    """(value, text) of a target cell; ValueError naming the cell's text when it sets no number."""
    if isinstance(raw, bool):
        raise ValueError(_("“%(value)s” is not a target: write a number, e.g. 30 or 5（含省级以上重点实验室1个）.")
                         % {"value": raw})
    if isinstance(raw, (int, float, Decimal)):
        value = Decimal(str(raw))
        if value < 0 or not value.is_finite():
            raise ValueError(_("“%(value)s” is not a target: a target is not negative.") % {"value": cell_text(raw)})
        return value.normalize() if value == value.to_integral_value() else value, ""
    text = str(raw).strip()
    folded = unicodedata.normalize("NFKC", text)
    found = NUMBER_RE.search(folded)
    if found is None:
        raise ValueError(_("“%(value)s” is not a target: it names no number (write e.g. 30 or "
                           "5（含省级以上重点实验室1个）).") % {"value": text})
    if found.start() > 0 and folded[found.start() - 1] == "-":
        raise ValueError(_("“%(value)s” is not a target: a target is not negative.") % {"value": text})
    try:
        value = Decimal(found.group().replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
        raise ValueError(_("“%(value)s” is not a number.") % {"value": text})
    if len(text) > MAX_TEXT:
        raise ValueError(_("“%(value)s…” is longer than %(n)d characters.") % {"value": text[:30], "n": MAX_TEXT})
    return value, "" if PLAIN_RE.fullmatch(folded) else text


def shown(value: Decimal | int | None) -> str:
    """A stored target or actual as the table prints it: 30, 3.5 (no trailing zeros)."""
    if value is None:
        return "—"
    d = Decimal(value)
    return f"{d.normalize():f}" if d != d.to_integral_value() else str(int(d))
