"""The searchable pickers in a real browser (Debian's Chromium via Playwright): on the city's demand
form, the enterprise dropdown (more records than a page should carry) holds none until the user types
part of a name, then offers the matches from the server; the place is chosen city → district through
the cascade. The demand is saved with both. Screenshot: /tmp/duijie-screens/picker-demand.png."""

import re
from pathlib import Path

import pytest

from tests.pickers import pick

# serialized_rollback: see tests/test_api_fuzz.py
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENS = Path("/tmp/duijie-screens")


def test_pick_an_enterprise_by_typing_and_a_district_by_cascade(page, live_server, django_user_model, settings):
    from duijie.accounts.models import Role
    from duijie.core import forms as core_forms
    from duijie.core.models import Region
    from duijie.core.tests import factories as f
    from duijie.demands.models import Demand

    settings.DUIJIE_DEMO = True  # a demo account of a demo deployment is exempt from the TOTP second factor
    django_user_model.objects.create_user(username="cityadmin", password="pw-Admin-12345", role=Role.CITY_ADMIN,
                                          is_demo=True, organisation=f.city_bureau())
    for i in range(core_forms.PICKER_LIMIT + 1):
        f.enterprise(name=f"填充企业{i:02d}有限公司")
    wanted = f.enterprise(name="常州精密轴承有限公司")
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "cityadmin")
    page.fill("#id_password", "pw-Admin-12345")
    page.click("button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{base}/r/demands/add/")
    assert page.get_attribute("#id_enterprise", "data-url") == "/r/demands/pick/?field=enterprise"
    assert page.locator("#id_enterprise option[value]:not([value=''])").count() <= core_forms.PICKER_LIMIT
    pick(page, "#id_enterprise", "精密轴承", wanted.pk)
    assert page.locator("#id_enterprise option:not([value=''])").count() == 1  # only the match is offered

    # the place: the city (the administrator's own, offered alone), then a district of it
    city = page.locator("select.picker-level").nth(0)
    district = page.locator("select.picker-level").nth(1)
    page.wait_for_selector("select.picker-level >> nth=0 >> option[value='3204']", state="attached")
    city.select_option("3204")
    page.wait_for_selector("select.picker-level >> nth=1 >> option[value='320412']", state="attached")
    district.select_option("320412")
    wujin = Region.objects.get(code="320412")
    # the district picked is the place chosen (CSS :checked: the page's CSP allows no evaluated script)
    page.wait_for_selector(f"#id_region option[value='{wujin.pk}']:checked", state="attached")

    page.select_option("#id_demand_type", "tech_challenge")
    page.fill("#id_title", "精密轴承寿命提升")
    page.fill("#id_description", "寻求轴承材料与热处理方面的合作")
    page.screenshot(path=str(SCREENS / "picker-demand.png"), full_page=True)
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r".*/r/demands/\d+/$"))
    demand = Demand.objects.get(title="精密轴承寿命提升")
    assert demand.enterprise == wanted and demand.region == wujin
