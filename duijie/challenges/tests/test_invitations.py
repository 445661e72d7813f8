"""Matching for challenges and invitations to bid: a challenge is matched to experts, teams and
institutions with reasons; its poster (or the office) invites the best matches; the invited expert
sees the invitation, accepts or declines, and goes straight to the bid form. Closed challenges are
not matched; invitations out of scope, to an opted-out or conflicted expert, twice, by someone else
or after closing are refused with a message and nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from duijie.challenges import services
from duijie.challenges.choices import ChallengeMode
from duijie.challenges.models import Challenge, Invitation
from duijie.challenges.tests import world as w_
from duijie.core.models import AuditLog
from duijie.core.tests import factories as f
from duijie.matching import selectors as ms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def match_dir(settings, tmp_path):
    from duijie.matching import learning, store

    settings.DUIJIE_MATCH_DIR = tmp_path / "match"
    settings.DUIJIE_MATCH_ENCODER = "none"
    store.reset_encoder()
    store.forget()
    learning._cache.clear()
    yield
    store.forget()
    store.reset_encoder()


@pytest.fixture
def world():
    w = w_.build(mode=ChallengeMode.OPEN, teams=1, title="高镍三元正极材料包覆工艺攻关",
                 description="需要提升锂电池正极材料的循环寿命和热稳定性，解决高镍三元包覆工艺难题")
    lab = f.institution(name="常州锂电研究大学")
    w["lab"] = lab
    w["x1"], w["u1"] = w_.expert_user(lab, name="王正极")
    w["x2"], w["u2"] = w_.expert_user(lab, name="周包覆")
    for x, rd in ((w["x1"], "锂电池正极材料 高镍三元 包覆改性"), (w["x2"], "高镍三元正极材料 包覆工艺 循环寿命")):
        x.research_directions, x.bio = rd, "长期从事锂电池正极材料研究"
        x.save()
    w["office"] = f.user(role="institution", organisation=lab.organisation)
    w["other"] = f.expert(name="孙无关", research_directions="水稻育种 分子标记")
    w["optout"] = f.expert(name="李退出", research_directions="锂电池正极材料 高镍三元 包覆工艺", do_not_recommend=True)
    w["employee"] = f.expert(name="赵员工", research_directions="锂电池正极材料 高镍三元 热稳定性",
                             employer=w["ent"].name)
    from duijie.matching import services as match_services

    match_services.rebuild()
    return w


def _invite(client, w, **data):
    client.force_login(w["ent_user"])
    return client.post(f"/challenges/{w['challenge'].pk}/invite/", data, follow=True)


def test_challenge_matches_experts_teams_and_institutions_with_reasons(world, client):
    w = world
    got = ms.recommend(user=w["ent_user"], obj=w["challenge"], target_kind="expert", k=10)
    names = [m.obj.name for m in got]
    assert {"王正极", "周包覆"} <= set(names[:3]) and "孙无关" not in names
    assert "李退出" not in names and "赵员工" not in names  # opted out; works for the posting enterprise
    assert all(m.terms for m in got if m.obj.name in ("王正极", "周包覆"))
    insts = ms.recommend(user=w["ent_user"], obj=w["challenge"], target_kind="institution")
    assert insts and insts[0].obj == w["lab"]
    client.force_login(w["ent_user"])
    html = client.get(f"/challenges/matches/challenges/{w['challenge'].pk}/").content.decode()
    assert "王正极" in html and "常州锂电研究大学" in html and 'data-kind="team"' in html
    assert "data-invite" in html and "共同关键词" in html
    # the page loads the panel after itself
    page = client.get(f"/r/challenges/{w['challenge'].pk}/").content.decode()
    assert f"/challenges/matches/challenges/{w['challenge'].pk}/" in page
    # matches are the poster's and the office's tool: a bidder gets nothing
    client.force_login(w["u1"])
    assert client.get(f"/challenges/matches/challenges/{w['challenge'].pk}/").content == b""


def test_invite_accept_and_go_to_the_bid_form(world, client):
    w = world
    r = _invite(client, w, expert=w["x1"].pk, reasons="共同关键词：锂电池、正极材料")
    assert "王正极" in r.content.decode() and Invitation.objects.count() == 1
    inv = Invitation.objects.get()
    assert inv.institution == w["lab"] and inv.invited_by == w["ent_user"]
    assert AuditLog.objects.filter(object_type="challenges.invitation").exists()
    # the invited expert sees it on their side and on the challenge page
    client.force_login(w["u1"])
    listing = client.get("/challenges/invitations/").content.decode()
    assert w["challenge"].title in listing and "共同关键词" in listing
    assert f'data-my-invitation="{inv.pk}"' in client.get(f"/r/challenges/{w['challenge'].pk}/").content.decode()
    # a colleague does not, and cannot answer it
    client.force_login(w["u2"])
    assert w["challenge"].title not in client.get("/challenges/invitations/").content.decode()
    assert client.post(f"/challenges/invitations/{inv.pk}/respond/", {"answer": "accept"}).status_code == 404
    # accepting leads straight to the bid form
    client.force_login(w["u1"])
    r = client.post(f"/challenges/invitations/{inv.pk}/respond/", {"answer": "accept"})
    assert r.status_code == 302 and r.url == f"/challenges/{w['challenge'].pk}/bid/"
    assert client.get(r.url).status_code == 200
    inv.refresh_from_db()
    assert inv.status == "accepted" and inv.responded_at
    with pytest.raises(ValidationError, match=r"already replied|已答复"):
        services.invitation_respond(invitation=inv, by=w["u1"], accept=False)


def test_an_institution_office_receives_and_declines(world, client):
    w = world
    inv = services.invitation_send(challenge=w["challenge"], by=w["gov"], institution=w["lab"], reasons="2 位专家")
    client.force_login(w["office"])
    assert w["challenge"].title in client.get("/challenges/invitations/").content.decode()
    client.post(f"/challenges/invitations/{inv.pk}/respond/", {"answer": "decline", "note": "本年度任务已满"})
    inv.refresh_from_db()
    assert inv.status == "declined" and inv.response_note == "本年度任务已满"


def test_bad_invitations_are_refused_with_a_message_and_nothing_written(world, client):
    w = world
    services.invitation_send(challenge=w["challenge"], by=w["ent_user"], expert=w["x1"])
    before = Invitation.objects.count()
    # twice: the page names who and when
    html = _invite(client, w, expert=w["x1"].pk).content.decode()
    today = timezone.localdate().strftime("%Y-%m-%d")
    assert "alert-danger" in html and "王正极" in html.split("alert-danger")[1][:300] and today in html
    with pytest.raises(ValidationError, match=r"already invited|已于"):
        services.invitation_send(challenge=w["challenge"], by=w["ent_user"], expert=w["x1"])
    # out of scope: a restricted profile of another organisation the poster may not read
    hidden = f.expert(name="钱保密", research_directions="锂电池正极材料", visibility="restricted",
                      owner_org_id=f.institution(name="他校").organisation_id)
    with pytest.raises(PermissionDenied):
        services.invitation_send(challenge=w["challenge"], by=w["ent_user"], expert=hidden)
    html = _invite(client, w, expert=hidden.pk).content.decode()
    assert "alert-danger" in html and "钱保密" not in html
    # opted out, works for the posting enterprise
    with pytest.raises(ValidationError, match=r"opted out|不被推荐"):
        services.invitation_send(challenge=w["challenge"], by=w["ent_user"], expert=w["optout"])
    with pytest.raises(ValidationError):
        services.invitation_send(challenge=w["challenge"], by=w["ent_user"], expert=w["employee"])
    # someone who does not run the challenge: another enterprise, a bidder
    stranger = f.user(role="enterprise", organisation=f.enterprise(name="别家公司").organisation)
    for by in (stranger, w["u2"]):
        with pytest.raises(PermissionDenied):
            services.invitation_send(challenge=w["challenge"], by=by, expert=w["x2"])
    assert Invitation.objects.count() == before


def test_closed_challenges_are_not_matched_nor_invited(world, client):
    w = world
    Challenge.objects.filter(pk=w["challenge"].pk).update(deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match=r"open for bids|征集揭榜期间"):
        services.invitation_send(challenge=Challenge.objects.get(pk=w["challenge"].pk), by=w["ent_user"],
                                 expert=w["x2"])
    ch = w_.close(w, to_review=False)
    assert ms.recommend(user=w["ent_user"], obj=ch, target_kind="expert") == []
    client.force_login(w["ent_user"])
    html = client.get(f"/challenges/matches/challenges/{ch.pk}/").content.decode()
    assert "data-inactive" in html and "data-invite" not in html
    assert Invitation.objects.count() == 0


def test_invitations_through_the_api(world):
    from rest_framework.test import APIClient

    w = world
    ch = w["challenge"]

    def api(user):
        c = APIClient()
        c.force_authenticate(user)
        return c

    r = api(w["ent_user"]).post(f"/api/challenges/{ch.pk}/invitations/", {"expert": w["x2"].pk, "reasons": "共同关键词"},
                                format="json")
    assert r.status_code == 201, r.content
    r2 = api(w["ent_user"]).post(f"/api/challenges/{ch.pk}/invitations/", {"expert": w["x2"].pk}, format="json")
    assert r2.status_code == 400 and "周包覆" in r2.content.decode()
    stranger = f.user(role="enterprise", organisation=f.enterprise(name="旁人企业").organisation)
    assert api(stranger).post(f"/api/challenges/{ch.pk}/invitations/", {"expert": w["x1"].pk},
                              format="json").status_code == 403
    assert api(stranger).get(f"/api/challenges/{ch.pk}/invitations/").json() == []
    assert [i["id"] for i in api(w["u2"]).get("/api/challenge-invitations/").json()] == [r.json()["id"]]
    assert api(w["u1"]).get("/api/challenge-invitations/").json() == []
    assert api(w["u1"]).post(f"/api/challenge-invitations/{r.json()['id']}/respond/", {"accept": True},
                             format="json").status_code == 404
    got = api(w["u2"]).post(f"/api/challenge-invitations/{r.json()['id']}/respond/", {"accept": False, "note": "没空"},
                            format="json")
    assert got.status_code == 200 and got.json()["status"] == "declined"
    assert Invitation.objects.count() == 1
