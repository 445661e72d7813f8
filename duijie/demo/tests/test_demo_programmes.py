"""The demo's five programmes carry the seeds' numbers, and their progress is computed, not empty and
not uniform (issue #13 item 7). The numbers below are typed from the seeds, not read from the demo's
tables, so a changed table fails here."""

from datetime import date
from decimal import Decimal

import pytest

from duijie.accounts.models import User
from duijie.core.models import ReportedValue
from duijie.demo.generator import Scale, generate
from duijie.programmes import progress
from duijie.programmes.choices import Status
from duijie.programmes.models import Programme, Target

TODAY = date(2026, 9, 30)  # the running programme (2026–2028) is read three quarters into its first year

# code → (document number, issuer, start, end, owner unit, {indicator: [values per period, earliest first]})
SEEDS = {
    "shuangshi-2016": ("", "常州市武进区人民政府办公室", date(2016, 1, 1), date(2018, 12, 31), "wj2016-wujin", {
        "partner-institutions": [10], "paired-experts": [100], "paired-enterprises": [100], "students": [1000],
        "signed-projects": [1000]}),
    "kunshan-2017": ("昆政办发〔2017〕163号", "昆山市人民政府办公室", date(2017, 1, 1), date(2020, 12, 31), None, {}),
    "wujin-2017": ("", "常州市武进区科学技术局", date(2017, 1, 1), date(2017, 12, 31), "wj2016-wujin", {
        "rd-gdp-ratio": ["2.85"], "high-tech-output": [1993], "high-tech-output-share": ["39.6"],
        "high-tech-certified": [150], "high-tech-enterprises": [460], "carriers-approved-eng-center": [20],
        "patent-applications": [15500], "patent-grants": [5500], "invention-patents-per-10k": ["32.03"],
        "events-held": [10], "implemented-projects": [80]}),
    "changzhou-2019": ("", "常州市人民政府办公室", date(2019, 1, 1), date(2021, 12, 31), "cz-city", {
        "implemented-projects": [300], "project-new-investment": [20], "project-new-sales": [80],
        "project-profit-tax": [15], "tech-vp-placements": [100], "industry-professor-placements": [200],
        "carriers-approved-key-lab": [10], "certified-brokers": [200], "ten-ten-universities": [10],
        "ten-ten-institutes": [10], "ten-ten-enterprises": [1000]}),
    "sanming-2026": ("常政办发〔2026〕7号", "常州市人民政府办公室", date(2026, 1, 1), date(2028, 12, 31), "cz-city", {
        "events-held-chain-matching": [100, 100, 100], "signed-projects": [1500, 1500, 1500],
        "tech-vp-placements": [600, 600, 600], "partner-institutions": [150], "tech-contract-amount": [200000],
        "high-tech-enterprises": [7000]}),
}


@pytest.fixture
def demo(db):
    generate(seed=7, scale=Scale(enterprises=40, experts=40, achievements=5, patents=5, demands=10, scenarios=2),
             today=TODAY)
    return User.objects.get(username="admin")


def test_the_five_programmes_carry_the_seeds_numbers_and_show_mixed_progress(demo):
    kunshan_user = User.objects.get(username="kunshan")
    for code, (number, issuer, start, end, owner, goals) in SEEDS.items():
        programme = Programme.objects.get(code=code)
        assert (programme.document_number, programme.issuer) == (number, issuer), code
        assert (programme.period_start, programme.period_end) == (start, end), code
        assert programme.source.startswith("种子文件 0"), code
        for slug, values in goals.items():
            targets = Target.objects.filter(programme_indicator__programme=programme,
                                            programme_indicator__indicator=slug).order_by("period_start")
            assert [t.value for t in targets] == [Decimal(str(v)) for v in values], (code, slug)
            assert {t.owner_unit.code for t in targets} == {owner}, (code, slug)
            assert all(t.text and t.source for t in targets), (code, slug)
            if len(values) > 1:  # 每年: one target per calendar year
                assert [t.period_start.year for t in targets] == list(range(start.year, end.year + 1))
        for t in Target.objects.filter(programme_indicator__programme=programme):
            t.full_clean()
        user = kunshan_user if code == "kunshan-2017" else demo
        rows = progress.progress(user, programme, today=TODAY)
        computed = [r for r in rows if r.status != Status.NOT_COMPUTED]
        assert any(r.actual and r.actual > 0 for r in computed), code
        assert len({r.status for r in computed}) > 1, (code, [(r.indicator_slug, r.status) for r in computed])


def test_members_industries_and_the_reported_figures_of_seed_002(demo):
    sanming = Programme.objects.get(code="sanming-2026")
    assert set(sanming.member_institutions.values_list("name", flat=True)) == {
        "常州大学", "常州工学院", "江苏理工学院", "河海大学常州校区", "南京航空航天大学天目湖校区", "南京医科大学常州校区"}
    assert sanming.key_industries.count() == 4
    reported = {r.indicator: r for r in ReportedValue.objects.filter(unit__code="wj2016-wujin")}
    assert reported["rd-gdp-ratio"].value == Decimal("2.77")
    assert reported["high-tech-output"].value == Decimal("2131")
    assert reported["invention-patents-per-10k"].value == Decimal("30.52")
    assert all(r.source and r.document and r.period_start == date(2016, 1, 1) for r in reported.values())
    # The 2017 plan's reported goals show no computed figure: 2017 has no filed value (上报, never computed).
    rows = progress.progress(demo, Programme.objects.get(code="wujin-2017"), today=TODAY)
    rd = next(r for r in rows if r.indicator_slug == "rd-gdp-ratio")
    assert rd.actual is None and rd.status == Status.NOT_COMPUTED and rd.note


def test_money_targets_are_compared_in_the_unit_they_are_printed_in(demo):
    rows = progress.progress(demo, Programme.objects.get(code="changzhou-2019"), today=TODAY)
    investment = next(r for r in rows if r.indicator_slug == "project-new-investment")
    assert investment.value == 20  # 亿元 as printed
    assert 0 < investment.actual < 100  # in 亿元 too, not in yuan
