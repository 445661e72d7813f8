"""Institutions with their units, and enterprises with credit codes, names, qualifications and yearly
metrics."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from duijie.core.choices import OrgKind, Visibility
from duijie.core.models import Organisation
from duijie.demo import content as C
from duijie.demo import duplicates
from duijie.demo.areas.common import BATCH, Ent, add_years
from duijie.orgs.models import (
    Enterprise,
    EnterpriseMetric,
    EnterpriseQualification,
    Institution,
    InstitutionUnit,
)


def make_institutions(g) -> None:
    orgs, insts = [], []
    for name, _short, _kind, _local, region, _slug, _keys, _units, _desc in C.INSTITUTIONS:
        orgs.append(Organisation(kind=OrgKind.INSTITUTION, name=name, region_id=g.region[region]))
    orgs = Organisation.objects.bulk_create(orgs)
    g.count(Organisation, len(orgs))
    unit_ids = []
    for org, (name, short, kind, local, region, slug, _keys, _units, desc) in zip(orgs, C.INSTITUTIONS, strict=True):
        tto = "成果转化处" if kind == "institute" else ("技术转移中心" if kind == "university" else "成果转化部")
        insts.append(Institution(
            name=name, short_name=short, kind=kind, is_local=local, region_id=org.region_id,
            organisation=org, owner_org=org, description=desc or f"{name}，与常州开展产学研合作的知名高校院所。",
            tto_name=f"{name}{tto}", tto_contact=g.person(), tto_phone=g.mobile(),
            tto_email=f"tto@{slug}.example", visibility=Visibility.PUBLIC, **g.scope()))
        unit_ids.append(g.units_for(region, None, None) if local else [])
    insts = g.save(Institution, insts)
    g.link(Institution, insts, "assessment_units", unit_ids)
    g.inst_row = {i.pk: row for i, row in zip(insts, C.INSTITUTIONS, strict=True)}
    g.inst_units = dict(zip([i.pk for i in insts], unit_ids, strict=True))
    units, unit_keys = [], []
    for inst, row in zip(insts, C.INSTITUTIONS, strict=True):
        for uname, ukind, keys in row[7]:
            units.append(InstitutionUnit(institution=inst, name=uname, kind=ukind,
                                         description=f"{inst.name}{uname}，研究方向涵盖" + "、".join(
                                             C.INDUSTRIES[k]["label"] for k in keys) + "。"))
            unit_keys.append(keys)
    units = g.save(InstitutionUnit, units)
    g.insts = insts
    # (institution, unit) candidates per industry
    g.by_key: dict[str, list[tuple[Institution, InstitutionUnit]]] = {k: [] for k in C.INDUSTRY_KEYS}
    inst_by_pk = {i.pk: i for i in insts}
    for unit, keys in zip(units, unit_keys, strict=True):
        for k in keys:
            g.by_key[k].append((inst_by_pk[unit.institution_id], unit))


def enterprise_name(g, key: str, district: str, big: bool) -> str:
    ind = C.INDUSTRIES[key]
    if district == "320583":
        prefix = g.rng.choice(["昆山", "昆山", "昆山市", "江苏"])
    else:
        local = {"320481": "溧阳", "320413": "常州市金坛", "320412": "常州市武进"}.get(district, "常州市")
        prefix = g.pick({"常州": 5, "江苏": 3, local: 2})
    for _ in range(100):
        first = g.rng.choice(ind["name_chars"]) if g.rng.random() < 0.35 else g.rng.choice(C.SCHOOL_NAME_ROOTS)
        second = g.rng.choice(C.SCHOOL_NAME_ROOTS)
        if first == second:
            continue
        name = f"{prefix}{first}{second}{g.rng.choice(ind['name_words'])}{'股份有限公司' if big else '有限公司'}"
        if name not in g.used_names:
            g.used_names.add(name)
            return name
    raise RuntimeError("could not find a free enterprise name")


# Demo only: an industrial enterprise is above designated size (规上) in a year with at least 20 million
# yuan of revenue (国家统计局: 年主营业务收入2000万元及以上); real designations come with the metrics.
ABOVE_SCALE_REVENUE = Decimal(20_000_000)


def make_enterprises(g) -> None:
    n = g.scale.enterprises
    plan = []  # (key, district, park, region_code, tier)
    kunshan_units = {"ks2017-kaifa": 3, "ks2017-gaoxin": 3, "ks2017-huaqiao": 1, "ks2017-zhangpu": 1,
                     "ks2017-zhoushi": 1, "ks2017-lujia": 1, "ks2017-bacheng": 1, "ks2017-qiandeng": 1,
                     "ks2017-dianshanhu": 1, "ks2017-zhouzhuang": 1, "ks2017-jinxi": 1}
    unit_row = {row[0]: row for row in C.ASSESSMENT_UNITS}
    for i in range(n):
        tier = g.pick({0: 10, 1: 50, 2: 26, 3: 9, 4: 4})
        if i == 0:
            key, tier = "battery", 5  # the unicorn
        elif i == 1:
            key, tier = "ai", 5  # the potential unicorn
        else:
            key = g.pick(C.INDUSTRY_WEIGHTS)
        if i > 1 and g.rng.random() < 0.08:
            ucode = g.pick(kunshan_units)
            key = g.rng.choice(C.KUNSHAN_UNIT_INDUSTRIES[ucode])
            row = unit_row[ucode]
            park = g.park[row[6][0]] if row[6] and g.rng.random() < 0.7 else None
            region = row[5][0] if row[5] else "320583401"  # towns without a code: their communities' unit
            plan.append((key, "320583", park, region, tier, [g.unit[ucode].pk]))
            continue
        district = "320481" if i == 0 else g.pick(C.INDUSTRIES[key]["districts"])
        candidates = [p for name, p in g.park.items()
                      if key in g.park_keys[name] and g.park_region[name].startswith(district)]
        park = g.rng.choice(candidates) if candidates and g.rng.random() < 0.65 else None
        if park is not None and len(g.park_region[park.name]) == 9:
            region = g.park_region[park.name]
        else:
            towns = g.towns[district]
            if district == "320412" and park is not None:
                towns = [t for t in towns if t not in C.JINGKAI_TOWNS]
            region = g.rng.choice(towns)
        plan.append((key, district, park, region, tier, None))

    orgs, ents, ent_units, infos = [], [], [], []
    for key, district, park, region, tier, fixed_units in plan:
        name = enterprise_name(g, key, district, big=tier >= 4)
        founded = g.day(date(2016, 1, 1), date(2019, 12, 31)) if tier == 5 else g.day(
            date(1996, 1, 1) if tier >= 3 else date(2003, 1, 1), date(2016 if tier >= 3 else 2024, 12, 31))
        orgs.append(Organisation(kind=OrgKind.ENTERPRISE, name=name, region_id=g.region[region], park=park))
        ind = C.INDUSTRIES[key]
        products = g.rng.sample(ind["products"], k=min(len(ind["products"]), g.rng.randint(2, 4)))
        partner = g.rng.choice(g.by_key[key])[0].name if g.by_key[key] else "在常高校"
        desc = "".join(s.format(year=founded.year, ps="、".join(products), inst=partner, app=C.APPLICATIONS[key])
                       for s in C.ENTERPRISE_DESC[: g.rng.randint(2, 4)])
        dname, roads = C.DISTRICTS[district]
        city = "江苏省昆山市" if district == "320583" else f"常州市{dname}" if district != "320481" else "江苏省溧阳市"
        capital = {0: (100, 1000), 1: (100, 3000), 2: (500, 8000), 3: (2000, 20000), 4: (5000, 50000),
                   5: (50000, 200000)}[tier]
        ents.append(Enterprise(
            uscc=g.uscc(district), name=name, legal_representative=g.person(), founded_on=founded,
            registered_capital=g.money(*capital, step_wan=10), industry_id=g.industry[g.rng.choice(ind["gbt"])],
            address=f"{city}{g.rng.choice(roads)}{g.rng.randint(1, 399)}号", main_products="、".join(products),
            description=desc, contact_name=g.person(), contact_phone=g.mobile(), region_id=g.region[region],
            park=park, visibility=Visibility.PLATFORM, **g.scope()))
        ent_units.append(fixed_units or g.units_for(region, park, founded))
        infos.append((key, district, park, tier))
    duplicates.plant_enterprises(g, orgs, ents, ent_units, infos)
    orgs = Organisation.objects.bulk_create(orgs, batch_size=BATCH)
    g.count(Organisation, len(orgs))
    for org, ent in zip(orgs, ents, strict=True):
        ent.organisation = org
        ent.owner_org = org
    ents = g.save(Enterprise, ents)
    g.link(Enterprise, ents, "assessment_units", ent_units)
    g.ents = [Ent(e, k, d, p, u, t) for e, (k, d, p, t), u in zip(ents, infos, ent_units, strict=True)]
    g.ents_by_key: dict[str, list[Ent]] = {k: [] for k in C.INDUSTRY_KEYS}
    for e in g.ents:
        g.ents_by_key[e.key].append(e)
    make_qualifications_and_metrics(g)


def make_qualifications_and_metrics(g) -> None:
    quals, metrics = [], []
    for e in g.ents:
        founded, tier = e.obj.founded_on, e.tier
        employees = g.rng.randint(*{0: (12, 120), 1: (15, 150), 2: (60, 500), 3: (150, 900),
                                       4: (300, 1500), 5: (1500, 6000)}[tier])
        if 1 <= tier <= 3 and employees < 500:
            for year in (2024, 2025):
                if founded.year < year:
                    start = g.day(date(year, 3, 1), date(year, 6, 30))
                    quals.append(EnterpriseQualification(
                        enterprise=e.obj, kind="tech_sme", level="provincial", valid_from=start,
                        valid_to=date(year, 12, 31), certificate_no=f"{year}{e.obj.uscc[2:8]}A{g.rng.randrange(10**5):05d}"))
            # 科技型中小企业 is entered each year: the 2025 entries renewed each later year up to today
            # (the same day of the year, no draw from the random source, so the rest of the data is as before),
            # so the tier page has a current SME rung and 小升高 moves to count.
            last = quals[-1] if quals and quals[-1].enterprise is e.obj and quals[-1].kind == "tech_sme" else None
            for year in range(2026, g.today.year + 1):
                if last is None or last.valid_from.year != 2025:
                    break
                start = date(year, last.valid_from.month, last.valid_from.day)
                if start > g.today:
                    break
                quals.append(EnterpriseQualification(
                    enterprise=e.obj, kind="tech_sme", level="provincial", valid_from=start,
                    valid_to=date(year, 12, 31), certificate_no=f"{year}{last.certificate_no[4:]}"))
            # 小升高: about one SME in four on the ladder for two years is first certified high-tech in the last
            # whole year (chosen by its credit code, not the random source).
            stamp = sum(map(ord, e.obj.uscc))
            year = g.today.year - 1
            if tier == 1 and last is not None and founded.year < year - 1 and stamp % 4 == 0:
                start = date(year, 11, 10 + stamp % 15)
                quals.append(EnterpriseQualification(
                    enterprise=e.obj, kind="high_tech", level="national", valid_from=start,
                    valid_to=add_years(start, 3) - timedelta(days=1), certificate_no=f"GR{year}32{stamp % 10**6:06d}"))
        if tier >= 2:
            year = g.rng.randint(max(founded.year + 2, 2016), 2025) if founded.year < 2023 else 2025
            while year > 2022:  # the current certificate and the earlier cycles
                year -= 3
            year += 3
            first = max(founded.year + 2, 2016)
            cycle = year
            while cycle >= first:
                start = g.day(date(cycle, 11, 1), date(cycle, 12, 20))
                quals.append(EnterpriseQualification(
                    enterprise=e.obj, kind="high_tech", level="national", valid_from=start,
                    valid_to=add_years(start, 3) - timedelta(days=1),
                    certificate_no=f"GR{cycle}32{g.rng.randrange(10**6):06d}"))
                cycle -= 3
        if tier >= 3:
            start = g.day(g.recent(date(2023, 6, 1)), g.recent(date(2025, 9, 30)))
            quals.append(EnterpriseQualification(enterprise=e.obj, kind="srdi", level="provincial",
                                                 valid_from=start, valid_to=add_years(start, 3)))
            if g.rng.random() < 0.3 or tier >= 5:
                start = g.day(g.recent(date(2022, 7, 1)), g.recent(date(2025, 7, 31)))
                quals.append(EnterpriseQualification(enterprise=e.obj, kind="little_giant", level="national",
                                                     valid_from=start, valid_to=add_years(start, 3)))
            if g.rng.random() < 0.15:
                quals.append(EnterpriseQualification(enterprise=e.obj, kind="listing_cultivation", level="city",
                                                     valid_from=g.recent(date(2025, 4, 1)), valid_to=g.recent(date(2026, 3, 31))))
        if tier >= 4:
            start = g.day(g.recent(date(2024, 5, 1)), g.recent(date(2025, 8, 31)))
            quals.append(EnterpriseQualification(enterprise=e.obj, kind="gazelle", level="city", valid_from=start,
                                                 valid_to=add_years(start, 2) - timedelta(days=1)))
            if g.rng.random() < 0.3:
                quals.append(EnterpriseQualification(enterprise=e.obj, kind="innovation_leader", level="city",
                                                     valid_from=g.recent(date(2025, 5, 1)), valid_to=g.recent(date(2027, 4, 30))))
        if tier == 5:
            kind = "unicorn" if e.key == "battery" else "potential_unicorn"
            quals.append(EnterpriseQualification(enterprise=e.obj, kind=kind, level="provincial",
                                                 valid_from=g.recent(date(2025, 6, 18)), valid_to=g.recent(date(2026, 6, 17)),
                                                 note="江苏省独角兽企业榜单" if kind == "unicorn" else "常州市潜在独角兽企业榜单"))
        # yearly metrics, coherent: R&D 3–8 % of revenue, R&D staff ≤ employees
        per_head = g.rng.uniform(40, 160) * 10000
        rd_ratio, rd_share = g.rng.uniform(0.1, 0.35), g.rng.uniform(0.03, 0.075)
        revenue = employees * per_head
        patents = g.rng.randint(0, 3) + tier * g.rng.randint(1, 6)
        for year in (2023, 2024, 2025):
            if founded.year >= year:
                continue
            revenue *= g.rng.uniform(0.92, 1.35)
            employees = max(5, int(employees * g.rng.uniform(0.95, 1.15)))
            patents += g.rng.randint(0, 2 + tier)
            rev = Decimal(int(revenue / 1000) * 1000)
            metrics.append(EnterpriseMetric(
                enterprise=e.obj, year=year, revenue=rev,
                above_scale=rev >= ABOVE_SCALE_REVENUE if e.key != "ai" else None,  # demo: industrial ones only
                rd_spend=(rev * Decimal(str(round(rd_share + g.rng.uniform(0, 0.005), 4)))).quantize(Decimal("0.01")),
                tax=(rev * Decimal(str(round(g.rng.uniform(0.02, 0.06), 4)))).quantize(Decimal("0.01")),
                employees=employees, rd_staff=max(1, int(employees * (rd_ratio + g.rng.uniform(-0.02, 0.02)))),
                invention_patents=patents))
    g.save(EnterpriseQualification, quals)
    g.save(EnterpriseMetric, metrics)
