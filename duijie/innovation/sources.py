"""Where an indicator's raw value comes from: the enterprise's yearly metrics and the platform's
records (patents, technology contracts, cooperation projects, qualifications, carriers, placements,
pairings, filed adjustments). One query per source for all the run's enterprises, never one per
enterprise.

:class:`Reader` answers ``read(source, params)`` with ``{enterprise_id: Value}``: the raw value and
the records behind it (record type slug, id, label) — what the breakdown links to. The run is the
city's official computation, so it reads every record of its enterprises (not one viewer's slice);
the breakdown page passes each link through the viewer's scope again (the record's own page does).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q

from duijie.cooperation.models import CooperationProject, TechContract
from duijie.innovation.models import Adjustment
from duijie.orgs.models import EnterpriseMetric, EnterpriseQualification
from duijie.pairings.choices import HOSTED_BY_ENTERPRISE
from duijie.pairings.models import Pairing, Placement
from duijie.supply.choices import PatentLegalStatus, PatentType
from duijie.supply.models import Carrier, Patent

HUNDRED = Decimal(100)


@dataclass
class Value:
    value: Decimal | bool | None
    records: list[dict] = field(default_factory=list)


def ref(slug: str, pk: int, label: str) -> dict:
    return {"type": slug, "id": pk, "label": str(label)[:120]}


class Reader:
    """Reads the sources for ``enterprises`` (Enterprise objects) in ``year``."""

    def __init__(self, enterprises, year: int):
        self.enterprises = list(enterprises)
        self.ids = [e.pk for e in self.enterprises]
        self.by_org = {e.organisation_id: e.pk for e in self.enterprises if e.organisation_id}
        self.year = year
        self.start, self.end = date(year, 1, 1), date(year, 12, 31)
        self._metrics: dict[int, dict[int, EnterpriseMetric]] = {}

    def metrics(self, year: int) -> dict[int, EnterpriseMetric]:
        if year not in self._metrics:
            self._metrics[year] = {m.enterprise_id: m for m in
                                   EnterpriseMetric.objects.filter(enterprise_id__in=self.ids, year=year)}
        return self._metrics[year]

    def read(self, source: str, params: dict) -> dict[int, Value]:
        return getattr(self, f"_{source}")(params or {})

    # ---------------------------------------------------------------- yearly metrics
    def _metric(self, name: str) -> dict[int, Value]:
        out = {}
        for eid, m in self.metrics(self.year).items():
            v = getattr(m, name)
            out[eid] = Value(v if isinstance(v, bool) or v is None else Decimal(v),
                             [ref("metrics", m.pk, f"{self.year} 年度数据")])
        return out

    def _ratio(self, num: str, den: str) -> dict[int, Value]:
        out = {}
        for eid, m in self.metrics(self.year).items():
            n, d = getattr(m, num), getattr(m, den)
            v = (Decimal(n) * HUNDRED / Decimal(d)) if n is not None and d else None
            out[eid] = Value(v, [ref("metrics", m.pk, f"{self.year} 年度数据")])
        return out

    def _rd_spend(self, p):
        return self._metric("rd_spend")

    def _revenue(self, p):
        return self._metric("revenue")

    def _tax(self, p):
        return self._metric("tax")

    def _employees(self, p):
        return self._metric("employees")

    def _rd_staff(self, p):
        return self._metric("rd_staff")

    def _above_scale(self, p):
        return self._metric("above_scale")

    def _rd_intensity(self, p):
        return self._ratio("rd_spend", "revenue")

    def _rd_staff_share(self, p):
        return self._ratio("rd_staff", "employees")

    def _revenue_growth(self, p):
        now, before = self.metrics(self.year), self.metrics(self.year - 1)
        out = {}
        for eid, m in now.items():
            b = before.get(eid)
            refs = [ref("metrics", m.pk, f"{self.year} 年度数据")]
            if b is None or not b.revenue or m.revenue is None:
                out[eid] = Value(None, refs)
                continue
            refs.append(ref("metrics", b.pk, f"{self.year - 1} 年度数据"))
            out[eid] = Value((Decimal(m.revenue) - Decimal(b.revenue)) * HUNDRED / Decimal(b.revenue), refs)
        return out

    # ---------------------------------------------------------------- records
    def _counted(self, rows) -> dict[int, Value]:
        """(enterprise id, ref) rows → a count per enterprise with its records."""
        got: dict[int, list[dict]] = defaultdict(list)
        for eid, r in rows:
            if r not in got[eid]:
                got[eid].append(r)
        return {eid: Value(Decimal(len(refs)), refs) for eid, refs in got.items()}

    def _summed(self, rows) -> dict[int, Value]:
        """(enterprise id, amount, ref) rows → the sum per enterprise with its records."""
        got: dict[int, Value] = {}
        for eid, amount, r in rows:
            v = got.setdefault(eid, Value(Decimal("0.00"), []))
            v.value += Decimal(amount)
            v.records.append(r)
        return got

    def _patents(self, extra: Q) -> dict[int, Value]:
        """Patents in force at year end whose registry applicant is one of the enterprises."""
        through = Patent.applicant_orgs.through
        qs = (Patent.objects.filter(extra, patent_type=PatentType.INVENTION, legal_status=PatentLegalStatus.GRANTED,
                                    applicant_orgs__in=list(self.by_org))
              .filter(Q(grant_date__isnull=True) | Q(grant_date__lte=self.end)).values_list("pk").distinct())
        pks = [p for (p,) in qs]
        titles = dict(Patent.objects.filter(pk__in=pks).values_list("pk", "title"))
        links = through.objects.filter(patent_id__in=pks, organisation_id__in=list(self.by_org)) \
            .values_list("patent_id", "organisation_id").order_by("patent_id", "organisation_id")
        return self._counted((self.by_org[o], ref("patents", p, titles[p])) for p, o in links)

    def _invention_patents(self, p):
        return self._patents(Q())

    def _high_value_patents(self, p):
        return self._patents(Q(is_high_value=True))

    def _contracts(self, side: str) -> dict[int, Value]:
        qs = TechContract.objects.filter(**{f"{side}__in": self.ids}, signed_on__gte=self.start,
                                         signed_on__lte=self.end).order_by("pk")
        return self._summed((getattr(c, f"{side}_id"), c.amount, ref("tech-contracts", c.pk, c.title))
                            for c in qs.only("pk", "title", "amount", side))

    def _contracts_bought(self, p):
        return self._contracts("enterprise")

    def _contracts_sold(self, p):
        return self._contracts("seller_enterprise")

    def _projects(self, p):
        through = CooperationProject.enterprises.through
        qs = through.objects.filter(enterprise_id__in=self.ids, cooperationproject__signed_on__gte=self.start,
                                    cooperationproject__signed_on__lte=self.end) \
            .values_list("enterprise_id", "cooperationproject_id", "cooperationproject__title") \
            .order_by("cooperationproject_id", "enterprise_id")
        return self._counted((e, ref("projects", pk, t)) for e, pk, t in qs)

    def _qualifications(self, p, *, new: bool = False):
        qs = EnterpriseQualification.objects.filter(enterprise_id__in=self.ids)
        if p.get("kinds"):
            qs = qs.filter(kind__in=p["kinds"])
        if new:
            qs = qs.filter(valid_from__gte=self.start, valid_from__lte=self.end)
        else:
            qs = qs.filter(valid_from__lte=self.end).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.end))
        rows = []
        for q in qs.order_by("pk"):
            rows.append((q.enterprise_id, ref("qualifications", q.pk, f"{q.get_kind_display()} {q.certificate_no}".strip())))
        return self._counted(rows)

    def _new_qualifications(self, p):
        return self._qualifications(p, new=True)

    def _carriers(self, p):
        qs = Carrier.objects.filter(host__in=list(self.by_org)).filter(
            Q(approval_date__isnull=True) | Q(approval_date__lte=self.end))
        if p.get("levels"):
            qs = qs.filter(level__in=p["levels"])
        return self._counted((self.by_org[c.host_id], ref("carriers", c.pk, c.name))
                             for c in qs.order_by("pk").only("pk", "name", "host"))

    def _placements(self, p):
        qs = Placement.objects.filter(host_enterprise__in=self.ids, scheme__in=list(HOSTED_BY_ENTERPRISE),
                                      start_on__lte=self.end).filter(Q(end_on__isnull=True) | Q(end_on__gte=self.start))
        return self._counted((x.host_enterprise_id, ref("placements", x.pk, f"{x.person_name}（{x.get_scheme_display()}）"))
                             for x in qs.order_by("pk"))

    def _pairings(self, p):
        qs = Pairing.objects.filter(enterprise__in=self.ids, start_on__lte=self.end) \
            .filter(Q(end_on__isnull=True) | Q(end_on__gte=self.start)).select_related("expert")
        return self._counted((x.enterprise_id, ref("pairings", x.pk, str(x.expert or x.get_kind_display())))
                             for x in qs.order_by("pk"))

    def _adjustments(self, p):
        qs = Adjustment.objects.filter(enterprise__in=self.ids, year=self.year)
        if p.get("items"):
            qs = qs.filter(item__in=p["items"])
        return self._counted((a.enterprise_id, {"type": "adjustment", "id": a.pk,
                                                "label": f"{a.reason}（{a.document}）"[:120]})
                             for a in qs.order_by("pk"))
