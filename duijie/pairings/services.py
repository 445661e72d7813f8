"""Writes for pairings, visits and placements beyond plain CRUD (which goes through
``core.services.record_save``)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from duijie.core.audit import audit
from duijie.core.choices import AuditAction
from duijie.core.services import record_save
from duijie.demands.choices import DemandStatus, DemandType
from duijie.demands.models import Demand
from duijie.pairings.models import Visit

TITLE_MAX = 60


def visit_need_ref(visit: Visit, line_no: int) -> str:
    return f"走访记录#{visit.pk}·第{line_no}条需求"


def visit_draft_demand(*, visit: Visit, line_no: int, by):
    """Turn need ``line_no`` (1-based) of a visit into a draft demand of the visited enterprise, filed by
    ``by`` (who must be allowed to file for that enterprise). Idempotent: a need already turned into a
    demand returns that demand."""
    lines = visit.need_lines
    if not 1 <= line_no <= len(lines):
        raise ValidationError(_("The visit has no need number %(n)s.") % {"n": line_no})
    ref = visit_need_ref(visit, line_no)
    existing = visit.draft_demands.filter(source_ref=ref).first()
    if existing is not None:
        return existing
    need = lines[line_no - 1]
    ent = visit.enterprise
    title = need if len(need) <= TITLE_MAX else need[: TITLE_MAX - 1] + "…"
    description = need
    if visit.findings.strip():
        description += "\n\n" + _("Found on the visit of %(day)s: %(findings)s") % {
            "day": visit.visited_on.isoformat(), "findings": visit.findings.strip()}
    demand = Demand(enterprise=ent, demand_type=DemandType.TECH_CHALLENGE, title=title, description=description,
                    industry_id=ent.industry_id, status=DemandStatus.DRAFT, source_ref=ref,
                    region_id=ent.region_id, park_id=ent.park_id, owner_org_id=ent.organisation_id)
    try:
        with transaction.atomic():
            demand = record_save(instance=demand, by=by,
                                 m2m={"assessment_units": list(ent.assessment_units.values_list("pk", flat=True))})
            visit.draft_demands.add(demand)
            audit(user=by, action=AuditAction.UPDATE, obj=visit,
                  detail={"draft_demand": demand.pk, "need": line_no})
    except PermissionDenied:
        raise PermissionDenied(_("Only staff who may file demands for “%(enterprise)s” can turn this need into a "
                                 "draft demand.") % {"enterprise": ent})
    return demand
