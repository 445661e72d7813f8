"""The main path in a real browser (Debian's Chromium via Playwright) against the live server:
log in, create an enterprise and a demand for it through the forms, submit, publish, and find the
demand in the list filtered by search text and status. Screenshots go to /tmp/duijie-screens/."""

import re
from pathlib import Path

import pytest

# serialized_rollback: see tests/test_api_fuzz.py
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENS = Path("/tmp/duijie-screens")  # the page fixture (tests/conftest.py) creates it


def test_enterprise_demand_publish_and_find(page, live_server, django_user_model, settings):
    from duijie.accounts.models import Role
    from duijie.core.tests import factories as f
    from duijie.demands.models import Demand

    # A city administrator is back-office (TOTP second factor): as a demo account of a demo deployment
    # it is exempt, as in `make demo`.
    settings.DUIJIE_DEMO = True
    django_user_model.objects.create_user(username="cityadmin", password="pw-Admin-12345", role=Role.CITY_ADMIN,
                                          is_demo=True, organisation=f.city_bureau())  # a bureau with a city
    base = live_server.url

    page.goto(f"{base}/r/demands/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", "cityadmin")
    page.fill("#id_password", "pw-Admin-12345")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/r/demands/$"))
    # static files are served (the stylesheet loads)
    css = page.request.get(f"{base}/static/vendor/bootstrap.min.css")
    assert css.status == 200

    uscc = f.uscc()
    page.goto(f"{base}/r/enterprises/add/")
    page.fill("#id_uscc", uscc)
    page.fill("#id_name", "浏览器测试科技有限公司")
    page.fill("#id_contact_phone", "13812345678")
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r".*/r/enterprises/\d+/$"))
    assert "浏览器测试科技有限公司" in page.content()
    assert "138****5678" in page.content() and "13812345678" not in page.content()  # masked by default
    page.click("text=显示完整个人信息")  # the audited "show full" action
    assert "13812345678" in page.content()

    page.goto(f"{base}/r/demands/add/")
    page.select_option("#id_enterprise", label="浏览器测试科技有限公司")
    page.select_option("#id_demand_type", "tech_challenge")
    page.fill("#id_title", "高温合金焊接工艺攻关")
    page.fill("#id_description", "寻求高校团队合作解决高温合金焊接裂纹问题")
    page.fill("#id_budget_min", "100000")
    page.fill("#id_budget_max", "500000")
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r".*/r/demands/\d+/$"))
    demand = Demand.objects.get(title="高温合金焊接工艺攻关")
    assert demand.status == "draft"
    assert demand.enterprise.uscc == uscc

    page.click(f"form[action='/r/demands/{demand.pk}/do/submit/'] button")
    page.wait_for_selector(f"form[action='/r/demands/{demand.pk}/do/publish/']")
    page.click(f"form[action='/r/demands/{demand.pk}/do/publish/'] button")
    page.wait_for_selector(f"form[action='/r/demands/{demand.pk}/do/close/']")
    demand.refresh_from_db()
    assert demand.status == "published"
    page.screenshot(path=str(SCREENS / "demand-published.png"), full_page=True)

    f.demand(demand.enterprise, title="高温合金检测需求", status="draft")  # matches the text, not the status
    f.demand(demand.enterprise, title="机器人视觉需求", status="published")  # matches the status, not the text
    page.goto(f"{base}/r/demands/")
    page.fill("#filter-form input[name=q]", "高温合金")
    page.select_option("#filter-form select[name=status]", "published")
    with page.expect_navigation():
        page.click("#filter-form button[type=submit]")
    page.screenshot(path=str(SCREENS / "demand-list-filtered.png"), full_page=True)
    assert "status=published" in page.url, page.url
    table = page.inner_text("table")
    assert "高温合金焊接工艺攻关" in table
    assert "高温合金检测需求" not in table and "机器人视觉需求" not in table
    page.click("text=高温合金焊接工艺攻关")
    page.wait_for_url(re.compile(rf".*/r/demands/{demand.pk}/$"))
