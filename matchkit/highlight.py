"""Mark shared terms in an original (un-normalised) text.

Terms are found on the normalised text (NFKC, simplified, lower case); each original character is
normalised on its own so positions map back, and the marks wrap the original characters: a
full-width "ＰＬＣ" in the record is marked when the shared term is "plc".
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from matchkit.text import normalize

# one character at a time: the same few thousand characters come back in every text (a snippet of
# 120 characters called normalize 120 times)
_normalize_char = lru_cache(maxsize=1 << 14)(normalize)


def highlight(text: str, terms: Iterable[str], before: str = "【", after: str = "】") -> str:
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not text or not terms:
        return text
    norm_chars: list[str] = []
    origin: list[int] = []  # normalised char index → original char index
    for i, ch in enumerate(text):
        n = _normalize_char(ch) if not ch.isspace() else " "
        for c in n or " ":
            norm_chars.append(c)
            origin.append(i)
    norm = "".join(norm_chars)
    marked = [False] * len(text)
    starts: set[int] = set()
    ends: set[int] = set()
    for t in terms:
        pos = norm.find(t)
        while pos >= 0:
            a, b = origin[pos], origin[pos + len(t) - 1]
            if not any(marked[a:b + 1]):
                for j in range(a, b + 1):
                    marked[j] = True
                starts.add(a)
                ends.add(b)
            pos = norm.find(t, pos + len(t))
    out = []
    for i, ch in enumerate(text):
        if i in starts:
            out.append(before)
        out.append(ch)
        if i in ends:
            out.append(after)
    return "".join(out)
