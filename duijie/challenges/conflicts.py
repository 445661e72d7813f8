"""The conflict screen of a review panel, computed from the records (never typed in).

For a challenge its **parties** are the posting enterprise (企业榜, through its demand) and every bidding
team: its institution and its experts (lead and members). A candidate reviewer is excluded, with the
reason, when within the challenge's look-back (``conflict_years``, data on the challenge with its
source):

- they are on a bidding team (``bidder``);
- their institution is a bidding team's institution (``same_institution``);
- a cooperation project names them together with a party — the enterprise, a bidder's institution or a
  bidder expert — and was active in the look-back (``project``);
- a technology contract they brokered, or of a project they worked on, has a party as buyer or seller,
  signed in the look-back (``contract``);
- they are paired (挂钩联系) with the enterprise in the look-back (``pairing``);
- they hold a role (科技副总, 产业教授 …) hosted by a party in the look-back (``employment``);
- they declared an interest in a party (``declared``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from duijie.challenges.choices import BidStatus, ConflictRule
from duijie.challenges.models import Bid, Challenge, InterestDeclaration
from duijie.cooperation.models import CooperationProject, TechContract
from duijie.experts.models import Expert, ExpertRole
from duijie.pairings.models import Pairing


@dataclass
class Candidate:
    expert: Expert
    exclusions: list[dict] = field(default_factory=list)  # {"rule": …, "reason": …}

    @property
    def excluded(self) -> bool:
        return bool(self.exclusions)


@dataclass
class Parties:
    enterprise_id: int | None
    enterprise_org_id: int | None
    institution_ids: set[int]
    institution_org_ids: set[int]
    expert_ids: set[int]
    names: dict[str, str]  # "e:<id>" / "i:<id>" / "x:<id>" → name, for the reasons


def cutoff(challenge: Challenge, today: date | None = None) -> date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - challenge.conflict_years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - challenge.conflict_years, day=28)


def parties(challenge: Challenge) -> Parties:
    bids = list(Bid.objects.filter(challenge=challenge).exclude(status=BidStatus.MERGED)
                .select_related("institution", "lead_expert").prefetch_related("members"))
    names: dict[str, str] = {}
    ent = challenge.enterprise
    if ent is not None:
        names[f"e:{ent.pk}"] = ent.name
    inst_ids, inst_orgs, expert_ids = set(), set(), set()
    for b in bids:
        if b.institution_id:
            inst_ids.add(b.institution_id)
            inst_orgs.add(b.institution.organisation_id)
            names[f"i:{b.institution_id}"] = b.institution.name
        for x in (b.lead_expert, *b.members.all()):
            expert_ids.add(x.pk)
            names[f"x:{x.pk}"] = x.name
    return Parties(ent.pk if ent else None, ent.organisation_id if ent else None, inst_ids,
                   inst_orgs - {None}, expert_ids, names)


def screen(challenge: Challenge, experts=None, today: date | None = None) -> list[Candidate]:
    """Every candidate (``experts``, default: all experts) with the exclusions found for them."""
    experts = list(experts if experts is not None else Expert.objects.select_related("institution"))
    if not experts:
        return []
    p = parties(challenge)
    since = cutoff(challenge, today)
    ids = [x.pk for x in experts]
    found: dict[int, list[dict]] = {x.pk: [] for x in experts}

    def add(expert_id: int, rule: str, reason: str) -> None:
        entry = {"rule": rule, "label": str(ConflictRule(rule).label), "reason": reason}
        if entry not in found[expert_id]:
            found[expert_id].append(entry)

    for x in experts:
        if x.pk in p.expert_ids:
            add(x.pk, ConflictRule.BIDDER, _("Is on a bidding team of this challenge."))
        if x.institution_id and x.institution_id in p.institution_ids:
            add(x.pk, ConflictRule.SAME_INSTITUTION,
                _("Works at %(inst)s, which bids.") % {"inst": p.names[f"i:{x.institution_id}"]})

    party_q = Q(institutions__in=p.institution_ids) | Q(experts__in=p.expert_ids)
    if p.enterprise_id:
        party_q |= Q(enterprises=p.enterprise_id)
    recent = Q(completed_on__isnull=True, terminated_on__isnull=True) | Q(completed_on__gte=since) \
        | Q(terminated_on__gte=since)
    projects = (CooperationProject.objects.filter(experts__in=ids).filter(recent).filter(party_q).distinct()
                .prefetch_related("experts", "enterprises", "institutions"))
    for project in projects:
        party_names = ([(None, e.name) for e in project.enterprises.all() if e.pk == p.enterprise_id]
                       + [(None, i.name) for i in project.institutions.all() if i.pk in p.institution_ids]
                       + [(x.pk, x.name) for x in project.experts.all() if x.pk in p.expert_ids])
        for x in project.experts.all():
            others = list(dict.fromkeys(name for pk, name in party_names if pk != x.pk))
            if x.pk in found and others:
                add(x.pk, ConflictRule.PROJECT,
                    _("Cooperation project “%(project)s” with %(who)s (within %(years)s years).")
                    % {"project": project.title, "who": "、".join(others), "years": challenge.conflict_years})

    contract_party = Q(institution__in=p.institution_ids)
    if p.enterprise_id:
        contract_party |= Q(enterprise=p.enterprise_id) | Q(seller_enterprise=p.enterprise_id)
    users = {x.user_id: x.pk for x in experts if x.user_id}
    contracts = (TechContract.objects.filter(signed_on__gte=since).filter(contract_party)
                 .filter(Q(project__experts__in=ids) | Q(broker__in=list(users)))
                 .select_related("enterprise", "institution").prefetch_related("project__experts").distinct())
    for c in contracts:
        who = c.enterprise.name if c.enterprise_id == p.enterprise_id else (c.institution.name if c.institution else "")
        involved = {users[c.broker_id]} if c.broker_id in users else set()
        if c.project_id:
            involved |= {x.pk for x in c.project.experts.all() if x.pk in found}
        for pk in involved:
            add(pk, ConflictRule.CONTRACT, _("Technology contract “%(contract)s” (%(date)s) with %(who)s.")
                % {"contract": c.title, "date": c.signed_on, "who": who})

    if p.enterprise_id:
        pairings = Pairing.objects.filter(expert__in=ids, enterprise=p.enterprise_id).filter(
            Q(end_on__isnull=True) | Q(end_on__gte=since))
        for pairing in pairings:
            add(pairing.expert_id, ConflictRule.PAIRING, _("Paired (挂钩联系) with %(ent)s since %(start)s.")
                % {"ent": p.names[f"e:{p.enterprise_id}"], "start": pairing.start_on})

    party_orgs = p.institution_org_ids | ({p.enterprise_org_id} if p.enterprise_org_id else set())
    roles = (ExpertRole.objects.filter(expert__in=ids, host__in=party_orgs)
             .filter(Q(end__isnull=True) | Q(end__gte=since)).select_related("host"))
    for role in roles:
        add(role.expert_id, ConflictRule.EMPLOYMENT, _("%(role)s at %(org)s.")
            % {"role": role.get_kind_display(), "org": role.host.name})
    for d in InterestDeclaration.objects.filter(expert__in=ids, organisation__in=party_orgs).select_related("organisation"):
        add(d.expert_id, ConflictRule.DECLARED, _("Declared on %(date)s: %(note)s (%(org)s).")
            % {"date": d.declared_on, "note": d.note, "org": d.organisation.name})
    return [Candidate(x, found[x.pk]) for x in experts]


def exclusions_for(challenge: Challenge, expert: Expert) -> list[dict]:
    return screen(challenge, [expert])[0].exclusions
