"""Template download → upload → preview with errors → fix → confirm → history, through the pages."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from duijie.core.roles import Role
from duijie.core.tests import factories as f
from duijie.imports.models import ImportJob, ImportStatus
from duijie.imports.tests.helpers import xlsx
from duijie.orgs.models import Enterprise

pytestmark = pytest.mark.django_db


def upload(client, name, data, slug="enterprises"):
    return client.post(reverse("imports:upload", args=[slug]), {"file": SimpleUploadedFile(name, data)})


def test_list_page_links_to_template_and_import(admin_client):
    page = admin_client.get(reverse("registry:list", args=["enterprises"])).content.decode()
    assert reverse("imports:template", args=["enterprises"]) in page
    assert reverse("imports:upload", args=["enterprises"]) in page


def test_template_has_chinese_headers_and_an_example_row(admin_client):
    response = admin_client.get(reverse("imports:template", args=["enterprises"]))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value == "统一社会信用代码" and ws["B1"].value == "名称"
    assert ws["B2"].value == "常州示例科技有限公司"


def test_upload_preview_fix_confirm(admin_client, import_dir):
    good, bad = f.uscc(), f.uscc()
    head = ["统一社会信用代码", "企业名称", "成立日期", "联系电话"]
    response = upload(admin_client, "企业.xlsx", xlsx([head, [good, "常州甲有限公司", "2026/2/3", "13812345678"],
                                                   [bad, "常州乙有限公司", "去年", "13812345678"]]))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("imports:job", args=[job.pk])
    assert (import_dir / job.stored_name).exists() and job.status == ImportStatus.REFUSED
    page = admin_client.get(response.url).content.decode()
    assert "table-danger" in page and "去年" in page and "138****5678" not in page
    assert "确认导入" not in page
    report = admin_client.get(reverse("imports:errors", args=[job.pk]))
    ws = load_workbook(io.BytesIO(report.content)).active
    assert [c.value for c in ws[2]][:2] == [3, "成立日期"]

    response = upload(admin_client, "企业.xlsx", xlsx([head, [good, "常州甲有限公司", "2026/2/3", "13812345678"],
                                                   [bad, "常州乙有限公司", "2025年1月1日", "13812345678"]]))
    job = ImportJob.objects.first()
    assert job.status == ImportStatus.PREVIEWED and job.new == 2 and not Enterprise.objects.exists()
    page = admin_client.get(response.url).content.decode()
    assert "确认导入" in page
    response = admin_client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and Enterprise.objects.count() == 2
    history = admin_client.get(reverse("imports:history")).content.decode()
    assert "企业.xlsx" in history and "已导入" in history
    # confirming twice does nothing more
    admin_client.post(reverse("imports:confirm", args=[job.pk]))
    assert Enterprise.objects.count() == 2


@pytest.mark.parametrize(("name", "data", "message"), [
    ("a.txt", b"hello", "不是本导入能读取的表格"),
    ("a.xlsx", b"PK\x03\x04garbage", "不是有效的 .xlsx 文件"),
    ("a.csv", b"", "空"),
])
def test_bad_files_are_refused_with_a_clear_message(admin_client, name, data, message):
    response = upload(admin_client, name, data)
    body = response.content.decode()
    if response.status_code == 302:  # read, then refused by the engine
        job = ImportJob.objects.get()
        assert job.status == ImportStatus.REFUSED
        body = admin_client.get(response.url).content.decode()
    assert message in body
    assert not Enterprise.objects.exists()


def test_files_over_the_size_limit_are_refused(admin_client, settings):
    settings.DUIJIE_IMPORT_MAX_BYTES = 100
    response = upload(admin_client, "big.csv", b"x" * 101)
    assert response.status_code == 400 and "超过上限" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_jobs_are_private_to_their_owner(admin_user, enterprise_client, enterprise_user):
    from django.test import Client

    admin_client = Client()
    admin_client.force_login(admin_user)
    upload(enterprise_client, "mine.xlsx", xlsx([["统一社会信用代码", "企业名称"], [f.uscc(), "某有限公司"]]))
    job = ImportJob.objects.get()
    assert job.user == enterprise_user
    other = f.user(role=Role.ENTERPRISE, organisation=f.enterprise().organisation)
    enterprise_client.force_login(other)
    assert enterprise_client.get(reverse("imports:job", args=[job.pk])).status_code == 404
    assert enterprise_client.post(reverse("imports:confirm", args=[job.pk])).status_code == 404
    assert admin_client.get(reverse("imports:job", args=[job.pk])).status_code == 200


def test_reference_types_without_an_import_kind_have_none(admin_client):
    assert admin_client.get("/imports/industries/upload/").status_code == 404
