"""The supply side: Annex-1 achievements, patents, carriers and application scenarios."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from duijie.core.choices import Visibility
from duijie.core.validators import patent_check_digit
from duijie.demo import content as C
from duijie.demo.areas.common import clip
from duijie.supply.models import Achievement, Carrier, Patent, Scenario


def make_achievements(g) -> None:
    targets = {"ks2017-kaifa": 20, "ks2017-gaoxin": 22, "ks2017-huaqiao": 13, "ks2017-zhangpu": 10,
               "ks2017-zhoushi": 8, "ks2017-lujia": 6, "ks2017-bacheng": 5, "ks2017-qiandeng": 5,
               "ks2017-dianshanhu": 3, "ks2017-zhouzhuang": 3, "ks2017-jinxi": 3}
    wj_keys = {"wj2016-xitaihu": ["graphene", "biomed"], "wj2016-lvjian": ["greenbuild"],
               "wj2016-jingkai": ["rail", "electronics"], "wj2016-gaoxin": ["robotics", "electronics", "battery"],
               "wj2016-wujin": C.INDUSTRY_KEYS}
    cz_units = [row[0] for row in C.ASSESSMENT_UNITS if row[0].startswith("cz2026")]
    unit_parks = {row[0]: row[6] for row in C.ASSESSMENT_UNITS}
    names: set[tuple[int, str]] = set()
    achs, ach_units, g.ach_meta = [], [], []
    field_other = {"greenbuild": "绿色建筑", "robotics": "智能制造", "ai": "人工智能", "rail": "轨道交通",
                   "synbio": "合成生物", "carbonfiber": "先进复合材料", "battery": "新能源",
                   "electronics": "集成电路", "graphene": "石墨烯", "biomed": "医疗器械"}
    for _ in range(g.scale.achievements):
        scheme = g.pick({"cz": 70, "ks": 15, "wj": 15})
        if scheme == "cz":
            key = g.pick(C.INDUSTRY_WEIGHTS)
            fitting = [u for u in cz_units if any(key in g.park_keys[p] for p in unit_parks[u])]
            ucode = g.rng.choice(fitting or cz_units)
            filing = g.day(g.recent(date(2026, 1, 10)), g.recent(date(2026, 5, 20)))
        elif scheme == "ks":
            ucode = g.pick(targets)
            key = g.rng.choice(C.KUNSHAN_UNIT_INDUSTRIES[ucode])
            filing = g.day(date(2017, 3, 1), date(2017, 12, 20))
        else:
            ucode = g.pick({"wj2016-wujin": 3, "wj2016-xitaihu": 2, "wj2016-lvjian": 1, "wj2016-jingkai": 2,
                               "wj2016-gaoxin": 2})
            key = g.rng.choice(wj_keys[ucode])
            filing = g.day(date(2016, 6, 1), date(2018, 11, 30))
        unit = g.unit[ucode]
        pool = g.exps_by_key[key]
        if pool and g.rng.random() < 0.9:
            lead = g.rng.choice(pool)
            inst, iunit = lead.inst, lead.unit
            lead_name, lead_phone = lead.obj.name, lead.obj.phone
            lead_title = "、".join(filter(None, [lead.obj.position, C.TITLE_DISPLAY.get(lead.obj.title, "")]))
        else:
            lead = None
            inst, iunit = g.rng.choice(g.by_key[key])
            lead_name, lead_phone = g.person(), g.mobile()
            lead_title = g.pick({"教授": 3, "研究员": 1, "副教授": 2, "高级工程师": 1})
        name = ""
        for attempt in range(30):
            v = g.vals(key)
            name = g.fill(g.rng.choice(C.ACHIEVEMENT_TITLES), key, **v)
            if attempt > 20:
                name += f"（第{attempt - 19}代）"
            if (inst.pk, name) not in names:
                break
        names.add((inst.pk, name))
        park_names = [p for p in unit_parks[ucode] if key in g.park_keys[p]] or unit_parks[ucode]
        if not park_names:  # a unit without parks of its own: a park of its child units
            park_names = [p for row in C.ASSESSMENT_UNITS if row[4] == ucode for p in row[6]
                          if key in g.park_keys[p]]
        park_name = park_names[0] if park_names else f"{unit.name}各产业园区"
        park = g.park.get(park_name)
        ctx = {"inst": inst.name, "unit": iunit.name, "lead": lead_name, "district": unit.name, "park": park_name,
               **v}
        intro = [g.fill(C.ACHIEVEMENT_INTRO[0], key, **ctx)] + [
            g.fill(s, key, **ctx) for s in g.rng.sample(C.ACHIEVEMENT_INTRO[1:], k=g.rng.randint(3, 5))]
        fit = [g.fill(s, key, **ctx) for s in g.rng.sample(C.ACHIEVEMENT_FIT, k=g.rng.randint(2, 3))]
        promo = [g.fill(s, key, **ctx) for s in g.rng.sample(C.ACHIEVEMENT_PROMOTION, k=g.rng.randint(1, 2))]
        fld = C.INDUSTRIES[key]["field"]
        r = g.rng.random()
        other = ""
        if r < (0.4 if key == "greenbuild" else 0.05):
            fld, other = "其他", field_other[key]
        elif key == "synbio" and r > 0.9:
            fld = "现代农业"
        elif key == "graphene" and r > 0.92:
            fld = "民生用品"
        stage = g.pick({"研制阶段": 30, "试生产阶段": 25, "小批量生产阶段": 25, "批量生产阶段": 15, "其他": 5})
        old = filing.year < 2020
        status = g.pick({"published": 70, "transferred": 25, "returned": 5} if old else
                           {"published": 68, "draft": 7, "submitted": 9, "returned": 6, "transferred": 10})
        if status in ("published", "transferred"):
            vis = g.pick({Visibility.PUBLIC: 85, Visibility.PLATFORM: 15})
        else:
            vis = Visibility.RESTRICTED
        if g.rng.random() < 0.02:
            vis = Visibility.CLASSIFIED
        ip = g.pick(dict(C.IP_FORMS))
        modes = [m for m in C.TRANSFER_MODES if g.rng.random() < 0.35] or [g.rng.choice(C.TRANSFER_MODES)]
        area = "0512" if ucode.startswith("ks") else "0519"
        gov = g.gov_by_unit.get(ucode) or g.gov_by_unit.get("cz2026-wujin")
        region_code = g.inst_row[inst.pk][4]
        achs.append(Achievement(
            name=name, institution=inst, unit_name=iunit.name, unit=iunit, lead_name=lead_name,
            lead_title=lead_title, lead_phone=lead_phone, lead_expert=lead.obj if lead else None,
            field=fld, field_other=other, stage=stage, stage_other="中试阶段" if stage == "其他" else "",
            introduction=clip(intro, 500), district_fit=clip(fit, 300), promotion_plan=clip(promo, 200),
            filing_unit=unit, filer_name=g.person(),
            filer_phone=g.landline(area) if g.rng.random() < 0.3 else g.mobile(),
            filing_date=filing, status=status,
            return_reason=g.rng.choice(C.RETURN_REASONS) if status == "returned" else "",
            published_at=g.moment(filing + timedelta(days=g.rng.randint(3, 20)))
            if status in ("published", "transferred") else None,
            ip_form=ip, transfer_modes=modes,
            asking_price=None if g.rng.random() < 0.3 else g.money(10, 800, step_wan=5),
            owner_org_id=inst.organisation_id, region_id=g.region[region_code], park=park, visibility=vis,
            filed_by=g.admin_user, filed_by_org=gov))
        ids = [unit.pk] + ([unit.parent_id] if unit.parent_id else [])
        ach_units.append(ids)
        g.ach_meta.append((key, lead))
    achs = g.save(Achievement, achs)
    g.link(Achievement, achs, "assessment_units", ach_units)
    g.achs = achs


def make_patents(g) -> None:
    used: set[str] = set()
    patents, applicant_orgs, inventor_ids, meta = [], [], [], []
    inst_experts = {}
    for x in g.exps:
        if x.inst:
            inst_experts.setdefault(x.inst.pk, []).append(x)
    for _ in range(g.scale.patents):
        kind = g.pick({"inst": 60, "ent": 35, "joint": 5})
        ptype = g.pick({"1": 68, "2": 27, "3": 5} if kind != "ent" else {"1": 50, "2": 38, "3": 12})
        if kind == "ent" or not g.exps_by_key:
            ent = g.rng.choice(g.ents)
            key, orgs, inv_exps = ent.key, [ent.obj.organisation_id], []
            names_app = [ent.obj.name]
            region_id, park, unit_ids = ent.obj.region_id, ent.park, ent.unit_ids
            engineers = [x for x in g.exps if x.ent is ent]
            inv_exps = engineers[:1]
        else:
            key = g.pick(C.INDUSTRY_WEIGHTS)
            pool = g.exps_by_key[key] or [x for x in g.exps if x.inst]
            first = g.rng.choice(pool)
            colleagues = [x for x in inst_experts[first.inst.pk] if x is not first and x.key == first.key]
            inv_exps = [first, *g.rng.sample(colleagues, k=min(len(colleagues), g.rng.randint(0, 2)))]
            orgs, names_app = [first.inst.organisation_id], [first.inst.name]
            region_id, park, unit_ids = first.inst.region_id, None, g.inst_units[first.inst.pk]
            if kind == "joint" and g.ents_by_key[key]:
                ent = g.rng.choice(g.ents_by_key[key])
                orgs.append(ent.obj.organisation_id)
                names_app.append(ent.obj.name)
        inventors = [x.obj.name for x in inv_exps] + [g.person() for _ in range(g.rng.randint(1, 4))]
        year = g.pick({y: w for y, w in zip(range(2016, 2026), (2, 3, 4, 5, 6, 7, 8, 9, 10, 10), strict=True)})
        while True:
            serial = g.rng.randrange(1, 2_000_000) if ptype == "1" else g.rng.randrange(1, 3_000_000)
            digits = f"{year}{ptype}{serial:07d}"
            if digits not in used:
                used.add(digits)
                break
        number = f"{digits}.{patent_check_digit(digits)}"
        app_day = g.day(date(year, 1, 3), min(date(year, 12, 28), g.today - timedelta(days=30)))
        ind = C.INDUSTRIES[key]
        p, t, x = g.rng.choice(ind["products"]), g.rng.choice(ind["terms"]), g.rng.choice(ind["problems"])
        status, grant, pub = "pending", None, None
        if ptype == "1":
            title = g.rng.choice([f"一种{p}的制备方法", f"一种基于{t}的{p}", f"{p}及其制备方法和应用",
                                     f"一种{t}方法及系统", f"一种用于{p}的{t}装置"])
            abstract = (f"本发明公开了{title.removeprefix('一种')}，涉及{ind['label']}技术领域。"
                        f"本发明通过{t}解决了{x}的问题，{g.rng.choice(ind['metrics'])}，适合工业化生产。")
            pub_day = app_day + timedelta(days=g.rng.randint(180, 540))
            pub = pub_day if pub_day <= g.today else None
            granted_on = app_day + timedelta(days=g.rng.randint(600, 1300))
            if granted_on <= g.today and g.rng.random() < 0.75:
                grant, status = granted_on, "granted"
            elif granted_on <= g.today and g.rng.random() < 0.3:
                status = g.pick({"rejected": 2, "withdrawn": 1})
            ipc = "; ".join(g.rng.sample(ind["ipc"], k=g.rng.randint(1, 3)))
            pub_no = f"CN1{g.rng.randrange(10**8):08d}{'B' if grant else 'A'}" if pub else ""
        elif ptype == "2":
            title = g.rng.choice([f"一种{p}", f"一种{t}用{p}结构", f"一种{p}的固定装置", f"一种便于维护的{p}"])
            abstract = (f"本实用新型公开了{title.removeprefix('一种')}，结构简单、安装方便，"
                        f"有效改善了{x}的问题。")
            grant = app_day + timedelta(days=g.rng.randint(150, 360))
            grant = grant if grant <= g.today else None
            status = "granted" if grant else "pending"
            pub = grant
            ipc = "; ".join(g.rng.sample(ind["ipc"], k=g.rng.randint(1, 2)))
            pub_no = f"CN2{g.rng.randrange(10**8):08d}U" if grant else ""
        else:
            title = g.rng.choice([p, f"{p}（{g.rng.choice(['一', '二', '标准型', '紧凑型'])}）"])
            abstract = f"本外观设计产品的名称为{title}，用于{C.APPLICATIONS[key].split('、')[0]}。设计要点在于产品的形状。"
            grant = app_day + timedelta(days=g.rng.randint(90, 240))
            grant = grant if grant <= g.today else None
            status = "granted" if grant else "pending"
            pub, ipc = grant, ""
            pub_no = f"CN3{g.rng.randrange(10**8):08d}S" if grant else ""
        if status == "granted" and year <= 2019 and g.rng.random() < 0.15:
            status = "lapsed"
        high = ptype == "1" and status == "granted" and g.rng.random() < 0.6  # ~15 % of all patents
        patents.append(Patent(
            application_no=number, publication_no=pub_no, title=title[:300], abstract=abstract, ipc_codes=ipc,
            patent_type={"1": "invention", "2": "utility", "3": "design"}[ptype], legal_status=status,
            applicants="；".join(names_app), inventors="、".join(dict.fromkeys(inventors)),
            application_date=app_day, publication_date=pub, grant_date=grant, is_high_value=high,
            value_score=Decimal(str(round(g.rng.uniform(70, 98), 2))) if high else None,
            owner_org_id=orgs[0], region_id=region_id, park=park,
            visibility=Visibility.PUBLIC if high else Visibility.PLATFORM, **g.scope()))
        applicant_orgs.append(orgs)
        inventor_ids.append([x.obj.pk for x in inv_exps])
        meta.append((unit_ids, [x for x in inv_exps]))
    patents = g.save(Patent, patents)
    g.link(Patent, patents, "applicant_orgs", applicant_orgs)
    g.link(Patent, patents, "inventor_experts", inventor_ids)
    g.link(Patent, patents, "assessment_units", [m[0] for m in meta])
    # achievements list the patents their lead researcher invented
    by_inventor: dict[int, list[int]] = {}
    for p, ids in zip(patents, inventor_ids, strict=True):
        for i in ids:
            by_inventor.setdefault(i, []).append(p.pk)
    links = []
    for a, (_key, lead) in zip(g.achs, g.ach_meta, strict=True):
        own = by_inventor.get(lead.obj.pk, []) if lead else []
        links.append(own[:2] if a.ip_form == "invention_patent" else [])
    g.link(Achievement, g.achs, "patents", links)


def make_carriers(g) -> None:
    n = g.scale.carriers or max(12, g.scale.enterprises // 6)
    names: set[tuple[str, str]] = set()
    carriers, co_builders, industries, units = [], [], [], []
    inst_by_org = {i.organisation_id: i for i in g.insts}
    for i in range(n):
        kind, template, levels, host_kind = C.CARRIER_KINDS[i % len(C.CARRIER_KINDS)]
        for _attempt in range(30):
            key = g.pick(C.INDUSTRY_WEIGHTS)
            label = C.INDUSTRIES[key]["label"].split("/")[0]
            host, park, region_id, unit_ids, co = None, None, None, [], []
            if host_kind == "institution":
                inst = g.rng.choice([p[0] for p in g.by_key[key] if p[0].is_local]
                                       or [p[0] for p in g.by_key[key]])
                host, region_id, unit_ids = inst.organisation_id, inst.region_id, g.inst_units[inst.pk]
                host_name = inst.name
                if g.ents_by_key[key] and g.rng.random() < 0.3:
                    co.append(g.rng.choice(g.ents_by_key[key]).obj.organisation_id)
            elif host_kind == "enterprise":
                pool = [e for e in g.ents_by_key[key] if e.tier >= 2] or g.ents_by_key[key] or g.ents
                ent = g.rng.choice(pool)
                host, region_id, park, unit_ids = ent.obj.organisation_id, ent.obj.region_id, ent.park, ent.unit_ids
                host_name = ent.obj.name
                if g.by_key[key] and g.rng.random() < 0.4:
                    co.append(g.rng.choice(g.by_key[key])[0].organisation_id)
            else:
                pool = [p for name, p in g.park.items() if key in g.park_keys[name] and p.directory_years]
                park = g.rng.choice(pool or [p for p in g.park.values() if p.directory_years])
                region_id = park.region_id
                host_name = park.short_name
                unit_ids = g.units_for(g.park_region[park.name], park, g.today)
            name = template.format(t=g.rng.choice(C.INDUSTRIES[key]["terms"]), host=host_name,
                                   park=park.short_name if park else "", label=label)[:200]
            if (name, kind) not in names:
                break
        else:
            continue  # no free name for this kind at this scale
        names.add((name, kind))
        level = g.pick(levels)
        approver = C.LEVEL_APPROVER[level]
        if level == "district":
            approver = next((o.name for o in g.gov.values() if o.region_id == region_id), "区科学技术局")
        directions = "、".join(g.rng.sample(C.INDUSTRIES[key]["directions"], k=2))
        desc = (f"依托{inst_by_org[host].name if host in inst_by_org else host_name}建设，聚焦{directions}，"
                f"面向{C.INDUSTRIES[key]['label']}产业提供研发、测试和成果转化服务。")
        carriers.append(Carrier(
            name=name, kind=kind, level=level, host_id=host, approved_by=approver,
            approval_date=g.day(date(2015, 1, 1), date(2025, 12, 31)), description=desc,
            co_builders_text=f"{park.name}管理委员会" if host_kind == "park" else "",
            owner_org_id=host, region_id=region_id, park=park, visibility=Visibility.PUBLIC, **g.scope()))
        co_builders.append(co)
        industries.append([g.industry[c] for c in C.INDUSTRIES[key]["gbt"][:2]])
        units.append(unit_ids)
    carriers = g.save(Carrier, carriers)
    g.link(Carrier, carriers, "co_builders", co_builders)
    g.link(Carrier, carriers, "industries", industries)
    g.link(Carrier, carriers, "assessment_units", units)


def make_scenarios(g) -> None:
    scenarios, units = [], []
    district_gov = [o for o in g.gov.values() if o.assessment_unit_id and o.assessment_unit.code.startswith("cz")]
    for title, domain, key, desc, req in C.SCENARIOS[: g.scale.scenarios]:
        r = g.rng.random()
        park = None
        if r < 0.6:
            pool = [e for e in g.ents_by_key[key] if e.tier >= 2] or g.ents_by_key[key] or g.ents
            ent = g.rng.choice(pool)
            provider, region_id, park, unit_ids = ent.obj.organisation_id, ent.obj.region_id, ent.park, ent.unit_ids
        elif r < 0.85:
            gov = g.rng.choice(district_gov)
            provider, region_id, unit_ids = gov.pk, gov.region_id, [gov.assessment_unit_id]
        else:
            inst = g.rng.choice([i for i in g.insts if i.is_local])
            provider, region_id, unit_ids = inst.organisation_id, inst.region_id, g.inst_units[inst.pk]
        start = g.day(g.recent(date(2026, 1, 15)), g.recent(date(2026, 5, 15)))
        stage = g.pick({"collecting": 40, "matching": 30, "piloting": 20, "landed": 10})
        scenarios.append(Scenario(
            title=title, domain=domain, provider_id=provider, stage=stage, period_start=start,
            period_end=start + timedelta(days=g.rng.choice([180, 270, 365, 540])),
            openness=g.pick({"open": 70, "invited": 25, "internal": 5}), description=desc, requirements=req,
            investment=g.money(50, 2000, step_wan=10), owner_org_id=provider, region_id=region_id, park=park,
            visibility=Visibility.PUBLIC, **g.scope()))
        units.append(unit_ids)
    scenarios = g.save(Scenario, scenarios)
    g.link(Scenario, scenarios, "assessment_units", units)
