"""Planned invitations for an event's theme: the hook the matching app fills in.

Like the 1:1 pair suggester (``suggest.py``), the events app never imports ``duijie.matching``. A
project setting names the callable that proposes whom to invite::

    EVENTS_INVITATION_PLANNER = "duijie.matching.events.plan_invitations"   # set in config/settings

The callable is ``planner(event, user, *, enterprises: int, experts: int) -> InvitationPlan``: the
enterprises and the experts to invite, each side ranked on its own (so one side never crowds out the
other), with short reasons. Whatever it returns, :func:`plan_invitations` keeps only records ``user``
may see, drops parties already invited (any status) and experts who opted out of recommendation, and
cuts each side to the number asked. The default, :func:`shared_industry_plan`, proposes enterprises
and experts in the event's industries (same GB/T 4754 class first, then the same division).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from duijie.core import selectors
from duijie.events.models import Invitation
from duijie.experts.models import Expert
from duijie.orgs.models import Enterprise

DEFAULT_PLANNER = "duijie.events.planner.shared_industry_plan"
SIDES = ("enterprise", "expert")
MAX_PER_SIDE = 50


@dataclass
class PlannedInvitee:
    kind: str  # "enterprise" | "expert"
    obj: object
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class InvitationPlan:
    enterprises: list[PlannedInvitee] = field(default_factory=list)
    experts: list[PlannedInvitee] = field(default_factory=list)

    def side(self, kind: str) -> list[PlannedInvitee]:
        return self.enterprises if kind == "enterprise" else self.experts

    def __len__(self) -> int:
        return len(self.enterprises) + len(self.experts)


def invited_ids(event) -> dict[str, set[int]]:
    """Parties with an invitation to ``event`` in any status (declined ones too: asked once is enough)."""
    rows = Invitation.objects.filter(event=event).values_list("enterprise", "expert")
    return {"enterprise": {e for e, _x in rows if e}, "expert": {x for _e, x in rows if x}}


def candidates(kind: str, user, event):
    """Records of ``kind`` the user may see, not yet invited, experts only if they accept recommendations."""
    model = Enterprise if kind == "enterprise" else Expert
    qs = selectors.visible_queryset(model, user).exclude(pk__in=invited_ids(event)[kind])
    if kind == "expert":
        qs = qs.filter(do_not_recommend=False)
    return qs


def shared_industry_plan(event, user, *, enterprises: int = 10, experts: int = 10) -> InvitationPlan:
    """Enterprises and experts in the event's industries: the same class (or a finer code under it)
    scores 1, the same division (大类, first two digits) 0.5."""
    codes = {i.code: i.name for i in event.industries.all()}
    plan = InvitationPlan()
    if not codes:
        return plan
    divisions = {c[:2] for c in codes}

    def score(code: str) -> tuple[float, str]:
        for c, name in codes.items():
            if code.startswith(c) or c.startswith(code):
                return 1.0, _("In the event's industry: %(name)s") % {"name": name}
        if code[:2] in divisions:
            return 0.5, _("Same industry division as the event: %(code)s") % {"code": code[:2]}
        return 0.0, ""

    in_ent = Q(pk__in=[])
    in_exp = Q(pk__in=[])
    for d in sorted(divisions):
        in_ent |= Q(industry__code__startswith=d)
        in_exp |= Q(industries__code__startswith=d)
    ents = candidates("enterprise", user, event).select_related("industry").filter(industry__isnull=False)
    for e in ents.filter(in_ent).order_by("name")[:500]:
        s, reason = score(e.industry.code)
        if s:
            plan.enterprises.append(PlannedInvitee("enterprise", e, s, [reason]))
    exps = candidates("expert", user, event).prefetch_related("industries").select_related("institution")
    for x in exps.filter(pk__in=candidates("expert", user, event).filter(in_exp).values("pk")).order_by("name")[:500]:
        best = max((score(i.code) for i in x.industries.all()), key=lambda t: t[0], default=(0.0, ""))
        if best[0]:
            plan.experts.append(PlannedInvitee("expert", x, best[0], [best[1]]))
    plan.enterprises.sort(key=lambda p: -p.score)
    plan.experts.sort(key=lambda p: -p.score)
    plan.enterprises, plan.experts = plan.enterprises[:enterprises], plan.experts[:experts]
    return plan


def plan_invitations(event, user, *, enterprises: int = 10, experts: int = 10) -> InvitationPlan:
    """The configured planner's proposal, restricted to what ``user`` may see and may still invite."""
    enterprises = max(0, min(int(enterprises), MAX_PER_SIDE))
    experts = max(0, min(int(experts), MAX_PER_SIDE))
    planner = import_string(getattr(settings, "EVENTS_INVITATION_PLANNER", None) or DEFAULT_PLANNER)
    raw = planner(event, user, enterprises=enterprises, experts=experts)
    out = InvitationPlan()
    for kind, want in (("enterprise", enterprises), ("expert", experts)):
        proposed = [p for p in raw.side(kind) if p.kind == kind]
        allowed = set(candidates(kind, user, event).filter(pk__in=[p.obj.pk for p in proposed])
                      .values_list("pk", flat=True))
        seen: set[int] = set()
        for p in proposed:
            if p.obj.pk in allowed and p.obj.pk not in seen:
                seen.add(p.obj.pk)
                out.side(kind).append(p)
        del out.side(kind)[want:]
    return out
