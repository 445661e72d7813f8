"""The public portal: anonymous visitors see published, public records only, without contact
details or personal data; the API stays closed to them."""

import pytest

from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db


def test_public_sees_published_public_records_only(client):
    ent = f.enterprise()
    public = f.demand(ent, title="公开需求甲", status="published", visibility="public", contact_phone="13812345678",
                      description="联系人电话13987654321，需要耐高温涂层")
    platform = f.demand(ent, title="平台需求乙", status="published", visibility="platform")
    draft = f.demand(ent, title="草稿需求丙", status="draft", visibility="public")
    restricted = f.demand(ent, title="受限需求丁", status="published", visibility="restricted")
    home = client.get("/portal/")
    assert home.status_code == 200 and "公开需求甲" in home.content.decode()
    listing = client.get("/portal/demands/").content.decode()
    assert "公开需求甲" in listing
    for hidden in ("平台需求乙", "草稿需求丙", "受限需求丁"):
        assert hidden not in listing
    detail = client.get(f"/portal/demands/{public.pk}/").content.decode()
    assert "耐高温涂层" in detail
    assert "13812345678" not in detail and "138****5678" not in detail  # no contact details at all
    assert "13987654321" not in detail  # phone typed into the text is masked
    for obj in (platform, draft, restricted):
        assert client.get(f"/portal/demands/{obj.pk}/").status_code == 404
    assert client.get("/portal/enterprises/").status_code == 404
    assert client.get("/api/demands/").status_code in (401, 403)


def test_portal_search_and_other_types(client):
    inst = f.institution()
    f.achievement(inst, name="石墨烯导热膜", status="published", visibility="public")
    f.achievement(inst, name="未发布成果", status="draft", visibility="public")
    html = client.get("/portal/achievements/", {"q": "石墨烯"}).content.decode()
    assert "石墨烯导热膜" in html and "未发布成果" not in html
    assert client.get("/portal/patents/").status_code == 200
    assert client.get("/portal/scenarios/").status_code == 200
