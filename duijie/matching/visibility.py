"""Visibility labels: the index's own coarse copy of the read rules in ``core/scope.py`` and
``core/selectors.py``, so candidates are filtered *inside* the index before ranking.

Every indexed record carries labels; a viewer has labels; a record is a candidate when they share
one. The labels over-approximate what the selectors allow (never the reverse for the open case),
and every result is re-checked through ``core.selectors.visible_queryset`` afterwards — the
selectors stay the one authority; the mask keeps hidden records from taking places in the top k.

Record labels:
- ``open``: published (model's PUBLISHED_STATES) and public/platform — any logged-in user;
- ``public``: the same and public (kept for the portal);
- scope labels, whatever the visibility: ``org:<id>`` (owner, filing organisation, the demand's
  enterprise, the institution, patent applicants), ``user:<id>`` (filer, the expert's account,
  lead researcher, inventors, grantees of unexpired grants unless classified), ``region:<prefix>``
  for each NBS prefix (2/4/6/9/12 digits) of the record's, its owner's and filer's region,
  ``unit:<id>`` (assessment units), ``park:<id>`` (the park, the enterprise's park),
  ``unscoped`` (no region, owner nor filer: city administrators see those).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, Q

from duijie.core import scope
from duijie.core.choices import Visibility
from duijie.core.models import AssessmentUnit, Grant

OPEN, PUBLIC = "open", "public"
EVERYTHING = None  # a viewer whose search is not masked (a city administrator without a city)


def _prefixes(code: str | None) -> list[str]:
    if not code:
        return []
    return [f"region:{code[:n]}" for n in (2, 4, 6, 9, 12) if len(code) >= n]


def _org_region(org) -> str | None:
    return org.region.code if org is not None and org.region_id else None


def label_prefetch(model: type[Model]) -> tuple[list[str], list[str]]:
    """select_related / prefetch_related that make ``record_labels`` query-free for a batch."""
    names = {f.name for f in model._meta.get_fields()}
    sel = [n for n in ("region", "owner_org__region", "filed_by_org__region", "enterprise", "institution",
                       "lead_expert") if n.split("__")[0] in names]
    pre = [n for n in ("applicant_orgs", "inventor_experts", "assessment_units") if n in names]
    return sel, pre


def grants_by_object(model: type[Model], pks: list) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for oid, uid in Grant.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                         object_id__in=[str(p) for p in pks]).values_list("object_id", "user"):
        out.setdefault(str(oid), set()).add(uid)
    return out


def record_labels(obj: Model, grants: set[int] | None = None) -> list[str]:
    labels: set[str] = set()
    states = getattr(type(obj), "PUBLISHED_STATES", None)
    published = states is None or getattr(obj, "status", None) in states
    vis = getattr(obj, "visibility", None)
    if published and vis in (Visibility.PUBLIC, Visibility.PLATFORM):
        labels.add(OPEN)
        if vis == Visibility.PUBLIC:
            labels.add(PUBLIC)
    for attr in ("owner_org_id", "filed_by_org_id"):
        if getattr(obj, attr, None):
            labels.add(f"org:{getattr(obj, attr)}")
    if getattr(obj, "filed_by_id", None):
        labels.add(f"user:{obj.filed_by_id}")
    for rel in ("enterprise", "institution"):
        target = getattr(obj, rel, None) if hasattr(type(obj), rel) else None
        if target is not None and getattr(target, "organisation_id", None):
            labels.add(f"org:{target.organisation_id}")
        if rel == "enterprise" and target is not None and getattr(target, "park_id", None):
            labels.add(f"park:{target.park_id}")
    if hasattr(obj, "applicant_orgs"):
        labels.update(f"org:{o.pk}" for o in obj.applicant_orgs.all())
    if getattr(obj, "user_id", None) and type(obj)._meta.label == "experts.Expert":
        labels.add(f"user:{obj.user_id}")
    lead = getattr(obj, "lead_expert", None) if hasattr(type(obj), "lead_expert") else None
    if lead is not None and lead.user_id:
        labels.add(f"user:{lead.user_id}")
    if hasattr(obj, "inventor_experts"):
        labels.update(f"user:{e.user_id}" for e in obj.inventor_experts.all() if e.user_id)
    region = obj.region.code if getattr(obj, "region_id", None) else None
    labels.update(_prefixes(region))
    labels.update(_prefixes(_org_region(getattr(obj, "owner_org", None))))
    labels.update(_prefixes(_org_region(getattr(obj, "filed_by_org", None))))
    if hasattr(obj, "assessment_units"):
        labels.update(f"unit:{u.pk}" for u in obj.assessment_units.all())
    if getattr(obj, "park_id", None):
        labels.add(f"park:{obj.park_id}")
    if not region and not getattr(obj, "owner_org_id", None) and not getattr(obj, "filed_by_org_id", None):
        labels.add("unscoped")
    if vis != Visibility.CLASSIFIED and obj.pk is not None:
        if grants is None:
            grants = grants_by_object(type(obj), [obj.pk]).get(str(obj.pk), set())
        labels.update(f"user:{u}" for u in grants)
    return sorted(labels)


def viewer_labels(user) -> list[str] | None:
    """Labels of what ``user`` may read; ``None``: everything (no mask); ``[]``: nothing."""
    if not user.is_authenticated or user.role in scope.PLATFORM_ADMINS:
        return []
    labels = {OPEN, f"user:{user.pk}"}
    org = user.organisation
    if user.role in (scope.ENTERPRISE, scope.INSTITUTION) and org is not None:
        labels.add(f"org:{org.pk}")
    if user.role in scope.GOVERNMENT:
        if org is not None:
            labels.add(f"org:{org.pk}")
        if user.role == scope.CITY_ADMIN:
            prefix = scope.city_prefix(user)
            if prefix is None:
                return EVERYTHING

            labels.update({f"region:{prefix}", "unscoped"})
            labels.update(f"unit:{pk}" for pk in AssessmentUnit.objects.filter(
                Q(city__code__startswith=prefix) | Q(regions__code__startswith=prefix)
                | Q(organisations__region__code__startswith=prefix)).values_list("pk", flat=True).distinct())
        elif user.role == scope.UNIT_ADMIN and org is not None and org.assessment_unit_id:
            ids = scope.unit_ids(org.assessment_unit)
            labels.update(f"unit:{pk}" for pk in ids)
            units = AssessmentUnit.objects.filter(pk__in=ids)
            labels.update(f"region:{c}" for c in units.values_list("regions__code", flat=True) if c)
            labels.update(f"park:{p}" for p in units.values_list("parks", flat=True) if p)
        elif user.role == scope.PARK_MANAGER and org is not None and org.park_id:
            labels.add(f"park:{org.park_id}")
    return sorted(labels)
