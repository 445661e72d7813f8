"""Every label of the list pages is in the request's language, on every request, whatever was
rendered before in the same process (an English request, the API schema)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from duijie.core.registry import REGISTRY

CJK = re.compile(r"[\u4e00-\u9fff]")
FORM = re.compile(r'<form method="get"[^>]*id="filter-form">(.*?)</form>', re.S)
LABEL = re.compile(r'<label class="form-label"[^>]*>(.*?)</label>', re.S)
HEADER = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
TAG = re.compile(r"<[^>]+>")


def _labels(html: str) -> list[str]:
    form = FORM.search(html)
    found = LABEL.findall(form.group(1)) if form else []
    found += HEADER.findall(html)
    return [t for t in (TAG.sub("", x).strip() for x in found) if t]


def _get(client, url, lang):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(url)
    assert response.status_code == 200, url
    return _labels(response.content.decode())


def _english_labels(client, lang="zh-hans"):
    """The filter labels and column headers of every list page with no Chinese character."""
    bad = {}
    for slug in sorted(REGISTRY):
        english = [t for t in _get(client, reverse("registry:list", args=[slug]), lang) if not CJK.search(t)]
        if english:
            bad[slug] = english
    return bad


@pytest.mark.django_db
def test_list_labels_are_chinese_after_english_requests_and_the_api_schema(admin_client):
    # What a process of the web server may have served before: an English page, the API schema
    # (drf-spectacular reads the FilterSets' class-level filters) and its documentation page.
    _get(admin_client, "/r/demands/", "en")
    assert admin_client.get("/api/openapi.json").status_code == 200
    bad = _english_labels(admin_client)
    assert bad == {}, f"{sum(map(len, bad.values()))} English labels: {bad}"


@pytest.mark.django_db
def test_a_label_never_mixes_languages_over_20_requests(admin_client):
    admin_client.get("/api/openapi.json")
    for slug in ("demands", "achievements"):
        url = reverse("registry:list", args=[slug])
        seen = {"zh-hans": set(), "en": set()}
        for i in range(20):
            lang = "en" if i % 2 else "zh-hans"
            seen[lang].add(tuple(_get(admin_client, url, lang)))
        assert len(seen["zh-hans"]) == 1 and len(seen["en"]) == 1, slug  # the same labels every time
        zh, en = next(iter(seen["zh-hans"])), next(iter(seen["en"]))
        assert all(CJK.search(t) for t in zh), zh
        # English labels may carry the seed's Chinese term in brackets ("Field (科技成果所属领域)")
        assert all(re.search("[A-Za-z]", t) for t in en), en
