"""The demo's tier page is not empty: enterprises on every lower rung today, moves in the last whole
year including 小升高, candidates in the 高企 cultivation list, certificates expiring soon."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from duijie.accounts.models import User
from duijie.demo.generator import Scale, generate
from duijie.orgs import tiers

SMALL = Scale(enterprises=60, experts=10, achievements=10, patents=10, demands=20, scenarios=5)


@pytest.mark.django_db
def test_the_demo_fills_the_tier_page(client):
    generate(seed=7, scale=SMALL)
    city = User.objects.filter(role="city_admin", organisation__region__code="3204").order_by("pk").first()
    today = timezone.localdate()
    dist = {(c.rung.rank if c.rung else 0): len(c.ids) for c in tiers.distribution(city, tiers.Owner(), today)}
    assert dist[1] and dist[2] and dist[3], dist
    m = tiers.moves(city, tiers.Owner(), 2025, today)
    assert m.ids(1, 2), m.cells.keys()
    lists = {c.rule.code: c for c in tiers.cultivation(city, tiers.Owner(), today)}
    assert lists["high-tech"].candidates
    client.force_login(city)
    assert client.get(reverse("innovation:tiers")).status_code == 200
