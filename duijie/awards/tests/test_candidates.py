"""Candidates from the records (免申即享) and from nominations: every amount recomputed from the basis
records and the rule version; the 2% contract reward equal to an independent computation; the teacher
award's count cap (the 101st refused) and per-person sum; the same payee not paid twice for the same
purpose and year across schemes; an application without a basis record refused, nothing written."""

from __future__ import annotations

import math
import random
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError

from duijie.awards import services
from duijie.awards.choices import Outcome
from duijie.awards.models import Application, AwardLine
from duijie.awards.tests import helpers as h
from duijie.cooperation.models import TechContract
from duijie.cooperation.tests import helpers as ch
from duijie.core.models import AuditLog, Organisation
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db
YEAR = h.YEAR


def _contracts(w, rng: random.Random, n: int) -> list[TechContract]:
    """Generated contracts: registered in the year or not, before or after it, with or without a
    transfer institution, in either district, amounts to the fen."""
    orgs = [Organisation.objects.create(kind="other", name=f"技术转移机构{i}", region=w["r"][code])
            for i, code in enumerate(("320412", "320411", "320412"))]
    inst = f.institution()
    out = []
    for i in range(n):
        signed = date(rng.choice((YEAR - 1, YEAR, YEAR)), rng.randrange(1, 13), rng.randrange(1, 28))
        registered = rng.random() < 0.8
        reg_day = date(min(signed.year + (1 if signed.month == 12 and rng.random() < 0.5 else 0), YEAR + 1),
                       signed.month if signed.month < 12 else 12, 28) if registered else None
        if reg_day and reg_day < signed:
            reg_day = signed
        out.append(TechContract.objects.create(
            title=f"合同{i}", contract_type="dev_commissioned", enterprise=f.enterprise(), institution=inst,
            amount=Decimal(rng.randrange(1, 500_000_000)) / 100, signed_on=signed,
            registration_number=f"R{i:05d}" if registered else "", registered_on=reg_day,
            transfer_org=rng.choice(orgs) if rng.random() < 0.75 else None,
            region=w["r"][rng.choice(("320412", "320411"))], visibility="classified"))
    return out


def _expected_rewards(contracts, rate: Fraction) -> dict[int, Decimal]:
    """Independently of the engine: registered in the year, naming a transfer institution → 2% of the
    amount, half up to the fen by integer arithmetic."""
    out = {}
    for c in contracts:
        if c.registration_number and c.registered_on and c.registered_on.year == YEAR and c.transfer_org_id:
            out[c.pk] = Decimal(math.floor(Fraction(c.amount) * rate * 100 + Fraction(1, 2))) / 100
    return out


@pytest.mark.parametrize("seed", [1, 7])
def test_the_years_two_percent_rewards_equal_an_independent_computation(seed):
    w = h.world()
    contracts = _contracts(w, random.Random(seed), 40)
    s = h.scheme(w, kind="share", parameters={"rate": "0.02"}, source="registered_contracts", budget="99999999")
    r = services.round_compute(round_=h.round_for(w, s), by=w["city"])
    paid = {line.basis_ids[0]: line.amount for line in r.lines.filter(outcome=Outcome.ALLOCATED)}
    expected = _expected_rewards(contracts, Fraction(2, 100))
    assert expected and paid == expected
    assert services.round_lines_total(r) == sum(expected.values())
    # Registered contracts without a transfer institution are listed as not taken, with the reason.
    no_transfer = {c.pk for c in contracts if c.registered_on and c.registered_on.year == YEAR and not c.transfer_org_id}
    assert {int(x["record"].split(":")[1]) for x in r.skipped} == no_transfer
    line = r.lines.first()
    assert line.rule_version.number == 1 and line.parameters == {"rate": "0.02"}
    assert line.inputs["amount"] == str(TechContract.objects.get(pk=line.basis_ids[0]).amount)
    # A rerun gives the same lines.
    before = list(r.lines.values_list("basis_ids", "amount", "outcome", "reason").order_by("position"))
    services.round_compute(round_=r, by=w["city"])
    assert list(r.lines.values_list("basis_ids", "amount", "outcome", "reason").order_by("position")) == before


def _teachers(n, w):
    inst = f.institution()
    experts = [f.expert(name=f"教师{i}", institution=inst) for i in range(n)]
    projects = [ch.project(region=w["r"]["320412"], status="signed", signed_on=date(YEAR, 3, 1)) for _ in range(n)]
    for e, p in zip(experts, projects, strict=True):
        p.experts.set([e])
    return inst, experts, projects


def _nominate(w, s, expert, project, **kw):
    return services.application_file(application=Application(
        scheme=s, channel="nomination", expert=expert, basis_type="projects", basis_ids=[project.pk], **kw), by=w["city"])


def test_the_teacher_award_refuses_the_101st_and_pays_each_teacher_once():
    w = h.world()
    s = h.scheme(w, kind="per_person", parameters={"amount": "5000", "max_count": 100}, budget="500000",
                 purpose="excellent-teacher")
    _inst, experts, projects = _teachers(101, w)
    for e, p in zip(experts, projects, strict=True):
        _nominate(w, s, e, p)
    _nominate(w, s, experts[0], projects[1])  # the same teacher, again, on another basis
    r = services.round_compute(round_=h.round_for(w, s), by=w["city"])
    lines = list(r.lines.order_by("position"))
    allocated = [x for x in lines if x.outcome == Outcome.ALLOCATED]
    assert len(allocated) == 100 and all(x.amount == Decimal("5000.00") for x in allocated)
    refused = [x for x in lines if x.outcome == Outcome.REFUSED]
    assert [x.reason for x in refused] == ["名额已满（100/100）"]
    assert refused[0].expert_id == experts[100].pk
    dup = [x for x in lines if x.outcome == Outcome.DUPLICATE]
    assert len(dup) == 1 and dup[0].expert_id == experts[0].pk
    per_person: dict[int, Decimal] = {}
    for x in allocated:
        per_person[x.expert_id] = per_person.get(x.expert_id, Decimal(0)) + x.amount
    assert max(per_person.values()) == Decimal("5000.00")
    assert services.budget_status(r) == {"budget": Decimal("500000"), "used": Decimal("500000.00"),
                                         "left": Decimal("0.00")}


def test_the_same_payee_is_not_paid_twice_for_the_same_purpose_and_year_across_schemes():
    w = h.world()
    first = h.scheme(w, kind="per_person", parameters={"amount": "5000", "max_count": 100},
                     purpose="excellent-teacher", name="优秀教师（高校）")
    second = h.scheme(w, kind="per_person", parameters={"amount": "3000", "max_count": 100},
                      purpose="excellent-teacher", name="优秀教师（区）")
    other_purpose = h.scheme(w, kind="per_person", parameters={"amount": "1000", "max_count": 100},
                             purpose="training")
    _inst, experts, projects = _teachers(2, w)
    for s in (first, second, other_purpose):
        for e, p in zip(experts, projects, strict=True):
            _nominate(w, s, e, p)
    services.round_compute(round_=h.round_for(w, first), by=w["city"])
    r2 = services.round_compute(round_=h.round_for(w, second), by=w["city"])
    r3 = services.round_compute(round_=h.round_for(w, other_purpose), by=w["city"])
    assert {x.outcome for x in r2.lines.all()} == {Outcome.DUPLICATE}
    assert all("优秀教师（高校）" in x.reason for x in r2.lines.all())
    assert {x.outcome for x in r3.lines.all()} == {Outcome.ALLOCATED}  # another purpose: paid


def test_an_application_without_a_basis_record_is_refused_and_nothing_is_written():
    w = h.world()
    s = h.scheme(w, kind="per_org_capped", parameters={"amount_per_item": "20000", "cap": "100000"})
    uni = f.institution()
    before = (Application.objects.count(), Application.history.count(), AuditLog.objects.count())
    for basis in ({"basis_type": "", "basis_ids": []}, {"basis_type": "events", "basis_ids": []}):
        with pytest.raises(ValidationError) as e:
            services.application_file(application=Application(scheme=s, channel="application",
                                                              payee_org=uni.organisation, **basis), by=w["city"])
        assert "至少附一条依据记录" in " ".join(e.value.message_dict["basis_ids"])  # (Chinese first)
    with pytest.raises(ValidationError) as e:  # a basis id that does not exist
        services.application_file(application=Application(scheme=s, channel="application", payee_org=uni.organisation,
                                                          basis_type="projects", basis_ids=[999999]), by=w["city"])
    assert "999999" in " ".join(e.value.message_dict["basis_ids"])
    assert (Application.objects.count(), Application.history.count(), AuditLog.objects.count()) == before


def test_the_training_subsidy_is_capped_per_university_from_its_basis_records():
    w = h.world()
    s = h.scheme(w, kind="per_org_capped", parameters={"amount_per_item": "30000", "cap": "100000"}, budget="1000000")
    uni = f.institution()
    projects = [ch.project(region=w["r"]["320412"]) for _ in range(5)]
    services.application_file(application=Application(scheme=s, channel="application", payee_org=uni.organisation,
                                                      basis_type="projects", basis_ids=[p.pk for p in projects[:2]]),
                              by=w["city"])
    services.application_file(application=Application(scheme=s, channel="application", payee_org=uni.organisation,
                                                      basis_type="projects", basis_ids=[p.pk for p in projects[2:]]),
                              by=w["city"])
    r = services.round_compute(round_=h.round_for(w, s), by=w["city"])
    lines = list(r.lines.order_by("position"))
    assert [x.entitlement for x in lines] == [Decimal("60000.00"), Decimal("90000.00")]
    assert [x.amount for x in lines] == [Decimal("60000.00"), Decimal("40000.00")]  # ≤ ¥100,000 per university
    assert lines[1].outcome == Outcome.CAPPED and "¥100,000.00" in lines[1].reason
    assert AwardLine.history.filter(round=r).count() == 2
