"""Product rules applied to recommendations after the index ranks them: conflict of interest and
an expert's current load. Both are hooks: add a provider when a new model records engagements
(cooperation projects, pairings) and it counts at once.

科技副总 / 产业教授 / 双岗互聘 are read from their one record, ``pairings.Placement`` (scheme, term,
host); the other paid roles (技术经纪人, 院士 … hosted by an organisation) from ``experts.ExpertRole``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from duijie.experts.models import ExpertRole
from duijie.pairings.models import Placement
from matchkit import normalize

EXCLUDE, FLAG = "exclude", "flag"
LOAD_STEP = 0.1  # score × 1 / (1 + LOAD_STEP × open engagements)


def _active(today: dt.date) -> Q:
    return (Q(start__isnull=True) | Q(start__lte=today)) & (Q(end__isnull=True) | Q(end__gte=today))


def _placed(today: dt.date) -> Q:
    """Placements in their term on ``today``."""
    return Q(start_on__lte=today) & (Q(end_on__isnull=True) | Q(end_on__gte=today))


def _placements_at(pks: list[int], org: int):
    """Placements in term of these experts in which the organisation ``org`` pays them: it hosts them
    (科技副总, 双岗互聘) or it is the enterprise they come from (产业教授)."""
    return (Placement.objects.filter(expert__in=pks).filter(_placed(timezone.localdate()))
            .filter(Q(host_enterprise__organisation_id=org) | Q(home_enterprise__organisation_id=org)))


def conflicts(experts: Iterable, enterprise) -> dict[int, tuple[str, str]]:
    """Expert pk → (EXCLUDE | FLAG, reason) for experts with a conflict of interest with ``enterprise``:
    employed by it (their account belongs to its organisation, or their stated employer is its name)
    → excluded; already paid by it (an active role such as 科技副总 hosted by it) → flagged."""
    if enterprise is None:
        return {}
    return conflicts_many(experts, [enterprise]).get(enterprise.pk, {})


def conflicts_many(experts: Iterable, enterprises: Iterable) -> dict[int, dict[int, tuple[str, str]]]:
    """``conflicts`` for several enterprises at once (the 1:1 meeting suggestions: every invited
    enterprise against every invited expert): enterprise pk → expert pk → (EXCLUDE | FLAG, reason), in
    two queries whatever their number."""
    experts, enterprises = list(experts), [e for e in enterprises if e is not None]
    out: dict[int, dict[int, tuple[str, str]]] = {ent.pk: {} for ent in enterprises}
    if not experts or not enterprises:
        return out
    works = _("Conflict of interest: works for this enterprise")
    for ent in enterprises:
        org, name = ent.organisation_id, normalize(ent.name or "")
        for e in experts:
            user_org = e.user.organisation_id if e.user_id and e.user else None
            if (org and user_org == org) or (e.employer and normalize(e.employer) == name) \
                    or (org and e.institution_id and e.institution.organisation_id == org):
                out[ent.pk][e.pk] = (EXCLUDE, works)
    by_org: dict[int, list[int]] = {}
    for ent in enterprises:
        if ent.organisation_id:
            by_org.setdefault(ent.organisation_id, []).append(ent.pk)
    if not by_org:
        return out
    pks = [e.pk for e in experts]
    paid = _("Conflict of interest: already holds a paid role at this enterprise (%(role)s)")
    for r in ExpertRole.objects.filter(expert__in=pks, host__in=list(by_org)).filter(_active(timezone.localdate())):
        for ent_pk in by_org[r.host_id]:
            if r.expert_id not in out[ent_pk]:
                out[ent_pk][r.expert_id] = (FLAG, paid % {"role": r.get_kind_display()})
    placements = (Placement.objects.filter(expert__in=pks).filter(_placed(timezone.localdate()))
                  .filter(Q(host_enterprise__organisation_id__in=list(by_org))
                          | Q(home_enterprise__organisation_id__in=list(by_org)))
                  .select_related("host_enterprise", "home_enterprise"))
    roles_flagged = {ent_pk: set(found) for ent_pk, found in out.items()}
    for p in placements:
        orgs = {getattr(p.host_enterprise, "organisation_id", None), getattr(p.home_enterprise, "organisation_id", None)}
        for org in orgs & set(by_org):
            for ent_pk in by_org[org]:
                if p.expert_id not in roles_flagged[ent_pk]:
                    out[ent_pk][p.expert_id] = (FLAG, paid % {"role": p.get_scheme_display()})
    return out


def _roles_load(pks: list[int]) -> Counter:
    qs = ExpertRole.objects.filter(expert__in=pks, host__isnull=False).filter(_active(timezone.localdate()))
    return Counter(qs.values_list("expert_id", flat=True))


def _placements_load(pks: list[int]) -> Counter:
    qs = Placement.objects.filter(expert__in=pks).filter(_placed(timezone.localdate()))
    return Counter(qs.values_list("expert_id", flat=True))


# Each provider: expert pks → Counter of open engagements. Cooperation/pairing models add theirs here.
LOAD_PROVIDERS: list[Callable[[list[int]], Counter]] = [_roles_load, _placements_load]


def expert_load(pks: Iterable[int]) -> Counter:
    pks = list(pks)
    total: Counter = Counter()
    for provider in LOAD_PROVIDERS:
        total.update(provider(pks))
    return total


def load_factor(n: int) -> float:
    return 1.0 / (1.0 + LOAD_STEP * n)
