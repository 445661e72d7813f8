"""Import jobs (their preview rows and error reports hold the file's values) are seen by the uploader
and by the government roles whose scope covers the uploader's organisation — nobody else."""

import pytest
from django.test import Client
from django.urls import reverse

from duijie.core.models import AssessmentUnit, Organisation, Park, Region
from duijie.core.roles import Role
from duijie.core.tests import factories as f
from duijie.imports import selectors, services
from duijie.imports.kinds import KINDS
from duijie.imports.models import ImportJob
from duijie.imports.tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    r = {c: Region.objects.get(code=c) for c in ("3204", "320412", "320411", "320583")}
    wujin = AssessmentUnit.objects.create(name="武进区", code="t-wujin", kind="district", city=r["3204"])
    wujin.regions.set([r["320412"]])
    park = Park.objects.create(name="测试高新区", region=r["320412"])
    gov = {
        "changzhou": Organisation.objects.create(kind="government", name="常州市科技局", region=r["3204"]),
        "kunshan": Organisation.objects.create(kind="government", name="昆山市科技局", region=r["320583"]),
        "wujin": Organisation.objects.create(kind="government", name="武进区科技局", region=r["320412"],
                                             assessment_unit=wujin),
        "park": Organisation.objects.create(kind="government", name="高新区管委会", region=r["320412"], park=park),
    }
    users = {
        "cz_admin": f.user(role=Role.CITY_ADMIN, organisation=gov["changzhou"]),
        "ks_admin": f.user(role=Role.CITY_ADMIN, organisation=gov["kunshan"]),
        "wujin_admin": f.user(role=Role.UNIT_ADMIN, organisation=gov["wujin"]),
        Role.PARK_MANAGER: f.user(role=Role.PARK_MANAGER, organisation=gov["park"]),
        # uploaders: an enterprise in the park (武进), one in 新北 (常州), one in 昆山
        "in_park": f.user(role=Role.ENTERPRISE, organisation=f.enterprise(region=r["320412"], park=park).organisation),
        "xinbei": f.user(role=Role.ENTERPRISE, organisation=f.enterprise(
            uscc=f.uscc("320411"), region=r["320411"]).organisation),
        "kunshan": f.user(role=Role.ENTERPRISE, organisation=f.enterprise(
            uscc=f.uscc("320583"), region=r["320583"]).organisation),
    }
    jobs = {}
    for who in ("in_park", "xinbei", "kunshan"):
        # a refused dry run: its error report quotes the row's values
        data = csv_bytes([["统一社会信用代码", "企业名称", "联系电话"], ["BAD-CODE", f"{who}机密企业", "13812345678"]])
        jobs[who] = services.job_start(user=users[who], kind=KINDS["enterprise"], file_name=f"{who}.csv", data=data)
        assert jobs[who].errors
    return users, jobs


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize(("viewer", "sees"), [
    ("cz_admin", {"in_park", "xinbei"}),
    ("ks_admin", {"kunshan"}),
    ("wujin_admin", {"in_park"}),
    (Role.PARK_MANAGER, {"in_park"}),
    ("xinbei", {"xinbei"}),
])
def test_the_selector_gives_the_uploader_and_government_in_scope(world, viewer, sees):
    users, jobs = world
    visible = set(selectors.import_job_list(user=users[viewer]).values_list("pk", flat=True))
    assert visible == {jobs[w].pk for w in sees}


def test_kunshan_cannot_list_see_or_download_a_changzhou_job(world):
    users, jobs = world
    ks = client_for(users["ks_admin"])
    cz_job = jobs["xinbei"]
    history = ks.get(reverse("imports:history")).content.decode()
    assert "xinbei.csv" not in history and "kunshan.csv" in history
    for name in ("imports:job", "imports:errors", "imports:progress"):
        response = ks.get(reverse(name, args=[cz_job.pk]))
        assert response.status_code == 404
        assert "xinbei机密企业" not in response.content.decode(errors="replace")
    assert ks.post(reverse("imports:cancel", args=[cz_job.pk])).status_code == 404
    assert ImportJob.objects.get(pk=cz_job.pk).status == cz_job.status


def test_changzhou_sees_and_downloads_its_own_city_s_jobs(world):
    users, jobs = world
    cz = client_for(users["cz_admin"])
    history = cz.get(reverse("imports:history")).content.decode()
    assert "xinbei.csv" in history and "in_park.csv" in history and "kunshan.csv" not in history
    assert cz.get(reverse("imports:job", args=[jobs["xinbei"].pk])).status_code == 200
    report = cz.get(reverse("imports:errors", args=[jobs["xinbei"].pk]))
    assert report.status_code == 200 and report["Content-Type"].startswith("application/vnd.openxmlformats")
    # seeing is not acting: only the uploader confirms or cancels
    assert cz.post(reverse("imports:cancel", args=[jobs["xinbei"].pk])).status_code == 403
