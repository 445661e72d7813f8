"""Supervision in a real browser (Debian's Chromium via Playwright): the city administrator opens a
programme's progress → a unit → an indicator → the records counted, then the programme's rounds →
the half-yearly round, issues it, and downloads its xlsx and PDF. Screenshots go to
/tmp/duijie-screens/supervision-*.png."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENS = Path("/tmp/duijie-screens")  # the page fixture (tests/conftest.py) creates it


def test_progress_drill_down_then_issue_a_half_yearly_report_and_download_it(page, live_server, django_user_model,
                                                                             settings, tmp_path):
    from duijie.accounts.models import Role
    from duijie.cooperation.tests import helpers as h
    from duijie.core.models import AssessmentUnit, Organisation, Region
    from duijie.programmes import supervision
    from duijie.programmes.choices import RoundStatus, RuleKind
    from duijie.programmes.models import Programme, ProgrammeIndicator, ScoringRule, SupervisionRound, Target

    settings.DUIJIE_DEMO = True  # a demo account is exempt from the TOTP second factor
    r = {c: Region.objects.get(code=c) for c in ("3204", "320412", "320411")}
    bureau = Organisation.objects.create(kind="government", name="常州市科学技术局", region=r["3204"])
    city = django_user_model.objects.create_user(username="office", password="pw-Admin-12345", role=Role.CITY_ADMIN,
                                                 organisation=bureau, is_demo=True)
    units = {}
    for code, name, region in (("b-wujin", "武进区", "320412"), ("b-xinbei", "新北区", "320411")):
        units[code] = AssessmentUnit.objects.create(name=name, code=code, kind="district", city=r["3204"])
        units[code].regions.set([r[region]])
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    programme = Programme.objects.create(code="b-prog", name="产学研合作三年行动计划", period_start=start,
                                         period_end=end, region=r["3204"])
    pi = ProgrammeIndicator.objects.create(programme=programme, indicator="signed-projects", label="签约项目（项）")
    for unit, value in ((units["b-wujin"], 4), (units["b-xinbei"], 4)):
        Target.objects.create(programme_indicator=pi, owner_unit=unit, period_kind="year", period_start=start,
                              period_end=end, value=Decimal(value))
    ScoringRule.objects.create(programme_indicator=pi, kind=RuleKind.RATIO_CAP, points=Decimal(100), cap=Decimal("1.2"),
                               source="测试：考核办法第三条")
    counted = [h.project(title=f"武进校企合作项目{i}", region=r["320412"], status="signed", signed_on=date(2025, m, 1))
               for i, m in enumerate((2, 5), start=1)]
    h.project(title="新北校企合作项目", region=r["320411"], status="signed", signed_on=date(2025, 3, 3))
    rnd = supervision.create_round(programme=programme, by=city, kind="half_year", name="2025年上半年督查",
                                   period_start=start, period_end=end, as_of=date(2025, 6, 30))
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "office")
    page.fill("#id_password", "pw-Admin-12345")
    page.click("button[type=submit]")
    page.wait_for_load_state()

    # progress → unit → indicator → the records counted
    page.goto(f"{base}/programmes/b-prog/?on=2025-06-30")
    page.click("table.progress-grid a:has-text('武进区')")
    page.wait_for_url(re.compile(r".*unit=\d+.*"))
    page.screenshot(path=str(SCREENS / "supervision-1-unit.png"), full_page=True)
    page.click("table.progress-grid td a")
    page.wait_for_url(re.compile(r".*/programmes/targets/\d+/.*"))
    records = page.inner_text("ul.counted-records")
    assert "武进校企合作项目1" in records and "武进校企合作项目2" in records and "新北" not in records
    page.screenshot(path=str(SCREENS / "supervision-2-records.png"), full_page=True)
    page.click("ul.counted-records a:has-text('武进校企合作项目1')")
    page.wait_for_url(re.compile(rf".*/r/projects/{counted[0].pk}/$"))

    # the programme's rounds → the half-yearly round → issue
    page.goto(f"{base}/programmes/b-prog/")
    page.click("#supervision-link")
    page.wait_for_url(re.compile(r".*/programmes/b-prog/supervision/$"))
    page.click("div.supervision-rounds a:has-text('2025年上半年督查')")
    page.wait_for_url(re.compile(rf".*/programmes/supervision/{rnd.pk}/$"))
    assert "草稿" in page.inner_text("body")
    page.click("#issue-button")
    page.wait_for_selector("#verified")
    body = page.inner_text("body")
    assert "已印发" in body and "第 1 次印发" in body
    ranking = page.inner_text("table.ranking")
    assert ranking.index("武进区") < ranking.index("新北区")  # 50.00 before 25.00
    page.screenshot(path=str(SCREENS / "supervision-3-issued.png"), full_page=True)
    assert SupervisionRound.objects.get(pk=rnd.pk).status == RoundStatus.ISSUED

    # downloads: xlsx and PDF
    with page.expect_download() as xlsx_download:
        page.click("#download-xlsx")
    xlsx = tmp_path / "report.xlsx"
    xlsx_download.value.save_as(xlsx)
    ranking_sheet = load_workbook(xlsx).worksheets[0]
    rows = [[c.value for c in row][:3] for row in ranking_sheet.iter_rows(min_row=5)]
    assert rows == [[1, "武进区", 50], [2, "新北区", 25]]
    with page.expect_download() as pdf_download:
        page.click("#download-pdf")
    pdf = SCREENS / "supervision-report.pdf"  # kept to look at (pdftoppm renders it)
    pdf_download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000

    # the printable page, as the PDF renders it
    page.goto(f"{base}/programmes/supervision/{rnd.pk}/print/")
    assert "2025年上半年督查" in page.inner_text("#report")
    page.screenshot(path=str(SCREENS / "supervision-4-print.png"), full_page=True)
