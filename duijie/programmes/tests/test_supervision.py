"""Supervision rounds: each scoring kind on hand-computed cases, issuing freezes the figures (a later
edit moves live progress only), verify() recomputes the hash and catches tampering, reopening needs
a reason and the next issue lists what changed, and a district reads only its own units."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from duijie.cooperation.tests import helpers as h
from duijie.core import services
from duijie.core.models import AssessmentUnit, AuditLog, Organisation, Region
from duijie.core.tests import factories as f
from duijie.programmes import scoring, supervision
from duijie.programmes.choices import RoundStatus, RuleKind
from duijie.programmes.models import (
    FrozenReport,
    Programme,
    ProgrammeIndicator,
    ReportFigure,
    ScoringRule,
    SupervisionRound,
    Target,
)

START, END, AS_OF = date(2025, 1, 1), date(2025, 12, 31), date(2025, 6, 30)
D = Decimal


def rule(kind, points, **kw):
    return {"kind": kind, "points": str(points), "cap": kw.get("cap"), "per": kw.get("per"),
            "steps": kw.get("steps", []), "unit_kinds": kw.get("unit_kinds", []), "source": "测试条款"}


# ----------------------------------------------------------------------------- scoring kinds

def test_ratio_to_target_with_a_cap():
    r = rule(RuleKind.RATIO_CAP, 40, cap="1.2")
    assert scoring.score(r, 3, D(4)) == D("30.00")  # 40 × 0.75
    assert scoring.score(r, 6, D(4)) == D("48.00")  # 40 × min(1.5, 1.2)
    assert scoring.score(r, 0, D(4)) == D("0.00")
    assert scoring.score(r, 0, D(0)) == D("40.00")  # nothing asked: met
    assert scoring.score(r, None, D(4)) is None


@given(actual=st.integers(min_value=0, max_value=10_000), target=st.integers(min_value=1, max_value=5_000),
       points=st.integers(min_value=0, max_value=100), cap=st.decimals(min_value=D("0.5"), max_value=D("3"), places=2))
def test_the_capped_ratio_never_exceeds_points_times_cap_and_grows_with_the_actual(actual, target, points, cap):
    r = rule(RuleKind.RATIO_CAP, points, cap=str(cap))
    s = scoring.score(r, actual, D(target))
    assert D(0) <= s <= (D(points) * cap).quantize(D("0.01"))
    assert scoring.score(r, actual + 1, D(target)) >= s


def test_steps_relative_to_the_average():
    r = rule(RuleKind.AVERAGE_STEPS, 10, steps=[["1.2", "2"], ["1", "0"], ["0.8", "-2"], ["0", "-4"]])
    avg = scoring.average([7, 5, 4.5, 1, 7.5])  # 25 / 5 = 5
    assert avg == D(5)
    assert scoring.score(r, 7, D(3), avg) == D("12.00")  # 1.4 × average: +2
    assert scoring.score(r, 5, D(3), avg) == D("10.00")  # at the average: 0
    assert scoring.score(r, D("4.5"), D(3), avg) == D("8.00")  # 0.9: −2
    assert scoring.score(r, 1, D(3), avg) == D("6.00")  # 0.2: −4
    floor = rule(RuleKind.AVERAGE_STEPS, 1, steps=[["1", "0"], ["0", "-4"]])
    assert scoring.score(floor, 0, None, avg) == D("0.00")  # never below 0


def test_yes_no_and_bonus_items():
    yes_no = rule(RuleKind.YES_NO, 5)
    assert scoring.score(yes_no, 3, D(3)) == D("5.00")
    assert scoring.score(yes_no, 2, D(3)) == D("0.00")
    assert scoring.score(yes_no, 1, None) == D("5.00") and scoring.score(yes_no, 0, None) == D("0.00")
    bonus = rule(RuleKind.BONUS, 3, per="0.5")
    assert scoring.score(bonus, 4, D(1)) == D("2.00")
    assert scoring.score(bonus, 10, D(1)) == D("3.00")  # at most the points
    assert scoring.maximum([yes_no, bonus, rule(RuleKind.RATIO_CAP, 40, cap="1")]) == D(45)  # bonus on top
    assert scoring.applies(rule(RuleKind.YES_NO, 1, unit_kinds=["district"]), "district")
    assert not scoring.applies(rule(RuleKind.YES_NO, 1, unit_kinds=["district"]), "zone")


@pytest.mark.django_db
def test_a_rule_is_refused_without_its_parameters():
    programme = Programme.objects.create(code="t-r", name="x", period_start=START, period_end=END)
    pi = ProgrammeIndicator.objects.create(programme=programme, indicator="signed-projects")
    with pytest.raises(ValidationError) as e:
        ScoringRule(programme_indicator=pi, kind=RuleKind.RATIO_CAP, points=D(10), source="x").full_clean()
    assert "cap" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        ScoringRule(programme_indicator=pi, kind=RuleKind.AVERAGE_STEPS, points=D(10), steps=[["a"]],
                    unit_kinds=["planet"], source="x").full_clean()
    assert {"steps", "unit_kinds"} <= set(e.value.message_dict)


# ----------------------------------------------------------------------------- a round

@pytest.fixture
def world(db):
    r = {c: Region.objects.get(code=c) for c in ("3204", "320412", "320411", "320413")}
    units = {}
    for code, name, kind, region in (("t-wujin", "武进区", "district", "320412"), ("t-xinbei", "新北区", "district", "320411"),
                                     ("t-tianning", "天宁经开区", "zone", "320413")):
        units[code] = AssessmentUnit.objects.create(name=name, code=code, kind=kind, city=r["3204"])
        units[code].regions.set([r[region]])
    city = f.user(role="city_admin", organisation=Organisation.objects.create(kind="government", name="常州市科技局",
                                                                              region=r["3204"]))
    district = f.user(role="unit_admin", organisation=Organisation.objects.create(
        kind="government", name="武进区科技局", region=r["320412"], assessment_unit=units["t-wujin"]))
    programme = Programme.objects.create(code="t-sup", name="三年行动计划", period_start=START, period_end=END,
                                         region=r["3204"])
    pi = ProgrammeIndicator.objects.create(programme=programme, indicator="signed-projects", label="签约项目（项）", order=1)
    for code, value in (("t-wujin", 4), ("t-xinbei", 4), ("t-tianning", 2)):
        Target.objects.create(programme_indicator=pi, owner_unit=units[code], period_kind="year", period_start=START,
                              period_end=END, value=D(value))
    ScoringRule.objects.create(programme_indicator=pi, kind=RuleKind.RATIO_CAP, points=D(60), cap=D("1.2"),
                               source="测试：评分办法第一条")
    ScoringRule.objects.create(programme_indicator=pi, kind=RuleKind.AVERAGE_STEPS, points=D(10),
                               steps=[[1, 2], [0, -2]], unit_kinds=["district"], source="测试：评分办法第二条")
    projects = {
        "wujin": [h.project(region=r["320412"], status="signed", signed_on=date(2025, m, 1)) for m in (2, 5)],
        "wujin_late": h.project(region=r["320412"], status="signed", signed_on=date(2025, 9, 1)),  # after as-of
        "xinbei": [h.project(region=r["320411"], status="signed", signed_on=date(2025, 3, 3))],
        "tianning": [h.project(region=r["320413"], status="signed", signed_on=date(2025, 4, 4)) for _ in range(2)],
    }
    rnd = supervision.create_round(programme=programme, by=city, kind="half_year", name="2025年上半年督查",
                                   period_start=START, period_end=END, as_of=AS_OF)
    return {"r": r, "units": units, "city": city, "district": district, "programme": programme, "pi": pi,
            "projects": projects, "round": rnd}


def _by_unit(report):
    return {u.unit.code: u for u in report.units}


def test_live_report_scores_ranks_and_applies_rules_per_unit_kind(world):
    report = supervision.live(world["city"], world["round"])
    units = _by_unit(report)
    assert set(units) == {"t-wujin", "t-xinbei", "t-tianning"}
    wujin, xinbei, tianning = (units[c].cells[0] for c in ("t-wujin", "t-xinbei", "t-tianning"))
    assert wujin.value == 2 and sorted(wujin.record_ids) == sorted(p.pk for p in world["projects"]["wujin"])
    assert xinbei.value == 1 and tianning.value == 2
    # ratio: 60 × 2/4 = 30, 60 × 1/4 = 15, 60 × min(2/2, 1.2) = 60; steps (districts only, average 1.5):
    # 武进 2 ≥ 1.5 → 10 + 2, 新北 1 < 1.5 → 10 − 2; the zone gets no step score and no step maximum
    assert units["t-wujin"].total == D("42.00") and units["t-xinbei"].total == D("23.00")
    assert units["t-tianning"].total == D("60.00") and units["t-tianning"].maximum == D(60)
    assert units["t-wujin"].maximum == D(70)
    assert [u.unit.code for u in report.units] == ["t-tianning", "t-wujin", "t-xinbei"]
    assert [u.rank for u in report.units] == [1, 2, 3]
    assert wujin.status == "on_track" and xinbei.status == "at_risk"  # expected ≈ 1.98 at 30 June
    assert [c.indicator for c in units["t-xinbei"].lagging] == ["signed-projects"]


def test_issuing_freezes_the_figures_while_live_progress_moves(world):
    rnd, city = world["round"], world["city"]
    issue = supervision.issue(rnd=rnd, by=city)
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.ISSUED and len(issue.content_hash) == 64
    frozen_before = _by_unit(supervision.report(city, rnd))["t-wujin"].cells[0]
    counted = world["projects"]["wujin"][0]
    counted.signed_on = date(2024, 12, 1)  # moved out of the period, through the service
    services.record_save(instance=counted, by=city)
    live = _by_unit(supervision.live(city, rnd))["t-wujin"].cells[0]
    assert live.value == 1 and counted.pk not in live.record_ids  # live progress moved
    rnd.refresh_from_db()
    frozen = _by_unit(supervision.report(city, rnd))["t-wujin"].cells[0]
    assert frozen.value == 2 and counted.pk in frozen.record_ids  # the issued report did not
    assert (frozen.value, frozen.record_ids, frozen.score) == (frozen_before.value, frozen_before.record_ids,
                                                                frozen_before.score)
    assert supervision.verify(issue) == []
    # nothing changes an issued round but reopening
    with pytest.raises(supervision.ReportIssued) as e:
        supervision.comment(rnd=rnd, by=city, text="再议")
    assert "reopen" in str(e.value).lower() or "重新打开" in str(e.value)
    with pytest.raises(supervision.ReportIssued):
        supervision.issue(rnd=rnd, by=city)
    figure = issue.figures.first()
    figure.value = D(99)
    with pytest.raises(FrozenReport):
        figure.save()


def test_verify_recomputes_the_hash_from_what_is_stored_and_catches_tampering(world):
    issue = supervision.issue(rnd=world["round"], by=world["city"])
    figures = list(ReportFigure.objects.filter(issue=issue))
    assert supervision.content_hash(figures) == issue.content_hash
    assert supervision.verify(issue) == []
    wujin = ReportFigure.objects.filter(issue=issue, unit=world["units"]["t-wujin"])
    wujin.update(value=D(3))  # tampered behind the services' back
    problems = supervision.verify(issue)
    assert any("hash" in p or "哈希" in p for p in problems)
    assert any("2" in p for p in problems)  # 3 counted, 2 record ids stored
    wujin.update(value=D(2))
    assert supervision.verify(issue) == []
    wujin.update(record_ids=[1, 2, 3])
    assert supervision.verify(issue)


def test_reopening_needs_a_reason_and_the_next_issue_shows_what_changed(world):
    rnd, city = world["round"], world["city"]
    first = supervision.issue(rnd=rnd, by=city)
    with pytest.raises(ValidationError) as e:
        supervision.reopen(rnd=rnd, by=city, reason="   ")
    assert "reason" in e.value.message_dict
    rnd.refresh_from_db()
    assert rnd.status == RoundStatus.ISSUED
    api = APIClient()
    api.force_authenticate(city)
    refused = api.post(f"/api/supervision/{rnd.pk}/reopen/", {}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()
    supervision.reopen(rnd=rnd, by=city, reason="新北区补报3月签约项目")
    first.refresh_from_db()
    assert first.reopen_reason == "新北区补报3月签约项目" and first.reopened_by == city
    assert AuditLog.objects.filter(object_id=str(rnd.pk), detail__reason="新北区补报3月签约项目").exists()
    h.project(region=world["r"]["320411"], status="signed", signed_on=date(2025, 3, 20))
    second = supervision.issue(rnd=rnd, by=city)
    assert second.number == 2 and second.content_hash != first.content_hash
    changed = {(d["unit"], d["field"]): (d["old"], d["new"]) for d in second.diff}
    assert changed[("新北区", "value")] == ("1.0000", "2.0000")
    assert changed[("新北区", "records")] == (1, 2)
    assert ("武进区", "value") not in changed
    assert supervision.verify(first) == [] and supervision.verify(second) == []
    page = _client(city).get(reverse("programmes:round", args=[rnd.pk])).content.decode()
    assert "新北区补报3月签约项目" in page and "issue-diff" in page


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_a_district_reads_only_its_own_units_on_the_page_and_in_the_api(world):
    rnd, district = world["round"], world["district"]
    page = _client(district).get(reverse("programmes:round", args=[rnd.pk]))
    assert page.status_code == 200 and "ranking" not in page.content.decode()  # a draft: no report for units
    api = APIClient()
    api.force_authenticate(district)
    assert api.get(f"/api/supervision/{rnd.pk}/").status_code == 404
    assert api.post(f"/api/supervision/{rnd.pk}/issue/").status_code == 403
    supervision.issue(rnd=rnd, by=world["city"])
    body = _client(district).get(reverse("programmes:round", args=[rnd.pk])).content.decode()
    assert "武进区" in body and "新北区" not in body and "天宁经开区" not in body
    data = api.get(f"/api/supervision/{rnd.pk}/").json()
    assert [(u["name"], u["rank"]) for u in data["units"]] == [("武进区", 2)]  # ranked among all units
    assert sorted(data["units"][0]["figures"][0]["record_ids"]) == sorted(p.pk for p in world["projects"]["wujin"])
    assert [r["name"] for r in api.get(f"/api/programmes/{world['programme'].code}/supervision/").json()] \
        == ["2025年上半年督查"]
    for fmt in ("xlsx", "pdf"):
        response = _client(district).get(reverse("programmes:round_file", args=[rnd.pk, fmt]))
        assert response.status_code == 200
    # the city reads every unit; enterprises nothing
    assert len(APIClient().get(f"/api/supervision/{rnd.pk}/").json().get("units", [])) == 0
    city_api = APIClient()
    city_api.force_authenticate(world["city"])
    assert len(city_api.get(f"/api/supervision/{rnd.pk}/").json()["units"]) == 3
    again = city_api.post(f"/api/supervision/{rnd.pk}/issue/")
    assert again.status_code == 409 and ("reopen" in again.json()["detail"] or "重新打开" in again.json()["detail"])
    ent = f.user(role="enterprise", organisation=f.enterprise(name="某企业有限公司").organisation)
    api.force_authenticate(ent)
    assert api.get(f"/api/supervision/{rnd.pk}/").status_code == 403
    assert _client(ent).get(reverse("programmes:round", args=[rnd.pk])).status_code == 403
    paths = city_api.get("/api/openapi.json").json()["paths"]
    assert "/api/supervision/{id}/" in paths and "/api/programmes/{code}/supervision/" in paths


def test_files_of_an_issued_report(world):
    from io import BytesIO

    from openpyxl import load_workbook

    rnd, city = world["round"], world["city"]
    supervision.comment(rnd=rnd, by=city, text="总体进展偏慢", unit=None)
    supervision.submit(rnd=rnd, by=world["district"], unit=world["units"]["t-wujin"], text="上半年签约2项")
    with pytest.raises(PermissionDenied) as e:  # a district files for its own units only
        supervision.submit(rnd=rnd, by=world["district"], unit=world["units"]["t-xinbei"], text="x")
    assert "own units" in str(e.value) or "本单位" in str(e.value) or "自己" in str(e.value)
    supervision.issue(rnd=rnd, by=city)
    c = _client(city)
    wb = load_workbook(BytesIO(c.get(reverse("programmes:round_file", args=[rnd.pk, "xlsx"])).content))
    ranking, detail = wb.worksheets[0], wb.worksheets[1]
    rows = [[cell.value for cell in row] for row in ranking.iter_rows(min_row=5)]
    assert [(r[0], r[1], r[2]) for r in rows] == [(1, "天宁经开区", 60), (2, "武进区", 42), (3, "新北区", 23)]
    detail_rows = [[cell.value for cell in row] for row in detail.iter_rows(min_row=2)]
    assert any(r[1] == "武进区" and r[4] == 4 and r[6] == 2 and r[9] == 42 for r in detail_rows)
    pdf = c.get(reverse("programmes:round_file", args=[rnd.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    printable = c.get(reverse("programmes:round_print", args=[rnd.pk])).content.decode()
    assert "总体进展偏慢" in printable and "上半年签约2项" in printable and "report-print.css" in printable
    assert c.get(reverse("programmes:round_file", args=[rnd.pk, "docx"])).content.startswith(b"PK")
    assert SupervisionRound.objects.get(pk=rnd.pk).comment == "总体进展偏慢"


def test_the_demo_issues_kunshans_first_half_of_2017(db):
    from duijie.accounts.models import User
    from duijie.demo.generator import Scale, generate

    generate(seed=7, scale=Scale(enterprises=40, experts=10, achievements=5, patents=5, demands=10, scenarios=2))
    rnd = SupervisionRound.objects.get(programme__code="kunshan-2017", name="2017年上半年督查")
    assert rnd.status == RoundStatus.ISSUED and rnd.kind == "half_year" and rnd.as_of == date(2017, 6, 30)
    assert rnd.round_units.count() == 11 and rnd.comment
    issue = rnd.issues.get()
    assert supervision.verify(issue) == []
    assert issue.figures.count() == 22  # 11 units × 2 indicators (Annex 3)
    report = supervision.report(User.objects.get(username="kunshan"), rnd)
    assert report.units[0].total > report.units[-1].total and any(u.lagging for u in report.units)
