"""Recommendations for the user's workplace, from the matching panel's own service
(``matching.selectors.recommend``: scoped, with reasons): for the user's newest open records — an
enterprise's published demands, an institution's achievements, an expert's profile — and, for a
government office or a broker, the newest open demands of their area that have no project yet.

Kept cheap: at most two source records, three results per kind, and the result (labels, links and
reason texts only — never objects) cached per user for ``CACHE_SECONDS``; the page loads it by htmx
after the home so the home never waits for matching.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from duijie.cooperation.models import CooperationProject
from duijie.core import selectors
from duijie.core.registry import record_url
from duijie.core.roles import GOVERNMENT_ROLES, Role
from duijie.demands.choices import DemandStatus
from duijie.demands.models import Demand
from duijie.experts.models import Expert
from duijie.matching import selectors as match_selectors
from duijie.supply.choices import AchievementStatus
from duijie.supply.models import Achievement

CACHE_SECONDS = 300
SOURCES = 2  # source records looked at
PER_KIND = 3  # results per kind

# For each kind of source: the kinds recommended to its owner, in the order shown.
KINDS = {"demand": ("expert", "achievement"), "achievement": ("enterprise", "demand"),
         "expert": ("demand", "enterprise")}


@dataclass
class Hit:
    label: str
    url: str | None
    reasons: list[str]


@dataclass
class Block:
    source: str
    source_url: str | None
    kind_label: str
    hits: list[Hit] = field(default_factory=list)


def _sources(user) -> list:
    role = getattr(user, "role", None)
    if role == Role.ENTERPRISE:
        return list(selectors.mine_queryset(Demand, user).filter(status=DemandStatus.PUBLISHED)
                    .order_by("-published_at", "-pk")[:SOURCES])
    if role == Role.INSTITUTION:
        return list(selectors.mine_queryset(Achievement, user).filter(status=AchievementStatus.PUBLISHED)
                    .order_by("-updated_at", "-pk")[:SOURCES])
    if role == Role.EXPERT:
        return list(Expert.objects.filter(user=user.pk)[:1])
    if role in GOVERNMENT_ROLES or role == Role.BROKER:
        demands = selectors.visible_queryset(Demand, user).filter(status=DemandStatus.PUBLISHED)
        if role in GOVERNMENT_ROLES:
            demands = selectors.mine_queryset(Demand, user, demands)
        with_project = CooperationProject.objects.filter(source_demand__isnull=False).values("source_demand")
        return list(demands.exclude(pk__in=with_project).order_by("-published_at", "-pk")[:SOURCES])
    return []


def kind_labels() -> dict[str, str]:
    return {"expert": _("Experts"), "achievement": _("Achievements"), "enterprise": _("Enterprises"),
            "demand": _("Open demands")}


def compute(user) -> list[Block]:
    labels = kind_labels()
    blocks = []
    for obj in _sources(user):
        kind = {Demand: "demand", Achievement: "achievement", Expert: "expert"}[type(obj)]
        for target in KINDS[kind]:
            matches = match_selectors.recommend(user=user, obj=obj, target_kind=target, k=PER_KIND)
            block = Block(source=str(obj), source_url=record_url(obj), kind_label=str(labels[target]))
            block.hits = [Hit(label=str(m.obj), url=m.url, reasons=[r.text for r in m.reasons][:3]) for m in matches]
            blocks.append(block)
    return blocks


def for_user(user) -> list[Block]:
    """The cached recommendations (computed at most once per ``CACHE_SECONDS`` per user)."""
    key = f"workplace:recommendations:{user.pk}:{get_language()}:{timezone.localdate().isoformat()}"
    stored = cache.get(key)
    if stored is None:
        stored = [asdict(b) for b in compute(user)]
        cache.set(key, stored, CACHE_SECONDS)
    return [Block(source=b["source"], source_url=b["source_url"], kind_label=b["kind_label"],
                  hits=[Hit(**h) for h in b["hits"]]) for b in stored]
