"""Crafted uploads (tests/crafted.py: zip bombs, one cell at XFD1048576, XXE, macros, NUL bytes, a Word
bomb, a truncated zip, a package of thousands of parts) are refused with a Chinese message naming the
limit, through the upload page and the command; nothing is stored, and the process goes on serving.
A file that passes the checks but needs more memory or time than the parse may take is stopped in the
child process, not in ours."""

import functools
import json
import os
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from duijie.core.roles import Role
from duijie.core.tests import factories as f
from duijie.imports import engine, guard, readers
from duijie.imports.kinds import KINDS
from duijie.imports.models import ImportJob, ImportStatus
from duijie.imports.tests.crafted import CRAFTED, dense_far_cell
from duijie.imports.tests.helpers import csv_bytes, xlsx
from duijie.orgs.models import Enterprise
from duijie.supply.models import Achievement

pytestmark = pytest.mark.django_db


@functools.cache
def crafted(key: str) -> bytes:
    return CRAFTED[key][1]()


def upload(client, name, data, slug):
    return client.post(reverse("imports:upload", args=[slug]), {"file": SimpleUploadedFile(name, data)})


def a_normal_file() -> bytes:
    return xlsx([["统一社会信用代码", "企业名称"], [f.uscc(), "常州正常科技有限公司"]])


@pytest.mark.parametrize("key", sorted(CRAFTED))
def test_a_crafted_file_is_refused_on_the_upload_page_and_nothing_is_stored(key, admin_client, import_dir):
    name, _build, kind, phrase = CRAFTED[key]
    response = upload(admin_client, name, crafted(key), KINDS[kind].slug)
    assert response.status_code == 400
    body = response.content.decode()
    assert phrase in body, body[-3000:]
    assert not ImportJob.objects.exists()
    assert not any(import_dir.iterdir()) if import_dir.exists() else True
    assert not Enterprise.objects.exists() and not Achievement.objects.exists()
    # the same process serves the next upload as usual
    pid = os.getpid()
    response = upload(admin_client, "正常.xlsx", a_normal_file(), "enterprises")
    assert response.status_code == 302 and os.getpid() == pid
    assert ImportJob.objects.get().status == ImportStatus.PREVIEWED


@pytest.mark.parametrize("key", sorted(CRAFTED))
def test_a_crafted_file_is_refused_by_the_command(key, tmp_path):
    name, _build, kind, phrase = CRAFTED[key]
    path = tmp_path / name
    path.write_bytes(crafted(key))
    out = StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("import_file", kind, str(path), stdout=out)
    assert exc.value.code == 1
    lines = out.getvalue().strip().splitlines()
    assert phrase in json.loads(lines[0])["reason"]
    assert json.loads(lines[-1])["errors"] == 1
    assert not Enterprise.objects.exists() and not Achievement.objects.exists()


def test_the_refusals_name_the_figure_found_and_the_limit(settings):
    with pytest.raises(readers.FileProblem) as exc:
        guard.inspect(crafted("zip_bomb"), "炸弹.xlsx")
    assert "2,048.0 MB" in str(exc.value) and "200" in str(exc.value)
    with pytest.raises(readers.FileProblem) as exc:
        guard.inspect(crafted("huge_dimension"), "a.xlsx")
    assert "1,048,576" in str(exc.value) and "300,000" in str(exc.value)
    settings.DUIJIE_IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    settings.DUIJIE_IMPORT_MAX_COMPRESSION_RATIO = 10_000
    with pytest.raises(readers.FileProblem) as exc:
        guard.inspect(crafted("docx_bomb"), "成果表.docx")
    assert "DUIJIE_IMPORT_MAX_UNPACKED_BYTES" in str(exc.value) and "1.0 MB" in str(exc.value)


def test_limits_are_settings(settings):
    rows = [["统一社会信用代码", "企业名称"]] + [[f.uscc(), f"企业{i}"] for i in range(30)]
    settings.DUIJIE_IMPORT_MAX_ROWS = 20
    with pytest.raises(readers.FileProblem, match="31"):
        guard.inspect(xlsx(rows), "a.xlsx")
    with pytest.raises(readers.FileProblem, match="31"):
        guard.inspect(csv_bytes(rows), "a.csv")
    settings.DUIJIE_IMPORT_MAX_ROWS = 100
    settings.DUIJIE_IMPORT_MAX_COLUMNS = 1
    with pytest.raises(readers.FileProblem, match="B31"):
        guard.inspect(xlsx(rows), "a.xlsx")
    result = engine.run(KINDS["enterprise"], csv_bytes(rows), "a.csv", f.user(role=Role.CITY_ADMIN))
    assert "2 列" in result.file_errors[0]  # a CSV's width is known once parsed, in the child


def test_normal_files_pass_and_read_the_same_through_the_child():
    data = xlsx([["统一社会信用代码", "企业名称", "成立日期"], [f.uscc(), "常州甲有限公司", "2020-01-02"]])
    facts = guard.inspect(data, "a.xlsx")
    assert facts.rows == 2 and facts.sheets[0].cells == 6
    sheet = guard.read(KINDS["enterprise"], data, "a.xlsx")
    assert sheet.rows == readers.read(data, "a.xlsx").rows


def test_a_file_needing_more_memory_than_allowed_kills_only_the_child(admin_client, settings):
    settings.DUIJIE_IMPORT_MAX_CELLS = 50_000_000
    settings.DUIJIE_IMPORT_PARSE_MEMORY_MB = 100
    settings.DUIJIE_IMPORT_BACKGROUND_ROWS = 10**6  # checked at once, in this request
    stats = guard.ChildStats()
    with pytest.raises(readers.FileProblem, match="100 MB"):
        guard.read(KINDS["enterprise"], dense_far_cell(), "远.xlsx", stats=stats)
    assert stats.exitcode is not None and stats.exitcode < 0  # the child was killed (SIGABRT), not us
    response = upload(admin_client, "远.xlsx", dense_far_cell(), "enterprises")
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportStatus.REFUSED
    assert "内存超过允许的 100 MB" in admin_client.get(response.url).content.decode()
    assert not Enterprise.objects.exists()
    assert upload(admin_client, "正常.xlsx", a_normal_file(), "enterprises").status_code == 302


def test_python_memory_errors_aborts_and_runaway_time_are_refusals():
    with pytest.raises(readers.FileProblem, match="64 MB"):
        guard.probe("allocate", 1024, lim=guard.Limits(memory_mb=64))
    with pytest.raises(readers.FileProblem, match="DUIJIE_IMPORT_PARSE_MEMORY_MB"):
        guard.probe("abort", 0)
    with pytest.raises(readers.FileProblem, match="DUIJIE_IMPORT_PARSE_SECONDS"):
        guard.probe("spin", 60, lim=guard.Limits(seconds=1))
    assert guard.probe("allocate", 16) == str(16 * 1024 * 1024)


def test_project_documents_refuse_bombs_and_macros_too():
    from django.core.exceptions import ValidationError

    from duijie.cooperation.services import check_document

    with pytest.raises(ValidationError, match="DUIJIE_IMPORT_MAX_COMPRESSION_RATIO"):
        check_document("合同.docx", crafted("docx_bomb"))
    with pytest.raises(ValidationError, match="vbaProject"):
        check_document("台账.xlsx", crafted("macros"))
    assert check_document("台账.xlsx", a_normal_file()) == "xlsx"
