"""Demands: the 66 real ones of the reference sample (classified into an industry) plus generated ones."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from duijie.core.choices import Visibility
from duijie.core.reference import load_json
from duijie.demands.models import Demand
from duijie.demo import content as C
from duijie.demo.areas.common import Ent


def classify(g, row: dict) -> str:
    text = row["title"] + row["text"] + row["field"]
    fallback = C.JSTEC_FIELD_INDUSTRIES.get(row["field_l1_derived"], ["ai"])
    scores = {}
    for key, ind in C.INDUSTRIES.items():
        words = ind["terms"] + ind["products"] + ind["label"].split("/")
        scores[key] = sum(text.count(w) for w in words) + (0.5 if key == fallback[0] else 0) + (
            0.25 if key in fallback else 0)
    return max(C.INDUSTRY_KEYS, key=lambda k: scores[k])


def demand_status(g, real: bool):
    status = g.pick({"published": 85, "submitted": 6, "draft": 3, "returned": 4, "closed": 2} if real else
                       {"published": 68, "draft": 8, "submitted": 10, "returned": 7, "rejected": 5, "closed": 2})
    if status in ("published", "closed"):
        vis = g.pick({Visibility.PUBLIC: 80, Visibility.PLATFORM: 12, Visibility.RESTRICTED: 8})
    else:
        vis = Visibility.RESTRICTED
    submitted = g.day(g.recent(date(2026, 1, 5)), g.recent(date(2026, 5, 15)))
    extra = {
        "status": status, "visibility": vis,
        "submitted_at": g.moment(submitted) if status != "draft" else None,
        "published_at": g.moment(submitted + timedelta(days=g.rng.randint(1, 10)))
        if status in ("published", "closed") else None,
        "return_reason": g.rng.choice(C.RETURN_REASONS) if status == "returned" else
        g.rng.choice(C.REJECT_REASONS) if status == "rejected" else "",
        "deadline": g.day(g.recent(date(2026, 6, 30)), g.recent(date(2027, 12, 31))),
    }
    return extra


def make_demands(g) -> None:
    rows = load_json("jstec_demands_sample.jsonl")
    demands, units = [], []
    cursors: dict[str, int] = {}
    shuffled = {k: g.rng.sample(v, k=len(v)) for k, v in g.ents_by_key.items()}

    def next_ent(key: str) -> Ent:
        pool = shuffled[key] or g.ents
        i = cursors.get(key, 0)
        cursors[key] = i + 1
        return pool[i % len(pool)]

    def common(ent: Ent) -> dict:
        return {"enterprise": ent.obj, "industry_id": ent.obj.industry_id, "contact_name": ent.obj.contact_name,
                "contact_phone": ent.obj.contact_phone, "owner_org_id": ent.obj.organisation_id,
                "region_id": ent.obj.region_id, "park": ent.park, **g.scope()}

    for row in rows:
        key = classify(g, row)
        ent = next_ent(key)
        meta = row["meta"]
        amount = Decimal(meta["意向投入(元)"] or "0")
        terms = [w for w in C.INDUSTRIES[key]["terms"] if w in row["title"] + row["text"]][:5]
        fields = list(dict.fromkeys(f.strip() for f in row["field"].split(",") if f.strip()))
        demands.append(Demand(
            demand_type=C.JSTEC_DEMAND_TYPES.get(meta["需求类型"], "other"), title=row["title"][:200],
            description=row["text"], tech_field="、".join(fields)[:200], keywords="、".join(terms),
            cooperation_mode=C.JSTEC_COOPERATION.get(meta["合作方式"], "other"),
            budget_max=amount if amount > 0 else None, budget_negotiable=amount == 0,
            source_ref=row["source"][:300], **common(ent), **demand_status(g, real=True)))
        units.append(ent.unit_ids)
    for _ in range(max(0, g.scale.demands - len(rows))):
        ent = g.rng.choice(g.ents)
        key = ent.key
        ind = C.INDUSTRIES[key]
        template, dtype = g.rng.choice(C.DEMAND_TITLES)
        v = g.vals(key)
        title = g.fill(template, key, **v)
        ctx = {"ps": ent.obj.main_products, **v}
        text = "".join(g.fill(s, key, **ctx) for s in [C.DEMAND_TEXT[0], *g.rng.sample(C.DEMAND_TEXT[1:], k=3)])
        negotiable = g.rng.random() < 0.2
        low = None if negotiable else g.money(10, 200, step_wan=5)
        demands.append(Demand(
            demand_type=dtype, title=title, description=text,
            tech_field=f"{ind['label']}·{g.rng.choice(ind['directions'])}",
            keywords="、".join(g.rng.sample(ind["terms"], k=4)),
            cooperation_mode=g.pick({"joint_development": 40, "commissioned": 20, "transfer": 10, "licence": 5,
                                        "consulting": 15, "joint_lab": 7, "other": 3}),
            budget_min=low, budget_max=(low * Decimal(g.rng.choice(["1.5", "2", "3"]))) if low else None,
            budget_negotiable=negotiable, source_ref=g.rng.choice(["企业走访", "需求征集问卷", "产学研对接会", "平台填报"]),
            **common(ent), **demand_status(g, real=False)))
        units.append(ent.unit_ids)
    demands = g.save(Demand, demands)
    g.link(Demand, demands, "assessment_units", units)
