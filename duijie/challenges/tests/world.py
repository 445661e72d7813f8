"""A small world for challenge tests: a city bureau, an enterprise with a published demand, three
university teams and a challenge published from the demand; helpers to bid, close and review."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from duijie.challenges import services
from duijie.challenges.choices import ChallengeMode, IpTerms
from duijie.challenges.models import Challenge
from duijie.core.tests import factories as f

_n = itertools.count(1)


def expert_user(institution, name=None):
    x = f.expert(name=name or f"专家{next(_n)}", institution=institution)
    u = f.user(role="expert", organisation=institution.organisation)
    x.user = u
    x.save()
    return x, u


def milestones(*shares):
    start = timezone.localdate()
    return [{"title": f"里程碑{i}", "deliverable": f"交付物{i}", "due_on": start + timedelta(days=90 * i),
             "share": Decimal(str(s))} for i, s in enumerate(shares, start=1)]


def build(mode=ChallengeMode.HORSE_RACE, teams=3, budget=Decimal("900000"), **demand_kw):
    gov = f.user(role="city_admin", organisation=f.city_bureau())
    ent = f.enterprise(name=f"常州揭榜企业{next(_n)}有限公司")
    ent_user = f.user(role="enterprise", organisation=ent.organisation)
    demand = f.demand(ent, status="published", visibility="public", budget_max=budget, **demand_kw)
    unis = [f.institution(name=f"揭榜大学{next(_n)}") for _ in range(3)]
    leads = [expert_user(u) for u in unis]
    challenge = services.challenge_from_demand(
        demand=demand, by=ent_user, criteria=[("技术方案", Decimal(50)), ("团队能力", Decimal(30)), ("经费合理", Decimal(20))],
        indicators="能耗降低20%", deadline=timezone.now() + timedelta(days=30), ip_terms=IpTerms.LICENCE,
        mode=mode, teams_funded=teams, budget=budget)
    services.challenge_move(challenge=challenge, name="submit", by=ent_user)
    services.challenge_move(challenge=challenge, name="publish", by=gov)
    challenge.refresh_from_db()
    return {"gov": gov, "ent": ent, "ent_user": ent_user, "demand": demand, "unis": unis, "leads": leads,
            "challenge": challenge}


def answers(challenge, text="我们的方案"):
    return {c.pk: f"{text}：{c.name}" for c in challenge.criteria.all()}


def bid(w, i, budget=Decimal("300000"), shares=(30, 30, 40), approach=None):
    _expert, user = w["leads"][i]
    return services.bid_submit(challenge=w["challenge"], by=user, approach=approach or f"方案{i}", maturity="lab",
                               budget=budget, conflict_declaration="无", answers=answers(w["challenge"]),
                               milestones=milestones(*shares))


def close(w, to_review=True):
    Challenge.objects.filter(pk=w["challenge"].pk).update(deadline=timezone.now() - timedelta(minutes=1))
    c = Challenge.objects.get(pk=w["challenge"].pk)
    c = services.challenge_move(challenge=c, name="close", by=w["ent_user"])
    if to_review:
        c = services.challenge_move(challenge=c, name="start-review", by=w["gov"])
    w["challenge"] = c
    return c


def today_minus(years: int) -> date:
    t = timezone.localdate()
    return t.replace(year=t.year - years)


def award(w, winners):
    """The panel's decision, its 公示, and the award the day after the period ends (no objection)."""
    ch = services.publicity_open(challenge=w["challenge"], winners=winners, by=w["gov"])
    ch = services.award(challenge=ch, by=w["gov"], today=ch.publicity_end + timedelta(days=1))
    w["challenge"] = ch
    return ch
