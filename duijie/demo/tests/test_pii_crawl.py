"""Crawl every page and API list of the demo data set as each non-privileged role and scan for
unmasked phone and ID numbers: there must be none (personal data is masked everywhere; full values
only through the audited "show full" action, which the crawl does not take)."""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from duijie.accounts.models import User
from duijie.core.registry import REGISTRY
from duijie.core.roles import Role
from duijie.demo.generator import Scale, generate

PHONE = re.compile(r"(?<![\d.])1[3-9]\d{9}(?![\d.])|(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")
ID_NUMBER = re.compile(r"(?<!\d)[1-6]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)")
ROLES = ["wujin", "park", Role.ENTERPRISE, "cczu", Role.EXPERT, Role.BROKER, "admin"]


@pytest.mark.slow
@pytest.mark.django_db
def test_no_unmasked_personal_data_on_any_page_or_api_list():
    generate(seed=3, scale=Scale(enterprises=25, experts=20, achievements=20, patents=20, demands=70, scenarios=5))
    hits, pages = [], 0
    for username in ROLES:
        user = User.objects.get(username=username)
        ui, api = Client(), APIClient()
        ui.force_login(user)
        api.force_authenticate(user)
        for slug in REGISTRY:
            urls = [f"/r/{slug}/", f"/api/{slug}/"]
            ids = [row["id"] for row in api.get(f"/api/{slug}/").json().get("results", [])[:2]]
            for pk in ids:
                urls += [f"/r/{slug}/{pk}/", f"/r/{slug}/{pk}/history/", f"/r/{slug}/{pk}/edit/", f"/api/{slug}/{pk}/"]
            for url in urls:
                client = api if url.startswith("/api/") else ui
                response = client.get(url)
                if response.status_code != 200:
                    continue
                pages += 1
                text = response.content.decode()
                for pattern in (PHONE, ID_NUMBER):
                    hits += [f"{username} {url}: {m}" for m in pattern.findall(text)]
    print(f"\nPII crawl: {pages} pages, {len(hits)} hits")
    assert pages > 200
    assert not hits, "\n".join(hits[:20])
