"""The conflict screen excludes a reviewer for each rule (with its reason) and keeps one without
conflicts; a look-back older than the challenge's years does not count; overrides need a recorded
reason; an excluded expert's review is refused with nothing written."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from duijie.challenges import conflicts, services
from duijie.challenges.models import InterestDeclaration, PanelMember, Scorecard
from duijie.challenges.tests import world as w_
from duijie.cooperation.models import CooperationProject, TechContract
from duijie.core.tests import factories as f
from duijie.experts.models import ExpertRole
from duijie.pairings.models import Pairing

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = w_.build()
    w_.bid(w, 0)
    w_.bid(w, 1)
    member, _u = w_.expert_user(f.institution(name="第三方大学"))
    b0 = w["challenge"].bids.get(lead_expert=w["leads"][0][0])
    b0.members.add(member)
    w["member"] = member
    w_.close(w)
    return w


def _rules(w, expert):
    return [e["rule"] for e in conflicts.exclusions_for(w["challenge"], expert)]


def test_each_rule_excludes_and_a_clean_expert_is_kept(w):
    ent, uni0, uni1 = w["ent"], w["unis"][0], w["unis"][1]
    other = f.institution(name="无关大学")
    today = timezone.localdate()

    same_inst = f.expert(name="同单位", institution=uni0)
    bidder = w["member"]

    with_project = f.expert(name="合作过", institution=other)
    p = CooperationProject.objects.create(title="近期合作", source="other", region=f.region(), signed_on=today)
    p.enterprises.add(ent)
    p.experts.add(with_project)

    old_project = f.expert(name="十年前合作", institution=other)
    p_old = CooperationProject.objects.create(title="老合作", source="other", region=f.region(), status="completed",
                                              completed_on=w_.today_minus(10))
    p_old.enterprises.add(ent)
    p_old.experts.add(old_project)

    broker_expert, broker_user = w_.expert_user(other, name="经纪人专家")
    broker_user.role = "broker"
    broker_user.save()
    TechContract.objects.create(title="技术开发合同", contract_type="dev_commissioned", enterprise=ent, institution=uni1,
                                amount=Decimal(100000), signed_on=today - timedelta(days=100), broker=broker_user,
                                region=f.region())

    paired = f.expert(name="挂钩专家", institution=other)
    Pairing.objects.create(enterprise=ent, expert=paired, start_on=today - timedelta(days=400), region=f.region())

    vice = f.expert(name="科技副总", institution=other)
    ExpertRole.objects.create(expert=vice, kind="tech_vp", host=ent.organisation, start=today - timedelta(days=30))

    declared = f.expert(name="申报利益", institution=other)
    InterestDeclaration.objects.create(expert=declared, organisation=uni1.organisation, note="持有股份", declared_on=today)

    clean = f.expert(name="无冲突", institution=other)

    assert _rules(w, same_inst) == ["same_institution"]
    assert _rules(w, bidder) == ["bidder"]
    assert _rules(w, with_project) == ["project"]
    assert _rules(w, broker_expert) == ["contract"]
    assert _rules(w, paired) == ["pairing"]
    assert _rules(w, vice) == ["employment"]
    assert _rules(w, declared) == ["declared"]
    assert _rules(w, clean) == []
    assert _rules(w, old_project) == []  # outside the 3-year look-back
    w["challenge"].conflict_years = 12  # the look-back is data on the challenge
    assert _rules(w, old_project) == ["project"]
    w["challenge"].conflict_years = 3

    reasons = conflicts.exclusions_for(w["challenge"], with_project)
    assert "近期合作" in reasons[0]["reason"] and ent.name in reasons[0]["reason"]
    assert uni0.name in conflicts.exclusions_for(w["challenge"], same_inst)[0]["reason"]

    # The whole screen in one pass agrees with the one-by-one answers.
    screened = {c.expert.pk: c.excluded for c in conflicts.screen(w["challenge"], [same_inst, clean, paired])}
    assert screened == {same_inst.pk: True, clean.pk: False, paired.pk: True}


def test_override_needs_a_recorded_reason(w):
    excluded = f.expert(name="同单位2", institution=w["unis"][0])
    with pytest.raises(ValidationError) as e:
        services.panel_seat(challenge=w["challenge"], expert=excluded, by=w["gov"])
    assert "同单位2" in str(e.value) and w["unis"][0].name in str(e.value)
    assert not PanelMember.objects.exists()
    m = services.panel_seat(challenge=w["challenge"], expert=excluded, by=w["gov"], override_reason="该领域仅此一位专家")
    assert m.override_reason == "该领域仅此一位专家" and m.exclusions[0]["rule"] == "same_institution"
    with pytest.raises(PermissionDenied):  # the enterprise does not compose the panel
        services.panel_seat(challenge=w["challenge"], expert=f.expert(), by=w["ent_user"])


def test_review_from_an_excluded_expert_is_refused(w, client):
    challenge = w["challenge"]
    bid = challenge.bids.first()
    values = {c.pk: 8 for c in challenge.criteria.all()}
    # Not seated (the screen excluded them): refused, nothing written — service and page.
    _excluded, ex_user = w_.expert_user(w["unis"][1], name="被回避专家")
    with pytest.raises(PermissionDenied):
        services.scorecard_submit(challenge=challenge, bid=bid, by=ex_user, values=values)
    client.force_login(ex_user)
    assert client.get(f"/challenges/{challenge.pk}/review/").status_code == 403
    # Seated while clean, then a declared interest in a bidder appears: refused at submission, by reason.
    late, late_user = w_.expert_user(f.institution(name="别的大学"), name="后来有利益")
    services.panel_seat(challenge=challenge, expert=late, by=w["gov"])
    InterestDeclaration.objects.create(expert=late, organisation=w["unis"][0].organisation, note="兼职",
                                       declared_on=timezone.localdate())
    with pytest.raises(PermissionDenied) as e:
        services.scorecard_submit(challenge=challenge, bid=bid, by=late_user, values=values)
    assert "兼职" in str(e.value)
    assert not Scorecard.objects.exists()


def test_bad_bids_are_refused_with_nothing_written():
    w = w_.build(budget=Decimal("500000"))
    with pytest.raises(ValidationError) as over:
        w_.bid(w, 0, budget=Decimal("600000"))
    assert "budget" in over.value.message_dict and "500,000.00" in over.value.message_dict["budget"][0]
    with pytest.raises(ValidationError) as shares:
        w_.bid(w, 0, shares=(30, 30, 30))
    assert "90" in shares.value.message_dict["milestones"][0] and "100" in shares.value.message_dict["milestones"][0]
    assert not w["challenge"].bids.exists()


def test_published_terms_cannot_be_changed():
    w = w_.build()
    c = w["challenge"]
    c.budget = Decimal("1")
    with pytest.raises(ValidationError) as e:
        c.full_clean()
    assert "budget" in e.value.message_dict
    c.refresh_from_db()
    c.title = "标题可以修改"
    c.full_clean()
