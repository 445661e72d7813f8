"""Kept uploads hold personal data: they are stored encrypted (SM4-GCM), never in plaintext."""

import io

import pytest
from openpyxl import Workbook

from duijie.core.tests import factories as f
from duijie.imports import services
from duijie.imports.kinds import KINDS

pytestmark = pytest.mark.django_db


def test_upload_is_encrypted_at_rest(admin_user, settings, tmp_path):
    settings.DUIJIE_IMPORT_DIR = tmp_path
    wb = Workbook()
    ws = wb.active
    ws.append(["统一社会信用代码", "名称", "联系电话"])
    ws.append([f.uscc(), "加密测试有限公司", "13812345678"])
    buf = io.BytesIO()
    wb.save(buf)
    job = services.job_start(user=admin_user, kind=KINDS["enterprise"], file_name="企业.xlsx", data=buf.getvalue())
    stored = (tmp_path / job.stored_name).read_bytes()
    assert stored.startswith(b"DJSM4") and b"13812345678" not in stored
    assert services.job_data(job) == buf.getvalue()
