"""赛马制 gates: three funded teams, one stopped at gate one; tranches are released only by gate
decisions, add up to exactly the staged amounts, and never exceed a team's or the challenge's budget —
over random gate outcomes (hypothesis), each world rolled back."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duijie.challenges import services
from duijie.challenges.choices import BidStatus
from duijie.challenges.models import Gate
from duijie.challenges.tests import world as w_
from duijie.core.models import AuditLog

pytestmark = pytest.mark.django_db

SHARES = ((30, 30, 40), (25, 25, 50), (33.33, 33.33, 33.34))
BUDGETS = (Decimal("300000"), Decimal("250000.10"), Decimal("333333.33"))


class Rollback(Exception):
    pass


def _race():
    w = w_.build(budget=Decimal("900000"))
    for i in range(3):
        w_.bid(w, i, budget=BUDGETS[i], shares=SHARES[i])
    w_.close(w)
    ch = w_.award(w, list(w["challenge"].bids.all()))
    return w, ch, list(ch.bids.order_by("pk"))


def _expected(bid, passed: int) -> Decimal:
    """The staged amount of a team whose first ``passed`` gates continued: budget × shares, to the fen."""
    shares = [Decimal(str(s)) for s in SHARES[BUDGETS.index(bid.budget)]]
    amounts = [(bid.budget * s / 100).quantize(Decimal("0.01"), rounding="ROUND_DOWN") for s in shares[:-1]]
    amounts.append(bid.budget - sum(amounts))
    return sum(amounts[:passed], Decimal(0))


def test_three_teams_one_stopped_at_gate_one():
    w, ch, (a, b, c) = _race()
    services.gate_decide(bid=a, by=w["gov"], decision="stop", reason="关键指标未达到")
    for team in (b, c):
        services.gate_decide(bid=team, by=w["gov"], decision="continue", reason="达到里程碑一")
    a.refresh_from_db()
    assert a.status == BidStatus.STOPPED
    with pytest.raises(ValidationError):  # a stopped team gets nothing more
        services.gate_decide(bid=a, by=w["gov"], decision="continue", reason="再试")
    assert services.released_total(ch) == _expected(b, 1) + _expected(c, 1) == Decimal("62500.02") + Decimal("111099.99")
    assert AuditLog.objects.filter(object_type="challenges.gate").count() == 3
    for _ in range(2):
        for team in (b, c):
            services.gate_decide(bid=team, by=w["gov"], decision="continue", reason="通过")
    assert services.released_total(ch) == b.budget + c.budget
    with pytest.raises(ValidationError):  # every milestone decided: nothing left to release
        services.gate_decide(bid=b, by=w["gov"], decision="continue", reason="多付")


def _paid(team) -> Decimal:
    return sum((g.released for g in Gate.objects.filter(bid=team)), Decimal(0))


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(outcomes=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["continue", "continue", "stop", "merge"])),
                         max_size=12))
def test_random_gate_outcomes_pay_exactly_the_staged_amounts(outcomes):
    """Random gate outcomes, merges included: a team merged into another hands over its unpaid funding
    (its budget plus what it carried, less what it was paid); a team is never paid more than its budget
    plus what it carries, the challenge never more than its budget; a team without carried funding is
    paid exactly its staged amounts; and every team that goes on to the last gate is paid its budget
    plus what it carried, to the fen."""
    try:
        with transaction.atomic():
            w, ch, teams = _race()
            passed = {t.pk: 0 for t in teams}
            active = {t.pk for t in teams}
            carry = {t.pk: Decimal(0) for t in teams}
            for i, decision in outcomes:
                team = teams[i]
                into = next((t for t in teams if t.pk in active and t.pk != team.pk), None)
                ok = team.pk in active and passed[team.pk] < 3 and (
                    decision != "merge" or (into is not None and passed[into.pk] < 3))
                unpaid = team.budget + carry[team.pk] - _paid(team)
                try:
                    services.gate_decide(bid=team, by=w["gov"], decision=decision, reason="评审", merge_into=into)
                except ValidationError:
                    assert not ok
                    continue
                assert ok
                if decision == "continue":
                    passed[team.pk] += 1
                else:
                    active.discard(team.pk)
                if decision == "merge":
                    carry[into.pk] += unpaid
                assert services.released_total(ch) <= ch.budget
                for t in teams:
                    assert _paid(t) <= t.budget + carry[t.pk]
                    assert services.carried(t) == carry[t.pk]
                    if not carry[t.pk]:
                        assert _paid(t) == _expected(t, passed[t.pk])
                    else:
                        assert _paid(t) >= _expected(t, passed[t.pk])
            # every team still funded goes on to its last gate: paid its budget plus what it carried
            for t in teams:
                while t.pk in active and passed[t.pk] < 3:
                    services.gate_decide(bid=t, by=w["gov"], decision="continue", reason="通过")
                    passed[t.pk] += 1
            for t in teams:
                if t.pk in active:
                    assert _paid(t) == t.budget + carry[t.pk]
            assert services.released_total(ch) == sum((_paid(t) for t in teams), Decimal(0)) <= ch.budget
            raise Rollback
    except Rollback:
        pass


def test_a_merged_team_hands_its_unpaid_share_to_the_team_it_joins():
    w, ch, (a, b, c) = _race()
    services.gate_decide(bid=a, by=w["gov"], decision="continue", reason="一")  # a: 90,000 of 300,000
    services.gate_decide(bid=a, by=w["gov"], decision="merge", reason="并入乙团队", merge_into=b)
    assert services.carried(b) == Decimal("210000.00")
    # b's three tranches (25/25/50 % of 250,000.10) each take their share of the 210,000 carried
    amounts = [services.tranches(b)[m.pk] for m in b.milestones.order_by("order")]
    assert amounts == [Decimal("62500.02") + Decimal("52500.00"), Decimal("62500.02") + Decimal("52500.00"),
                       Decimal("125000.06") + Decimal("105000.00")]
    for _ in range(3):
        services.gate_decide(bid=b, by=w["gov"], decision="continue", reason="通过")
    assert _paid(b) == b.budget + Decimal("210000.00")
    # c is done too; then c cannot merge into b, which has nothing left to carry it with
    for _ in range(2):
        services.gate_decide(bid=c, by=w["gov"], decision="continue", reason="通过")
    with pytest.raises(ValidationError, match=r"no milestone left|没有剩余"):
        services.gate_decide(bid=c, by=w["gov"], decision="merge", reason="并入", merge_into=b)
    assert services.released_total(ch) <= ch.budget


def test_release_never_exceeds_the_challenge_budget():
    """Even when the funded teams' budgets were changed after the award to exceed the challenge's."""
    w, ch, (a, b, c) = _race()
    type(a).objects.filter(pk=a.pk).update(budget=Decimal("800000"))
    a.refresh_from_db()
    services.gate_decide(bid=a, by=w["gov"], decision="continue", reason="一")  # 240,000
    services.gate_decide(bid=a, by=w["gov"], decision="continue", reason="二")  # 480,000
    services.gate_decide(bid=b, by=w["gov"], decision="continue", reason="一")  # 542,500.02
    services.gate_decide(bid=c, by=w["gov"], decision="continue", reason="一")  # 653,600.01
    with pytest.raises(ValidationError) as e:
        services.gate_decide(bid=a, by=w["gov"], decision="continue", reason="三")  # +320,000 > 900,000
    assert "900,000.00" in str(e.value)
    assert services.released_total(ch) <= ch.budget
