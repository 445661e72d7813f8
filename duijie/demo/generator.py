"""The deterministic demo data generator (``manage.py demo_data``).

Builds a coherent Changzhou (plus the Kunshan units of seed 001) in a migrated database: assessment
units of three schemes, parks, government bodies, institutions with units, enterprises with
qualifications and yearly metrics, experts with roles, Annex-1 achievements, patents, the 66 real
demands of the reference sample plus generated ones, carriers and application scenarios.

Determinism: one ``random.Random(seed)`` drives every choice, nothing iterates a set or an
unordered query, and all dates derive from REF_DAY, so the same seed gives the same data.
Speed: rows are written with ``bulk_create`` (``bulk_create_with_history`` where the model keeps
history, including the history of tracked many-to-many fields) inside one transaction.
Note: ``bulk_create`` bypasses ``save()``, so the organisations behind enterprises and institutions
are created here; encrypted fields still encrypt (get_prep_value) and fill their hash (pre_save).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import models, transaction
from django.db.models import Count
from simple_history.utils import bulk_create_with_history

from duijie.accounts.models import User
from duijie.core.choices import OrgKind, Visibility
from duijie.core.models import AssessmentUnit, Discipline, Industry, Organisation, Park, Region
from duijie.core.reference import load_json
from duijie.core.roles import Role
from duijie.core.validators import USCC_ALPHABET, patent_check_digit, uscc_check_char
from duijie.demands.models import Demand
from duijie.demo import content as C
from duijie.demo import duplicates
from duijie.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, ROLE_ACCOUNTS
from duijie.demo.events import make_events
from duijie.demo.pairings import make_pairings
from duijie.experts.models import Expert, ExpertRole
from duijie.orgs.models import (
    Enterprise,
    EnterpriseMetric,
    EnterpriseQualification,
    Institution,
    InstitutionUnit,
)
from duijie.supply.models import Achievement, Carrier, Patent, Scenario

TZ = ZoneInfo("Asia/Shanghai")
REF_DAY = date(2026, 5, 31)  # "today" of the demo world; every date is at or before it, deadlines after
BATCH = 500
MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                   "155", "156", "157", "158", "159", "177", "180", "181", "182", "183", "186", "187", "188",
                   "189", "199"]
ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]  # GB 11714 organisation-code check


@dataclass
class Scale:
    enterprises: int = 400
    experts: int = 300
    achievements: int = 300
    patents: int = 400
    demands: int = 200  # total including the 66 real ones (which are always all loaded)
    carriers: int = 0  # 0 = derived from the enterprise count
    scenarios: int = 30


@dataclass
class Ent:
    obj: Enterprise
    key: str  # industry key
    district: str
    park: Park | None
    unit_ids: list[int]
    tier: int


@dataclass
class Exp:
    obj: Expert
    key: str
    inst: Institution | None
    unit: InstitutionUnit | None
    ent: Ent | None = None
    unit_ids: list[int] = field(default_factory=list)


def _add_years(day: date, years: int) -> date:
    """Same day ``years`` later; 29 February becomes 28 February in a non-leap year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def demo_data_exists() -> bool:
    """True when a demo account or any enterprise exists (``--if-empty`` then does nothing)."""
    usernames = [a[0] for a in DEMO_ACCOUNTS]
    return User.objects.filter(username__in=usernames).exists() or Enterprise.objects.exists()


def generate(seed: int = 42, scale: Scale | None = None) -> dict[str, int]:
    """Build the demo data set; return the number of rows created per model (verbose plural)."""
    with transaction.atomic():
        return _Generator(seed, scale or Scale()).run()


def _clip(sentences: list[str], limit: int) -> str:
    """Join sentences, dropping trailing ones until the text fits the Annex-1 character limit."""
    out = ""
    for s in sentences:
        if len(out) + len(s) > limit:
            break
        out += s
    return out or sentences[0][:limit]


class _Generator:
    def __init__(self, seed: int, scale: Scale):
        self.rng = random.Random(seed)
        self.scale = scale
        self.counts: dict[str, int] = {}
        self.used_phones: set[str] = set()
        self.used_names: set[str] = set()
        self.used_uscc: set[str] = set()
        self._hist_ids: dict[type, dict[int, int]] = {}

    # ------------------------------------------------------------------ small helpers
    def pick(self, weights: dict):
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def person(self, unique: bool = False) -> str:
        for _ in range(50):
            given = "".join(self.rng.choice(C.GIVEN_CHARS) for _ in range(self.rng.choice((1, 2, 2))))
            name = self.rng.choice(C.SURNAMES) + given
            if not unique or name not in self.used_names:
                self.used_names.add(name)
                return name
        return name

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + "".join(self.rng.choice("0123456789") for _ in range(8))
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def landline(self, area: str = "0519") -> str:
        while True:
            number = f"{area}-{self.rng.choice('68')}{self.rng.randrange(1000000, 9999999)}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def day(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def moment(self, d: date) -> datetime:
        return datetime(d.year, d.month, d.day, self.rng.randrange(8, 18), self.rng.randrange(60), tzinfo=TZ)

    def vals(self, key: str) -> dict:
        """One draw of phrases for a record, so its title and text talk about the same thing."""
        ind = C.INDUSTRIES[key]
        return {"t": self.rng.choice(ind["terms"]), "p": self.rng.choice(ind["products"]),
                  "d": self.rng.choice(ind["directions"]), "x": self.rng.choice(ind["problems"]),
                  "m": self.rng.choice(ind["metrics"]), "label": ind["label"].split("/")[0]}

    def fill(self, template: str, key: str, **extra) -> str:
        return template.format(**(self.vals(key) | extra))

    def money(self, low_wan: float, high_wan: float, step_wan: int = 1) -> Decimal:
        value = self.rng.uniform(low_wan, high_wan)
        return Decimal(int(value / step_wan) * step_wan * 10000).quantize(Decimal("0.01"))

    def count(self, model: type[models.Model], n: int) -> None:
        key = model._meta.label
        self.counts[key] = self.counts.get(key, 0) + n

    # ------------------------------------------------------------------ writing
    def save(self, model: type[models.Model], objs: list) -> list:
        if not objs:
            return objs
        if hasattr(model, "history"):
            objs = bulk_create_with_history(objs, model, batch_size=BATCH, default_user=self.admin_user,
                                            default_date=self.now)
        else:
            objs = model.objects.bulk_create(objs, batch_size=BATCH)
        self.count(model, len(objs))
        return objs

    def link(self, model: type[models.Model], objs: list, name: str, targets: list[list[int]]) -> None:
        """Write many-to-many rows (targets[i] for objs[i]); mirror them into the m2m history of the
        objects' creation records when the model's history tracks the field."""
        m2m = model._meta.get_field(name)
        through = m2m.remote_field.through
        src, dst = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
        rows = [through(**{f"{src}_id": obj.pk, f"{dst}_id": t})
                for obj, ts in zip(objs, targets, strict=True) for t in dict.fromkeys(ts)]
        if not rows:
            return
        rows = through.objects.bulk_create(rows, batch_size=BATCH)
        history = getattr(model, "history", None)
        if history is None or name not in {f.name for f in history.model._history_m2m_fields}:
            return
        if model not in self._hist_ids:
            self._hist_ids[model] = dict(history.model.objects.values_list("id", "history_id"))
        hist_ids = self._hist_ids[model]
        m2m_history = getattr(history.model, name).model
        hist_rows = [m2m_history(history_id=hist_ids[getattr(r, f"{src}_id")], id=r.pk,
                                 **{f"{src}_id": getattr(r, f"{src}_id"), f"{dst}_id": getattr(r, f"{dst}_id")})
                     for r in rows]
        m2m_history.objects.bulk_create(hist_rows, batch_size=BATCH)

    def scope(self, **kw) -> dict:
        """Filing fields every record gets."""
        return {"filed_by": self.admin_user, "filed_by_org": self.city_org, **kw}

    # ------------------------------------------------------------------ run
    def run(self) -> dict[str, int]:
        self.now = datetime(REF_DAY.year, REF_DAY.month, REF_DAY.day, 9, 0, tzinfo=TZ)
        self.load_reference()
        self.make_units()
        self.make_government()
        self.make_accounts()
        self.make_parks()
        self.make_institutions()
        self.make_enterprises()
        self.make_experts()
        self.make_achievements()
        self.make_patents()
        self.make_demands()
        self.make_carriers()
        self.make_scenarios()
        duplicates.provisional_institution(self)
        self.make_role_accounts()
        make_events(self)  # after the accounts: organisers' and demo parties' events
        self.make_cooperation()
        make_pairings(self)
        return self.counts

    def load_reference(self) -> None:
        self.region = dict(Region.objects.filter(code__regex=r"^(3204|3205|\d{2}$|\d{4}$)")
                           .values_list("code", "pk"))
        codes = sorted({c for ind in C.INDUSTRIES.values() for c in ind["gbt"]})
        self.industry = dict(Industry.objects.filter(code__in=codes).values_list("code", "pk"))
        nsfc = sorted({c for ind in C.INDUSTRIES.values() for c in ind["nsfc"]})
        self.discipline = dict(Discipline.objects.filter(code__in=nsfc).values_list("code", "pk"))
        missing = [c for c in codes if c not in self.industry] + [c for c in nsfc if c not in self.discipline]
        if missing or "3204" not in self.region:
            raise RuntimeError("Reference data missing (run `manage.py migrate` first): " + ", ".join(missing or ["3204"]))
        self.towns = {d: sorted(c for c in self.region if len(c) == 9 and c.startswith(d)) for d in C.DISTRICTS}

    # ------------------------------------------------------------------ units, government, accounts
    def make_units(self) -> None:
        units = []
        for code, name, kind, city, _parent, _regions, _parks, start, end, note in C.ASSESSMENT_UNITS:
            units.append(AssessmentUnit(code=code, name=name, kind=kind, city_id=self.region[city], note=note,
                                        valid_from=date.fromisoformat(start), valid_to=date.fromisoformat(end)))
        self.admin_user = None  # history rows of units have no user yet
        units = self.save(AssessmentUnit, units)
        self.unit = {u.code: u for u in units}
        by_code = {row[0]: row for row in C.ASSESSMENT_UNITS}
        for u in units:
            parent = by_code[u.code][4]
            if parent:
                u.parent = self.unit[parent]
        AssessmentUnit.objects.bulk_update([u for u in units if u.parent_id], ["parent"])
        history = AssessmentUnit.history.model
        for u in units:
            if u.parent_id:
                history.objects.filter(id=u.pk).update(parent_id=u.parent_id)
        wujin_rest = [c for c in self.towns["320412"] if c not in C.JINGKAI_TOWNS]
        regions = []
        for u in units:
            codes = by_code[u.code][5] or (wujin_rest if u.code == "cz2026-wujin" else [])
            regions.append([self.region[c] for c in codes])
        self.link(AssessmentUnit, units, "regions", regions)

    def make_government(self) -> None:
        orgs = [Organisation(kind=OrgKind.GOVERNMENT, name=name, region_id=self.region[region],
                             assessment_unit=self.unit[unit] if unit else None)
                for name, region, unit in C.GOVERNMENT]
        orgs = Organisation.objects.bulk_create(orgs)
        self.count(Organisation, len(orgs))
        self.gov = {o.name: o for o in orgs}
        self.gov_by_unit = {o.assessment_unit.code: o for o in orgs if o.assessment_unit_id}
        self.city_org = self.gov["常州市科学技术局"]

    def make_accounts(self) -> None:
        users = []
        for username, display, role, org in DEMO_ACCOUNTS:
            organisation = Organisation.objects.filter(kind=org[0], name=org[1]).order_by("pk").first() if org else None
            user = User(username=username, display_name=display, role=role, organisation=organisation,
                        is_demo=True, is_staff=role == Role.CITY_ADMIN, email=f"{username}@demo.example")
            user.set_password(DEMO_PASSWORD)
            users.append(user)
        users = User.objects.bulk_create(users)
        self.count(User, len(users))
        self.admin_user = users[0]

    def make_role_accounts(self) -> None:
        """One demo account per remaining role, each tied to a real organisation of the data set."""
        park = Park.objects.filter(name__startswith="武进国家高新").first() or Park.objects.order_by("pk").first()
        park_org = Organisation.objects.create(kind=OrgKind.GOVERNMENT, name=f"{park.name}管理委员会",
                                               region_id=park.region_id, park=park)
        broker_org = Organisation.objects.create(kind=OrgKind.OTHER, name="常州科技大市场技术经纪服务中心",
                                                 region_id=self.region["3204"])
        self.count(Organisation, 2)
        enterprise = (Enterprise.objects.annotate(n=Count("demands")).order_by("-n", "pk").first())
        cczu = Institution.objects.get(name="常州大学")
        expert = (Expert.objects.filter(institution=cczu).annotate(n=Count("achievements_led"))
                  .order_by("-n", "pk").first())
        orgs = {
            Role.UNIT_ADMIN: self.gov["武进区科学技术局"], Role.PARK_MANAGER: park_org,
            "enterprise": enterprise.organisation, "institution": cczu.organisation,
            "expert": cczu.organisation, "broker": broker_org,
        }
        users = []
        for username, display, role in ROLE_ACCOUNTS:
            org = orgs.get(role, self.city_org)
            if username == "kunshan":
                org = self.gov["昆山市科学技术局"]
            user = User(username=username, display_name=display, role=role, organisation=org, is_demo=True,
                        email=f"{username}@demo.example")
            user.set_password(DEMO_PASSWORD)
            users.append(user)
        users = User.objects.bulk_create(users)
        self.count(User, len(users))
        expert_user = next(u for u in users if u.role == Role.EXPERT)
        Expert.objects.filter(pk=expert.pk).update(user=expert_user)
        User.objects.filter(pk=expert_user.pk).update(display_name=expert.name)

    # ------------------------------------------------------------------ parks
    def make_parks(self) -> None:
        parks = []
        for name, short, level, region, tracks, _keys, years, address in C.PARKS:
            parks.append(Park(name=name, short_name=short, level=level, region_id=self.region[region],
                              industry_tracks=tracks, directory_years=years, address=address,
                              description=f"{name}，重点发展{tracks}等特色优势产业。",
                              visibility=Visibility.PUBLIC, **self.scope()))
        parks = self.save(Park, parks)
        self.park = {p.name: p for p in parks}
        self.park_keys = {row[0]: row[5] for row in C.PARKS}
        self.park_region = {row[0]: row[3] for row in C.PARKS}
        self.link(Park, parks, "industries",
                  [[self.industry[C.INDUSTRIES[k]["gbt"][0]] for k in row[5]] for row in C.PARKS])
        # unit ↔ park mapping, both directions
        unit_list = [self.unit[row[0]] for row in C.ASSESSMENT_UNITS]
        self.link(AssessmentUnit, unit_list, "parks", [[self.park[n].pk for n in row[6]] for row in C.ASSESSMENT_UNITS])
        park_units: dict[str, list[int]] = {p.name: [] for p in parks}
        for row in C.ASSESSMENT_UNITS:
            for n in row[6]:
                park_units[n].append(self.unit[row[0]].pk)
        self.link(Park, parks, "assessment_units", [park_units[p.name] for p in parks])

    def units_for(self, region_code: str, park: Park | None, founded: date | None) -> list[int]:
        """Assessment units a record located at region_code (and park) counts for."""
        ids = []
        if region_code.startswith("320583"):
            for row in C.ASSESSMENT_UNITS:
                if row[0].startswith("ks2017") and (region_code in row[5] or (park and park.name in row[6])):
                    ids.append(self.unit[row[0]].pk)
            return ids[:1] or []
        district = region_code[:6]
        if not district.startswith("3204"):
            return ids
        jingkai = region_code in C.JINGKAI_TOWNS or (park is not None and park.name == "常州经济开发区")
        code = {"320412": "cz2026-wujin", "320411": "cz2026-xinbei", "320402": "cz2026-tianning",
                "320404": "cz2026-zhonglou", "320413": "cz2026-jintan", "320481": "cz2026-liyang"}[district]
        ids.append(self.unit["cz2026-jingkai" if jingkai else code].pk)
        if district == "320412" and (founded is None or founded.year <= 2018):
            ids.append(self.unit["wj2016-wujin"].pk)
            child = None
            if jingkai:
                child = "wj2016-jingkai"
            elif region_code == "320412411" or (park and park.name == "武进国家高新技术产业开发区"):
                child = "wj2016-gaoxin"
            elif region_code == "320412412" or (park and park.name in ("西太湖科技产业园", "常州石墨烯科技产业园")):
                child = "wj2016-xitaihu"
            elif park and park.name == "武进绿色建筑产业集聚示范区":
                child = "wj2016-lvjian"
            if child:
                ids.append(self.unit[child].pk)
        return ids

    # ------------------------------------------------------------------ institutions
    def make_institutions(self) -> None:
        orgs, insts = [], []
        for name, _short, _kind, _local, region, _slug, _keys, _units, _desc in C.INSTITUTIONS:
            orgs.append(Organisation(kind=OrgKind.INSTITUTION, name=name, region_id=self.region[region]))
        orgs = Organisation.objects.bulk_create(orgs)
        self.count(Organisation, len(orgs))
        unit_ids = []
        for org, (name, short, kind, local, region, slug, _keys, _units, desc) in zip(orgs, C.INSTITUTIONS, strict=True):
            tto = "成果转化处" if kind == "institute" else ("技术转移中心" if kind == "university" else "成果转化部")
            insts.append(Institution(
                name=name, short_name=short, kind=kind, is_local=local, region_id=org.region_id,
                organisation=org, owner_org=org, description=desc or f"{name}，与常州开展产学研合作的知名高校院所。",
                tto_name=f"{name}{tto}", tto_contact=self.person(), tto_phone=self.mobile(),
                tto_email=f"tto@{slug}.example", visibility=Visibility.PUBLIC, **self.scope()))
            unit_ids.append(self.units_for(region, None, None) if local else [])
        insts = self.save(Institution, insts)
        self.link(Institution, insts, "assessment_units", unit_ids)
        self.inst_row = {i.pk: row for i, row in zip(insts, C.INSTITUTIONS, strict=True)}
        self.inst_units = dict(zip([i.pk for i in insts], unit_ids, strict=True))
        units, unit_keys = [], []
        for inst, row in zip(insts, C.INSTITUTIONS, strict=True):
            for uname, ukind, keys in row[7]:
                units.append(InstitutionUnit(institution=inst, name=uname, kind=ukind,
                                             description=f"{inst.name}{uname}，研究方向涵盖" + "、".join(
                                                 C.INDUSTRIES[k]["label"] for k in keys) + "。"))
                unit_keys.append(keys)
        units = self.save(InstitutionUnit, units)
        self.insts = insts
        # (institution, unit) candidates per industry
        self.by_key: dict[str, list[tuple[Institution, InstitutionUnit]]] = {k: [] for k in C.INDUSTRY_KEYS}
        inst_by_pk = {i.pk: i for i in insts}
        for unit, keys in zip(units, unit_keys, strict=True):
            for k in keys:
                self.by_key[k].append((inst_by_pk[unit.institution_id], unit))

    # ------------------------------------------------------------------ enterprises
    def uscc(self, district: str) -> str:
        while True:
            if self.rng.random() < 0.7:
                body = "MA" + "".join(self.rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(6))
            else:
                body = "".join(self.rng.choice("0123456789") for _ in range(8))
            total = sum((int(ch) if ch.isdigit() else ord(ch) - 55) * w
                        for ch, w in zip(body, ORG_CODE_WEIGHTS, strict=True))
            check = 11 - total % 11
            org_check = {10: "X", 11: "0"}.get(check, str(check))
            code17 = "91" + district + body + org_check
            assert all(ch in USCC_ALPHABET for ch in code17)
            code = code17 + uscc_check_char(code17)
            if code not in self.used_uscc:
                self.used_uscc.add(code)
                return code

    def enterprise_name(self, key: str, district: str, big: bool) -> str:
        ind = C.INDUSTRIES[key]
        if district == "320583":
            prefix = self.rng.choice(["昆山", "昆山", "昆山市", "江苏"])
        else:
            local = {"320481": "溧阳", "320413": "常州市金坛", "320412": "常州市武进"}.get(district, "常州市")
            prefix = self.pick({"常州": 5, "江苏": 3, local: 2})
        for _ in range(100):
            first = self.rng.choice(ind["name_chars"]) if self.rng.random() < 0.35 else self.rng.choice(C.SCHOOL_NAME_ROOTS)
            second = self.rng.choice(C.SCHOOL_NAME_ROOTS)
            if first == second:
                continue
            name = f"{prefix}{first}{second}{self.rng.choice(ind['name_words'])}{'股份有限公司' if big else '有限公司'}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        raise RuntimeError("could not find a free enterprise name")

    def make_enterprises(self) -> None:
        n = self.scale.enterprises
        plan = []  # (key, district, park, region_code, tier)
        kunshan_units = {"ks2017-kaifa": 3, "ks2017-gaoxin": 3, "ks2017-huaqiao": 1, "ks2017-zhangpu": 1,
                         "ks2017-zhoushi": 1, "ks2017-lujia": 1, "ks2017-bacheng": 1, "ks2017-qiandeng": 1,
                         "ks2017-dianshanhu": 1, "ks2017-zhouzhuang": 1, "ks2017-jinxi": 1}
        unit_row = {row[0]: row for row in C.ASSESSMENT_UNITS}
        for i in range(n):
            tier = self.pick({0: 10, 1: 50, 2: 26, 3: 9, 4: 4})
            if i == 0:
                key, tier = "battery", 5  # the unicorn
            elif i == 1:
                key, tier = "ai", 5  # the potential unicorn
            else:
                key = self.pick(C.INDUSTRY_WEIGHTS)
            if i > 1 and self.rng.random() < 0.08:
                ucode = self.pick(kunshan_units)
                key = self.rng.choice(C.KUNSHAN_UNIT_INDUSTRIES[ucode])
                row = unit_row[ucode]
                park = self.park[row[6][0]] if row[6] and self.rng.random() < 0.7 else None
                region = row[5][0] if row[5] else "320583401"  # towns without a code: their communities' unit
                plan.append((key, "320583", park, region, tier, [self.unit[ucode].pk]))
                continue
            district = "320481" if i == 0 else self.pick(C.INDUSTRIES[key]["districts"])
            candidates = [p for name, p in self.park.items()
                          if key in self.park_keys[name] and self.park_region[name].startswith(district)]
            park = self.rng.choice(candidates) if candidates and self.rng.random() < 0.65 else None
            if park is not None and len(self.park_region[park.name]) == 9:
                region = self.park_region[park.name]
            else:
                towns = self.towns[district]
                if district == "320412" and park is not None:
                    towns = [t for t in towns if t not in C.JINGKAI_TOWNS]
                region = self.rng.choice(towns)
            plan.append((key, district, park, region, tier, None))

        orgs, ents, ent_units, infos = [], [], [], []
        for key, district, park, region, tier, fixed_units in plan:
            name = self.enterprise_name(key, district, big=tier >= 4)
            founded = self.day(date(2016, 1, 1), date(2019, 12, 31)) if tier == 5 else self.day(
                date(1996, 1, 1) if tier >= 3 else date(2003, 1, 1), date(2016 if tier >= 3 else 2024, 12, 31))
            orgs.append(Organisation(kind=OrgKind.ENTERPRISE, name=name, region_id=self.region[region], park=park))
            ind = C.INDUSTRIES[key]
            products = self.rng.sample(ind["products"], k=min(len(ind["products"]), self.rng.randint(2, 4)))
            partner = self.rng.choice(self.by_key[key])[0].name if self.by_key[key] else "在常高校"
            desc = "".join(s.format(year=founded.year, ps="、".join(products), inst=partner, app=C.APPLICATIONS[key])
                           for s in C.ENTERPRISE_DESC[: self.rng.randint(2, 4)])
            dname, roads = C.DISTRICTS[district]
            city = "江苏省昆山市" if district == "320583" else f"常州市{dname}" if district != "320481" else "江苏省溧阳市"
            capital = {0: (100, 1000), 1: (100, 3000), 2: (500, 8000), 3: (2000, 20000), 4: (5000, 50000),
                       5: (50000, 200000)}[tier]
            ents.append(Enterprise(
                uscc=self.uscc(district), name=name, legal_representative=self.person(), founded_on=founded,
                registered_capital=self.money(*capital, step_wan=10), industry_id=self.industry[self.rng.choice(ind["gbt"])],
                address=f"{city}{self.rng.choice(roads)}{self.rng.randint(1, 399)}号", main_products="、".join(products),
                description=desc, contact_name=self.person(), contact_phone=self.mobile(), region_id=self.region[region],
                park=park, visibility=Visibility.PLATFORM, **self.scope()))
            ent_units.append(fixed_units or self.units_for(region, park, founded))
            infos.append((key, district, park, tier))
        duplicates.plant_enterprises(self, orgs, ents, ent_units, infos)
        orgs = Organisation.objects.bulk_create(orgs, batch_size=BATCH)
        self.count(Organisation, len(orgs))
        for org, ent in zip(orgs, ents, strict=True):
            ent.organisation = org
            ent.owner_org = org
        ents = self.save(Enterprise, ents)
        self.link(Enterprise, ents, "assessment_units", ent_units)
        self.ents = [Ent(e, k, d, p, u, t) for e, (k, d, p, t), u in zip(ents, infos, ent_units, strict=True)]
        self.ents_by_key: dict[str, list[Ent]] = {k: [] for k in C.INDUSTRY_KEYS}
        for e in self.ents:
            self.ents_by_key[e.key].append(e)
        self.make_qualifications_and_metrics()

    def make_qualifications_and_metrics(self) -> None:
        quals, metrics = [], []
        for e in self.ents:
            founded, tier = e.obj.founded_on, e.tier
            employees = self.rng.randint(*{0: (12, 120), 1: (15, 150), 2: (60, 500), 3: (150, 900),
                                           4: (300, 1500), 5: (1500, 6000)}[tier])
            if 1 <= tier <= 3 and employees < 500:
                for year in (2024, 2025):
                    if founded.year < year:
                        start = self.day(date(year, 3, 1), date(year, 6, 30))
                        quals.append(EnterpriseQualification(
                            enterprise=e.obj, kind="tech_sme", level="provincial", valid_from=start,
                            valid_to=date(year, 12, 31), certificate_no=f"{year}{e.obj.uscc[2:8]}A{self.rng.randrange(10**5):05d}"))
            if tier >= 2:
                year = self.rng.randint(max(founded.year + 2, 2016), 2025) if founded.year < 2023 else 2025
                while year > 2022:  # the current certificate and the earlier cycles
                    year -= 3
                year += 3
                first = max(founded.year + 2, 2016)
                cycle = year
                while cycle >= first:
                    start = self.day(date(cycle, 11, 1), date(cycle, 12, 20))
                    quals.append(EnterpriseQualification(
                        enterprise=e.obj, kind="high_tech", level="national", valid_from=start,
                        valid_to=_add_years(start, 3) - timedelta(days=1),
                        certificate_no=f"GR{cycle}32{self.rng.randrange(10**6):06d}"))
                    cycle -= 3
            if tier >= 3:
                start = self.day(date(2023, 6, 1), date(2025, 9, 30))
                quals.append(EnterpriseQualification(enterprise=e.obj, kind="srdi", level="provincial",
                                                     valid_from=start, valid_to=_add_years(start, 3)))
                if self.rng.random() < 0.3 or tier >= 5:
                    start = self.day(date(2022, 7, 1), date(2025, 7, 31))
                    quals.append(EnterpriseQualification(enterprise=e.obj, kind="little_giant", level="national",
                                                         valid_from=start, valid_to=_add_years(start, 3)))
                if self.rng.random() < 0.15:
                    quals.append(EnterpriseQualification(enterprise=e.obj, kind="listing_cultivation", level="city",
                                                         valid_from=date(2025, 4, 1), valid_to=date(2026, 3, 31)))
            if tier >= 4:
                start = self.day(date(2024, 5, 1), date(2025, 8, 31))
                quals.append(EnterpriseQualification(enterprise=e.obj, kind="gazelle", level="city", valid_from=start,
                                                     valid_to=_add_years(start, 2) - timedelta(days=1)))
                if self.rng.random() < 0.3:
                    quals.append(EnterpriseQualification(enterprise=e.obj, kind="innovation_leader", level="city",
                                                         valid_from=date(2025, 5, 1), valid_to=date(2027, 4, 30)))
            if tier == 5:
                kind = "unicorn" if e.key == "battery" else "potential_unicorn"
                quals.append(EnterpriseQualification(enterprise=e.obj, kind=kind, level="provincial",
                                                     valid_from=date(2025, 6, 18), valid_to=date(2026, 6, 17),
                                                     note="江苏省独角兽企业榜单" if kind == "unicorn" else "常州市潜在独角兽企业榜单"))
            # yearly metrics, coherent: R&D 3–8 % of revenue, R&D staff ≤ employees
            per_head = self.rng.uniform(40, 160) * 10000
            rd_ratio, rd_share = self.rng.uniform(0.1, 0.35), self.rng.uniform(0.03, 0.075)
            revenue = employees * per_head
            patents = self.rng.randint(0, 3) + tier * self.rng.randint(1, 6)
            for year in (2023, 2024, 2025):
                if founded.year >= year:
                    continue
                revenue *= self.rng.uniform(0.92, 1.35)
                employees = max(5, int(employees * self.rng.uniform(0.95, 1.15)))
                patents += self.rng.randint(0, 2 + tier)
                rev = Decimal(int(revenue / 1000) * 1000)
                metrics.append(EnterpriseMetric(
                    enterprise=e.obj, year=year, revenue=rev,
                    rd_spend=(rev * Decimal(str(round(rd_share + self.rng.uniform(0, 0.005), 4)))).quantize(Decimal("0.01")),
                    tax=(rev * Decimal(str(round(self.rng.uniform(0.02, 0.06), 4)))).quantize(Decimal("0.01")),
                    employees=employees, rd_staff=max(1, int(employees * (rd_ratio + self.rng.uniform(-0.02, 0.02)))),
                    invention_patents=patents))
        self.save(EnterpriseQualification, quals)
        self.save(EnterpriseMetric, metrics)

    # ------------------------------------------------------------------ experts
    def make_experts(self) -> None:
        n = self.scale.experts
        exps: list[Exp] = []
        title_weights = {v: w for v, _d, w in C.TITLES}
        inst_experts = 0
        local_weight = {True: 3, False: 1}
        for i in range(n):
            if i % 8 == 7 and self.ents:  # an enterprise engineer
                ent = self.rng.choice(self.ents)
                key = ent.key
                e = Expert(name=self.person(unique=True), employer=ent.obj.name,
                           title=self.pick({"senior_engineer": 3, "prof_senior_engineer": 1, "engineer": 2}),
                           position=self.rng.choice(["技术总监", "研发中心主任", "总工程师", "研发经理"]),
                           owner_org_id=ent.obj.organisation_id, region_id=ent.obj.region_id, park=ent.park,
                           **self.scope())
                exps.append(Exp(e, key, None, None, ent, ent.unit_ids))
                continue
            key = self.pick(C.INDUSTRY_WEIGHTS)
            pairs = self.by_key[key]
            inst, unit = self.rng.choices(pairs, weights=[local_weight[p[0].is_local] for p in pairs])[0]
            inst_experts += 1
            title = self.pick(title_weights)
            if inst.kind != "university" and title in ("professor", "assoc_professor", "lecturer"):
                title = {"professor": "researcher", "assoc_professor": "assoc_researcher", "lecturer": "engineer"}[title]
            e = Expert(name=self.person(unique=True), institution=inst, unit=unit, title=title,
                       position=self.rng.choice(C.POSITIONS) if title in ("professor", "researcher") else "",
                       owner_org_id=inst.organisation_id, region_id=inst.region_id, **self.scope())
            exps.append(Exp(e, key, inst, unit, None, self.inst_units[inst.pk]))
        inst_slugs = {i.pk: self.inst_row[i.pk][5] for i in self.insts}
        ent_index = {id(e): i + 1 for i, e in enumerate(self.ents)}
        for idx, x in enumerate(exps):
            ind = C.INDUSTRIES[x.key]
            e = x.obj
            directions = self.rng.sample(ind["directions"], k=2 + (self.rng.random() < 0.4))
            e.research_directions = "；".join(directions)
            e.keywords = "、".join(self.rng.sample(ind["terms"], k=self.rng.randint(4, 6)))
            e.phone = self.mobile()
            domain = f"{inst_slugs[x.inst.pk]}.example" if x.inst else f"ent{ent_index[id(x.ent)]:04d}.example"
            e.email = f"expert{idx + 1:04d}@{domain}"
            e.do_not_recommend = self.rng.random() < 0.03
            e.visibility = Visibility.PLATFORM
            where = x.inst.name if x.inst else x.ent.obj.name
            unit_name = x.unit.name if x.unit else ""
            title_disp = C.TITLE_DISPLAY.get(e.title, "")
            sentences = [C.BIO_TEMPLATES[0].format(name=e.name, inst=where, unit=unit_name, title=title_disp,
                                                   pos=f"、{e.position}" if e.position else "", d=directions[0])]
            sentences += [self.fill(s, x.key) for s in self.rng.sample(C.BIO_TEMPLATES[1:], k=2)]
            e.bio = "".join(sentences)
        duplicates.plant_expert(exps)
        objs = self.save(Expert, [x.obj for x in exps])
        for x, o in zip(exps, objs, strict=True):
            x.obj = o
        self.link(Expert, objs, "industries",
                  [[self.industry[c] for c in self.rng.sample(C.INDUSTRIES[x.key]["gbt"], k=self.rng.randint(1, 2))]
                   for x in exps])
        self.link(Expert, objs, "disciplines",
                  [[self.discipline[c] for c in self.rng.sample(C.INDUSTRIES[x.key]["nsfc"], k=self.rng.randint(1, 2))]
                   for x in exps])
        self.link(Expert, objs, "assessment_units", [x.unit_ids for x in exps])
        self.exps = exps
        self.exps_by_key: dict[str, list[Exp]] = {k: [] for k in C.INDUSTRY_KEYS}
        for x in exps:
            if x.inst:
                self.exps_by_key[x.key].append(x)
        self.make_roles()

    def make_roles(self) -> None:
        roles = []
        academicians = 0
        for x in self.exps:
            if x.inst is None:
                continue
            r = self.rng.random()
            senior = x.obj.title in ("professor", "researcher", "assoc_professor", "assoc_researcher")
            hosts = self.ents_by_key[x.key] or self.ents
            if senior and r < 0.2 and hosts:
                start = self.rng.choice([date(2024, 3, 1), date(2025, 3, 1), date(2026, 3, 1)])
                roles.append(ExpertRole(expert=x.obj, kind="tech_vp", host_id=self.rng.choice(hosts).obj.organisation_id,
                                        start=start, end=_add_years(start, 1) - timedelta(days=1)))
            elif senior and r < 0.28 and hosts:
                start = self.rng.choice([date(2023, 9, 1), date(2024, 9, 1), date(2025, 9, 1)])
                roles.append(ExpertRole(expert=x.obj, kind="industry_professor",
                                        host_id=self.rng.choice(hosts).obj.organisation_id,
                                        start=start, end=_add_years(start, 3) - timedelta(days=1)))
            elif r < 0.31 and hosts:
                roles.append(ExpertRole(expert=x.obj, kind="dual_post", host_id=self.rng.choice(hosts).obj.organisation_id,
                                        start=date(2025, 7, 1), end=date(2027, 6, 30)))
            elif r < 0.37:
                year = self.rng.randint(2019, 2025)
                roles.append(ExpertRole(expert=x.obj, kind="broker", host_id=x.inst.organisation_id,
                                        certificate_no=f"JSJJR{year}{self.rng.randrange(10**5):05d}",
                                        start=date(year, self.rng.randint(1, 12), 1)))
            elif r < 0.42:
                year = self.rng.randint(2021, 2025)
                roles.append(ExpertRole(expert=x.obj, kind="tech_manager", host_id=x.inst.organisation_id,
                                        certificate_no=f"JSJSJLR{year}{self.rng.randrange(10**5):05d}",
                                        start=date(year, self.rng.randint(1, 12), 1)))
            elif (not x.inst.is_local and x.obj.title in ("professor", "researcher") and academicians < 2
                  and r < 0.47):
                academicians += 1
                roles.append(ExpertRole(expert=x.obj, kind="academician", host_id=x.inst.organisation_id,
                                        start=date(2017 + 2 * academicians, 11, 22)))
        self.save(ExpertRole, roles)
        self.tech_vps = [r for r in roles if r.kind == "tech_vp"]

    # ------------------------------------------------------------------ achievements
    def make_achievements(self) -> None:
        targets = {"ks2017-kaifa": 20, "ks2017-gaoxin": 22, "ks2017-huaqiao": 13, "ks2017-zhangpu": 10,
                   "ks2017-zhoushi": 8, "ks2017-lujia": 6, "ks2017-bacheng": 5, "ks2017-qiandeng": 5,
                   "ks2017-dianshanhu": 3, "ks2017-zhouzhuang": 3, "ks2017-jinxi": 3}
        wj_keys = {"wj2016-xitaihu": ["graphene", "biomed"], "wj2016-lvjian": ["greenbuild"],
                   "wj2016-jingkai": ["rail", "electronics"], "wj2016-gaoxin": ["robotics", "electronics", "battery"],
                   "wj2016-wujin": C.INDUSTRY_KEYS}
        cz_units = [row[0] for row in C.ASSESSMENT_UNITS if row[0].startswith("cz2026")]
        unit_parks = {row[0]: row[6] for row in C.ASSESSMENT_UNITS}
        names: set[tuple[int, str]] = set()
        achs, ach_units, self.ach_meta = [], [], []
        field_other = {"greenbuild": "绿色建筑", "robotics": "智能制造", "ai": "人工智能", "rail": "轨道交通",
                       "synbio": "合成生物", "carbonfiber": "先进复合材料", "battery": "新能源",
                       "electronics": "集成电路", "graphene": "石墨烯", "biomed": "医疗器械"}
        for _ in range(self.scale.achievements):
            scheme = self.pick({"cz": 70, "ks": 15, "wj": 15})
            if scheme == "cz":
                key = self.pick(C.INDUSTRY_WEIGHTS)
                fitting = [u for u in cz_units if any(key in self.park_keys[p] for p in unit_parks[u])]
                ucode = self.rng.choice(fitting or cz_units)
                filing = self.day(date(2026, 1, 10), date(2026, 5, 20))
            elif scheme == "ks":
                ucode = self.pick(targets)
                key = self.rng.choice(C.KUNSHAN_UNIT_INDUSTRIES[ucode])
                filing = self.day(date(2017, 3, 1), date(2017, 12, 20))
            else:
                ucode = self.pick({"wj2016-wujin": 3, "wj2016-xitaihu": 2, "wj2016-lvjian": 1, "wj2016-jingkai": 2,
                                   "wj2016-gaoxin": 2})
                key = self.rng.choice(wj_keys[ucode])
                filing = self.day(date(2016, 6, 1), date(2018, 11, 30))
            unit = self.unit[ucode]
            pool = self.exps_by_key[key]
            if pool and self.rng.random() < 0.9:
                lead = self.rng.choice(pool)
                inst, iunit = lead.inst, lead.unit
                lead_name, lead_phone = lead.obj.name, lead.obj.phone
                lead_title = "、".join(filter(None, [lead.obj.position, C.TITLE_DISPLAY.get(lead.obj.title, "")]))
            else:
                lead = None
                inst, iunit = self.rng.choice(self.by_key[key])
                lead_name, lead_phone = self.person(), self.mobile()
                lead_title = self.pick({"教授": 3, "研究员": 1, "副教授": 2, "高级工程师": 1})
            name = ""
            for attempt in range(30):
                v = self.vals(key)
                name = self.fill(self.rng.choice(C.ACHIEVEMENT_TITLES), key, **v)
                if attempt > 20:
                    name += f"（第{attempt - 19}代）"
                if (inst.pk, name) not in names:
                    break
            names.add((inst.pk, name))
            park_names = [p for p in unit_parks[ucode] if key in self.park_keys[p]] or unit_parks[ucode]
            if not park_names:  # a unit without parks of its own: a park of its child units
                park_names = [p for row in C.ASSESSMENT_UNITS if row[4] == ucode for p in row[6]
                              if key in self.park_keys[p]]
            park_name = park_names[0] if park_names else f"{unit.name}各产业园区"
            park = self.park.get(park_name)
            ctx = {"inst": inst.name, "unit": iunit.name, "lead": lead_name, "district": unit.name, "park": park_name,
                   **v}
            intro = [self.fill(C.ACHIEVEMENT_INTRO[0], key, **ctx)] + [
                self.fill(s, key, **ctx) for s in self.rng.sample(C.ACHIEVEMENT_INTRO[1:], k=self.rng.randint(3, 5))]
            fit = [self.fill(s, key, **ctx) for s in self.rng.sample(C.ACHIEVEMENT_FIT, k=self.rng.randint(2, 3))]
            promo = [self.fill(s, key, **ctx) for s in self.rng.sample(C.ACHIEVEMENT_PROMOTION, k=self.rng.randint(1, 2))]
            fld = C.INDUSTRIES[key]["field"]
            r = self.rng.random()
            other = ""
            if r < (0.4 if key == "greenbuild" else 0.05):
                fld, other = "其他", field_other[key]
            elif key == "synbio" and r > 0.9:
                fld = "现代农业"
            elif key == "graphene" and r > 0.92:
                fld = "民生用品"
            stage = self.pick({"研制阶段": 30, "试生产阶段": 25, "小批量生产阶段": 25, "批量生产阶段": 15, "其他": 5})
            old = filing.year < 2020
            status = self.pick({"published": 70, "transferred": 25, "returned": 5} if old else
                               {"published": 68, "draft": 7, "submitted": 9, "returned": 6, "transferred": 10})
            if status in ("published", "transferred"):
                vis = self.pick({Visibility.PUBLIC: 85, Visibility.PLATFORM: 15})
            else:
                vis = Visibility.RESTRICTED
            if self.rng.random() < 0.02:
                vis = Visibility.CLASSIFIED
            ip = self.pick(dict(C.IP_FORMS))
            modes = [m for m in C.TRANSFER_MODES if self.rng.random() < 0.35] or [self.rng.choice(C.TRANSFER_MODES)]
            area = "0512" if ucode.startswith("ks") else "0519"
            gov = self.gov_by_unit.get(ucode) or self.gov_by_unit.get("cz2026-wujin")
            region_code = self.inst_row[inst.pk][4]
            achs.append(Achievement(
                name=name, institution=inst, unit_name=iunit.name, unit=iunit, lead_name=lead_name,
                lead_title=lead_title, lead_phone=lead_phone, lead_expert=lead.obj if lead else None,
                field=fld, field_other=other, stage=stage, stage_other="中试阶段" if stage == "其他" else "",
                introduction=_clip(intro, 500), district_fit=_clip(fit, 300), promotion_plan=_clip(promo, 200),
                filing_unit=unit, filer_name=self.person(),
                filer_phone=self.landline(area) if self.rng.random() < 0.3 else self.mobile(),
                filing_date=filing, status=status,
                return_reason=self.rng.choice(C.RETURN_REASONS) if status == "returned" else "",
                published_at=self.moment(filing + timedelta(days=self.rng.randint(3, 20)))
                if status in ("published", "transferred") else None,
                ip_form=ip, transfer_modes=modes,
                asking_price=None if self.rng.random() < 0.3 else self.money(10, 800, step_wan=5),
                owner_org_id=inst.organisation_id, region_id=self.region[region_code], park=park, visibility=vis,
                filed_by=self.admin_user, filed_by_org=gov))
            ids = [unit.pk] + ([unit.parent_id] if unit.parent_id else [])
            ach_units.append(ids)
            self.ach_meta.append((key, lead))
        achs = self.save(Achievement, achs)
        self.link(Achievement, achs, "assessment_units", ach_units)
        self.achs = achs

    # ------------------------------------------------------------------ patents
    def make_patents(self) -> None:
        used: set[str] = set()
        patents, applicant_orgs, inventor_ids, meta = [], [], [], []
        inst_experts = {}
        for x in self.exps:
            if x.inst:
                inst_experts.setdefault(x.inst.pk, []).append(x)
        for _ in range(self.scale.patents):
            kind = self.pick({"inst": 60, "ent": 35, "joint": 5})
            ptype = self.pick({"1": 68, "2": 27, "3": 5} if kind != "ent" else {"1": 50, "2": 38, "3": 12})
            if kind == "ent" or not self.exps_by_key:
                ent = self.rng.choice(self.ents)
                key, orgs, inv_exps = ent.key, [ent.obj.organisation_id], []
                names_app = [ent.obj.name]
                region_id, park, unit_ids = ent.obj.region_id, ent.park, ent.unit_ids
                engineers = [x for x in self.exps if x.ent is ent]
                inv_exps = engineers[:1]
            else:
                key = self.pick(C.INDUSTRY_WEIGHTS)
                pool = self.exps_by_key[key] or [x for x in self.exps if x.inst]
                first = self.rng.choice(pool)
                colleagues = [x for x in inst_experts[first.inst.pk] if x is not first and x.key == first.key]
                inv_exps = [first, *self.rng.sample(colleagues, k=min(len(colleagues), self.rng.randint(0, 2)))]
                orgs, names_app = [first.inst.organisation_id], [first.inst.name]
                region_id, park, unit_ids = first.inst.region_id, None, self.inst_units[first.inst.pk]
                if kind == "joint" and self.ents_by_key[key]:
                    ent = self.rng.choice(self.ents_by_key[key])
                    orgs.append(ent.obj.organisation_id)
                    names_app.append(ent.obj.name)
            inventors = [x.obj.name for x in inv_exps] + [self.person() for _ in range(self.rng.randint(1, 4))]
            year = self.pick({y: w for y, w in zip(range(2016, 2026), (2, 3, 4, 5, 6, 7, 8, 9, 10, 10), strict=True)})
            while True:
                serial = self.rng.randrange(1, 2_000_000) if ptype == "1" else self.rng.randrange(1, 3_000_000)
                digits = f"{year}{ptype}{serial:07d}"
                if digits not in used:
                    used.add(digits)
                    break
            number = f"{digits}.{patent_check_digit(digits)}"
            app_day = self.day(date(year, 1, 3), min(date(year, 12, 28), REF_DAY - timedelta(days=30)))
            ind = C.INDUSTRIES[key]
            p, t, x = self.rng.choice(ind["products"]), self.rng.choice(ind["terms"]), self.rng.choice(ind["problems"])
            status, grant, pub = "pending", None, None
            if ptype == "1":
                title = self.rng.choice([f"一种{p}的制备方法", f"一种基于{t}的{p}", f"{p}及其制备方法和应用",
                                         f"一种{t}方法及系统", f"一种用于{p}的{t}装置"])
                abstract = (f"本发明公开了{title.removeprefix('一种')}，涉及{ind['label']}技术领域。"
                            f"本发明通过{t}解决了{x}的问题，{self.rng.choice(ind['metrics'])}，适合工业化生产。")
                pub_day = app_day + timedelta(days=self.rng.randint(180, 540))
                pub = pub_day if pub_day <= REF_DAY else None
                g = app_day + timedelta(days=self.rng.randint(600, 1300))
                if g <= REF_DAY and self.rng.random() < 0.75:
                    grant, status = g, "granted"
                elif g <= REF_DAY and self.rng.random() < 0.3:
                    status = self.pick({"rejected": 2, "withdrawn": 1})
                ipc = "; ".join(self.rng.sample(ind["ipc"], k=self.rng.randint(1, 3)))
                pub_no = f"CN1{self.rng.randrange(10**8):08d}{'B' if grant else 'A'}" if pub else ""
            elif ptype == "2":
                title = self.rng.choice([f"一种{p}", f"一种{t}用{p}结构", f"一种{p}的固定装置", f"一种便于维护的{p}"])
                abstract = (f"本实用新型公开了{title.removeprefix('一种')}，结构简单、安装方便，"
                            f"有效改善了{x}的问题。")
                grant = app_day + timedelta(days=self.rng.randint(150, 360))
                grant = grant if grant <= REF_DAY else None
                status = "granted" if grant else "pending"
                pub = grant
                ipc = "; ".join(self.rng.sample(ind["ipc"], k=self.rng.randint(1, 2)))
                pub_no = f"CN2{self.rng.randrange(10**8):08d}U" if grant else ""
            else:
                title = self.rng.choice([p, f"{p}（{self.rng.choice(['一', '二', '标准型', '紧凑型'])}）"])
                abstract = f"本外观设计产品的名称为{title}，用于{C.APPLICATIONS[key].split('、')[0]}。设计要点在于产品的形状。"
                grant = app_day + timedelta(days=self.rng.randint(90, 240))
                grant = grant if grant <= REF_DAY else None
                status = "granted" if grant else "pending"
                pub, ipc = grant, ""
                pub_no = f"CN3{self.rng.randrange(10**8):08d}S" if grant else ""
            if status == "granted" and year <= 2019 and self.rng.random() < 0.15:
                status = "lapsed"
            high = ptype == "1" and status == "granted" and self.rng.random() < 0.6  # ~15 % of all patents
            patents.append(Patent(
                application_no=number, publication_no=pub_no, title=title[:300], abstract=abstract, ipc_codes=ipc,
                patent_type={"1": "invention", "2": "utility", "3": "design"}[ptype], legal_status=status,
                applicants="；".join(names_app), inventors="、".join(dict.fromkeys(inventors)),
                application_date=app_day, publication_date=pub, grant_date=grant, is_high_value=high,
                value_score=Decimal(str(round(self.rng.uniform(70, 98), 2))) if high else None,
                owner_org_id=orgs[0], region_id=region_id, park=park,
                visibility=Visibility.PUBLIC if high else Visibility.PLATFORM, **self.scope()))
            applicant_orgs.append(orgs)
            inventor_ids.append([x.obj.pk for x in inv_exps])
            meta.append((unit_ids, [x for x in inv_exps]))
        patents = self.save(Patent, patents)
        self.link(Patent, patents, "applicant_orgs", applicant_orgs)
        self.link(Patent, patents, "inventor_experts", inventor_ids)
        self.link(Patent, patents, "assessment_units", [m[0] for m in meta])
        # achievements list the patents their lead researcher invented
        by_inventor: dict[int, list[int]] = {}
        for p, ids in zip(patents, inventor_ids, strict=True):
            for i in ids:
                by_inventor.setdefault(i, []).append(p.pk)
        links = []
        for a, (_key, lead) in zip(self.achs, self.ach_meta, strict=True):
            own = by_inventor.get(lead.obj.pk, []) if lead else []
            links.append(own[:2] if a.ip_form == "invention_patent" else [])
        self.link(Achievement, self.achs, "patents", links)

    # ------------------------------------------------------------------ demands
    def classify(self, row: dict) -> str:
        text = row["title"] + row["text"] + row["field"]
        fallback = C.JSTEC_FIELD_INDUSTRIES.get(row["field_l1_derived"], ["ai"])
        scores = {}
        for key, ind in C.INDUSTRIES.items():
            words = ind["terms"] + ind["products"] + ind["label"].split("/")
            scores[key] = sum(text.count(w) for w in words) + (0.5 if key == fallback[0] else 0) + (
                0.25 if key in fallback else 0)
        return max(C.INDUSTRY_KEYS, key=lambda k: scores[k])

    def demand_status(self, real: bool):
        status = self.pick({"published": 85, "submitted": 6, "draft": 3, "returned": 4, "closed": 2} if real else
                           {"published": 68, "draft": 8, "submitted": 10, "returned": 7, "rejected": 5, "closed": 2})
        if status in ("published", "closed"):
            vis = self.pick({Visibility.PUBLIC: 80, Visibility.PLATFORM: 12, Visibility.RESTRICTED: 8})
        else:
            vis = Visibility.RESTRICTED
        submitted = self.day(date(2026, 1, 5), date(2026, 5, 15))
        extra = {
            "status": status, "visibility": vis,
            "submitted_at": self.moment(submitted) if status != "draft" else None,
            "published_at": self.moment(submitted + timedelta(days=self.rng.randint(1, 10)))
            if status in ("published", "closed") else None,
            "return_reason": self.rng.choice(C.RETURN_REASONS) if status == "returned" else
            self.rng.choice(C.REJECT_REASONS) if status == "rejected" else "",
            "deadline": self.day(date(2026, 6, 30), date(2027, 12, 31)),
        }
        return extra

    def make_demands(self) -> None:
        rows = load_json("jstec_demands_sample.jsonl")
        demands, units = [], []
        cursors: dict[str, int] = {}
        shuffled = {k: self.rng.sample(v, k=len(v)) for k, v in self.ents_by_key.items()}

        def next_ent(key: str) -> Ent:
            pool = shuffled[key] or self.ents
            i = cursors.get(key, 0)
            cursors[key] = i + 1
            return pool[i % len(pool)]

        def common(ent: Ent) -> dict:
            return {"enterprise": ent.obj, "industry_id": ent.obj.industry_id, "contact_name": ent.obj.contact_name,
                    "contact_phone": ent.obj.contact_phone, "owner_org_id": ent.obj.organisation_id,
                    "region_id": ent.obj.region_id, "park": ent.park, **self.scope()}

        for row in rows:
            key = self.classify(row)
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
                source_ref=row["source"][:300], **common(ent), **self.demand_status(real=True)))
            units.append(ent.unit_ids)
        for _ in range(max(0, self.scale.demands - len(rows))):
            ent = self.rng.choice(self.ents)
            key = ent.key
            ind = C.INDUSTRIES[key]
            template, dtype = self.rng.choice(C.DEMAND_TITLES)
            v = self.vals(key)
            title = self.fill(template, key, **v)
            ctx = {"ps": ent.obj.main_products, **v}
            text = "".join(self.fill(s, key, **ctx) for s in [C.DEMAND_TEXT[0], *self.rng.sample(C.DEMAND_TEXT[1:], k=3)])
            negotiable = self.rng.random() < 0.2
            low = None if negotiable else self.money(10, 200, step_wan=5)
            demands.append(Demand(
                demand_type=dtype, title=title, description=text,
                tech_field=f"{ind['label']}·{self.rng.choice(ind['directions'])}",
                keywords="、".join(self.rng.sample(ind["terms"], k=4)),
                cooperation_mode=self.pick({"joint_development": 40, "commissioned": 20, "transfer": 10, "licence": 5,
                                            "consulting": 15, "joint_lab": 7, "other": 3}),
                budget_min=low, budget_max=(low * Decimal(self.rng.choice(["1.5", "2", "3"]))) if low else None,
                budget_negotiable=negotiable, source_ref=self.rng.choice(["企业走访", "需求征集问卷", "产学研对接会", "平台填报"]),
                **common(ent), **self.demand_status(real=False)))
            units.append(ent.unit_ids)
        demands = self.save(Demand, demands)
        self.link(Demand, demands, "assessment_units", units)

    # ------------------------------------------------------------------ carriers and scenarios
    def make_carriers(self) -> None:
        n = self.scale.carriers or max(12, self.scale.enterprises // 6)
        names: set[tuple[str, str]] = set()
        carriers, co_builders, industries, units = [], [], [], []
        inst_by_org = {i.organisation_id: i for i in self.insts}
        for i in range(n):
            kind, template, levels, host_kind = C.CARRIER_KINDS[i % len(C.CARRIER_KINDS)]
            for _attempt in range(30):
                key = self.pick(C.INDUSTRY_WEIGHTS)
                label = C.INDUSTRIES[key]["label"].split("/")[0]
                host, park, region_id, unit_ids, co = None, None, None, [], []
                if host_kind == "institution":
                    inst = self.rng.choice([p[0] for p in self.by_key[key] if p[0].is_local]
                                           or [p[0] for p in self.by_key[key]])
                    host, region_id, unit_ids = inst.organisation_id, inst.region_id, self.inst_units[inst.pk]
                    host_name = inst.name
                    if self.ents_by_key[key] and self.rng.random() < 0.3:
                        co.append(self.rng.choice(self.ents_by_key[key]).obj.organisation_id)
                elif host_kind == "enterprise":
                    pool = [e for e in self.ents_by_key[key] if e.tier >= 2] or self.ents_by_key[key] or self.ents
                    ent = self.rng.choice(pool)
                    host, region_id, park, unit_ids = ent.obj.organisation_id, ent.obj.region_id, ent.park, ent.unit_ids
                    host_name = ent.obj.name
                    if self.by_key[key] and self.rng.random() < 0.4:
                        co.append(self.rng.choice(self.by_key[key])[0].organisation_id)
                else:
                    pool = [p for name, p in self.park.items() if key in self.park_keys[name] and p.directory_years]
                    park = self.rng.choice(pool or [p for p in self.park.values() if p.directory_years])
                    region_id = park.region_id
                    host_name = park.short_name
                    unit_ids = self.units_for(self.park_region[park.name], park, REF_DAY)
                name = template.format(t=self.rng.choice(C.INDUSTRIES[key]["terms"]), host=host_name,
                                       park=park.short_name if park else "", label=label)[:200]
                if (name, kind) not in names:
                    break
            else:
                continue  # no free name for this kind at this scale
            names.add((name, kind))
            level = self.pick(levels)
            approver = C.LEVEL_APPROVER[level]
            if level == "district":
                approver = next((o.name for o in self.gov.values() if o.region_id == region_id), "区科学技术局")
            directions = "、".join(self.rng.sample(C.INDUSTRIES[key]["directions"], k=2))
            desc = (f"依托{inst_by_org[host].name if host in inst_by_org else host_name}建设，聚焦{directions}，"
                    f"面向{C.INDUSTRIES[key]['label']}产业提供研发、测试和成果转化服务。")
            carriers.append(Carrier(
                name=name, kind=kind, level=level, host_id=host, approved_by=approver,
                approval_date=self.day(date(2015, 1, 1), date(2025, 12, 31)), description=desc,
                co_builders_text=f"{park.name}管理委员会" if host_kind == "park" else "",
                owner_org_id=host, region_id=region_id, park=park, visibility=Visibility.PUBLIC, **self.scope()))
            co_builders.append(co)
            industries.append([self.industry[c] for c in C.INDUSTRIES[key]["gbt"][:2]])
            units.append(unit_ids)
        carriers = self.save(Carrier, carriers)
        self.link(Carrier, carriers, "co_builders", co_builders)
        self.link(Carrier, carriers, "industries", industries)
        self.link(Carrier, carriers, "assessment_units", units)

    def make_scenarios(self) -> None:
        scenarios, units = [], []
        district_gov = [o for o in self.gov.values() if o.assessment_unit_id and o.assessment_unit.code.startswith("cz")]
        for title, domain, key, desc, req in C.SCENARIOS[: self.scale.scenarios]:
            r = self.rng.random()
            park = None
            if r < 0.6:
                pool = [e for e in self.ents_by_key[key] if e.tier >= 2] or self.ents_by_key[key] or self.ents
                ent = self.rng.choice(pool)
                provider, region_id, park, unit_ids = ent.obj.organisation_id, ent.obj.region_id, ent.park, ent.unit_ids
            elif r < 0.85:
                gov = self.rng.choice(district_gov)
                provider, region_id, unit_ids = gov.pk, gov.region_id, [gov.assessment_unit_id]
            else:
                inst = self.rng.choice([i for i in self.insts if i.is_local])
                provider, region_id, unit_ids = inst.organisation_id, inst.region_id, self.inst_units[inst.pk]
            start = self.day(date(2026, 1, 15), date(2026, 5, 15))
            stage = self.pick({"collecting": 40, "matching": 30, "piloting": 20, "landed": 10})
            scenarios.append(Scenario(
                title=title, domain=domain, provider_id=provider, stage=stage, period_start=start,
                period_end=start + timedelta(days=self.rng.choice([180, 270, 365, 540])),
                openness=self.pick({"open": 70, "invited": 25, "internal": 5}), description=desc, requirements=req,
                investment=self.money(50, 2000, step_wan=10), owner_org_id=provider, region_id=region_id, park=park,
                visibility=Visibility.PUBLIC, **self.scope()))
            units.append(unit_ids)
        scenarios = self.save(Scenario, scenarios)
        self.link(Scenario, scenarios, "assessment_units", units)


    # ------------------------------------------------------------------ cooperation
    def make_cooperation(self) -> None:
        """Projects from event intentions (when the events part of the demo made some), from published
        demands and from other sources; stage histories; technology contracts, most of them registered
        (认定登记); yearly outcomes of implemented projects. Event-sourced projects are linked to their
        intention and its event explicitly — the effectiveness funnel counts nothing else."""
        from duijie.cooperation.choices import ProjectStage as S
        from duijie.cooperation.models import STAGE_DATE, CooperationProject, TechContract, YearlyOutcome
        from duijie.events.models import Intention

        broker = User.objects.filter(role=Role.BROKER).order_by("pk").first()
        transfer_org = Organisation.objects.filter(name="常州科技大市场技术经纪服务中心").first()
        ent_by_id = {e.obj.pk: e for e in self.ents}
        exps_by_inst: dict[int, list[Exp]] = {}
        for x in self.exps:
            if x.inst is not None:
                exps_by_inst.setdefault(x.inst.pk, []).append(x)
        local_insts = [i for i in self.insts if exps_by_inst.get(i.pk)] or self.insts
        flow = {S.INTENTION: 18, S.SIGNED: 20, S.IMPLEMENTING: 32, S.COMPLETED: 20, S.TERMINATED: 10}
        order = [S.INTENTION, S.SIGNED, S.IMPLEMENTING, S.COMPLETED]
        plans = []  # (project, parties, units, path of (stage, date, reason))

        def path_for(start: date) -> list[tuple[str, date, str]]:
            final = self.pick(flow)
            steps, day = [(S.INTENTION, start, "")], start
            reach = order.index(final) if final != S.TERMINATED else self.rng.randrange(0, 3)
            for stage in order[1:reach + 1]:
                day = min(day + timedelta(days=self.rng.randrange(20, 150)), REF_DAY)
                steps.append((stage, day, ""))
            if final == S.TERMINATED:
                day = min(day + timedelta(days=self.rng.randrange(30, 200)), REF_DAY)
                steps.append((S.TERMINATED, day, self.rng.choice(C.PROJECT_TERMINATION_REASONS)))
            return steps

        intentions = list(Intention.objects.filter(event__isnull=False).select_related("event")
                          .order_by("signed_on", "pk"))
        for it in intentions:
            if self.rng.random() >= 0.45:
                continue
            ent = ent_by_id.get(it.enterprise_id)
            project = CooperationProject(
                title=it.subject[:200], description=it.notes, source="event", source_event_id=it.event_id,
                source_intention=it, owner_org_id=it.owner_org_id or (ent.obj.organisation_id if ent else None),
                region_id=it.region_id, park_id=it.park_id, visibility=Visibility.RESTRICTED, **self.scope())
            parties = {"enterprises": [it.enterprise_id], "institutions": [it.institution_id] if it.institution_id else [],
                       "experts": [it.expert_id] if it.expert_id else []}
            plans.append((project, parties, ent.unit_ids if ent else [], path_for(it.signed_on)))
        demands = list(Demand.objects.filter(status__in=("published", "closed")).order_by("pk"))
        for demand in self.rng.sample(demands, k=min(len(demands), max(3, len(demands) // 4))):
            ent = ent_by_id.get(demand.enterprise_id)
            inst = self.rng.choice(local_insts)
            expert = self.rng.choice(exps_by_inst[inst.pk]) if exps_by_inst.get(inst.pk) else None
            start = self.day(REF_DAY - timedelta(days=720), REF_DAY - timedelta(days=60))
            project = CooperationProject(
                title=f"{demand.title[:80]}合作项目", description=demand.description[:500], source="demand",
                source_demand=demand, owner_org_id=demand.owner_org_id, region_id=demand.region_id,
                park_id=demand.park_id, visibility=Visibility.RESTRICTED, **self.scope())
            parties = {"enterprises": [demand.enterprise_id], "institutions": [inst.pk],
                       "experts": [expert.obj.pk] if expert else []}
            plans.append((project, parties, ent.unit_ids if ent else [], path_for(start)))
        for _ in range(max(3, len(self.ents) // 20)):
            ent = self.rng.choice(self.ents)
            inst = self.rng.choice(local_insts)
            source = self.pick({"challenge": 4, "visit": 4, "other": 2})
            start = self.day(REF_DAY - timedelta(days=720), REF_DAY - timedelta(days=60))
            project = CooperationProject(
                title=self.fill(self.rng.choice(C.PROJECT_TITLES), ent.key), source=source,
                owner_org_id=ent.obj.organisation_id, region_id=ent.obj.region_id, park=ent.park,
                visibility=Visibility.RESTRICTED, **self.scope())
            plans.append((project, {"enterprises": [ent.obj.pk], "institutions": [inst.pk], "experts": []},
                          ent.unit_ids, path_for(start)))
        if not plans:
            return
        for project, _parties, _units, steps in plans:
            for stage, day, _reason in steps:
                setattr(project, STAGE_DATE[stage], day)
            project.status = steps[-1][0]
            project.stage_reason = steps[-1][2]
            if broker is not None and self.rng.random() < 0.3:
                project.broker = broker
        projects = CooperationProject.objects.bulk_create([p for p, *_ in plans], batch_size=BATCH)
        self.count(CooperationProject, len(projects))
        # Stage history: one historical row per stage reached, dated on the stage's day.
        hist = CooperationProject.history.model
        names = [f.attname for f in CooperationProject._meta.concrete_fields]
        rows = []
        for project, (_p, _parties, _units, steps) in zip(projects, plans, strict=True):
            snapshot = {n: getattr(project, n) for n in names}
            last = None
            for i, (stage, day, reason) in enumerate(steps):
                when = self.moment(day)
                last = when = max(when, last + timedelta(minutes=1)) if last else when  # stages in order
                state = {**snapshot, "status": stage, "stage_reason": reason}
                for later in [st for st, *_ in steps[i + 1:]]:
                    state[STAGE_DATE[later]] = None
                rows.append(hist(**state, history_date=when, history_type="+" if i == 0 else "~",
                                 history_user=self.admin_user, history_change_reason=reason[:100] or None))
        hist.objects.bulk_create(rows, batch_size=BATCH)
        for name in ("enterprises", "institutions", "experts"):
            self.link(CooperationProject, projects, name, [parties[name] for _p, parties, *_ in plans])
        self.link(CooperationProject, projects, "assessment_units", [units for _p, _x, units, _s in plans])

        contracts, contract_units, outcomes, n = [], [], [], 0
        reached = {S.SIGNED, S.IMPLEMENTING, S.COMPLETED}
        for project, (_p, parties, units, steps) in zip(projects, plans, strict=True):
            stages = {st for st, *_ in steps}
            if not stages & reached or self.rng.random() >= 0.75:
                continue
            signed = project.signed_on or steps[-1][1]
            ent = ent_by_id.get(parties["enterprises"][0])
            inst_id = parties["institutions"][0] if parties["institutions"] else self.rng.choice(local_insts).pk
            registered = self.rng.random() < 0.8
            n += 1
            reg_day = min(signed + timedelta(days=self.rng.randrange(3, 40)), REF_DAY)
            contracts.append(TechContract(
                title=f"{project.title[:60]}{self.rng.choice(['技术开发合同', '技术服务合同', '技术转让合同', '技术咨询合同'])}",
                contract_type=self.pick({"dev_commissioned": 35, "dev_cooperative": 20, "transfer_patent": 8,
                                         "transfer_secret": 4, "licence": 6, "consulting": 9, "service": 14,
                                         "service_training": 2, "service_intermediary": 2}),
                enterprise_id=parties["enterprises"][0], institution_id=inst_id, amount=self.money(5, 300),
                signed_on=signed, registration_number=f"{reg_day.year}320400{n:06d}" if registered else "",
                registered_on=reg_day if registered else None,
                transfer_org=transfer_org if project.broker_id else None, broker_id=project.broker_id,
                project=project, owner_org_id=project.owner_org_id, region_id=project.region_id,
                park_id=project.park_id, visibility=Visibility.RESTRICTED, **self.scope()))
            contract_units.append(units)
            if project.implementation_on:
                for year in range(project.implementation_on.year, REF_DAY.year):
                    outcomes.append(YearlyOutcome(
                        project=project, year=year, new_investment=self.money(20, 500, step_wan=5),
                        new_sales=self.money(50, 3000, step_wan=10) if self.rng.random() < 0.8 else None,
                        profit_tax=self.money(5, 300) if self.rng.random() < 0.7 else None))
        contracts = self.save(TechContract, contracts)
        self.link(TechContract, contracts, "assessment_units", contract_units)
        self.save(YearlyOutcome, outcomes)


def plain_phones() -> list[str]:
    """Every phone value the demo data holds, decrypted (for the at-rest test)."""
    values: list[str] = []
    for model, fields in ((Enterprise, ["contact_phone"]), (Institution, ["tto_phone"]), (Expert, ["phone", "email"]),
                          (Achievement, ["lead_phone", "filer_phone"]), (Demand, ["contact_phone"])):
        for row in model.objects.values_list(*fields):
            values.extend(v for v in row if v)
    return values
