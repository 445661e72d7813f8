"""Enterprise tiers over time (messages are checked in Chinese, the UI's language): the tier on a day (the expiry boundary, pending and overlapping
certificates), the yearly moves and the 小升高 indicator, the cultivation lists against the public
高企 thresholds, certificates expiring soon, scope (a district sees only its own; an enterprise is
refused), bad input, and rule data with a negative threshold refused."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from duijie.core.indicators import NotComputed, Window
from duijie.core.plugins import indicator
from duijie.core.tests import factories as f
from duijie.orgs import ladder, tiers
from duijie.orgs.models import (
    CultivationRule,
    EnterpriseMetric,
    EnterpriseQualification,
    TierLadder,
    TierRung,
)

pytestmark = pytest.mark.django_db

URL = "innovation:tiers"


@pytest.fixture
def w():
    return f.two_districts("t")


def ent(w, district="wujin", founded=date(2018, 5, 1)):
    code = "320412" if district == "wujin" else "320411"
    e = f.enterprise(region=w["r"][code], founded_on=founded)
    e.assessment_units.set([w[district]])
    return e


def qual(e, kind, start, end=None, **kw):
    return EnterpriseQualification.objects.create(enterprise=e, kind=kind, valid_from=start, valid_to=end, **kw)


# ------------------------------------------------------------------------------------------------ tier on a day

def test_the_ladder_ships_as_data_with_its_source():
    lad = tiers.ladder_on(date(2026, 1, 1))
    rungs = {r.rank: r for r in lad.rungs.all()}
    assert [rungs[i].kinds[0] for i in range(1, 6)] == ["tech_sme", "high_tech", "srdi", "gazelle", "unicorn"]
    assert "seed 004" in rungs[1].basis and "本地配置" in rungs[3].basis
    assert "国科发火〔2016〕32号" in lad.rules.get(code="high-tech").source


def test_a_certificate_counts_on_its_last_day_and_not_the_day_after(w):
    e = ent(w)
    sme = qual(e, "tech_sme", date(2025, 3, 1), date(2025, 12, 31))
    ht = qual(e, "high_tech", date(2022, 11, 20), date(2025, 11, 19))
    on_last = tiers.tier_of(e, date(2025, 11, 19))
    assert (on_last.rank, on_last.qualification_id) == (2, ht.pk)
    after = tiers.tier_of(e, date(2025, 11, 20))
    assert (after.rank, after.qualification_id) == (1, sme.pk)  # falls back to the SME certificate
    assert tiers.tier_of(e, date(2026, 1, 1)) is None


def test_a_pending_certificate_does_not_count_until_it_starts(w):
    e = ent(w)
    qual(e, "tech_sme", date(2025, 3, 1), date(2025, 12, 31))
    ht = qual(e, "high_tech", date(2025, 12, 5), date(2028, 12, 4))
    assert tiers.tier_of(e, date(2025, 12, 4)).rank == 1
    assert tiers.tier_of(e, date(2025, 12, 5)).qualification_id == ht.pk


def test_overlapping_certificates_the_highest_rung_and_on_one_rung_the_longest_valid(w):
    e = ent(w)
    qual(e, "tech_sme", date(2025, 1, 1), date(2025, 12, 31))
    qual(e, "srdi", date(2024, 1, 1), date(2026, 12, 31))
    giant = qual(e, "little_giant", date(2024, 6, 1), date(2027, 5, 31))  # same rung as srdi, valid longer
    qual(e, "high_tech", date(2024, 1, 1), None)  # open-ended, lower rung
    t = tiers.tier_of(e, date(2025, 6, 1))
    assert (t.rank, t.rung.name, t.qualification_id) == (3, "专精特新（小巨人）企业", giant.pk)


def test_tiers_of_a_whole_unit_in_one_query(w, django_assert_num_queries):
    ents = [ent(w) for _ in range(12)]
    for e in ents:
        qual(e, "tech_sme", date(2025, 1, 1), date(2025, 12, 31))
        qual(e, "high_tech", date(2024, 1, 1), date(2026, 12, 31))
    lad = tiers.ladder_on(date(2025, 6, 1))
    tiers.rung_of_kind(lad)
    with django_assert_num_queries(1):
        found = tiers.tiers_on([e.pk for e in ents], date(2025, 6, 1), lad)
    assert {t.rank for t in found.values()} == {2} and len(found) == 12


# ------------------------------------------------------------------------------------------------ moves

@pytest.fixture
def moves_world(w):
    up = ent(w)  # 小升高 in 2025
    qual(up, "tech_sme", date(2024, 4, 1), date(2024, 12, 31))
    qual(up, "tech_sme", date(2025, 4, 1), date(2025, 12, 31))
    qual(up, "high_tech", date(2025, 11, 15), date(2028, 11, 14))
    stay = ent(w)  # SME both years
    qual(stay, "tech_sme", date(2024, 4, 1), date(2024, 12, 31))
    qual(stay, "tech_sme", date(2025, 4, 1), date(2025, 12, 31))
    lapsed = ent(w)  # high-tech certificate ran out in 2025, not renewed
    qual(lapsed, "high_tech", date(2022, 7, 1), date(2025, 6, 30))
    new = ent(w)  # enters the ladder as SME in 2025
    qual(new, "tech_sme", date(2025, 4, 1), date(2025, 12, 31))
    other = ent(w, "xinbei")  # 小升高 in the other district
    qual(other, "tech_sme", date(2024, 4, 1), date(2024, 12, 31))
    qual(other, "high_tech", date(2025, 11, 1), date(2028, 10, 31))
    return {**w, "up": up, "stay": stay, "lapsed": lapsed, "new": new, "other": other}


def test_moves_of_a_year_per_unit(moves_world):
    m = moves_world
    owner = tiers.owner_for(m["city"], unit=str(m["wujin"].pk))
    mv = tiers.moves(m["city"], owner, 2025, today=date(2026, 3, 1))
    assert (mv.start, mv.end) == (date(2024, 12, 31), date(2025, 12, 31))
    assert mv.ids(1, 2) == [m["up"].pk]
    assert mv.ids(1, 1) == [m["stay"].pk]
    assert mv.ids(2, 0) == [m["lapsed"].pk]
    assert mv.ids(0, 1) == [m["new"].pk]
    assert (mv.up(), mv.down()) == (2, 1)
    assert m["other"].pk not in {e for ids in mv.cells.values() for e in ids}


def test_the_current_year_is_read_up_to_today(moves_world):
    m = moves_world
    mv = tiers.moves(m["city"], tiers.Owner(), 2025, today=date(2025, 11, 20))
    assert mv.end == date(2025, 11, 20)
    assert sorted(mv.ids(1, 2)) == sorted([m["up"].pk, m["other"].pk])


def test_the_sme_to_high_tech_indicator_counts_the_same_enterprises(moves_world):
    m = moves_world
    ind = indicator("tech-sme-to-high-tech")
    fig = ind.compute(m["wujin_admin"], Window(date(2025, 1, 1), date(2025, 12, 31), unit=m["wujin"]))
    assert fig.value == 1 and fig.ids() == [m["up"].pk]
    city = ind.compute(m["city"], Window(date(2025, 1, 1), date(2025, 12, 31)))
    assert sorted(city.ids()) == sorted([m["up"].pk, m["other"].pk])
    # an institution has no tier: refused with the reason, not a zero
    with pytest.raises(NotComputed):
        ind.compute(m["city"], Window(date(2025, 1, 1), date(2025, 12, 31), institution=f.institution()))


# ------------------------------------------------------------------------------------------------ scope

def test_a_district_cannot_read_another_districts_unit(moves_world):
    m = moves_world
    with pytest.raises(ValidationError) as exc:
        tiers.owner_for(m["wujin_admin"], unit=str(m["xinbei"].pk))
    assert "unit" in exc.value.message_dict
    mine = set(tiers.enterprises_for(m["wujin_admin"], tiers.Owner()).values_list("pk", flat=True))
    assert m["other"].pk not in mine and m["up"].pk in mine


def test_an_enterprise_is_refused(client, moves_world):
    u = f.user(role="enterprise", organisation=moves_world["up"].organisation)
    with pytest.raises(PermissionDenied):
        tiers.enterprises_for(u, tiers.Owner())
    client.force_login(u)
    assert client.get(reverse(URL)).status_code == 403


def test_the_page_refuses_another_districts_unit_and_a_bad_year(client, moves_world):
    m = moves_world
    client.force_login(m["wujin_admin"])
    r = client.get(reverse(URL), {"unit": m["xinbei"].pk})
    assert r.status_code == 400 and "没有考核板块" in r.content.decode()
    r = client.get(reverse(URL), {"unit": 999999})
    assert r.status_code == 400
    for year in ("1990", "abc", str(timezone.localdate().year + 1)):
        r = client.get(reverse(URL), {"year": year})
        assert r.status_code == 400 and "year" in r.content.decode(), year
    r = client.get(reverse(URL), {"show": "nonsense"})
    assert r.status_code == 400 and "show" in r.content.decode()


def test_bad_years_are_refused_by_the_selector():
    today = date(2026, 6, 1)
    for bad in (2000, 1990, 2027, "x", None):
        with pytest.raises(ValidationError) as exc:
            tiers.check_year(bad, today)
        assert "year" in exc.value.message_dict
    assert tiers.check_year("2026", today) == 2026


# ------------------------------------------------------------------------------------------------ cultivation

def metric(e, year, revenue, rd, employees, rd_staff, patents):
    EnterpriseMetric.objects.create(enterprise=e, year=year, revenue=Decimal(revenue), rd_spend=Decimal(rd),
                                    employees=employees, rd_staff=rd_staff, invention_patents=patents)


def test_high_tech_candidates_by_the_public_revenue_bands(w):
    today = date(2026, 6, 1)
    small_ok, small_low, mid_ok, no_patent, no_figures, high_tech = (ent(w) for _ in range(6))
    for e in (small_ok, small_low, mid_ok, no_patent, no_figures):
        qual(e, "tech_sme", date(2026, 3, 1), date(2026, 12, 31))
    qual(high_tech, "high_tech", date(2024, 1, 1), date(2026, 12, 31))
    metric(small_ok, 2025, 40_000_000, 2_200_000, 100, 15, 2)  # 5.5 % ≥ 5 % (≤ 50M band)
    metric(small_low, 2025, 40_000_000, 1_800_000, 100, 15, 2)  # 4.5 % < 5 %
    metric(mid_ok, 2025, 100_000_000, 4_200_000, 300, 40, 1)  # 4.2 % ≥ 4 % (50M–200M band)
    metric(no_patent, 2025, 40_000_000, 2_200_000, 100, 15, 0)  # the configured patent condition
    metric(high_tech, 2025, 40_000_000, 2_200_000, 100, 15, 2)  # already on the higher rung
    metric(small_low, 2026, 40_000_000, 4_000_000, 100, 15, 2)  # this year's figures are not read yet
    lists = {c.rule.code: c for c in tiers.cultivation(w["city"], tiers.Owner(), today)}
    c = lists["high-tech"]
    assert {x.enterprise_id for x in c.candidates} == {small_ok.pk, mid_ok.pk}
    assert c.examined == 5
    checks = {ch.label: ch for ch in c.candidates[0].checks}
    manual = [ch for ch in checks.values() if ch.passed is None]
    assert len(manual) == 1 and manual[0].public and "60%" in manual[0].label


def test_condition_checks_pure():
    fig = ladder.Figures(year=2025, revenue=Decimal(300_000_000), rd_spend=Decimal(9_000_000), employees=10,
                         rd_staff=1, invention_patents=0, founded_on=date(2025, 6, 2))
    band = {"measure": "rd_intensity", "public": True, "basis": "x",
            "bands": [{"revenue_up_to": "50000000", "min": "5"}, {"revenue_up_to": "200000000", "min": "4"}, {"min": "3"}]}
    ch = ladder.check(band, fig, date(2026, 6, 1))
    assert (ch.value, ch.need, ch.passed) == (Decimal(3), Decimal(3), True)
    age = ladder.check({"measure": "years_founded", "min": "1", "public": True, "basis": "x"}, fig, date(2026, 6, 1))
    assert (age.value, age.passed) == (Decimal(0), False)  # one day short of a full year
    assert ladder.check({"measure": "years_founded", "min": "1", "public": True, "basis": "x"}, fig,
                        date(2026, 6, 2)).passed


def test_a_rule_with_a_negative_threshold_is_refused():
    lad = TierLadder.objects.get(code="cz-tiers", number=1)
    before = CultivationRule.objects.count()
    bad = CultivationRule(ladder=lad, code="bad", name="坏规则", from_rank=1, to_rank=2, source="测试",
                          conditions=[{"measure": "invention_patents", "min": "-1", "public": False, "basis": "本地配置"}])
    with pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert "为负数" in " ".join(exc.value.message_dict["conditions"])
    banded = CultivationRule(ladder=lad, code="bad2", name="坏规则", from_rank=1, to_rank=2, source="测试",
                             conditions=[{"measure": "rd_intensity", "public": True, "basis": "x",
                                          "bands": [{"revenue_up_to": "-5", "min": "5"}, {"min": "-3"}]}])
    with pytest.raises(ValidationError) as exc:
        banded.full_clean()
    assert len(exc.value.message_dict["conditions"]) == 2
    assert CultivationRule.objects.count() == before


def test_bad_rule_and_rung_data_name_the_field():
    assert ladder.condition_errors([]) and ladder.condition_errors([{"measure": "height", "min": "1"}])
    assert any("缺少依据" in e for e in ladder.condition_errors([{"measure": "revenue", "min": "1", "public": False}]))
    assert any("二选一" in e for e in ladder.condition_errors(
        [{"measure": "revenue", "min": "1", "bands": [], "public": False, "basis": "x"}]))
    lad = TierLadder.objects.get(code="cz-tiers", number=1)
    with pytest.raises(ValidationError) as exc:
        TierRung(ladder=lad, rank=9, name="x", short="x", kinds=["nobel"], basis="x").full_clean()
    assert "kinds" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        TierRung(ladder=lad, rank=9, name="x", short="x", kinds=["high_tech"], basis="x").full_clean()
    assert "已列入本梯队的其他层级" in exc.value.message_dict["kinds"][0]
    with pytest.raises(ValidationError) as exc:
        CultivationRule(ladder=lad, code="down", name="x", from_rank=3, to_rank=2, source="x",
                        conditions=[{"measure": "revenue", "min": "1", "public": False, "basis": "x"}]).full_clean()
    assert "to_rank" in exc.value.message_dict


# ------------------------------------------------------------------------------------------------ expiring

def test_certificates_expiring_within_the_setting_days_their_last_day_included(w):
    today = date(2026, 6, 1)
    days = settings.DUIJIE_QUALIFICATION_EXPIRING_DAYS
    e, x = ent(w), ent(w, "xinbei")
    edge = qual(e, "high_tech", date(2023, 6, 1), today + timedelta(days=days))
    qual(e, "tech_sme", date(2026, 1, 1), today + timedelta(days=days + 1))
    ends_today = qual(e, "gazelle", date(2024, 6, 1), today)
    qual(e, "srdi", date(2023, 1, 1), today - timedelta(days=1))  # already expired
    qual(x, "high_tech", date(2023, 6, 1), today + timedelta(days=10))  # the other district
    found = list(tiers.expiring(w["wujin_admin"], tiers.Owner(), today))
    assert found == [ends_today, edge]


# ------------------------------------------------------------------------------------------------ page

def test_the_page_shows_every_figure_and_drills_through(client, w):
    today = timezone.localdate()
    y = today.year
    e = ent(w)
    e2 = ent(w)
    qual(e, "tech_sme", date(y - 1, 3, 1), date(y - 1, 12, 31))
    qual(e, "high_tech", date(y, 1, 1), today + timedelta(days=30), certificate_no="GR-TEST-1")
    qual(e2, "tech_sme", date(y, 1, 1), today + timedelta(days=settings.DUIJIE_QUALIFICATION_EXPIRING_DAYS + 30))
    metric(e2, y - 1, 40_000_000, 2_200_000, 100, 15, 2)
    client.force_login(w["wujin_admin"])
    base = {"unit": w["wujin"].pk, "year": y}
    r = client.get(reverse(URL), base)
    assert r.status_code == 200
    assert r.context["sme_to_ht"] == 1 and r.context["expiring_count"] == 1
    assert [len(c.candidates) for c in r.context["cultivation"] if c.rule.code == "high-tech"] == [1]
    for show, name in (("move:1-2", e.name), ("rung:2", e.name), ("rung:1", e2.name), ("cultivation:high-tech", e2.name),
                       ("expiring", "GR-TEST-1")):
        r = client.get(reverse(URL), {**base, "show": show})
        assert r.status_code == 200 and name in r.content.decode(), show
        assert len(r.context["listing"].rows) == 1, show
    r = client.get(reverse(URL), {**base, "show": "move:1-2", "format": "csv"})
    assert r.status_code == 200 and e.name in r.content.decode("utf-8-sig")
    r = client.get(reverse(URL), {**base, "show": "expiring", "format": "xlsx"})
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = client.get(reverse(URL), {**base, "show": "expiring", "format": "pdf"})
    assert r.status_code == 400


def test_the_city_sees_both_districts(client, moves_world):
    m = moves_world
    client.force_login(m["city"])
    r = client.get(reverse(URL), {"year": 2025})
    assert r.status_code == 200
    assert sorted(r.context["moves"].ids(1, 2)) == sorted([m["up"].pk, m["other"].pk])
    rows = {row["unit"].pk: row["sme_to_ht"] for row in r.context["by_unit"]}
    assert rows[m["wujin"].pk] == 1 and rows[m["xinbei"].pk] == 1


def test_moves_by_unit_keep_to_the_district(moves_world):
    m = moves_world
    rows = tiers.moves_by_unit(m["wujin_admin"], 2025, today=date(2026, 3, 1))
    assert [u for u, _mv in rows] == [m["wujin"]]
    assert rows[0][1].ids(1, 2) == [m["up"].pk]


def test_the_page_reads_as_many_queries_for_many_enterprises_as_for_few(client, w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    today = timezone.localdate()
    client.force_login(w["wujin_admin"])

    def add(n):
        for _ in range(n):
            e = ent(w)
            qual(e, "tech_sme", date(today.year - 1, 3, 1), date(today.year - 1, 12, 31))
            qual(e, "high_tech", date(today.year, 1, 1), today + timedelta(days=20))
            metric(e, today.year - 1, 40_000_000, 2_200_000, 100, 15, 2)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(URL), {"unit": w["wujin"].pk}).status_code == 200
        return len(ctx)

    add(2)
    few = queries()
    add(8)
    assert queries() == few
