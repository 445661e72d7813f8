"""The demo's award schemes are the seeds' (issue #15 item 1): the year's 2% rewards equal a computation
straight from the registered contracts, the teacher award keeps to its 100 places at ¥5,000 each, and the
rounds stand in a paid, a 公示 and an in-review state dated from the day the demo is built. The seeds'
numbers are typed here, not read from the rule versions, so a changed rule fails this test."""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from duijie.awards import payouts, services
from duijie.awards.choices import PaymentStatus, RoundStatus
from duijie.awards.models import AwardLine, Round, Scheme
from duijie.cooperation.models import TechContract
from duijie.demo.areas.awards import award_year
from duijie.demo.generator import Scale, generate

TODAY = date(2026, 9, 30)
SEED_RATE = Decimal("0.02")  # seed 003 三、3: 按技术合同实际成交额的2%左右给予奖补
TEACHER_AMOUNT, TEACHER_PLACES = Decimal("5000"), 100  # seed 000 四、2①
STUDENT_AMOUNT, STUDENT_PLACES = Decimal("2000"), 400


@pytest.fixture
def demo(db):
    """A small demo with experts enough to fill the teachers' 100 places."""
    generate(seed=11, scale=Scale(enterprises=100, experts=220, achievements=200, patents=5, demands=40, scenarios=2),
             today=TODAY)


def _round(code: str) -> Round:
    year = award_year(TODAY, code)
    return Round.objects.select_related("scheme").get(scheme__code=f"{code}-{year}", year=year)


def test_the_seeds_schemes_in_the_demo(demo):
    """One demo (it takes a while to build) for the three checks below."""
    _two_percent_rewards_equal_a_computation_from_the_contracts()
    _the_teacher_award_keeps_its_places_and_sum_per_person()
    _the_rounds_stand_in_realistic_states_dated_from_today()


def _two_percent_rewards_equal_a_computation_from_the_contracts():
    year = award_year(TODAY, "contract-2pct")
    contracts = TechContract.objects.filter(registered_on__year=year, transfer_org__isnull=False)
    expected = {c.pk: (c.amount * SEED_RATE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) for c in contracts}
    assert len(expected) >= 3, "the demo registers contracts with a transfer institution in the year"
    r = _round("contract-2pct")
    lines = {x.basis_ids[0]: x for x in r.lines.all()}
    assert {pk: x.amount for pk, x in lines.items()} == expected
    assert all(x.basis_type == "tech-contracts" and x.outcome == "allocated" for x in lines.values())
    assert all(x.payee_org_id == TechContract.objects.get(pk=pk).transfer_org_id for pk, x in lines.items())
    assert services.round_lines_total(r) == sum(expected.values())
    # The contracts of the year without a transfer institution are listed as not taken, with the reason.
    without = set(TechContract.objects.filter(registered_on__year=year, transfer_org__isnull=True)
                  .values_list("pk", flat=True))
    assert {int(s["record"].split(":")[1]) for s in r.skipped} == without
    assert r.status == RoundStatus.IN_REVIEW
    assert "2%" in r.scheme.basis_clause and "种子文件 003" in r.scheme.basis_clause


def _the_teacher_award_keeps_its_places_and_sum_per_person():
    r = _round("excellent-teacher")
    paid = list(r.lines.filter(outcome="allocated"))
    refused = list(r.lines.filter(outcome="refused"))
    assert len(paid) == TEACHER_PLACES and refused, "more nominations than places: the quota shows"
    assert {x.amount for x in paid} == {TEACHER_AMOUNT}
    assert sum(x.amount for x in paid) == TEACHER_AMOUNT * TEACHER_PLACES
    assert len({x.payee_key for x in paid}) == len(paid)  # nobody twice
    assert all(x.amount == 0 and "100/100" in x.reason for x in refused)
    # The refused ones are the last nominated: places go in the order of filing.
    assert max(x.position for x in paid) < min(x.position for x in refused)
    # Each teacher's basis records are theirs.
    for x in paid[:10]:
        assert x.expert_id and x.basis_type in ("pairings", "achievements", "projects") and x.basis_ids


def _the_rounds_stand_in_realistic_states_dated_from_today():
    teacher = _round("excellent-teacher")
    assert teacher.status == RoundStatus.PUBLICITY
    assert teacher.publicity_start <= TODAY <= teacher.publicity_end
    assert teacher.decision_date < teacher.publicity_start and teacher.decision_number
    # Paid: reviewed by both offices, each by its own member, approved, publicised, issued and paid.
    student = _round("excellent-student")
    assert student.status == RoundStatus.CLOSED
    offices = student.scheme.review_chain
    assert [(x.organisation_id, x.by.organisation_id) for x in student.reviews.all()] == [(o, o) for o in offices]
    paid = student.lines.filter(outcome="allocated")
    assert paid.count() <= STUDENT_PLACES and {x.amount for x in paid} == {STUDENT_AMOUNT}
    assert all(x.person_name and x.payee_org_id for x in paid)
    payout = student.payout_list
    assert payout.total == STUDENT_AMOUNT * paid.count() and payouts.verify(payout) == []
    assert set(payout.lines.values_list("payment_status", flat=True)) == {PaymentStatus.PAID}
    assert student.publicity_end < TODAY - timedelta(days=30)
    assert all(line.paid_on <= TODAY for line in payout.lines.all())
    # Every scheme quotes its seed, and no scheme pays the same person twice for its purpose.
    for s in Scheme.objects.all():
        assert s.basis_clause.startswith("种子文件 00"), s.code
        assert s.rule_versions.filter(status="published").count() == 1
    assert not AwardLine.objects.filter(outcome="duplicate").exists()
