"""Reads: candidate duplicate pairs among the records a user may edit (their scope), minus the pairs
someone already said are different; the two records of one pair; past merges.

Candidates are computed from the records' names and keys (``similarity``) and cached briefly per
kind and scope, keyed by the records' count and last change, so the list and the comparison page
do not recompute them on every click; any change to the records makes a new key.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db.models import Count, Max, Model, QuerySet

from duijie.core.models import Region
from duijie.core.selectors import editable_queryset
from duijie.dedupe import similarity as S
from duijie.dedupe.models import DuplicateKind, Merge, NotDuplicate
from duijie.dedupe.services import kind_model

CACHE_SECONDS = 600


def can_review(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_government", False))


def region_prefixes() -> tuple[tuple[str, ...], ...]:
    """Province, city and district names (the region table), for stripping off the front of names."""
    tiers: dict[int, list[str]] = {1: [], 2: [], 3: []}
    for level, name in Region.objects.filter(level__lte=3).values_list("level", "name"):
        tiers[level].append(name)
    if not any(tiers.values()):
        return S.DEFAULT_REGION_PREFIXES
    return tuple(tuple(tiers[level]) for level in (1, 2, 3))


def _rows(kind: str, qs: QuerySet) -> list:
    if kind == DuplicateKind.ENTERPRISE:
        return [S.EnterpriseRow(id=pk, name=name, uscc=uscc or "", region=code or "", legal_representative=rep,
                                phone_hash=ph, address=addr, founded_on=founded)
                for pk, name, uscc, code, rep, ph, addr, founded in qs.values_list(
                    "pk", "name", "uscc", "region__code", "legal_representative", "contact_phone_hash", "address",
                    "founded_on").iterator(chunk_size=5000)]
    if kind == DuplicateKind.INSTITUTION:
        return [S.InstitutionRow(id=pk, name=name, short_name=short, aliases=aliases, provisional=prov)
                for pk, name, short, aliases, prov in qs.values_list("pk", "name", "short_name", "aliases",
                                                                     "is_provisional")]
    return [S.ExpertRow(id=pk, name=name, institution_id=inst, employer=emp, phone_hash=ph, email_hash=eh)
            for pk, name, inst, emp, ph, eh in qs.values_list("pk", "name", "institution_id", "employer", "phone_hash",
                                                              "email_hash").iterator(chunk_size=5000)]


def find_candidates(kind: str, qs: QuerySet, *, min_score: int = 85) -> list[S.Candidate]:
    rows = _rows(kind, qs)
    if kind == DuplicateKind.ENTERPRISE:
        return S.enterprise_candidates(rows, min_score=min_score, region_prefixes=region_prefixes())
    if kind == DuplicateKind.INSTITUTION:
        return S.institution_candidates(rows, min_score=min_score)
    return S.expert_candidates(rows, min_score=min_score)


def _dismissed(kind: str) -> set[tuple[int, int]]:
    return set(NotDuplicate.objects.filter(kind=kind).values_list("first_id", "second_id"))


def candidate_list(*, user, kind: str, min_score: int = 85) -> list[S.Candidate]:
    """Candidate pairs of ``kind`` where the user may edit both records, best first."""
    if not can_review(user):
        return []
    model = kind_model(kind)
    qs = editable_queryset(model, user)
    stats = qs.aggregate(n=Count("pk"), last=Max("updated_at"))
    scope_key = hashlib.sha256(str(qs.values("pk").query).encode()).hexdigest()[:16]
    key = f"dedupe:{kind}:{scope_key}:{stats['n']}:{stats['last']}:{min_score}"
    found = cache.get(key)
    if found is None:
        found = find_candidates(kind, qs, min_score=min_score)
        cache.set(key, found, CACHE_SECONDS)
    dismissed = _dismissed(kind)
    return [c for c in found if (c.a, c.b) not in dismissed]


def pair_reasons(*, kind: str, first: Model, second: Model) -> S.Candidate | None:
    """The score and reasons of one pair (the comparison page), whatever the list's threshold."""
    model = kind_model(kind)
    found = find_candidates(kind, model._default_manager.filter(pk__in=[first.pk, second.pk]), min_score=0)
    return found[0] if found else None


def pair_get(*, user, kind: str, a: int, b: int) -> tuple[Model, Model]:
    """Both records, if the user may review and edit both; ``DoesNotExist`` otherwise."""
    model = kind_model(kind)
    if not can_review(user):
        raise model.DoesNotExist
    qs = editable_queryset(model, user)
    first, second = qs.get(pk=a), qs.get(pk=b)
    return first, second


def merge_list(*, user) -> QuerySet:
    """Merges the user did, or (city administrators) all merges."""
    if not can_review(user):
        return Merge.objects.none()
    qs = Merge.objects.select_related("by")
    return qs if getattr(user, "is_city_admin", False) else qs.filter(by=user)
