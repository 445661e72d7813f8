"""Realistic duplicates planted in the demo data, so the duplicate review page (/dedupe/) is not empty:
the last few generated enterprises become a branch, a typo and a legacy record (traditional
characters, 有限责任公司, from an old list) of earlier ones; one expert is filed twice by their
institution; an Annex-1 import left a provisional institution spelled in traditional characters.
They replace generated records rather than adding to them, so the demo's counts stay as they were
and each duplicate has linked records of its own (qualifications, metrics, demands) for a merge to move.
"""

from __future__ import annotations

from functools import lru_cache

import opencc

from duijie.orgs.models import Institution

# Characters that an IME or OCR easily swaps for one another (精/晶, 创/创, 华/化 …).
LOOKALIKE = {"华": "化", "创": "仓", "精": "晶", "科": "料", "新": "心", "电": "甸", "能": "熊", "达": "迖", "源": "原",
             "智": "志", "天": "夭", "瑞": "端", "恒": "桓", "博": "搏", "联": "连", "泰": "秦", "宏": "弘", "信": "倍"}


@lru_cache(maxsize=1)
def _s2t():
    return opencc.OpenCC("s2t")


REGION_CHARS = set("江苏省常州市武进金坛溧阳昆山新北天宁钟楼区")


def typo(name: str) -> str:
    """One look-alike character swapped in the trade name (after the region prefix)."""
    start = next((i for i, ch in enumerate(name) if ch not in REGION_CHARS), 2)
    for i in range(start, len(name)):
        if name[i] in LOOKALIKE:
            return name[:i] + LOOKALIKE[name[i]] + name[i + 1:]
    return name[:start] + ("新" if name[start] != "新" else "心") + name[start + 1:]


def legacy(name: str) -> str:
    """How an old list wrote the same enterprise: traditional characters, 有限责任公司, full-width brackets."""
    if name.endswith("股份有限公司"):
        name = name[: -len("股份有限公司")] + "股份有限公司"
    elif name.endswith("有限公司"):
        name = name[: -len("有限公司")] + "有限责任公司"
    return _s2t().convert(name)


def plant_enterprises(gen, orgs: list, ents: list, units: list, infos: list) -> None:
    """Turn the last three enterprises (of at least 10) into duplicates of the first three ordinary ones."""
    n = len(ents)
    if n < 10:
        return
    for j, i, how in ((n - 1, 2, "branch"), (n - 2, 3, "typo"), (n - 3, 4, "legacy")):
        src, dup = ents[i], ents[j]
        district = infos[i][1]
        if how == "branch":
            dup.name = f"{src.name}（常州分公司）"
            dup.founded_on = src.founded_on.replace(year=min(src.founded_on.year + 3, 2025))
        elif how == "typo":
            dup.name = typo(src.name)
            dup.legal_representative, dup.contact_phone = src.legal_representative, src.contact_phone
            dup.founded_on = src.founded_on
        else:
            dup.name = legacy(src.name)
            dup.address, dup.founded_on = src.address, src.founded_on
            dup.legal_representative = src.legal_representative
        dup.uscc = gen.uscc(district)
        dup.region_id, dup.park, dup.industry_id = src.region_id, src.park, src.industry_id
        dup.main_products = src.main_products
        orgs[j].name, orgs[j].region_id, orgs[j].park = dup.name, src.region_id, src.park
        units[j] = units[i]
        infos[j] = infos[i]


def plant_expert(exps: list) -> None:
    """The last institution expert becomes a second record of an earlier one at the same institution."""
    inst_exps = [x for x in exps if x.inst is not None]
    if len(inst_exps) < 4:
        return
    dup = inst_exps[-1]
    src = next((x for x in inst_exps[:-1] if x.inst.pk == dup.inst.pk), inst_exps[0])
    old_name = dup.obj.name
    dup.inst, dup.unit, dup.key, dup.unit_ids = src.inst, src.unit, src.key, src.unit_ids
    dup.obj.institution, dup.obj.unit = src.inst, src.unit
    dup.obj.owner_org_id, dup.obj.region_id = src.inst.organisation_id, src.inst.region_id
    dup.obj.name, dup.obj.phone = src.obj.name, src.obj.phone
    dup.obj.bio = dup.obj.bio.replace(old_name, src.obj.name)


def provisional_institution(gen) -> None:
    """An Annex-1 import named 常州大学 in traditional characters: a provisional institution to review."""
    real = gen.insts[0]
    inst = Institution(name=_s2t().convert(real.name), kind=real.kind, is_provisional=True, region_id=real.region_id,
                       description="由成果信息表导入时新建，待审核。", **gen.scope())
    inst._history_user = gen.admin_user
    inst.save()
    gen.count(Institution, 1)
