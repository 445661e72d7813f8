"""Bid attachments: checked like project documents (size, type from the content) and sealed like the
bid — other bidders never reach them, the poster only once bidding has closed — through the pages and
the API; bad files are refused with a message and nothing is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from duijie.challenges import services
from duijie.challenges.models import BidAttachment, Challenge
from duijie.challenges.tests import world as w_

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"x" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture
def world(settings, tmp_path):
    settings.DUIJIE_DOCUMENT_DIR = tmp_path / "docs"
    w = w_.build()
    w["b0"], w["b1"] = w_.bid(w, 0), w_.bid(w, 1)
    return w


def _api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def _upload(client, w, bid, name, data, **extra):
    return client.post(f"/challenges/{w['challenge'].pk}/bids/{bid.pk}/attachments/",
                       {"file": SimpleUploadedFile(name, data), "title": "测试报告", **extra}, follow=True)


def test_an_attachment_is_sealed_like_its_bid(world, client):
    w = world
    ch = w["challenge"]
    _x0, u0 = w["leads"][0]
    _x1, u1 = w["leads"][1]
    client.force_login(u0)
    html = _upload(client, w, w["b0"], "第三方检测报告.pdf", PDF).content.decode()
    att = BidAttachment.objects.get()
    assert "测试报告" in html and att.file_type == "pdf" and att.size == len(PDF)
    url = f"/challenges/{ch.pk}/attachments/{att.pk}/"
    api_url = f"/api/challenges/{ch.pk}/attachments/{att.pk}/"
    assert client.get(url).content == PDF  # the team reads its own file
    # another bidder: never — page, download, API list, API download
    client.force_login(u1)
    assert "测试报告" not in client.get(f"/challenges/{ch.pk}/bids/").content.decode()
    assert client.get(url).status_code == 404
    assert _api(u1).get(api_url).status_code == 404
    assert all(not b["attachments"] for b in _api(u1).get(f"/api/challenges/{ch.pk}/bids/").json())
    # cannot add a file to someone else's bid either
    assert _upload(client, w, w["b0"], "x.pdf", PDF).status_code == 404
    # the poster: not before closing
    client.force_login(w["ent_user"])
    assert client.get(url).status_code == 404 and _api(w["ent_user"]).get(api_url).status_code == 404
    w_.close(w)
    # after closing: the poster reads it, through the page and the API; the other bidder still not
    assert client.get(url).content == PDF
    assert client.get(url)["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert _api(w["ent_user"]).get(api_url).status_code == 200
    listed = [a for b in _api(w["ent_user"]).get(f"/api/challenges/{ch.pk}/bids/").json() for a in b["attachments"]]
    assert [a["id"] for a in listed] == [att.pk] and listed[0]["download"] == api_url
    client.force_login(u1)
    assert client.get(url).status_code == 404 and _api(u1).get(api_url).status_code == 404
    # and nothing can be added once bidding has closed
    client.force_login(u0)
    html = _upload(client, w, w["b0"], "补充.pdf", PDF).content.decode()
    assert "alert-danger" in html and BidAttachment.objects.count() == 1


def test_the_api_adds_a_file_to_ones_own_bid(world):
    w = world
    _x0, u0 = w["leads"][0]
    r = _api(u0).post(f"/api/challenges/{w['challenge'].pk}/bids/{w['b0'].pk}/attachments/",
                      {"file": SimpleUploadedFile("样机照片.png", PNG)}, format="multipart")
    assert r.status_code == 201, r.content
    assert r.json()["file_type"] == "png"
    r = _api(u0).post(f"/api/challenges/{w['challenge'].pk}/bids/{w['b0'].pk}/attachments/",
                      {"file": SimpleUploadedFile("病毒.exe", b"MZ" + b"\x00" * 50)}, format="multipart")
    assert r.status_code == 400 and "病毒.exe" in r.content.decode()
    assert BidAttachment.objects.count() == 1


def test_bad_files_are_refused_with_a_message_and_nothing_written(world, client, settings):
    w = world
    _x0, u0 = w["leads"][0]
    client.force_login(u0)
    docs = settings.DUIJIE_DOCUMENT_DIR
    for name, data, says in (("方案.exe", b"MZ" + b"\x00" * 50, "方案.exe"),      # refused type
                             ("报告.pdf", PNG, "报告.pdf"),                          # content is not a PDF
                             ("空.pdf", b"", "空.pdf")):
        html = _upload(client, w, w["b0"], name, data).content.decode()
        assert "alert-danger" in html and says in html.split("alert-danger")[1][:400], name
    settings.DUIJIE_DOCUMENT_MAX_BYTES = 100  # too large: refused before it is read
    html = _upload(client, w, w["b0"], "大文件.pdf", PDF).content.decode()
    assert "alert-danger" in html and "MB" in html.split("alert-danger")[1][:300]
    with pytest.raises(ValidationError, match="MB"):
        services.bid_attachment_add(bid=w["b0"], by=u0, file_name="大文件.pdf", data=PDF)
    assert BidAttachment.objects.count() == 0
    assert not docs.exists() or not any(docs.iterdir())
    # past the deadline (not yet closed): refused too
    settings.DUIJIE_DOCUMENT_MAX_BYTES = 10_000
    Challenge.objects.filter(pk=w["challenge"].pk).update(deadline=timezone.now() - timedelta(minutes=1))
    w["b0"].refresh_from_db()
    with pytest.raises(ValidationError, match=r"sealed|密封"):
        services.bid_attachment_add(bid=w["b0"], by=u0, file_name="迟到.pdf", data=PDF)
    assert BidAttachment.objects.count() == 0
