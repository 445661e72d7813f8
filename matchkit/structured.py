"""Structured signals: pure functions comparing one field of a query and a record.

Each returns ``(strength in [0, 1], short Chinese reason)`` or ``None`` when nothing matches or a
side lacks the field. The index multiplies the strength by the signal's weight (small, bounded),
so structure re-orders close candidates but never drowns the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from matchkit.text import gbt4754
from matchkit.text import normalize as _normalize

# Field values repeat across records and queries; OpenCC per call would dominate a search.
normalize = lru_cache(maxsize=1 << 16)(_normalize)
Signal = tuple[float, str] | None

_SPLIT = re.compile(r"[,，;；/、|]+")


def _industry_parts(code: str) -> tuple[str, str]:
    """'C3411' / '3411' / 'C' → (section letter, digits)."""
    code = normalize(code).upper().replace(" ", "")
    m = re.fullmatch(r"([A-T]?)(\d{0,4})", code)
    if not m:
        return "", ""
    letter, digits = m.groups()
    if digits and not letter:
        letter = gbt4754()["division_to_section"].get(digits[:2], "")
    return letter, digits


def _industry_name(code: str) -> str:
    return gbt4754()["names"].get(code, "")


def industry(q: str | None, d: str | None) -> Signal:
    """GB/T 4754 hierarchy distance: same class > same group > same division > same section."""
    if not q or not d:
        return None
    (qs, qd), (ds, dd) = _industry_parts(q), _industry_parts(d)
    for n, strength, level in ((4, 1.0, "小类"), (3, 0.7, "中类"), (2, 0.45, "大类")):
        if len(qd) >= n and len(dd) >= n and qd[:n] == dd[:n]:
            code = qd[:n]
            return strength, f"同属行业{level}{code} {_industry_name(code)}".strip()
    if qs and qs == ds:
        return 0.2, f"同属行业门类{qs} {_industry_name(qs)}".strip()
    return None


def _items(value: str | Sequence[str] | None) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        value = _SPLIT.split(value)
    return [v for v in (normalize(x) for x in value) if v]


def field(q: str | Sequence[str] | None, d: str | Sequence[str] | None) -> Signal:
    """Technology/achievement field: any shared item (published fields are comma-joined paths)."""
    qi, di = _items(q), _items(d)
    if not qi or not di:
        return None
    dset = set(di)
    shared = [x for x in dict.fromkeys(qi) if x in dset]
    if not shared:
        return None
    return 1.0, "技术领域相同：" + "、".join(shared[:2])


def region(q: str | None, d: str | None) -> Signal:
    """Region proximity: NBS code prefixes (2/4/6/9 digits) or '省 / 市 / 区县' name paths."""
    if not q or not d:
        return None
    qn, dn = normalize(q).replace(" ", ""), normalize(d).replace(" ", "")
    if qn.isdigit() and dn.isdigit():
        for n, strength, label in ((9, 1.0, "同一乡镇/园区"), (6, 0.8, "同一区县"), (4, 0.5, "同一城市"),
                                   (2, 0.2, "同省")):
            if len(qn) >= n and len(dn) >= n and qn[:n] == dn[:n]:
                return strength, f"{label}（{qn[:n]}）"
        return None
    qp, dp = [p for p in qn.split("/") if p], [p for p in dn.split("/") if p]
    common = 0
    for a, b in zip(qp, dp, strict=False):
        if a != b:
            break
        common += 1
    if not common:
        return None
    strength, label = {1: (0.2, "同省"), 2: (0.5, "同一城市"), 3: (0.8, "同一区县")}.get(common, (1.0, "同一乡镇/园区"))
    return strength, f"{label}（{qp[common - 1]}）"


def ipc(q: Sequence[str] | None, d: Sequence[str] | None) -> Signal:
    """IPC: a shared subclass (e.g. H01M) beats a shared class (H01)."""
    qi = {normalize(x).upper().replace(" ", "") for x in (q or []) if x}
    di = {normalize(x).upper().replace(" ", "") for x in (d or []) if x}
    if not qi or not di:
        return None
    sub = sorted({x[:4] for x in qi if len(x) >= 4} & {x[:4] for x in di if len(x) >= 4})
    if sub:
        return 1.0, "IPC同一小类：" + "、".join(sub[:3])
    cls = sorted({x[:3] for x in qi if len(x) >= 3} & {x[:3] for x in di if len(x) >= 3})
    if cls:
        return 0.5, "IPC同一大类：" + "、".join(cls[:3])
    return None


def institution(q: str | None, d: str | None) -> Signal:
    """Same institution (e.g. a local university the query names)."""
    if not q or not d:
        return None
    if normalize(q) == normalize(d):
        return 1.0, f"同一单位：{d.strip()}"
    return None


SIGNALS: dict[str, Callable[..., Signal]] = {
    "industry": industry,
    "field": field,
    "region": region,
    "ipc": ipc,
    "institution": institution,
}
