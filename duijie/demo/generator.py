"""The deterministic demo data generator (``manage.py demo_data``).

Builds a coherent Changzhou (plus the Kunshan units of seed 001) in a migrated database: assessment
units of three schemes, parks, government bodies, institutions with units, enterprises with
qualifications and yearly metrics, experts with roles, Annex-1 achievements, patents, the 66 real
demands of the reference sample plus generated ones, carriers and application scenarios, events,
cooperation projects and pairings.

Each area is one module of ``duijie.demo.areas`` (a ``make_…(g)`` function taking the generator);
this module holds the generator itself — the random source, the shared helpers (names, phones,
dates, money, bulk writing with history) and the reference lookups — and runs the areas in order.

Determinism: one ``random.Random(seed)`` drives every choice, nothing iterates a set or an
unordered query, and all dates derive from the day it runs for (``today``: the current world's dates
are written as of REF_DAY and moved to today by ``recent``), so the same seed and day give the same
data, and a demo started any day looks current (deadlines ahead, certificates about to expire).
Speed: rows are written with ``bulk_create`` (``bulk_create_with_history`` where the model keeps
history, including the history of tracked many-to-many fields) inside one transaction.
Note: ``bulk_create`` bypasses ``save()``, so the organisations behind enterprises and institutions
are created here; encrypted fields still encrypt (get_prep_value) and fill their hash (pre_save).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from duijie.accounts.models import User
from duijie.core.models import Discipline, Industry, Park, Region
from duijie.core.validators import USCC_ALPHABET, uscc_check_char
from duijie.demands.models import Demand
from duijie.demo import content as C
from duijie.demo import duplicates
from duijie.demo.accounts import DEMO_ACCOUNTS
from duijie.demo.areas import (
    accounts,
    awards,
    challenges,
    cooperation,
    demands,
    events,
    experts,
    government,
    innovation,
    orgs,
    pairings,
    programmes,
    supply,
)
from duijie.demo.areas.common import BATCH, MOBILE_PREFIXES, ORG_CODE_WEIGHTS, REF_DAY, TZ
from duijie.experts.models import Expert
from duijie.orgs.models import Enterprise, Institution
from duijie.supply.models import Achievement


@dataclass
class Scale:
    enterprises: int = 400
    experts: int = 300
    achievements: int = 300
    patents: int = 400
    demands: int = 200  # total including the 66 real ones (which are always all loaded)
    carriers: int = 0  # 0 = derived from the enterprise count
    scenarios: int = 30


def demo_data_exists() -> bool:
    """True when a demo account or any enterprise exists (``--if-empty`` then does nothing)."""
    usernames = [a[0] for a in DEMO_ACCOUNTS]
    return User.objects.filter(username__in=usernames).exists() or Enterprise.objects.exists()


def generate(seed: int = 42, scale: Scale | None = None, today: date | None = None) -> dict[str, int]:
    """Build the demo data set; return the number of rows created per model (verbose plural).
    ``today`` (default: the real date) is how far the records of the running programme (2026–2028)
    reach — they are generated relative to it so its progress shows a pace at the date it is read."""
    with transaction.atomic():
        return _Generator(seed, scale or Scale(), today or timezone.localdate()).run()


class _Generator:
    def __init__(self, seed: int, scale: Scale, today: date):
        self.rng = random.Random(seed)
        self.scale = scale
        self.today = today
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

    def recent(self, day: date) -> date:
        """A date of the current world, written as of REF_DAY, moved to the same distance from today
        (a deadline a month after REF_DAY is a month after today). Archival dates (programmes of
        2017–2021, founding years, certificate cycles by year) are not moved."""
        return day + (self.today - REF_DAY)

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
        hist_ids = self._hist_ids.get(model)
        if hist_ids is None or any(obj.pk not in hist_ids for obj in objs):  # rows created since: read again
            hist_ids = self._hist_ids[model] = dict(history.model.objects.values_list("id", "history_id"))
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
        self.now = datetime(self.today.year, self.today.month, self.today.day, 9, 0, tzinfo=TZ)
        self.load_reference()
        government.make_units(self)
        government.make_government(self)
        accounts.make_accounts(self)
        government.make_parks(self)
        orgs.make_institutions(self)
        orgs.make_enterprises(self)
        experts.make_experts(self)
        supply.make_achievements(self)
        supply.make_patents(self)
        demands.make_demands(self)
        supply.make_carriers(self)
        supply.make_scenarios(self)
        duplicates.provisional_institution(self)
        accounts.make_role_accounts(self)
        events.make_events(self)  # after the accounts: organisers' and demo parties' events
        cooperation.make_cooperation(self)
        pairings.make_pairings(self)
        challenges.make_challenges(self)  # after cooperation and pairings: the panels' conflicts use them
        programmes.make_programmes(self)  # last: its progress counts the records above
        programmes.make_supervision(self)  # after the programmes: its issued report freezes their progress
        innovation.make_innovation(self)  # the 创新积分 run reads the enterprises' metrics and records above
        awards.make_awards(self)  # after the programmes (schemes belong to them) and the records they pay for
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


def plain_phones() -> list[str]:
    """Every phone value the demo data holds, decrypted (for the at-rest test)."""
    values: list[str] = []
    for model, fields in ((Enterprise, ["contact_phone"]), (Institution, ["tto_phone"]), (Expert, ["phone", "email"]),
                          (Achievement, ["lead_phone", "filer_phone"]), (Demand, ["contact_phone"])):
        for row in model.objects.values_list(*fields):
            values.extend(v for v in row if v)
    return values
