"""Structured signals: pure functions comparing one field of a query and a record.

Each returns ``(strength in [0, 1], short Chinese reason)`` or ``None`` when nothing matches or a
side lacks the field. :mod:`matchkit.signals` declares which of them the index runs, with their weights. The index multiplies the strength by the signal's weight (small, bounded),
so structure re-orders close candidates but never drowns the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from matchkit import crosswalk as cw
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


# Maturity scale shared by Annex-1 stages (研制/试生产/小批量/批量生产阶段) and common synonyms.
STAGE_LEVEL = {
    "实验室阶段": 1, "研发阶段": 1, "研制阶段": 1, "小试": 1, "小试阶段": 1, "概念验证": 1,
    "中试": 2, "中试阶段": 2, "试生产阶段": 2, "样机": 2, "样品": 2,
    "小批量生产阶段": 3, "小批量": 3, "试产": 3,
    "批量生产阶段": 4, "批量生产": 4, "产业化": 4, "产业化阶段": 4, "成熟应用": 4,
}


def stage_level(value: str | None) -> int | None:
    if not value:
        return None
    v = normalize(value).replace(" ", "")
    if v.isdigit():
        return max(1, min(4, int(v)))
    return STAGE_LEVEL.get(v)


def stage(q: str | None, d: str | None) -> Signal:
    """Stage/maturity fit: the query names the maturity it needs (e.g. 中试, 批量生产阶段); a record at
    or past it fits fully, one step short fits partly; less mature gets nothing."""
    ql, dl = stage_level(q), stage_level(d)
    if ql is None or dl is None:
        return None
    if dl >= ql:
        return 1.0, f"成熟度符合（{d}）"
    if dl == ql - 1:
        return 0.4, f"成熟度略低于要求（{d}）"
    return None


# Enterprise tiers (seed 004: 科技型中小企业 → 高新技术企业 → 专精特新/小巨人 → 瞪羚 → 独角兽),
# in the order of the tier ladder the platform ships (duijie/orgs/migrations/0007_tier_ladder_data.py, where
# the order is data with its source); keys are names or the choice values.
TIER_LEVEL = {
    "科技型中小企业": 1, "tech_sme": 1, "高新技术企业": 2, "high_tech": 2, "专精特新": 3, "srdi": 3,
    "专精特新小巨人": 3, "小巨人": 3, "little_giant": 3, "科技型上市培育": 3, "listing_cultivation": 3,
    "瞪羚": 4, "瞪羚企业": 4, "gazelle": 4, "创新型领军企业": 4, "innovation_leader": 4,
    "潜在独角兽": 5, "potential_unicorn": 5, "独角兽": 5, "unicorn": 5,
}


def tier_level(value: str | None) -> int | None:
    if not value:
        return None
    v = normalize(str(value)).replace(" ", "")
    if v.isdigit():
        return int(v)
    return max((TIER_LEVEL[x] for x in _items(v) if x in TIER_LEVEL), default=None)


def tier(q: str | None, d: str | None) -> Signal:
    """Enterprise tier: the query asks for at least a tier (e.g. 高新技术企业); records at or above fit."""
    ql, dl = tier_level(q), tier_level(d)
    if ql is None or dl is None or dl < ql:
        return None
    return 1.0, f"企业层级符合（{d}）"


def cooperation(q, d) -> Signal:
    """Past cooperation: the record lists the query (its id or its organisation) among its partners, or
    the query lists the record."""
    hit = False
    if d.partners:
        # each side's partners normalised once (per query, per record), not once per comparison
        d_partners = _normalised_set(tuple(d.partners))
        hit = any(normalize(x) in d_partners for x in (q.id, getattr(q, "org", None)) if x)
    q_partners = getattr(q, "partners", None)
    if not hit and q_partners:
        hit = normalize(d.id) in _normalised_set(tuple(q_partners))
    return (1.0, "曾有合作") if hit else None


@lru_cache(maxsize=1 << 13)
def _normalised_set(values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(normalize(x) for x in values)


LOAD_CAP = 5.0


def load(q, d) -> Signal:
    """An expert's current load (open pairings/engagements): lowers rank, up to ``LOAD_CAP`` items."""
    n = d.load
    if n is None or n <= 0:
        return None
    return -min(float(n), LOAD_CAP) / LOAD_CAP, f"当前对接任务较多（{n:g}项），排序下调"


def crosswalk(q, d) -> Signal:
    """Like with like across taxonomies: GB/T 4754 divisions and Annex-1 fields derived from each side's
    industry code, IPC codes, field names, NSFC discipline and park tracks (:mod:`matchkit.crosswalk`).
    Fires only when the direct industry/field/IPC signals found nothing."""
    if industry(q.industry, d.industry) or field(q.field, d.field) or ipc(q.ipc, d.ipc):
        return None
    qp = cw.profile(q.industry, q.ipc, q.field, getattr(q, "discipline", None), getattr(q, "tracks", None))
    if not qp.divisions and not qp.fields:
        return None
    dp = cw.profile(d.industry, d.ipc, d.field, d.discipline, d.tracks)
    divs = sorted(qp.divisions & dp.divisions)
    if divs:
        return 0.7, f"行业对应：{divs[0]} {cw.division_name(divs[0])}".strip()
    fields = sorted(qp.fields & dp.fields)
    if fields:
        return 0.4, "领域对应：" + "、".join(fields[:2])
    return None
