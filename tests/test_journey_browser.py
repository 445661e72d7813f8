"""The events → cooperation journey in a real browser (Debian's Chromium via Playwright) against the live
server, as an organiser does it: create an event with a theme, plan its invitations by theme and
confirm the adjusted list, check an attendee in at the desk, record an intention, turn it into a
cooperation project, register the project's technology contract, and see the effectiveness funnel
(/cooperation/effect/) move at every step. Screenshots go to /tmp/duijie-screens/journey-*.png."""

import re
from datetime import date
from pathlib import Path

import pytest

from tests.pickers import pick

# serialized_rollback: see tests/test_api_fuzz.py
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENS = Path("/tmp/duijie-screens")  # the page fixture (tests/conftest.py) creates it

STEPS = ("invited", "attended", "meetings", "intentions", "contracts", "implemented")  # the funnel totals


@pytest.fixture
def match_index(settings, tmp_path):
    from duijie.matching import store

    settings.DUIJIE_MATCH_DIR = tmp_path / "match"
    settings.DUIJIE_MATCH_ENCODER = "none"
    store.reset_encoder()
    store.forget()
    yield
    store.forget()
    store.reset_encoder()


def _funnel(page, base) -> dict[str, int]:
    page.goto(f"{base}/cooperation/effect/")
    return {k: int(page.inner_text(f"#funnel-totals [data-step={k}]").strip()) for k in STEPS}


def _event_row(page, base, title: str) -> list[str]:
    """The event's row of the "by event" table: events, invited, attended, 1:1 meetings, intentions,
    projects, intentions → projects, contracts, contract value (10k yuan), implemented."""
    page.goto(f"{base}/cooperation/effect/")
    row = page.locator("tr", has=page.locator("a.event-link", has_text=title)).first
    return [c.strip() for c in row.locator("td").all_inner_texts()[1:]]


def _flash(page) -> str:
    return page.inner_text("body")


def test_event_to_contract_journey(page, live_server, django_user_model, settings, match_index):
    from duijie.accounts.models import Role
    from duijie.cooperation.models import CooperationProject, TechContract
    from duijie.core.models import Industry, Organisation, Region
    from duijie.core.tests import factories as f
    from duijie.events.models import Event, Intention, Invitation
    from duijie.matching import services as match_services

    settings.DUIJIE_DEMO = True  # a demo account of a demo deployment is exempt from the TOTP second factor
    city = Region.objects.get(code="3204")
    wujin = Region.objects.get(code="320412")
    bureau = Organisation.objects.create(kind="government", name="常州市科学技术局", region=city)
    django_user_model.objects.create_user(username="organiser", password="pw-Admin-12345", role=Role.CITY_ADMIN,
                                          organisation=bureau, is_demo=True)
    division = Industry.objects.get(code="38")  # 电气机械和器材制造业
    battery = Industry.objects.filter(code__startswith="38", level=4).first()
    ents = [f.enterprise(name=n, main_products=p, region=wujin, industry=battery) for n, p in (
        ("常州正极新材料有限公司", "锂电池正极材料 高镍三元"),
        ("常州锂电回收科技有限公司", "锂电池回收 正极材料再生"),
        ("常州电芯制造有限公司", "动力锂电池电芯 正极材料应用"))]
    f.enterprise(name="常州速冻食品有限公司", main_products="速冻水饺", region=wujin)
    uni = f.institution(name="常州储能大学", region=wujin)
    experts = []
    for name, text in (("王正极", "锂电池正极材料 高镍三元 包覆改性"), ("周回收", "锂电池回收 湿法冶金 正极材料"),
                       ("刘电芯", "锂电池电芯设计 正极材料")):
        x = f.expert(name=name, research_directions=text, institution=uni, region=wujin)
        x.industries.set([battery])
        experts.append(x)
    f.expert(name="李退出", research_directions="锂电池正极材料 高镍三元", institution=uni, do_not_recommend=True)
    match_services.rebuild()
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "organiser")
    page.fill("#id_password", "pw-Admin-12345")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    before = _funnel(page, base)

    # 1. an event with a theme and an industry
    page.goto(f"{base}/r/events/add/")
    page.fill("#id_title", "锂电池正极材料产业链对接会")
    page.select_option("#id_event_type", "chain_matching")
    today = date.today().isoformat()
    page.fill("#id_starts_at", f"{today}T09:00")
    page.fill("#id_ends_at", f"{today}T12:00")
    page.fill("#id_venue", "武进科教城")
    page.fill("#id_theme", "锂电池正极材料")
    pick(page, "#id_industries", "电气机械", division.pk)  # 117 industries: a server-side picker
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r".*/r/events/\d+/$"))
    event = Event.objects.get(title="锂电池正极材料产业链对接会")
    assert event.theme == "锂电池正极材料" and list(event.industries.all()) == [division]

    # 2. plan the invitations by theme, untick one enterprise, confirm
    page.goto(f"{base}/r/events/{event.pk}/?tab=invitations")
    page.click("#plan-link")
    page.wait_for_url(re.compile(rf".*/events/{event.pk}/plan/$"))
    page.wait_for_selector("#plan-form")
    page.screenshot(path=str(SCREENS / "journey-plan.png"), full_page=True)
    planned_ents = page.locator("#plan-enterprises input[name=enterprise]")
    planned_exps = page.locator("#plan-experts input[name=expert]")
    assert planned_ents.count() == 3 and planned_exps.count() == 3  # both sides, the same number
    text = page.inner_text("#plan-form")
    assert "常州速冻食品有限公司" not in text and "李退出" not in text  # off-theme, opted out
    assert "共同关键词" in text or "同行业" in text  # reasons shown
    assert all(planned_ents.nth(i).is_checked() for i in range(3))
    dropped = ents[2]
    page.uncheck(f"#plan-enterprise-{dropped.pk}")
    page.click("#plan-confirm")
    page.wait_for_url(re.compile(rf".*/r/events/{event.pk}/\?tab=invitations$"))
    assert "已按规划邀请 5 个" in _flash(page)
    invited = Invitation.objects.filter(event=event)
    assert invited.count() == 5 and not invited.filter(enterprise=dropped).exists()
    assert set(invited.values_list("status", flat=True)) == {"invited"}
    assert _funnel(page, base)["invited"] == before["invited"] + 5
    assert _event_row(page, base, event.title)[:2] == ["1", "5"]

    # 3. check an attendee in at the desk
    page.goto(f"{base}/r/events/{event.pk}/")
    page.click("#checkin-link")
    page.wait_for_url(re.compile(rf".*/events/{event.pk}/checkin/$"))
    inv = invited.get(enterprise=ents[0])
    page.click(f"form[action='/events/{event.pk}/checkin/{inv.pk}/'] button")
    page.wait_for_url(re.compile(rf".*/events/{event.pk}/checkin/$"))
    inv.refresh_from_db()
    assert inv.status == "attended" and inv.checked_in_at is not None
    assert _funnel(page, base)["attended"] == before["attended"] + 1

    # 4. record an intention on the outcomes tab
    page.goto(f"{base}/r/events/{event.pk}/?tab=outcomes")
    page.select_option("#intention-form select[name=enterprise]", str(ents[0].pk))
    page.select_option("#intention-form select[name=expert]", str(experts[0].pk))
    page.fill("#intention-form input[name=subject]", "高镍三元正极材料包覆工艺联合开发")
    page.click("#intention-form button")
    page.wait_for_url(re.compile(rf".*/r/events/{event.pk}/\?tab=outcomes$"))
    intention = Intention.objects.get(subject="高镍三元正极材料包覆工艺联合开发")
    assert intention.event == event and intention.expert == experts[0]
    assert _funnel(page, base)["intentions"] == before["intentions"] + 1

    # 5. turn it into a cooperation project from the intention's page
    page.goto(f"{base}/r/events/{event.pk}/?tab=outcomes")
    page.click("#intentions >> text=高镍三元正极材料包覆工艺联合开发")
    page.wait_for_url(re.compile(rf".*/r/intentions/{intention.pk}/$"))
    page.click("a.detail-link:has-text('由此意向创建项目')")
    page.wait_for_url(re.compile(r".*/cooperation/from-intention/\?intention=\d+$"))
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r".*/r/projects/\d+/$"))
    project = CooperationProject.objects.get(source_intention=intention)
    assert project.source_event == event
    page.screenshot(path=str(SCREENS / "journey-project.png"), full_page=True)
    assert _event_row(page, base, event.title)[5:7] == ["1", "100%"]  # projects, intentions → projects

    # 6. register its technology contract from the project's page
    page.goto(f"{base}/r/projects/{project.pk}/")
    page.click(f"a[href='/r/tech-contracts/add/?project={project.pk}']")
    page.wait_for_url(re.compile(r".*/r/tech-contracts/add/\?project=\d+$"))
    page.fill("#id_title", "高镍三元正极材料包覆技术开发合同")
    page.select_option("#id_contract_type", "dev_cooperative")
    page.fill("#id_amount", "800000")
    page.fill("#id_signed_on", today)
    page.select_option("#id_enterprise", str(ents[0].pk))
    page.select_option("#id_institution", str(uni.pk))
    page.fill("#id_registration_number", "2026320400000123")
    page.fill("#id_registered_on", today)
    page.click("form.card button[type=submit]")
    page.wait_for_url(re.compile(r".*/r/tech-contracts/\d+/$"))
    contract = TechContract.objects.get(title="高镍三元正极材料包覆技术开发合同")
    assert contract.project == project

    # 7. the funnel has moved by exactly this journey
    after = _funnel(page, base)
    page.screenshot(path=str(SCREENS / "journey-effect.png"), full_page=True)
    assert {k: after[k] - before[k] for k in STEPS} == {
        "invited": 5, "attended": 1, "meetings": 0, "intentions": 1, "contracts": 1, "implemented": 0}
    assert _event_row(page, base, event.title) == ["1", "5", "1", "0", "1", "1", "100%", "1", "80.00", "0"]
