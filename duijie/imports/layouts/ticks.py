"""Printed option lists (“□电子信息；□能源环保；…□其他____”) read back however the filler ticked them.

Accepted: the □ replaced by a mark (☑ ■ √ ✓ ✔ ☒ × ⊠ ● …), a mark before or after the □ or after the
option, the chosen option left alone with the others deleted, the □ of the chosen option deleted while
the others keep theirs, a bold / highlighted option (Word), and text written after “其他” with nothing
else ticked. The caller decides what zero or several ticks mean.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

EMPTY_BOXES = "□☐▢"
MARKS = "☑☒■√✓✔✅×✗✘✕⊠⊗●◉⊙▣◼⬛▪❎☀★"
BOXES = EMPTY_BOXES + "☑☒■⊠▣◼⬛"
SEPARATORS = re.compile(r"[;,、。\s]+")


@dataclass
class Ticked:
    ticked: list[str] = field(default_factory=list)  # options in printed order
    other_text: str = ""  # what was written after “其他”
    found: list[str] = field(default_factory=list)  # options present in the text


def _fold(text: str) -> str:
    """One character for one character (positions stay valid): full-width forms and spaces folded."""
    out = []
    for ch in text:
        n = unicodedata.normalize("NFKC", ch)
        out.append(n if len(n) == 1 else ch)
    return "".join(out)


def _marked(segment: str) -> bool:
    return any(ch in MARKS for ch in segment)


def _split_between(mid: str, prefix_style: bool) -> tuple[str, str]:
    """Text between two options → (suffix of the first, prefix of the second)."""
    seps = list(SEPARATORS.finditer(mid))
    if seps:
        last = seps[-1]
        return mid[:last.start()], mid[last.end():]
    for i, ch in enumerate(mid):
        if ch in BOXES:
            return mid[:i], mid[i:]
    return ("", mid) if prefix_style else (mid, "")


def parse(text: str, options: list[str], other: str = "其他", emphasised: set[int] | None = None) -> Ticked:
    original = text or ""
    text = _fold(original)  # same length: positions index both
    # Every option, allowing line breaks inside it; longer options win (小批量生产阶段 over 批量生产阶段).
    hits = []
    for opt in options:
        pattern = re.compile(r"\s*".join(map(re.escape, opt)))
        hits.extend((m.start(), m.end(), opt) for m in pattern.finditer(text))
    hits.sort(key=lambda h: (-len(h[2]), h[0]))
    taken: list[tuple[int, int, str]] = []
    for h in hits:
        if all(h[1] <= t[0] or h[0] >= t[1] for t in taken):
            taken.append(h)
    taken.sort()
    firsts: list[tuple[int, int, str]] = []
    other_at = None
    for start, end, opt in taken:
        if other_at is not None and not _boxed(text, start):
            break  # whatever follows “其他” is its text — unless it is another boxed option (“□其他；■新材料”)
        if opt in {f[2] for f in firsts}:
            continue
        firsts.append((start, end, opt))
        if opt == other:
            other_at = len(firsts) - 1
    result = Ticked(found=[f[2] for f in firsts])
    if not firsts:
        return result
    lead = text[:firsts[0][0]]
    prefix_style = bool(SEPARATORS.sub("", lead))
    prefixes = [lead] + [""] * (len(firsts) - 1)
    suffixes = [""] * len(firsts)
    for i in range(len(firsts) - 1):
        suffixes[i], prefixes[i + 1] = _split_between(text[firsts[i][1]:firsts[i + 1][0]], prefix_style)
    tail = text[firsts[-1][1]:]
    if other_at is not None and other_at < len(firsts) - 1:
        # “其他” printed before other options: its text is what stands between it and the next box.
        between = suffixes[other_at]
        m = re.match(rf"^[\s{re.escape(MARKS)}_＿:：]*", between)
        written = between[m.end():]
        other_text = re.sub(rf"[\s{re.escape(MARKS)}{re.escape(EMPTY_BOXES)}_＿;；,，、。]+$", "", written).strip()
        result.other_text = other_text if re.search(r"\w", other_text) else ""
        suffixes[other_at] = m.group(0)
        suffixes[-1] = tail
    elif other_at is not None:
        # What follows the last option “其他” is its text, after the marks and separators in front
        # of it (“□其他；■人工智能”: the ■ ticks 其他, its text is 人工智能).
        m = re.match(rf"^[\s{re.escape(MARKS)}_＿:：;；,，、]*", tail)
        suffixes[-1] = m.group(0)
        rest = tail[m.end():]
        m2 = re.search(rf"[\s{re.escape(MARKS)}_＿]*$", rest)
        suffixes[-1] += m2.group(0)
        start = len(tail) - len(rest) + firsts[-1][1]
        other_text = original[start:start + m2.start()].strip().rstrip(";；,，、。")
        result.other_text = other_text if re.search(r"\w", other_text) else ""
    else:
        suffixes[-1] = tail
    ticked = [f[2] for i, f in enumerate(firsts) if _marked(prefixes[i]) or _marked(suffixes[i])]
    if not ticked:
        ticked = _untouched_choice(firsts, prefixes, options, emphasised, result.other_text, other)
    order = {opt: i for i, opt in enumerate(options)}
    result.ticked = sorted(ticked, key=order.__getitem__)
    return result


def _boxed(text: str, start: int) -> bool:
    """An option written with its own box or mark in front (“■新材料”, “□ 新材料”)."""
    before = text[:start].rstrip()
    return bool(before) and (before[-1] in BOXES or before[-1] in MARKS)


def _untouched_choice(firsts, prefixes, options, emphasised, other_text, other) -> list[str]:
    """No mark anywhere: the one option left (others deleted), the one whose □ was deleted, the one
    bold or highlighted, or “其他” when only its text was written."""
    if len(firsts) == 1 and len(options) > 1:
        return [firsts[0][2]]
    boxed = [any(ch in EMPTY_BOXES for ch in p) for p in prefixes]
    if sum(boxed) == len(firsts) - 1 and len(firsts) > 1:
        return [firsts[boxed.index(False)][2]]
    if emphasised:
        strong = [f[2] for f in firsts if all(i in emphasised for i in range(f[0], f[1]))]
        if len(strong) == 1:
            return strong
    if other_text and any(f[2] == other for f in firsts):
        return [other]
    return []
