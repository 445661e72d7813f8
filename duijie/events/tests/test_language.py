"""The events pages speak the language of the request, never the previous request's; and what runs
after a request in the same thread (a service called directly, as tests and tasks do) is back in the
default language."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from duijie.events.services.invitations import invitation_bulk_add
from duijie.events.tests.conftest import make_event

pytestmark = pytest.mark.django_db

ZH = ("详情", "邀请", "一对一洽谈", "会议纪要")
EN = ("Details", "Invitations", "1:1 meetings", "Meeting records")


def _page(client, url, lang):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_event_pages_follow_each_requests_language(world):
    event = make_event(world.wujin_admin, status="open")
    invitation_bulk_add(event=event, by=world.wujin_admin, enterprises=world.ents[:1], experts=[])
    client = Client()
    client.force_login(world.wujin_admin)
    for url in (f"/r/events/{event.pk}/", f"/r/events/{event.pk}/?tab=invitations", "/r/events/"):
        for lang in ("en", "zh-hans", "en", "zh-hans"):
            html = _page(client, url, lang)
            if url == "/r/events/":
                label = "搜索" if lang == "zh-hans" else "Search"
                assert f'<label class="form-label" for="id_q">{label}</label>' in html, (url, lang)
                continue
            words, others = (ZH, EN) if lang == "zh-hans" else (EN, ZH)
            assert all(w in html for w in words), (url, lang)
            assert not any(f">{w}<" in html for w in others), (url, lang)


def test_a_request_in_english_does_not_leave_english_behind(world):
    client = Client()
    client.force_login(world.wujin_admin)
    _page(client, "/r/events/", "en")
    # The next test (or anything after the request in this thread) starts in the default language.
    assert translation.get_language() == settings.LANGUAGE_CODE
    event = make_event(world.wujin_admin, table_count=2)
    assert event.tables()[0] == "1号桌"
