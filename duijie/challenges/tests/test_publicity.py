"""公示 before the award: the panel's decision is published for the challenge's publicity period (its
length data on the challenge, default from settings); objections are lodged during it with a reason;
the award is refused during the period and while an objection is open, and leaves nothing written."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from duijie.challenges import services
from duijie.challenges.choices import ChallengeMode
from duijie.challenges.models import Bid, Challenge, Objection
from duijie.challenges.tests import world as w_
from duijie.cooperation.models import CooperationProject
from duijie.core.formatting import office_date
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided():
    w = w_.build(mode=ChallengeMode.OPEN, teams=1, budget=Decimal("500000"))
    for i in range(2):
        w_.bid(w, i, budget=Decimal("400000"))
    w_.close(w)
    w["bids"] = list(w["challenge"].bids.order_by("pk"))
    w["public"] = f.user(role="enterprise", organisation=f.enterprise(name="旁观企业").organisation)
    return w


def _award_refused(w, match, **kw):
    ch = Challenge.objects.get(pk=w["challenge"].pk)
    with pytest.raises(ValidationError, match=match):
        services.award(challenge=ch, by=w["gov"], **kw)
    ch.refresh_from_db()
    assert ch.status == "under_review" and ch.project_id is None and not CooperationProject.objects.exists()
    assert set(Bid.objects.filter(challenge=ch).values_list("status", flat=True)) <= {"proposed", "submitted"}


def test_the_decision_is_published_for_the_challenges_period(decided, client):
    w = decided
    assert w["challenge"].publicity_days == settings.DUIJIE_CHALLENGE_DEFAULTS["publicity_days"][0]
    _award_refused(w, "公示|publicity")  # no decision yet
    ch = services.publicity_open(challenge=w["challenge"], winners=w["bids"][:1], by=w["gov"])
    today = timezone.localdate()
    assert ch.publicity_start == today and ch.publicity_end == today + timedelta(days=ch.publicity_days - 1)
    assert Bid.objects.get(pk=w["bids"][0].pk).status == "proposed"
    assert Bid.objects.get(pk=w["bids"][1].pk).status == "submitted"
    # the portal shows the period and the proposed team
    page = client.get(f"/portal/challenges/{ch.pk}/").content.decode()
    assert office_date(ch.publicity_start) in page and office_date(ch.publicity_end) in page
    assert str(w["bids"][0]) in page and str(w["bids"][1]) not in page
    # award during the 公示: refused, naming the day it becomes possible
    _award_refused(w, office_date(ch.publicity_end + timedelta(days=1)))
    _award_refused(w, office_date(ch.publicity_end + timedelta(days=1)), today=ch.publicity_end)
    # the length is fixed once the period began
    ch.publicity_days = 3
    with pytest.raises(ValidationError):
        ch.full_clean()
    # after the period, with no objection: awarded to the proposed team
    ch = services.award(challenge=Challenge.objects.get(pk=ch.pk), by=w["gov"],
                        today=ch.publicity_end + timedelta(days=1))
    assert ch.status == "awarded" and ch.project is not None
    assert list(Bid.objects.filter(challenge=ch).order_by("pk").values_list("status", flat=True)) == ["won", "not_chosen"]


def test_a_challenge_sets_its_own_period():
    w = w_.build(mode=ChallengeMode.OPEN, teams=1)
    ch = Challenge.objects.get(pk=w["challenge"].pk)
    ch.publicity_days, ch.publicity_days_source = 10, "市科技局揭榜挂帅实施细则：公示10日"
    ch.full_clean()
    ch.save()
    w_.bid(w, 0)
    w_.close(w)
    ch = services.publicity_open(challenge=w["challenge"], winners=list(w["challenge"].bids.all()), by=w["gov"])
    assert ch.publicity_end - ch.publicity_start == timedelta(days=9)


def test_objections_during_the_period_block_the_award_until_resolved(decided, client):
    w = decided
    ch = services.publicity_open(challenge=w["challenge"], winners=w["bids"][:1], by=w["gov"])
    # lodged through the challenge page, with a reason
    client.force_login(w["public"])
    client.post(f"/challenges/{ch.pk}/objection/", {"reason": "中标团队负责人与发榜企业存在亲属关系"})
    obj = Objection.objects.get()
    assert obj.status == "open" and obj.lodged_by == w["public"]
    # without a reason: refused, nothing written
    r = client.post(f"/challenges/{ch.pk}/objection/", {"reason": "  "}, follow=True)
    assert "alert-danger" in r.content.decode() and Objection.objects.count() == 1
    after = ch.publicity_end + timedelta(days=1)
    # after the period: refused with the dates
    with pytest.raises(ValidationError, match=office_date(ch.publicity_end)):
        services.objection_lodge(challenge=ch, by=w["public"], reason="迟到的异议", today=after)
    assert Objection.objects.count() == 1
    # the award waits for the open objection
    _award_refused(w, "1", today=after)
    services.objection_resolve(objection=obj, by=w["gov"], uphold=False, resolution="经核查不存在亲属关系")
    ch = services.award(challenge=Challenge.objects.get(pk=ch.pk), by=w["gov"], today=after)
    assert ch.status == "awarded"


def test_an_upheld_objection_withdraws_the_decision(decided):
    w = decided
    ch = services.publicity_open(challenge=w["challenge"], winners=w["bids"][:1], by=w["gov"])
    a = services.objection_lodge(challenge=ch, by=w["public"], reason="评审专家与中标方同属一个课题组")
    b = services.objection_lodge(challenge=ch, by=w["ent_user"], reason="同上")
    with pytest.raises(PermissionDenied):  # only the office resolves
        services.objection_resolve(objection=a, by=w["ent_user"], uphold=True, resolution="自行处理")
    services.objection_resolve(objection=a, by=w["gov"], uphold=True, resolution="异议成立，重新评审")
    ch.refresh_from_db()
    assert ch.publicity_start is None and not ch.in_publicity
    assert set(Bid.objects.filter(challenge=ch).values_list("status", flat=True)) == {"submitted"}
    b.refresh_from_db()
    assert b.status == "upheld"
    with pytest.raises(ValidationError):
        services.objection_lodge(challenge=ch, by=w["public"], reason="还有异议")
    ch = services.publicity_open(challenge=ch, winners=w["bids"][1:], by=w["gov"])
    assert Bid.objects.get(pk=w["bids"][1].pk).status == "proposed"


def test_the_review_page_publishes_and_refuses_the_award_during_the_period(decided, client):
    w = decided
    ch = w["challenge"]
    client.force_login(w["gov"])
    client.post(f"/challenges/{ch.pk}/review/", {"decide": "1", "winners": [w["bids"][0].pk]})
    ch.refresh_from_db()
    assert ch.in_publicity
    r = client.post(f"/challenges/{ch.pk}/review/", {"award": "1"}, follow=True)
    html = r.content.decode()
    assert "alert-danger" in html and office_date(ch.publicity_end + timedelta(days=1)) in html
    ch.refresh_from_db()
    assert ch.status == "under_review" and ch.project_id is None
    detail = client.get(f"/r/challenges/{ch.pk}/").content.decode()
    assert 'id="publicity"' in detail and "objection" in detail
