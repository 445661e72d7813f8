"""Matching for events: whom to invite for an event's theme, and which invited enterprise should meet
which invited expert (老师—老板面对面). The events app reaches these through two settings
(``EVENTS_INVITATION_PLANNER``, ``EVENTS_PAIR_SUGGESTER``) and never imports this module; this
module may import events (dependency direction: matching → events).

Both rank with the same engine as the recommendation panels (``selectors._ranked``: visibility mask
inside the index, re-check through the scoped selectors, the declaration's ``recommend_filter``, so
experts who opted out never appear) and the same product rules (``policy``: conflicts of interest,
an expert's current load). Where the index has nothing to say (not built yet, or no shared words)
the events app's industry match fills the rest of each side.
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.utils.translation import gettext as _

from duijie.core.access import OPEN_VISIBILITIES
from duijie.events.choices import InvitationStatus as I
from duijie.events.models import Invitation
from duijie.events.planner import InvitationPlan, PlannedInvitee, invited_ids, shared_industry_plan
from duijie.events.suggest import PairSuggestion, shared_industry_pairs
from duijie.experts.models import Expert
from duijie.matching import declarations, documents, learning, policy, store
from duijie.matching.selectors import _query_of, _query_vector, _ranked, _scaled
from duijie.orgs.models import Enterprise
from matchkit import Query

MAX_REASONS = 3
# Words that name the programme, not a technology: every event theme has them ("…企业技术需求与高校院所
# 成果精准对接"), so they would match every record and show up as "shared terms" in every reason.
PROGRAMME_WORDS = re.compile(
    "精准对接|对接会|对接|产学研|高校院所|高校|院所|大院大所|科技成果|成果|技术需求|需求|企业|专场|活动|"
    "面对面|老师|老板|路演|发布会|沙龙|合作|交流|领域")


def _topic(text: str) -> str:
    """``text`` without the programme's own words (unchanged if nothing else is left)."""
    stripped = " ".join(PROGRAMME_WORDS.sub(" ", text or "").replace("与", " ").split())
    return stripped if len(stripped) >= 2 else (text or "").strip()


def event_query(event, kind: str) -> Query:
    """The event as a query: its theme (or title) first, then its industries and the agenda's start;
    the first industry and the event's region as structured signals. The programme's own words
    (对接, 高校院所, 成果, 需求 …) are left out of the theme and title: they say nothing about the topic."""
    industries = list(event.industries.order_by("code"))
    names = "、".join(i.name for i in industries)
    text = "\n".join(x for x in (_topic(event.title) if event.theme else "", names, (event.agenda or "")[:400]) if x)
    return Query(title=_topic(event.theme or event.title or ""), text=text,
                 industry=industries[0].code if industries else None,
                 region=event.region.code if event.region_id else None, target_kinds=[kind])


def _is_open(obj) -> bool:
    return getattr(obj, "visibility", None) in OPEN_VISIBILITIES


def _reasons(reasons) -> list[str]:
    return [r.text for r in reasons if r.text][:MAX_REASONS]


def plan_invitations(event, user, *, enterprises: int = 10, experts: int = 10) -> InvitationPlan:
    """Enterprises and experts to invite to ``event``, each side ranked on its own and cut to its
    number (balanced: a side whose texts score higher cannot take the other's places), without
    parties already invited, only records ``user`` may read; experts' current load lowers their rank."""
    invited = invited_ids(event)
    plan = InvitationPlan()
    for kind, want, side in (("enterprise", enterprises, plan.enterprises), ("expert", experts, plan.experts)):
        if want <= 0:
            continue
        query = event_query(event, kind)
        ranked = []
        if query.title or query.text:
            exclude = [documents.record_id(kind, pk) for pk in invited[kind]]
            ranked = _ranked(user, query, kind, 2 * want, exclude=exclude,
                             weights=learning.weights_for("event", kind))
        load = policy.expert_load([o.pk for _r, o in ranked]) if kind == "expert" and ranked else {}
        for r, obj in ranked:
            reasons, score = _reasons(r.reasons), r.score
            if n := load.get(obj.pk, 0):
                score = _scaled(score, policy.load_factor(n))
                reasons.append(_("Currently busy with %(n)d engagement(s); ranked lower") % {"n": n})
            side.append(PlannedInvitee(kind, obj, score, reasons))
        side.sort(key=lambda p: -p.score)
        del side[want:]
    # The industry match fills what the index did not (an unbuilt index, a theme with no shared words).
    short = {k: w - len(plan.side(k)) for k, w in (("enterprise", enterprises), ("expert", experts))}
    if any(v > 0 for v in short.values()):
        extra = shared_industry_plan(event, user, enterprises=enterprises, experts=experts)
        for kind, missing in short.items():
            have = {p.obj.pk for p in plan.side(kind)}
            fill = [p for p in extra.side(kind) if p.obj.pk not in have][:max(missing, 0)]
            plan.side(kind).extend(fill)
    return plan


def suggest_pairs(event, *, limit: int = 30) -> list[PairSuggestion]:
    """Invited enterprise × invited expert pairs for 1:1 meetings, best first.

    Each live invited enterprise is a query (its own indexed text: products, description, industry)
    against the invited experts only. Experts with a conflict of interest with the enterprise
    (employed by it, or already in a paid role there) are left out. The list takes every
    enterprise's best expert first, then every enterprise's second best, and so on, so the meetings
    spread over the enterprises; pairs the index cannot score follow from the industry match. The
    events app drops pairs already booked and books each pair where both parties are free."""
    live = Invitation.objects.filter(event=event, status__in=(I.INVITED, I.REGISTERED, I.ATTENDED))
    enterprises = list(Enterprise.objects.filter(pk__in=live.values("enterprise")).order_by("pk"))
    experts = {x.pk: x for x in Expert.objects.filter(pk__in=live.values("expert"))
               .select_related("institution", "user")}
    if not enterprises or not experts:
        return []
    idx = store.get_index()
    wanted = {documents.record_id("expert", pk) for pk in experts}
    # Only invited experts are candidates: every other indexed expert is excluded from the search.
    exclude = [rid for rid in idx.ids() if rid.startswith("expert:") and rid not in wanted] if len(idx) else []
    load = policy.expert_load(list(experts))
    weights = learning.weights_for("enterprise", "expert")
    per_ent: dict[int, list[PairSuggestion]] = defaultdict(list)
    conflicts = policy.conflicts_many(experts.values(), enterprises)  # two queries, not two per enterprise
    decl = declarations.for_model(Enterprise)
    # Every enterprise's record in one batch (its labels, partners …), not a handful of queries each.
    records = {r.id: r for r in documents.build_many(decl, [e.pk for e in enterprises])[0]}
    for ent in enterprises:
        coi = conflicts[ent.pk]
        rec = records.get(documents.record_id("enterprise", ent.pk)) or documents.build(decl, ent)
        query, _source = _query_of(decl, ent, rec, ["expert"])
        if (query.title or query.text) and len(idx):
            results = idx.search(query, k=len(experts), groups=None, weights=weights, exclude=exclude,
                                 query_vector=_query_vector(idx, query))
            top = max((r.score for r in results), default=0.0)
            for r in results:
                pk = int(documents.parse_id(r.id)[1])
                if pk not in experts or pk in coi:
                    continue
                score = r.score / top if top > 0 else 0.0
                # The hook has no viewer: quote shared words only when both records are open to everyone
                # logged in (a self-registered enterprise may be restricted and outside the organiser's scope).
                quote = _is_open(ent) and _is_open(experts[pk])
                reasons = _reasons([x for x in r.reasons if quote or x.code != "terms"])
                if n := load.get(pk, 0):
                    score = _scaled(score, policy.load_factor(n))
                    reasons.append(_("Currently busy with %(n)d engagement(s); ranked lower") % {"n": n})
                per_ent[ent.pk].append(PairSuggestion(ent, experts[pk], score, reasons))
        per_ent[ent.pk].sort(key=lambda s: (-s.score, s.expert.pk))
    # Pairs the engine did not score: the shared-industry match, after the engine's for each enterprise.
    ent_ids = {e.pk for e in enterprises}
    for s in shared_industry_pairs(event, limit=limit):
        if s.enterprise.pk not in ent_ids:
            continue
        have = {p.expert.pk for p in per_ent[s.enterprise.pk]}
        if s.expert.pk in have or s.expert.pk not in experts:
            continue
        if s.expert.pk in conflicts[s.enterprise.pk]:
            continue
        per_ent[s.enterprise.pk].append(PairSuggestion(s.enterprise, s.expert, s.score - 2.0, s.reasons))
    out: list[PairSuggestion] = []
    depth = max((len(v) for v in per_ent.values()), default=0)
    for level in range(depth):
        row = [v[level] for v in per_ent.values() if len(v) > level]
        row.sort(key=lambda s: (-s.score, s.enterprise.pk, s.expert.pk))
        out += row
    return out[: limit * 3]
