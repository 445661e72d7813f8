"""Bids are sealed (other bidders never see them; the poster only after closing) and scoring is blind
(another reviewer's scores stay hidden until one's own is submitted), through the pages and the API;
a late bid is refused with a clear message and nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from duijie.challenges import services
from duijie.challenges.models import Bid, Challenge
from duijie.challenges.tests import world as w_
from duijie.cooperation import services as coop
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


def _api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def _bid_ids(user, challenge):
    r = _api(user).get(f"/api/challenges/{challenge.pk}/bids/")
    assert r.status_code == 200, r.content
    return {b["id"] for b in r.json()}


def test_bids_are_invisible_to_other_bidders_ui_and_api(client):
    w = w_.build()
    a = w_.bid(w, 0, approach="甲队秘密方案")
    b = w_.bid(w, 1, approach="乙队秘密方案")
    (_xa, ua), (_xb, ub) = w["leads"][0], w["leads"][1]
    ch = w["challenge"]
    assert _bid_ids(ua, ch) == {a.pk} and _bid_ids(ub, ch) == {b.pk}
    assert _bid_ids(w["ent_user"], ch) == set()  # sealed for the poster until closing
    assert _bid_ids(w["gov"], ch) == set()
    client.force_login(ub)
    page = client.get(f"/challenges/{ch.pk}/bids/").content.decode()
    assert "乙队秘密方案" in page and "甲队秘密方案" not in page
    client.force_login(w["ent_user"])
    assert "秘密方案" not in client.get(f"/challenges/{ch.pk}/bids/").content.decode()

    w_.close(w, to_review=False)
    assert _bid_ids(ub, ch) == {b.pk}  # still only their own after closing
    assert _bid_ids(w["ent_user"], ch) == {a.pk, b.pk}
    page = client.get(f"/challenges/{ch.pk}/bids/").content.decode()
    assert "甲队秘密方案" in page and "乙队秘密方案" in page
    client.force_login(ub)
    assert "甲队秘密方案" not in client.get(f"/challenges/{ch.pk}/bids/").content.decode()
    outsider = f.user(role="enterprise", organisation=f.enterprise().organisation)
    assert _bid_ids(outsider, ch) == set()


def test_late_bid_is_refused_with_a_clear_message():
    w = w_.build()
    Challenge.objects.filter(pk=w["challenge"].pk).update(deadline=timezone.now() - timedelta(seconds=5))
    w["challenge"].refresh_from_db()
    deadline = timezone.localtime(w["challenge"].deadline).strftime("%Y-%m-%d %H:%M")
    with pytest.raises(ValidationError) as e:
        w_.bid(w, 0)
    assert deadline in str(e.value) and w["challenge"].title in str(e.value)
    _x, user = w["leads"][1]
    r = _api(user).post(f"/api/challenges/{w['challenge'].pk}/bids/", {
        "approach": "迟到", "maturity": "lab", "budget": "100000", "conflict_declaration": "无",
        "answers": {str(k): v for k, v in w_.answers(w["challenge"]).items()},
        "milestones": [{**m, "due_on": m["due_on"].isoformat(), "share": str(m["share"])} for m in w_.milestones(100)]},
        format="json")
    assert r.status_code == 400 and deadline in r.content.decode()
    assert not Bid.objects.exists()


@pytest.fixture
def scored():
    w = w_.build()
    w_.bid(w, 0)
    w_.bid(w, 1)
    w_.close(w)
    other = f.institution(name="评审大学")
    ra, ua = w_.expert_user(other, name="评审甲")
    rb, ub = w_.expert_user(other, name="评审乙")
    for x in (ra, rb):
        services.panel_seat(challenge=w["challenge"], expert=x, by=w["gov"])
    w.update(ua=ua, ub=ub)
    return w


def _values(challenge, v):
    return {c.pk: v for c in challenge.criteria.all()}


def test_reviewer_cannot_see_others_scores_before_submitting_ui_and_api(scored, client):
    w = scored
    ch = w["challenge"]
    bid = ch.bids.order_by("pk").first()
    services.scorecard_submit(challenge=ch, bid=bid, by=w["ua"], values=_values(ch, 9), comment="甲的评语独一无二")
    # Reviewer B has not scored this bid: A's card is hidden from B (API and page).
    r = _api(w["ub"]).get(f"/api/challenges/{ch.pk}/scorecards/")
    assert r.status_code == 200 and r.json() == []
    client.force_login(w["ub"])
    assert "甲的评语独一无二" not in client.get(f"/challenges/{ch.pk}/review/").content.decode()
    # A sees their own.
    assert [c["reviewer"] for c in _api(w["ua"]).get(f"/api/challenges/{ch.pk}/scorecards/").json()] == ["评审甲"]
    # B submits through the API: then A's card for that bid is shown to B, and not before.
    r = _api(w["ub"]).post(f"/api/challenges/{ch.pk}/scorecards/",
                           {"bid": bid.pk, "scores": {str(k): "6" for k in _values(ch, 6)}}, format="json")
    assert r.status_code == 201, r.content
    names = sorted(c["reviewer"] for c in _api(w["ub"]).get(f"/api/challenges/{ch.pk}/scorecards/").json())
    assert names == sorted(["评审甲", "评审乙"])
    assert "甲的评语独一无二" in client.get(f"/challenges/{ch.pk}/review/").content.decode()
    # The other bid, scored by A only: still hidden from B.
    second = ch.bids.order_by("pk").last()
    services.scorecard_submit(challenge=ch, bid=second, by=w["ua"], values=_values(ch, 3), comment="第二份评语")
    assert "第二份评语" not in client.get(f"/challenges/{ch.pk}/review/").content.decode()
    assert {c["bid"] for c in _api(w["ub"]).get(f"/api/challenges/{ch.pk}/scorecards/").json()} == {bid.pk}


def test_award_creates_the_project_and_solved_follows_it(scored):
    w = scored
    ch = w["challenge"]
    bids = list(ch.bids.order_by("pk"))
    with pytest.raises(ValidationError):  # 赛马制: at least two teams
        services.publicity_open(challenge=ch, winners=bids[:1], by=w["gov"])
    ch = w_.award(w, bids)
    assert ch.status == "awarded" and ch.project is not None
    project = ch.project
    assert project.source == "challenge"
    assert set(project.institutions.values_list("pk", flat=True)) == {b.institution_id for b in bids}
    assert set(project.enterprises.all()) == {w["ent"]}
    assert not ch.solved
    for step in ("sign", "implement", "complete"):
        project = coop.project_move(project=project, name=step, by=w["gov"])
    ch.refresh_from_db()
    assert ch.solved


def test_the_public_portal_shows_published_challenges_only(client):
    w = w_.build()
    draft = services.challenge_from_demand(demand=w["demand"], by=w["ent_user"], title="草稿榜单不公开",
                                           indicators="指标", deadline=timezone.now() + timedelta(days=3),
                                           ip_terms="none", budget=1000)
    listing = client.get("/portal/challenges/").content.decode()
    assert w["challenge"].title in listing and draft.title not in listing
    assert client.get(f"/portal/challenges/{w['challenge'].pk}/").status_code == 200
    assert client.get(f"/portal/challenges/{draft.pk}/").status_code == 404
    assert _api(w["leads"][0][1]).get(f"/api/challenges/{draft.pk}/").status_code == 404
