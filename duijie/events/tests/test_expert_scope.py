"""An expert's account sees (and, like the other parties, may edit) the records that name that expert
in an ``expert`` field — a cooperation intention above all — and nobody else's (core/scope.py)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from duijie.core import selectors
from duijie.core.roles import Role
from duijie.core.tests import factories as f
from duijie.events.models import Intention
from duijie.events.services import intentions, invitations
from duijie.events.tests.conftest import make_event

pytestmark = pytest.mark.django_db


def test_expert_user_sees_intentions_naming_them(world):
    event = make_event(world.wujin_admin, status="held")
    invitations.invitation_bulk_add(event=event, by=world.wujin_admin, enterprises=world.ents[:2],
                                 experts=world.experts[:2])
    mine = intentions.intention_record(event=event, by=world.wujin_admin, enterprise=world.ents[0],
                                     expert=world.experts[0], subject="视觉检测联合开发",
                                     signed_on=timezone.localdate())
    other = intentions.intention_record(event=event, by=world.wujin_admin, enterprise=world.ents[1],
                                      expert=world.experts[1], subject="焊接机器人工艺",
                                      signed_on=timezone.localdate())
    assert mine.visibility == "restricted"  # not open to everyone: only scope lets the expert see it
    visible = set(selectors.visible_queryset(Intention, world.expert_user).values_list("pk", flat=True))
    assert mine.pk in visible and other.pk not in visible
    # a second expert account that is not named sees neither
    stranger = f.user(role=Role.EXPERT)
    f.expert(name="陌生专家", user=stranger)
    assert not selectors.visible_queryset(Intention, stranger).filter(pk__in=[mine.pk, other.pk]).exists()
    # an enterprise user from elsewhere still does not see it
    assert not selectors.visible_queryset(Intention, world.ent_user2).filter(pk=mine.pk).exists()
    # and the pages say the same
    c = Client()
    c.force_login(world.expert_user)
    page = c.get("/r/intentions/").content.decode()
    assert "视觉检测联合开发" in page and "焊接机器人工艺" not in page
    assert c.get(f"/r/intentions/{mine.pk}/").status_code == 200
    assert c.get(f"/r/intentions/{other.pk}/").status_code == 404


def test_expert_rule_respects_party_fields(world):
    """Models that say who is a party (``PARTY_FIELDS = ()``, e.g. a pairing *about* an expert) are not
    opened up by the rule."""
    from duijie.pairings.models import Pairing

    assert "expert" in {fl.name for fl in Pairing._meta.get_fields()}
    from duijie.core import scope

    q = scope.edit_q(Pairing, world.expert_user)
    assert "expert__user" not in str(q)
