"""Cooperation records as matching signals (issue #6): "past cooperation" and "became a project".

Both are derived from the records every time (no copies that could go stale):

- **Links**: an enterprise E has worked with an expert X or an institution I when they are parties
  of the same cooperation project that is not terminated (终止), when I sold E a technology contract,
  or when X is (or was) paired with E (挂钩联系). Liaison pairings link bureau staff, not supply.
- **Partners** (``Record.partners``, ids in the index): an enterprise and each of its demands list
  ``expert:X`` and ``institution:I``; an expert lists ``enterprise:E``; an achievement lists the
  enterprises its institution worked with; a patent those of its applicant institutions. A demand
  query carries ``org=enterprise:E``; a supply query carries its partners plus the demands of those
  enterprises, so ``matchkit.structured.cooperation`` fires both ways.
- **Became a project**: a project from a demand D (``source_demand``) with expert X among its
  parties is the strongest feedback on (demand:D, expert:X); a project from an event whose 1:1
  meeting (or the intention signed there) paired expert X with enterprise E, both parties of the
  project, is that feedback on (expert:X, enterprise:E). Terminated projects do not count.

The index holds ids only; which project links two records is looked up when a reason is shown and
named only if the viewer may read the project (or contract, or pairing), otherwise the reason stays
generic ("曾有合作").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q

from duijie.cooperation.choices import ProjectStage
from duijie.cooperation.models import CooperationProject, TechContract
from duijie.demands.models import Demand
from duijie.events.models import MeetingSlot
from duijie.orgs.models import Institution
from duijie.pairings.choices import PairingKind
from duijie.pairings.models import Pairing
from duijie.supply.models import Patent

ENTERPRISE_SIDE = ("enterprise", "demand")


@dataclass(frozen=True)
class Link:
    enterprise: int
    kind: str  # "expert" | "institution"
    pk: int
    via: tuple[str, int]  # ("project" | "contract" | "pairing", pk)


def _models():
    return CooperationProject, TechContract, Pairing


def _live_projects():
    return _models()[0].objects.exclude(status=ProjectStage.TERMINATED)


def project_parties(projects) -> dict[str, dict[int, set[int]]]:
    """kind → project pk → party pks (enterprise, expert, institution) of ``projects`` (pks or a
    queryset), in one query (the three joins multiply rows per project; projects have few parties)."""
    P = _models()[0]
    qs = projects if hasattr(projects, "values_list") else P.objects.filter(pk__in=list(projects))
    out: dict[str, dict[int, set[int]]] = {k: defaultdict(set) for k in ("enterprise", "expert", "institution")}
    for p, e, x, i in qs.values_list("pk", "enterprises", "experts", "institutions").order_by():
        for kind, v in (("enterprise", e), ("expert", x), ("institution", i)):
            if v is not None:
                out[kind][p].add(v)
    return out


def links(*, enterprises: Iterable[int] | None = None, experts: Iterable[int] | None = None,
          institutions: Iterable[int] | None = None) -> list[Link]:
    """Every link touching one of the given enterprises, experts or institutions (union). Three queries
    at most: projects with their parties, contracts, pairings."""
    P, TechContract, Pairing = _models()

    ents, exps, insts = (set(x or ()) for x in (enterprises, experts, institutions))
    if not (ents or exps or insts):
        return []
    touching = Q(pk__in=[])
    for kind, ids in (("enterprise", ents), ("expert", exps), ("institution", insts)):
        if ids:
            through = getattr(P, kind + "s").through
            touching |= Q(pk__in=through.objects.filter(**{f"{kind}_id__in": ids}).values("cooperationproject_id"))
    out: list[Link] = []
    parties = project_parties(_live_projects().filter(touching))
    for p in sorted(parties["enterprise"]):
        for e in parties["enterprise"][p]:
            out += [Link(e, "expert", x, ("project", p)) for x in parties["expert"].get(p, ())]
            out += [Link(e, "institution", i, ("project", p)) for i in parties["institution"].get(p, ())]
    if ents or insts:
        q = (Q(enterprise_id__in=ents) if ents else Q(pk__in=[])) | (Q(institution_id__in=insts) if insts
                                                                     else Q(pk__in=[]))
        for pk, e, i in TechContract.objects.filter(q, institution__isnull=False).values_list(
                "pk", "enterprise_id", "institution_id"):
            out.append(Link(e, "institution", i, ("contract", pk)))
    if ents or exps:
        q = (Q(enterprise_id__in=ents) if ents else Q(pk__in=[])) | (Q(expert_id__in=exps) if exps else Q(pk__in=[]))
        for pk, e, x in Pairing.objects.filter(q, expert__isnull=False).exclude(kind=PairingKind.LIAISON).values_list(
                "pk", "enterprise_id", "expert_id"):
            out.append(Link(e, "expert", x, ("pairing", pk)))
    # keep only links that touch what was asked for (a project brings all its parties)
    return [lk for lk in out if lk.enterprise in ents or (lk.kind == "expert" and lk.pk in exps)
            or (lk.kind == "institution" and lk.pk in insts)]


def _patent_institutions(patent_pks: Iterable[Any]) -> dict[int, set[int]]:
    """patent pk → institutions among its applicants (through their organisations)."""
    rows = list(Patent.applicant_orgs.through.objects.filter(patent_id__in=list(patent_pks))
                .values_list("patent_id", "organisation_id"))
    inst_of = dict(Institution.objects.filter(organisation_id__in={o for _p, o in rows})
                   .values_list("organisation_id", "pk"))
    out: dict[int, set[int]] = defaultdict(set)
    for p, o in rows:
        if o in inst_of:
            out[p].add(inst_of[o])
    return out


def sides(kind: str, objs: list[Model]) -> dict[Any, tuple[str, set[int]]]:
    """For each object: ("enterprise", {E}) or ("expert", {X}) / ("institution", {I…}) — the side of a
    link it stands on. Objects with no side are left out."""
    out: dict[Any, tuple[str, set[int]]] = {}
    if kind == "enterprise":
        out = {o.pk: ("enterprise", {o.pk}) for o in objs}
    elif kind == "demand":
        out = {o.pk: ("enterprise", {o.enterprise_id}) for o in objs if o.enterprise_id}
    elif kind == "challenge":  # 企业榜: the enterprise of its demand; a 政府榜 has no side
        out = {o.pk: ("enterprise", {o.demand.enterprise_id}) for o in objs if o.demand_id and o.demand.enterprise_id}
    elif kind == "expert":
        out = {o.pk: ("expert", {o.pk}) for o in objs}
    elif kind == "achievement":
        out = {o.pk: ("institution", {o.institution_id}) for o in objs if o.institution_id}
    elif kind == "patent":
        out = {pk: ("institution", insts) for pk, insts in _patent_institutions([o.pk for o in objs]).items()}
    return out


def partners_for(kind: str, objs: list[Model]) -> dict[Any, list[str]]:
    """``Record.partners`` for a batch of records of one kind (see the module docstring)."""
    side = sides(kind, objs)
    if not side:
        return {}
    ents = {e for s, ids in side.values() if s == "enterprise" for e in ids}
    exps = {x for s, ids in side.values() if s == "expert" for x in ids}
    insts = {i for s, ids in side.values() if s == "institution" for i in ids}
    by_ent: dict[int, set[str]] = defaultdict(set)
    by_party: dict[tuple[str, int], set[str]] = defaultdict(set)
    for lk in links(enterprises=ents, experts=exps, institutions=insts):
        by_ent[lk.enterprise].add(f"{lk.kind}:{lk.pk}")
        by_party[(lk.kind, lk.pk)].add(f"enterprise:{lk.enterprise}")
    out = {}
    for pk, (s, ids) in side.items():
        got: set[str] = set()
        for i in ids:
            got |= by_ent[i] if s == "enterprise" else by_party[(s, i)]
        if got:
            out[pk] = sorted(got)
    return out


def query_context(kind: str, obj: Model, partners: list[str]) -> dict[str, Any]:
    """Fields for the ``matchkit.Query`` of ``obj``: ``org`` for a demand or an enterprise; for supply,
    its partners plus the demands of the enterprises among them (so demands match too)."""
    if kind == "demand":
        return {"org": f"enterprise:{obj.enterprise_id}" if obj.enterprise_id else None, "partners": partners}
    if kind == "enterprise":
        return {"org": f"enterprise:{obj.pk}", "partners": partners}
    if kind == "challenge":
        ent = obj.demand.enterprise_id if obj.demand_id else None
        return {"org": f"enterprise:{ent}" if ent else None, "partners": partners}
    ents = [int(p.split(":", 1)[1]) for p in partners if p.startswith("enterprise:")]
    more: list[str] = []
    if ents:
        more = [f"demand:{pk}" for pk in Demand.objects.filter(enterprise_id__in=ents).values_list("pk", flat=True)]
    return {"partners": partners + more}


def linking_records(source_kind: str, source: Model, targets: list[tuple[str, Model]]
                    ) -> dict[tuple[str, Any], list[tuple[str, int]]]:
    """What links ``source`` to each target: (target kind, pk) → [("project" | "contract" | "pairing",
    pk), …], projects first. One ``links`` call for the whole list."""
    src = sides(source_kind, [source]).get(source.pk)
    if not src or not targets:
        return {}
    by_kind: dict[str, list[Model]] = defaultdict(list)
    for kind, obj in targets:
        by_kind[kind].append(obj)
    tside = {(kind, pk): sd for kind, objs in by_kind.items() for pk, sd in sides(kind, objs).items()}
    if src[0] == "enterprise":
        found = links(enterprises=src[1])
    else:
        found = links(**{src[0] + "s": src[1]})
    order = {"project": 0, "contract": 1, "pairing": 2}
    out: dict[tuple[str, Any], list[tuple[str, int]]] = {}
    for key, (side, ids) in tside.items():
        if (src[0] == "enterprise") == (side == "enterprise"):
            continue  # links join an enterprise with supply
        ent, other = (src, (side, ids)) if src[0] == "enterprise" else ((side, ids), src)
        vias = {lk.via for lk in found if lk.enterprise in ent[1] and lk.kind == other[0] and lk.pk in other[1]}
        if vias:
            out[key] = sorted(vias, key=lambda v: (order[v[0]], v[1]))
    return out


def became_project_pairs(*, source_kind: str | None = None, target_kind: str | None = None,
                         sources: Iterable[str] | None = None) -> set[tuple[str, str]]:
    """(source id, target id) pairs whose match became a cooperation project (module docstring)."""
    live = _live_projects()
    out: set[tuple[str, str]] = set()
    want_src = set(sources) if sources is not None else None
    if source_kind in (None, "demand") and target_kind in (None, "expert"):
        rows = live.filter(source_demand__isnull=False, experts__isnull=False)
        if want_src is not None:
            rows = rows.filter(source_demand_id__in=[int(s.split(":", 1)[1]) for s in want_src
                                                     if s.startswith("demand:")])
        out |= {(f"demand:{d}", f"expert:{x}") for d, x in rows.values_list("source_demand_id", "experts") if x}
    if source_kind in (None, "expert") and target_kind in (None, "enterprise"):
        if want_src is not None:  # only projects with one of these experts among the parties
            live = live.filter(experts__in=[int(s.split(":", 1)[1]) for s in want_src if s.startswith("expert:")])
        rows = list(live.filter(source_event__isnull=False).values_list("pk", "source_event_id").distinct()) + [
            (p, None) for p in live.filter(source_intention__isnull=False).values_list("pk", flat=True).distinct()]
        if rows:
            pks = {p for p, _e in rows}
            parties = project_parties(pks)
            # pairs met at a 1:1 meeting of the project's event, or named by the intention it came from
            met: dict[int, set[tuple[int, int]]] = defaultdict(set)
            ev_of = {p: e for p, e in rows if e}
            slots = MeetingSlot.objects.filter(event_id__in=set(ev_of.values())).values_list(
                "event_id", "enterprise_id", "expert_id")
            by_event: dict[int, set[tuple[int, int]]] = defaultdict(set)
            for ev, e, x in slots:
                by_event[ev].add((e, x))
            for p, ev in ev_of.items():
                met[p] |= by_event.get(ev, set())
            for p, e, x, se, sx in live.filter(pk__in=pks, source_intention__isnull=False).values_list(
                    "pk", "source_intention__enterprise_id", "source_intention__expert_id",
                    "source_intention__meeting_slot__enterprise_id", "source_intention__meeting_slot__expert_id"):
                met[p] |= {(e, x), (se, sx)}
            for p, pairs_ in met.items():
                for e, x in pairs_:
                    if e in parties["enterprise"].get(p, ()) and x in parties["expert"].get(p, ()):
                        out.add((f"expert:{x}", f"enterprise:{e}"))
    if want_src is not None:
        out = {pr for pr in out if pr[0] in want_src}
    return out
