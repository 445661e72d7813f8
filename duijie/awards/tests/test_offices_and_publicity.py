"""Reviewing offices are organisations, and only their members act for them; during 公示 a payee confirms
its line or objects with a reason, an office resolves the objection, and the payout list is not issued
while an objection is open (a clear message, nothing written)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from duijie.awards import services
from duijie.awards.choices import RoundStatus
from duijie.awards.models import PayoutList, PublicityResponse, Round, Scheme
from duijie.awards.tests import helpers as h
from duijie.core.models import AuditLog, Organisation
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db
YEAR = h.YEAR


@pytest.fixture
def w():
    w = h.world()
    uni = f.institution(name="常州测试大学")
    w["uni"] = uni
    w["uni_user"] = f.user(role="institution", organisation=uni.organisation)
    w["teacher"] = f.expert(name="张优秀", institution=uni)
    w["teacher_user"] = f.user(role="expert", organisation=uni.organisation)
    w["teacher"].user = w["teacher_user"]
    w["teacher"].save()
    other = f.expert(name="李优秀", institution=uni)
    w["scheme"] = h.scheme(w, kind="per_person", parameters={"amount": "5000", "max_count": 100},
                           chain=(w["wujin_admin"].organisation, w["bureau"]))
    for x in (w["teacher"], other):
        services.application_file(application=h_application(w["scheme"], x), by=w["city"])
    w["round"] = services.round_compute(round_=h.round_for(w, w["scheme"]), by=w["city"])
    return w


def h_application(scheme, expert):
    from duijie.awards.models import Application
    return Application(scheme=scheme, expert=expert, payee_org=expert.institution.organisation, basis_type="experts",
                       basis_ids=[expert.pk])


def _publicity(w) -> Round:
    r = services.round_submit(round_=w["round"], by=w["city"])
    r = services.round_review(round_=r, by=w["wujin_admin"], passed=True)
    r = services.round_review(round_=r, by=w["city"], passed=True)
    r = services.round_approve(round_=r, by=w["city"], decision_number="联席会议纪要〔2025〕1号",
                               decision_date=date(YEAR, 12, 1), decision_document="纪要.pdf")
    return services.round_publicise(round_=r, by=w["city"], start=date(YEAR, 12, 2), end=date(YEAR, 12, 8))


def test_only_a_member_of_the_current_office_reviews_its_step(w):
    r = services.round_submit(round_=w["round"], by=w["city"])
    # The city administrator is in scope but does not belong to the district bureau: refused.
    before = (Round.objects.get(pk=r.pk).version, r.reviews.count())
    with pytest.raises(PermissionDenied) as e:
        services.round_review(round_=r, by=w["city"], passed=True)
    assert w["wujin_admin"].organisation.name in str(e.value)
    # Nor does another district's administrator.
    with pytest.raises(PermissionDenied):
        services.round_review(round_=r, by=w["xinbei_admin"], passed=True)
    assert (Round.objects.get(pk=r.pk).version, r.reviews.count()) == before
    r = services.round_review(round_=r, by=w["wujin_admin"], passed=True)
    # The next step is the city bureau's: the district cannot act for it.
    with pytest.raises(PermissionDenied):
        services.round_review(round_=r, by=w["wujin_admin"], passed=True)
    r = services.round_review(round_=r, by=w["city"], passed=True)
    assert r.status == RoundStatus.REVIEWED
    assert list(r.reviews.values_list("organisation", flat=True)) == [w["wujin_admin"].organisation_id, w["bureau"].pk]


def test_the_reviewing_office_reads_and_acts_through_the_round_page(w, client):
    r = services.round_submit(round_=w["round"], by=w["city"])
    client.force_login(w["city"])
    page = client.get(reverse("awards:round", args=[r.pk])).content.decode()
    assert 'id="pass"' not in page  # not the city's turn
    client.post(reverse("awards:round_action", args=[r.pk, "pass"]), {"note": ""})
    assert Round.objects.get(pk=r.pk).review_step == 0
    client.force_login(w["wujin_admin"])
    page = client.get(reverse("awards:round", args=[r.pk])).content.decode()
    assert 'id="pass"' in page and "张优秀" in page
    client.post(reverse("awards:round_action", args=[r.pk, "pass"]), {"note": "同意"})
    assert Round.objects.get(pk=r.pk).review_step == 1


def test_a_review_chain_names_existing_offices():
    w = h.world()
    s = Scheme(programme=w["programme"], code="bad-chain", name="x", basis_clause="x", year=YEAR, budget=Decimal(1),
               purpose="x", candidate_source="applications", approving_body="联席会议", region=w["r"]["3204"])
    ent = f.enterprise()
    for chain, words in ((["区科技局"], "单位编号"), ([999999], "999999"), ([ent.organisation_id], "不是政府部门"),
                         ([w["bureau"].pk, w["bureau"].pk], "两次")):
        s.review_chain = chain
        with pytest.raises(ValidationError) as e:
            s.full_clean(exclude=["assessment_units"])
        assert words in " ".join(e.value.message_dict["review_chain"]), chain
    assert not Scheme.objects.filter(code="bad-chain").exists()


def test_a_payee_confirms_or_objects_and_the_list_waits_for_the_objection(w):
    r = _publicity(w)
    line = r.lines.get(expert=w["teacher"])
    other = r.lines.exclude(expert=w["teacher"]).get()
    # Only the payee answers for its line.
    with pytest.raises(PermissionDenied):
        services.line_respond(line=other, by=w["teacher_user"], objection=False)
    with pytest.raises(ValidationError) as e:
        services.line_respond(line=line, by=w["teacher_user"], objection=True, reason="  ")
    assert "reason" in e.value.message_dict
    services.line_respond(line=line, by=w["teacher_user"], objection=False)
    objection = services.line_respond(line=line, by=w["teacher_user"], objection=True, reason="姓名有误，应为张优秀（副教授）")
    # The payout list cannot be frozen while the objection is open; nothing is written.
    before = (Round.objects.get(pk=r.pk).version, AuditLog.objects.count())
    with pytest.raises(ValidationError) as e:
        services.round_issue(round_=r, by=w["city"], today=date(YEAR, 12, 9))
    assert "1" in e.value.messages[0] and "张优秀" in e.value.messages[0]
    assert not PayoutList.objects.filter(round=r).exists()
    assert (Round.objects.get(pk=r.pk).version, AuditLog.objects.count()) == before
    # Resolving needs a note and an office of the round; the payee cannot resolve its own objection.
    with pytest.raises(PermissionDenied):
        services.objection_resolve(response=objection, by=w["teacher_user"], upheld=False, note="x")
    with pytest.raises(ValidationError):
        services.objection_resolve(response=objection, by=w["city"], upheld=False, note="")
    services.objection_resolve(response=objection, by=w["wujin_admin"], upheld=False, note="经核实，姓名无误")
    payout = services.round_issue(round_=r, by=w["city"], today=date(YEAR, 12, 9))
    assert payout.total == Decimal("10000.00")
    assert list(PublicityResponse.objects.filter(round=r).values_list("kind", "resolution")) == [
        ("confirmed", ""), ("objection", "dismissed")]


def test_an_upheld_objection_sends_the_round_back_to_its_candidates(w, client):
    r = _publicity(w)
    line = r.lines.get(expert=w["teacher"])
    client.force_login(w["teacher_user"])
    page = client.get(reverse("awards:round", args=[r.pk])).content.decode()
    assert "response-form" in page
    client.post(reverse("awards:round_action", args=[r.pk, "object"]), {"line": line.pk, "reason": ""})
    assert not PublicityResponse.objects.exists()  # refused: no reason
    client.post(reverse("awards:round_action", args=[r.pk, "object"]), {"line": line.pk, "reason": "推荐材料不属实"})
    objection = PublicityResponse.objects.get()
    client.force_login(w["city"])
    client.post(reverse("awards:round_action", args=[r.pk, "issue"]))
    assert Round.objects.get(pk=r.pk).status == RoundStatus.PUBLICITY
    page = client.get(reverse("awards:round", args=[r.pk])).content.decode()
    assert "response-open" in page
    client.post(reverse("awards:round_action", args=[r.pk, "uphold"]),
                {"response": objection.pk, "resolution_note": "撤销该推荐，重新计算"})
    fresh = Round.objects.get(pk=r.pk)
    assert fresh.status == RoundStatus.DRAFT and "推荐" in fresh.return_reason
    # Outside 公示, answers are refused.
    with pytest.raises(ValidationError):
        services.line_respond(line=line, by=w["teacher_user"], objection=False)


def test_a_stranger_cannot_answer_for_a_line_nor_resolve(w):
    r = _publicity(w)
    line = r.lines.get(expert=w["teacher"])
    stranger = f.user(role="institution", organisation=Organisation.objects.create(kind="institution", name="别校"))
    with pytest.raises(PermissionDenied):
        services.line_respond(line=line, by=stranger, objection=True, reason="x")
    objection = services.line_respond(line=line, by=w["teacher_user"], objection=True, reason="金额有误")
    with pytest.raises(PermissionDenied):
        services.objection_resolve(response=objection, by=w["xinbei_admin"], upheld=True, note="x")
    assert PublicityResponse.objects.get(pk=objection.pk).open
