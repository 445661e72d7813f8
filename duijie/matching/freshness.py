"""Keeping the index fresh when cooperation changes: the records whose partners (past cooperation,
``matching.cooperation``) may have changed are marked dirty. Apart from ``cooperation`` so that the
index documents (which read partners) do not depend on the services that mark records dirty."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from duijie.demands.models import Demand
from duijie.experts.models import Expert
from duijie.matching import cooperation
from duijie.matching.models import Lane
from duijie.matching.services import mark_dirty
from duijie.orgs.models import Enterprise, Institution
from duijie.supply.models import Achievement, Patent


def mark_parties_dirty(*, enterprises: Iterable[int] = (), experts: Iterable[int] = (),
                       institutions: Iterable[int] = (), lane: str | None = None) -> None:
    """Re-index the records whose partners may have changed. Enterprises, their demands and experts go
    on ``lane`` (default interactive); an institution's achievements and patents (possibly many) always
    on the bulk lane."""
    lane = lane or Lane.INTERACTIVE
    ents = {e for e in enterprises if e}
    exps = {x for x in experts if x}
    insts = {i for i in institutions if i}
    if ents:
        mark_dirty(Enterprise, ents, lane=lane)
        mark_dirty(Demand, Demand.objects.filter(enterprise_id__in=ents).values_list("pk", flat=True), lane=lane)
    if exps:
        mark_dirty(Expert, exps, lane=lane)
    if insts:
        mark_dirty(Achievement, Achievement.objects.filter(institution_id__in=insts).values_list("pk", flat=True),
                   lane=Lane.BULK)
        orgs = Institution.objects.filter(pk__in=insts).values_list("organisation_id", flat=True)
        mark_dirty(Patent, Patent.objects.filter(applicant_orgs__in=orgs).values_list("pk", flat=True).distinct(),
                   lane=Lane.BULK)


def mark_projects_dirty(project_pks: Iterable[int], extra: dict[str, Iterable[int]] | None = None,
                        lane: str | None = None) -> None:
    parties = cooperation.project_parties(project_pks)
    kw = {k: {x for m in parties[k].values() for x in m} for k in ("enterprise", "expert", "institution")}
    for k, ids in (extra or {}).items():
        kw[k] |= set(ids or ())
    mark_parties_dirty(enterprises=kw["enterprise"], experts=kw["expert"], institutions=kw["institution"], lane=lane)


def mark_links_dirty(label: str, pks: Iterable[Any], lane: str | None = None) -> bool:
    """Projects, contracts or pairings that changed (``core.changes``): mark their parties' records.
    Returns whether ``label`` is one of those."""
    P, TechContract, Pairing = cooperation._models()
    pks = list(pks)
    if label == P._meta.label:
        mark_projects_dirty(pks, lane=lane)
    elif label in (TechContract._meta.label, Pairing._meta.label):
        model = TechContract if label == TechContract._meta.label else Pairing
        cols = ("enterprise_id", "institution_id") if model is TechContract else ("enterprise_id", "expert_id")
        rows = list(model._default_manager.filter(pk__in=pks).values_list(*cols))
        other = {"institutions" if model is TechContract else "experts": {r[1] for r in rows}}
        mark_parties_dirty(enterprises={r[0] for r in rows}, lane=lane, **other)
    else:
        return False
    return True
