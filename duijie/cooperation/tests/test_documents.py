"""Project documents: type, size and magic-byte checks; encrypted at rest outside the web root;
downloads only for readers of the project, audited."""

import io
import zipfile

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from duijie.cooperation.models import ProjectDocument
from duijie.cooperation.tests import helpers as h
from duijie.core.models import AuditLog
from duijie.core.roles import Role
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def office(part: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr(part, "<x/>")
    return buf.getvalue()


@pytest.fixture
def docs_dir(tmp_path, settings):
    settings.DUIJIE_DOCUMENT_DIR = tmp_path / "documents"
    return settings.DUIJIE_DOCUMENT_DIR


def upload(client, p, name, data, kind="contract"):
    response = client.post(f"/cooperation/projects/{p.pk}/documents/",
                           {"kind": kind, "title": "", "file": SimpleUploadedFile(name, data)})
    return response, [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)][-1:]


@pytest.mark.parametrize("name,data", [
    ("合同.pdf", PDF), ("签到表.png", PNG), ("证书.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16),
    ("合同.docx", office("word/document.xml")), ("清单.xlsx", office("xl/workbook.xml")),
])
def test_accepted_types_are_stored_encrypted_and_download_intact(admin_client, docs_dir, name, data):
    p = h.project()
    response, msgs = upload(admin_client, p, name, data)
    assert msgs[0][0] == "success", msgs
    doc = ProjectDocument.objects.get(project=p)
    stored = (docs_dir / doc.stored_name).read_bytes()
    assert stored.startswith(b"DJSM4") and data not in stored  # encrypted at rest
    response = admin_client.get(f"/cooperation/documents/{doc.pk}/download/")
    assert response.status_code == 200 and response.content == data
    assert "attachment" in response["Content-Disposition"]
    assert AuditLog.objects.filter(action="export", object_type="cooperation.projectdocument",
                                   object_id=str(doc.pk)).exists()


@pytest.mark.parametrize("name,data,message", [
    ("病毒.exe", b"MZ\x90\x00", "只接受"),
    ("假的.pdf", b"MZ\x90\x00 not a pdf", "并非真正的 PDF"),
    ("假的.png", PDF, "并非真正的 PNG"),
    ("压缩包.docx", office("something/else.xml"), "并非真正的 DOCX"),
    ("表格.docx", office("xl/workbook.xml"), "并非真正的 DOCX"),
    ("空.pdf", b"", "是空的"),
])
def test_refused_uploads_store_nothing(admin_client, docs_dir, name, data, message):
    p = h.project()
    _, msgs = upload(admin_client, p, name, data)
    assert msgs[0][0] == "error" and message in msgs[0][1], msgs
    assert not ProjectDocument.objects.exists()
    assert not docs_dir.exists() or not any(docs_dir.iterdir())


def test_too_large_is_refused(admin_client, docs_dir, settings):
    settings.DUIJIE_DOCUMENT_MAX_BYTES = 100
    p = h.project()
    _, msgs = upload(admin_client, p, "大.pdf", PDF + b"x" * 200)
    assert msgs[0][0] == "error" and "最大" in msgs[0][1], msgs
    assert not ProjectDocument.objects.exists()


def test_other_organisation_cannot_download_or_upload(client, admin_client, docs_dir):
    owner = f.enterprise()
    p = h.project(owner_org=owner.organisation)
    upload(admin_client, p, "合同.pdf", PDF)
    doc = ProjectDocument.objects.get()
    outsider = f.user(role=Role.ENTERPRISE, organisation=f.enterprise().organisation)
    client.force_login(outsider)
    assert client.get(f"/cooperation/documents/{doc.pk}/download/").status_code == 404
    assert AuditLog.objects.filter(action="denied", user=outsider, object_id=str(doc.pk)).exists()
    assert client.post(f"/cooperation/projects/{p.pk}/documents/",
                       {"kind": "other", "file": SimpleUploadedFile("a.pdf", PDF)}).status_code == 404
    assert client.post(f"/cooperation/documents/{doc.pk}/delete/").status_code == 404
    assert ProjectDocument.objects.count() == 1
    # The owning enterprise's user reads it.
    member = f.user(role=Role.ENTERPRISE, organisation=owner.organisation)
    client.force_login(member)
    assert client.get(f"/cooperation/documents/{doc.pk}/download/").content == PDF
    client.logout()
    assert client.get(f"/cooperation/documents/{doc.pk}/download/").status_code == 302  # to login


def test_delete_removes_the_file(admin_client, docs_dir):
    p = h.project()
    upload(admin_client, p, "合同.pdf", PDF)
    doc = ProjectDocument.objects.get()
    path = docs_dir / doc.stored_name
    assert path.exists()
    admin_client.post(f"/cooperation/documents/{doc.pk}/delete/")
    assert not ProjectDocument.objects.exists()
    assert AuditLog.objects.filter(action="delete", object_type="cooperation.projectdocument").exists()
