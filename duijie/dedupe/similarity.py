"""Finding likely duplicate records: name keys, blocking and scored candidate pairs.

Plain Python over plain tuples (no database access), so the benchmark can time it on 100k generated
enterprises. Name folding reuses the import key (``duijie.imports.values.fold_key``: NFKC full/half
width, traditional → simplified via OpenCC, bracket shapes, spaces, case); on top of that this module
splits off a trailing branch suffix (（常州分公司）) and the legal form (有限公司 / 有限责任公司 /
股份有限公司 …), which a person comparing two names would also look past.

Blocking: a pair is only compared when the two names share a block key (see ``_blocks``: the first
two characters of the name core — the name without the leading region names and the legal form —
or the core with its first or second character left out); equal names and equal cores always meet.
A typo that substitutes one character therefore always leaves a key in common; a region written
differently (常州市X / 常州X) leaves the core equal. Within a block, rapidfuzz's vectorised ``cdist``
keeps pairs at most one edit apart (two for long cores); blocks larger than ``MAX_BLOCK`` are
compared in chunks, never skipped. A typo in the region part itself (常州市新坛X for 金坛) is not
found. Reasons are Chinese, for the reviewer.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from duijie.imports.values import fold_key

# Longest first: "股份有限公司" must win over "有限公司".
LEGAL_FORMS = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "有限合伙", "合伙企业", "个人独资企业")
_FORM_CANON = {"有限责任公司": "有限公司"}  # the same legal form, two spellings
_BRANCH_WORDS = "分公司|分厂|分店|办事处|分部|分中心|营业部|经营部|分所"
_BRANCH_BRACKET_RE = re.compile(rf"\(([^()]*(?:{_BRANCH_WORDS}))\)$")
_BRANCH_TAIL_RE = re.compile(rf"(?<=公司)([^()公司]{{1,12}}(?:{_BRANCH_WORDS}))$")
# (provinces, cities, districts), full names; the bare forms (江苏, 常州) are derived.
DEFAULT_REGION_PREFIXES = (("江苏省",), ("常州市", "苏州市", "昆山市", "溧阳市"),
                           ("武进区", "新北区", "天宁区", "钟楼区", "金坛区", "溧阳市", "昆山市"))
_SUFFIXES = ("自治区", "省", "市", "区", "县")


def _bare(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@lru_cache(maxsize=64)
def _forms(names: tuple[str, ...], bare_too: bool) -> dict[str, tuple[str, ...]]:
    """Region name forms by first character, longest first (thousands of districts: no scan)."""
    by_first: dict[str, list[str]] = defaultdict(list)
    for form in sorted({*names, *(_bare(n) for n in names if bare_too)}, key=len, reverse=True):
        by_first[form[:1]].append(form)
    return {k: tuple(v) for k, v in by_first.items()}


def _strip(text: str, names: Sequence[str], bare_too: bool) -> tuple[str, bool]:
    for form in _forms(tuple(names), bare_too).get(text[:1], ()):
        if text.startswith(form) and len(text) - len(form) >= 2:
            return text[len(form):], True
    return text, False


MAX_BLOCK = 3000
SMALL_BLOCK = 12


@dataclass(frozen=True)
class NameKey:
    folded: str  # fold_key of the whole name
    base: str  # folded, branch suffix removed, legal form canonical: what names are compared on
    core: str  # base without leading region names and legal form: what blocks are built on
    form: str  # the legal form as written (folded), "" if none
    branch: str  # the branch suffix ("常州分公司"), "" if none
    region: str = ""  # the region names stripped off the front, suffixes dropped ("常州武进")


def name_key(name: str, region_prefixes=DEFAULT_REGION_PREFIXES) -> NameKey:
    folded = fold_key(name or "")
    text, branch = folded, ""
    m = _BRANCH_BRACKET_RE.search(text) or _BRANCH_TAIL_RE.search(text)
    if m:
        branch, text = m.group(1), text[: m.start()]
    form = next((f for f in LEGAL_FORMS if text.endswith(f)), "")
    stem = text[: len(text) - len(form)] if form else text
    base = stem + _FORM_CANON.get(form, form)
    provinces, cities, districts = region_prefixes
    core, _ = _strip(stem, provinces, bare_too=True)
    core, city = _strip(core, cities, bare_too=True)
    # A bare district name (武进) is only a region right after a city (常州市武进X); alone it may be
    # the trade name itself (天宁精密).
    core, _ = _strip(core, districts, bare_too=city)
    core = re.sub(r"^\((.*?)\)", r"\1", core)  # a region in brackets at the front
    region = re.sub("省|市|区|县", "", stem[: len(stem) - len(core)]) if core else ""
    return NameKey(folded=folded, base=base, core=core or stem, form=form, branch=branch, region=region)


@dataclass
class Candidate:
    kind: str
    a: int  # the lower id
    b: int
    score: int  # 0–100
    reasons: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.kind, self.a, self.b)


@dataclass(frozen=True)
class EnterpriseRow:
    id: int
    name: str
    uscc: str = ""
    region: str = ""  # region code
    legal_representative: str = ""
    phone_hash: str = ""
    address: str = ""
    founded_on: object = None


def _blocks(keys: Sequence[NameKey]) -> dict[str, list[int]]:
    """Block keys of each name core: its first two characters (the trade name: a difference after it
    meets here) and the core with its first or its second character left out (a one-character
    difference inside the trade name meets there). Blocks stay small even when thousands of
    enterprises share one trade (…电子科技), so the search grows about linearly with the register."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        core = k.core
        if len(core) >= 3:
            blocks["p" + core[:2]].append(i)
            blocks["a" + core[1:]].append(i)
            blocks["b" + core[0] + core[2:]].append(i)
    return blocks


def _close_pairs(texts: Sequence[str], blocks: Iterable[list[int]], max_edits: int) -> dict[tuple[int, int], int]:
    """(i, j) → edit distance for every pair of positions sharing a block whose texts are at most
    ``max_edits`` edits apart (rapidfuzz's vectorised cdist, at most MAX_BLOCK rows at a time)."""
    found: dict[tuple[int, int], int] = {}
    for members in blocks:
        if len(members) < 2:
            continue
        names = [texts[i] for i in members]
        if len(members) <= SMALL_BLOCK:  # most blocks: plain loops beat numpy's per-call overhead
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    a, b = names[x], names[y]
                    allowed = max_edits if min(len(a), len(b)) >= LONG_CORE else 1
                    d = Levenshtein.distance(a, b, score_cutoff=allowed)
                    if d <= allowed:
                        i, j = sorted((members[x], members[y]))
                        if i != j:
                            found[(i, j)] = d
            continue
        for start in range(0, len(members), MAX_BLOCK):
            chunk = names[start:start + MAX_BLOCK]
            dist = process.cdist(chunk, names, scorer=Levenshtein.distance, score_cutoff=max_edits,
                                 dtype=np.uint8, workers=1)
            # Two edits only between long cores: short ones two edits apart are other trade names.
            lengths = np.fromiter((len(t) for t in names), dtype=np.int32, count=len(names))
            shorter = np.minimum.outer(lengths[start:start + MAX_BLOCK], lengths)
            allowed = np.where(shorter >= LONG_CORE, max_edits, 1)
            rows, cols = np.nonzero(dist <= allowed)
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
                i, j = members[start + r], members[c]
                if i < j:
                    found[(i, j)] = int(dist[r, c])
    return found


def _same_key_pairs(values: Sequence[str], limit: int = 200) -> set[tuple[int, int]]:
    """Pairs of positions with the same non-empty value (groups larger than ``limit`` are left out:
    a key that common says nothing)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(values):
        if v:
            groups[v].append(i)
    return {(x, y) for g in groups.values() if 1 < len(g) <= limit for n, x in enumerate(g) for y in g[n + 1:]}


def _form_label(form: str) -> str:
    return form or "无组织形式"


MAX_EDITS = 2  # name cores further apart than this are not compared further …
LONG_CORE = 9  # … and cores shorter than this only one edit apart


def enterprise_candidates(rows: Sequence[EnterpriseRow], *, min_score: int = 85,
                          region_prefixes=DEFAULT_REGION_PREFIXES) -> list[Candidate]:
    keys = [name_key(r.name, region_prefixes) for r in rows]
    cores = [k.core for k in keys]
    pairs = _close_pairs(cores, _blocks(keys).values(), MAX_EDITS)
    for pair in _same_key_pairs([k.base for k in keys]) | _same_key_pairs(cores):
        pairs[pair] = 0
    reps = [fold_key(r.legal_representative) if r.legal_representative else "" for r in rows]
    addrs = [fold_key(r.address) if r.address else "" for r in rows]
    out = []
    for (i, j), edits in pairs.items():
        a, b = rows[i], rows[j]
        ka, kb = keys[i], keys[j]
        reasons: list[str] = []
        same_name = ka.base == kb.base
        trade_differs = False
        if same_name:
            score = 100.0
            reasons.append("名称相同" if ka.folded == kb.folded and not ka.branch and not kb.branch
                           else "规范化后名称相同")
        elif ka.core == kb.core:
            # The same trade name and trade with the region written differently (常州市X / 常州X) is
            # likely the same; under another region (江苏X / 常州X) it is often a group's other company.
            sim = round(fuzz.ratio(ka.base, kb.base))
            if ka.region == kb.region or ka.region.startswith(kb.region) or kb.region.startswith(ka.region):
                score = 90.0
                reasons.append(f"名称相近 {sim}%（仅地区写法不同）")
            else:
                score = 78.0
                reasons.append(f"名称相近 {sim}%（地区前缀不同）")
        else:
            # The trade name (字号) follows the region: names of different enterprises in one trade
            # differ exactly there (诚睿/诚立轨道交通设备), so a difference there needs other evidence.
            score = 100.0 - 10 * edits
            trade_differs = ka.core[:2] != kb.core[:2]
            if trade_differs:
                score -= 15
            if score + 24 < min_score:  # even four shared facts would not lift it
                continue
            sim = round(max(fuzz.ratio(ka.base, kb.base), fuzz.ratio(ka.core, kb.core)))
            reasons.append(f"名称相近 {sim}%" + ("（字号不同）" if trade_differs else ""))
        if ka.form != kb.form and _FORM_CANON.get(ka.form, ka.form) != _FORM_CANON.get(kb.form, kb.form):
            reasons.append(f"组织形式不同（{_form_label(ka.form)}/{_form_label(kb.form)}）")
        if ka.branch or kb.branch:
            reasons.append(f"分支机构（{ka.branch or kb.branch}）")
            score -= 5  # a branch is often a legal entity of its own: a person decides
        if not a.uscc or not b.uscc:
            reasons.append("一方缺信用代码")
        elif a.uscc != b.uscc:
            reasons.append("同名不同信用代码" if same_name else "信用代码不同")
        support = 0
        if reps[i] and reps[i] == reps[j]:
            reasons.append("法定代表人相同")
            support += 1
        if a.phone_hash and a.phone_hash == b.phone_hash:
            reasons.append("联系电话相同")
            support += 1
        if addrs[i] and addrs[i] == addrs[j]:
            reasons.append("地址相同")
            support += 1
        if a.founded_on and a.founded_on == b.founded_on:
            reasons.append("成立日期相同")
            support += 1
        if a.region and b.region and a.region[:6] != b.region[:6]:
            reasons.append("所在区县不同")
            score -= 5
        score = min(100, score + (6 if not same_name else 3) * support)
        if score >= min_score:
            lo, hi = (a, b) if a.id < b.id else (b, a)
            out.append(Candidate("enterprise", lo.id, hi.id, round(score), reasons))
    out.sort(key=lambda c: (-c.score, c.a, c.b))
    return out


@dataclass(frozen=True)
class InstitutionRow:
    id: int
    name: str
    short_name: str = ""
    aliases: str = ""
    provisional: bool = False


def _inst_keys(r: InstitutionRow) -> set[str]:
    names = [r.name, r.short_name, *re.split(r"[\n,，、;；]+", r.aliases or "")]
    return {fold_key(n) for n in names if n and n.strip()}


def institution_candidates(rows: Sequence[InstitutionRow], *, min_score: int = 85,
                           provisional_min_score: int = 70) -> list[Candidate]:
    """Institutions are few (hundreds to a few thousand): every name is compared with every other in
    one vectorised call; a provisional institution (created by an import) is listed against its best
    matches at a lower threshold, because a reviewer must decide about each one anyway."""
    if len(rows) < 2:
        return []
    names = [fold_key(r.name) for r in rows]
    keysets = [_inst_keys(r) for r in rows]
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, ks in enumerate(keysets):
        for k in ks:
            by_key[k].append(i)
    cutoff = min(min_score, provisional_min_score)
    scores = process.cdist(names, names, scorer=fuzz.ratio, score_cutoff=cutoff, dtype=np.uint8, workers=1)
    pairs: dict[tuple[int, int], list[str]] = {}
    sims: dict[tuple[int, int], float] = {}
    for ids in by_key.values():
        for x in ids:
            for y in ids:
                if x < y:
                    pairs.setdefault((x, y), []).append("名称或别名相同")
                    sims[(x, y)] = 100
    rows_i, cols_i = np.nonzero(scores)
    for i, j in zip(rows_i.tolist(), cols_i.tolist(), strict=True):
        if i < j and (i, j) not in sims:
            sims[(i, j)] = float(scores[i, j])
            pairs[(i, j)] = [f"名称相近 {int(scores[i, j])}%"]
    # A provisional name contained in a real one (南京大学 / 南京大学常州校区) is worth a look too.
    for i, r in enumerate(rows):
        if not r.provisional:
            continue
        for j in range(len(rows)):
            if j == i or (min(i, j), max(i, j)) in sims:
                continue
            if names[i] in names[j] or names[j] in names[i]:
                p = (min(i, j), max(i, j))
                sims[p] = 80
                pairs[p] = ["名称包含"]
    out = []
    for (i, j), reasons in pairs.items():
        a, b = rows[i], rows[j]
        provisional = a.provisional or b.provisional
        if a.provisional and b.provisional:
            reasons = [*reasons, "双方均为临时机构"]
        elif provisional:
            reasons = [*reasons, "一方为导入时新建的临时机构"]
        score = sims[(i, j)]
        if score >= (provisional_min_score if provisional else min_score):
            lo, hi = (a, b) if a.id < b.id else (b, a)
            out.append(Candidate("institution", lo.id, hi.id, round(score), list(dict.fromkeys(reasons))))
    out.sort(key=lambda c: (-c.score, c.a, c.b))
    return out


@dataclass(frozen=True)
class ExpertRow:
    id: int
    name: str
    institution_id: int | None = None
    employer: str = ""
    phone_hash: str = ""
    email_hash: str = ""


def expert_candidates(rows: Sequence[ExpertRow], *, min_score: int = 85) -> list[Candidate]:
    """Same name and same unit (registered institution or employer text), or the same phone or
    email (compared through their blind indexes: no personal value is decrypted)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        groups["n" + fold_key(r.name)].append(i)
        if r.phone_hash:
            groups["p" + r.phone_hash].append(i)
        if r.email_hash:
            groups["e" + r.email_hash].append(i)
    seen: set[tuple[int, int]] = set()
    out = []
    for members in groups.values():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        for x_pos, x in enumerate(members):
            for y in members[x_pos + 1:]:
                pair = (min(x, y), max(x, y))
                if pair in seen:
                    continue
                seen.add(pair)
                a, b = rows[pair[0]], rows[pair[1]]
                reasons, score = [], 0
                same_name = fold_key(a.name) == fold_key(b.name)
                if same_name:
                    reasons.append("姓名相同")
                if a.institution_id and a.institution_id == b.institution_id:
                    reasons.append("同一单位")
                    score = max(score, 95 if same_name else 0)
                elif a.employer and fold_key(a.employer) == fold_key(b.employer):
                    reasons.append("工作单位相同")
                    score = max(score, 90 if same_name else 0)
                if a.phone_hash and a.phone_hash == b.phone_hash:
                    reasons.append("手机号相同")
                    score = max(score, 100 if same_name else 85)
                if a.email_hash and a.email_hash == b.email_hash:
                    reasons.append("电子邮箱相同")
                    score = max(score, 100 if same_name else 85)
                if score >= min_score:
                    lo, hi = (a, b) if a.id < b.id else (b, a)
                    out.append(Candidate("expert", lo.id, hi.id, score, reasons))
    out.sort(key=lambda c: (-c.score, c.a, c.b))
    return out
