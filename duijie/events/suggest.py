"""Suggested 1:1 pairs (老师—老板面对面) for an event: the hook the matching app fills in.

The events app never imports ``duijie.matching`` (dependency direction: matching → events). Instead a
project setting names the callable that ranks enterprise × expert pairs for an event::

    EVENTS_PAIR_SUGGESTER = "duijie.matching.events.suggest_pairs"   # set by the matching app

The callable is ``suggester(event, *, limit: int) -> Iterable[PairSuggestion]``, best first. It may
return any enterprises and experts; :func:`suggest_pairs` keeps only parties invited to the event
(not declined) and drops pairs already booked there. The default, :func:`shared_industry_pairs`,
pairs invited enterprises and experts whose industries (GB/T 4754) share a class or division.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from duijie.events.choices import InvitationStatus
from duijie.events.models import Invitation, MeetingSlot
from duijie.experts.models import Expert
from duijie.orgs.models import Enterprise

DEFAULT_SUGGESTER = "duijie.events.suggest.shared_industry_pairs"


@dataclass
class PairSuggestion:
    enterprise: object
    expert: object
    score: float
    reasons: list[str] = field(default_factory=list)


def _invited(event):
    live = Invitation.objects.filter(event=event).exclude(status__in=[InvitationStatus.DECLINED,
                                                                      InvitationStatus.ABSENT])
    return live


def shared_industry_pairs(event, *, limit: int = 30) -> list[PairSuggestion]:
    """Invited enterprises × invited experts sharing an industry: the same GB/T 4754 class scores 1,
    the same division (大类, the first two digits) 0.5. Ties go to the pair whose parties have fewer meetings."""
    live = _invited(event)
    enterprises = list(Enterprise.objects.filter(pk__in=live.values("enterprise")).select_related("industry"))
    experts = list(Expert.objects.filter(pk__in=live.values("expert")).select_related("institution")
                   .prefetch_related("industries"))
    out = []
    for ent in enterprises:
        if ent.industry is None:
            continue
        code = ent.industry.code
        for exp in experts:
            best, reason = 0.0, ""
            for ind in exp.industries.all():
                if ind.code == code:
                    best, reason = 1.0, _("same industry: %(name)s") % {"name": ent.industry.name}
                    break
                if len(ind.code) >= 2 and ind.code[:2] == code[:2] and best < 0.5:
                    best, reason = 0.5, _("same industry division: %(code)s") % {"code": code[:2]}
            if best:
                out.append(PairSuggestion(ent, exp, best, [reason]))
    out.sort(key=lambda s: (-s.score, s.enterprise.pk, s.expert.pk))
    return out[: limit * 3]


def suggest_pairs(event, *, limit: int = 30) -> list[PairSuggestion]:
    """Ranked pairs from the configured suggester, restricted to the event's live invitees, without
    pairs already booked, at most ``limit``."""
    suggester = import_string(getattr(settings, "EVENTS_PAIR_SUGGESTER", DEFAULT_SUGGESTER))
    live = _invited(event)
    ent_ids = set(live.exclude(enterprise=None).values_list("enterprise", flat=True))
    exp_ids = set(live.exclude(expert=None).values_list("expert", flat=True))
    booked = set(MeetingSlot.objects.filter(event=event).values_list("enterprise", "expert"))
    out = []
    for s in suggester(event, limit=limit):
        if not isinstance(s, PairSuggestion):
            s = PairSuggestion(*s)
        key = (s.enterprise.pk, s.expert.pk)
        if s.enterprise.pk in ent_ids and s.expert.pk in exp_ids and key not in booked:
            booked.add(key)
            out.append(s)
            if len(out) >= limit:
                break
    return out
