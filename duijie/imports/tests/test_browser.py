"""In a real browser: download the template → fill it in (one bad row) → upload → the preview names
the row, column and reason → fix the file → upload again → confirm → the records are in the list."""

import os

import pytest
from openpyxl import load_workbook

from duijie.core.roles import Role

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = "/usr/bin/chromium"


def test_template_upload_preview_fix_confirm(live_server, django_user_model, settings, tmp_path):
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: run scripts/install-browser.sh")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    from duijie.core.tests import factories as f
    from duijie.orgs.models import Enterprise

    settings.DUIJIE_DEMO = True
    settings.DUIJIE_IMPORT_DIR = tmp_path / "imports"
    django_user_model.objects.create_user(username="cityadmin", password="pw-Admin-12345", role=Role.CITY_ADMIN,
                                          is_demo=True)
    good, bad = f.uscc(), f.uscc()
    base = live_server.url
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(accept_downloads=True, locale="zh-CN")
        page.set_default_timeout(30000)
        page.goto(f"{base}/accounts/login/")
        page.fill("#id_username", "cityadmin")
        page.fill("#id_password", "pw-Admin-12345")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")

        page.goto(f"{base}/r/enterprises/")
        page.click("a[href=\"/imports/enterprises/upload/\"]")
        with page.expect_download() as download:
            page.click("#download-template")
        template = tmp_path / "企业模板.xlsx"
        download.value.save_as(template)

        wb = load_workbook(template)
        ws = wb.active
        headers = [c.value for c in ws[1]]
        col = {name: headers.index(name) + 1 for name in ("统一社会信用代码", "名称", "成立日期")}
        ws.delete_rows(2)  # the example row
        for row, (uscc, name, founded) in enumerate([(good, "浏览器测试甲有限公司", "2020/5/6"),
                                                     (bad, "浏览器测试乙有限公司", "去年")], start=2):
            ws.cell(row, col["统一社会信用代码"], uscc)
            ws.cell(row, col["名称"], name)
            ws.cell(row, col["成立日期"], founded)
        wb.save(template)

        page.set_input_files("#upload-form input[type=file]", str(template))
        page.click("#upload-form button[type=submit]")
        page.wait_for_selector("#preview")
        error_row = page.locator("#preview tr.table-danger")
        assert error_row.count() == 1
        cells = error_row.locator("td").all_inner_texts()
        assert cells[0] == "3" and cells[1] == "错误" and cells[2] == bad
        assert "成立日期" in cells[3] and "去年" in cells[3]
        assert page.locator("#confirm-import").count() == 0
        page.screenshot(path=str(tmp_path / "preview-with-error.png"), full_page=True)

        ws.cell(3, col["成立日期"], "2021年3月4日")  # fix the file
        wb.save(template)
        page.click("a:has-text(\"重新上传\")")
        page.set_input_files("#upload-form input[type=file]", str(template))
        page.click("#upload-form button[type=submit]")
        page.wait_for_selector("#confirm-import")
        assert page.locator("#preview tr.table-danger").count() == 0
        assert page.locator("#preview tr.table-success").count() == 2
        page.click("#confirm-import")
        page.wait_for_selector("#job-status:has-text(\"已导入\")")

        page.goto(f"{base}/r/enterprises/")
        body = page.inner_text("main")
        assert "浏览器测试甲有限公司" in body and "浏览器测试乙有限公司" in body
        browser.close()
    assert Enterprise.objects.get(uscc=bad).founded_on.isoformat() == "2021-03-04"
