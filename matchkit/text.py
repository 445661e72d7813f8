"""Chinese text pipeline: normalise, segment, drop stopwords.

One :class:`Tokenizer` serves both the index and the queries, so BM25 sees the same segmentation
on both sides (rjieba and jieba disagree on ~16% of texts; mixing them would silently lose
matches).

- normalisation: NFKC (full width → half width), lower case for Latin, traditional → simplified
  with OpenCC's ``t2s`` table (offline; skipped with a warning flag if OpenCC is missing);
- segmentation: rjieba in search mode (a long dictionary word is emitted together with its
  dictionary sub-words, so "纤维复合材料" also matches a query for "复合材料");
- a domain dictionary: GB/T 4754-2017 industry names (``data/gbt4754.json``), a short
  list of technology terms (``data/tech_terms.txt``) and the records' own keywords;
- stopwords: ``data/stopwords.txt`` plus punctuation, single CJK characters and bare numbers.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any

import rjieba

_T2S: Any = None
try:  # OpenCC is a small, offline package; the pipeline still works without it.
    import opencc

    _T2S = opencc.OpenCC("t2s")
except Exception:  # pragma: no cover - depends on the environment
    _T2S = None

_SPLIT_NAME = re.compile(r"[、，,；;（）()\s]+|及|和|与|或")
_KEEP = re.compile(r"^(?:[\u4e00-\u9fff]{2,}|[a-z][a-z0-9\-\+\.]*|[a-z0-9]*[a-z][a-z0-9\-\+\.]*)$")


def normalize(text: str) -> str:
    """NFKC, traditional → simplified, lower-case Latin, collapsed whitespace."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    if _T2S is not None:
        text = _T2S.convert(text)
    return re.sub(r"\s+", " ", text.lower()).strip()


def _data_lines(name: str) -> list[str]:
    raw = resources.files("matchkit").joinpath("data", name).read_text(encoding="utf-8")
    return [ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=1)
def gbt4754() -> dict:
    """GB/T 4754-2017 names by code and the division → section map (``data/gbt4754.json``)."""
    raw = resources.files("matchkit").joinpath("data", "gbt4754.json").read_text(encoding="utf-8")
    return json.loads(raw)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(normalize(w) for w in _data_lines("stopwords.txt"))


@lru_cache(maxsize=1)
def base_dictionary() -> tuple[str, ...]:
    """Domain terms shipped with the package: GB/T 4754 names (and their parts) and tech terms."""
    terms: set[str] = set()
    for name in gbt4754()["names"].values():
        for part in [name, *_SPLIT_NAME.split(name)]:
            part = normalize(part)
            if 2 <= len(part) <= 10 and not part.startswith("其他"):
                terms.add(part)
    terms.update(normalize(t) for t in _data_lines("tech_terms.txt"))
    return tuple(sorted(terms))


_NUMBERISH = re.compile(r"^[0-9][0-9.,%]*[a-zμ°%]{0,3}$")


@lru_cache(maxsize=1)
def reason_excluded() -> frozenset[str]:
    """Words never shown as a shared-keyword reason (``data/reason_terms_excluded.txt``)."""
    return frozenset(normalize(w) for w in _data_lines("reason_terms_excluded.txt"))


@lru_cache(maxsize=1 << 16)
def shows_as_reason(term: str) -> bool:
    """Whether a shared token reads as a reason a person uses: two characters or more, not a number
    or a measurement (3.5mm), not a unit, a stopword or a generic word of the texts. Memoised: a
    pure function of the term (the word lists are fixed), asked for every shared term of every
    result of every search (a 推荐匹配 panel ranks ~360 results)."""
    t = normalize(term)
    return len(t) >= 2 and not _NUMBERISH.match(t) and t not in reason_excluded() and t not in stopwords()


class Tokenizer:
    """Segmenter with its own dictionary (a private rjieba instance: no global state)."""

    def __init__(self, extra_terms: Iterable[str] = ()) -> None:
        self._jieba = rjieba.Jieba()
        self._stop = stopwords()
        self.terms: set[str] = set()
        self.add_terms(base_dictionary())
        self.add_terms(extra_terms)

    def add_terms(self, terms: Iterable[str]) -> list[str]:
        """Add domain terms; returns those that were new (the index persists them)."""
        added = []
        for t in terms:
            t = normalize(t)
            if len(t) < 2 or len(t) > 20 or t in self.terms:
                continue
            self.terms.add(t)
            # A high frequency makes the segmenter keep the term whole; search mode still
            # emits its dictionary sub-words.
            self._jieba.add_word(t, 2000, None)
            added.append(t)
        return added

    def tokens(self, text: str, *, normalized: bool = False) -> list[str]:
        """Index/query tokens of ``text`` (order kept, repeats kept: BM25 counts them)."""
        if not normalized:
            text = normalize(text)
        out = []
        for tok in self._jieba.cut_for_search(text, True):
            tok = tok.strip()
            if tok and tok not in self._stop and _KEEP.match(tok):
                out.append(sys.intern(tok))  # one string object per distinct token: 100k records' lists share them
        return out
