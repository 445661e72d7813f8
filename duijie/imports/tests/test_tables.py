"""The official target tables (Annex 2 / Annex 3 of seed 001): read as printed (title, merged headings,
totals row), refused whole when they name an unknown unit or indicator, upserted target by target,
exported with the live figures beside the targets and scoped to the reader."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from duijie.imports.engine.results import ERROR
from duijie.imports.models import ImportJob, ImportStatus
from duijie.imports.tables import export, samples
from duijie.imports.tables.values import parse_target
from duijie.imports.tests import tables_world as tw
from duijie.programmes.models import Target

pytestmark = pytest.mark.django_db

SEED = Path("/work/shared/seeds/001_f76985405e3c6c8a.txt")
TODAY = date(2018, 3, 1)
TALLY = ("new", "updated", "unchanged", "errors")


def tally(result) -> tuple:
    return tuple(result.counts[k] for k in TALLY)


def values(programme, **period) -> dict:
    return {(t.owner.name, t.programme_indicator.indicator): (t.value, t.text)
            for t in Target.objects.filter(programme_indicator__programme=programme, **period)}


# ---------------------------------------------------------------- the cell parser

@given(st.integers(min_value=0, max_value=10**9))
def test_a_plain_number_is_the_value_with_no_text(n):
    assert parse_target(n) == (Decimal(n), "")
    assert parse_target(str(n)) == (Decimal(n), "")
    assert parse_target(f" {n:,} ") == (Decimal(n), "")


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=99),
       st.text(alphabet="省级以上重点实验室含个项场亿元（）", max_size=12))
def test_prose_keeps_the_first_number_and_the_whole_text(n, m, words):
    text = f"{n}（{words}{m}个）"
    assert parse_target(text) == (Decimal(n), text)
    assert parse_target(f"举办对接活动{n}场{words}") == (Decimal(n), f"举办对接活动{n}场{words}")


@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from(["亿元", "万元", "项", ""]), st.sampled_from(["≥", "不少于", ""]))
def test_units_and_bounds_around_the_number(d, unit, bound):
    text = f"{bound}{d}{unit}"
    value, kept = parse_target(text)
    assert value == d
    assert kept == ("" if not unit and not bound else text)


def test_the_printed_examples():
    assert parse_target("5（含省级以上重点实验室1个）") == (Decimal(5), "5（含省级以上重点实验室1个）")
    assert parse_target("30") == (Decimal(30), "")
    assert parse_target("3.5亿元") == (Decimal("3.5"), "3.5亿元")
    assert parse_target("≥10") == (Decimal(10), "≥10")
    for bad in ("若干", "-3", ""):
        with pytest.raises(ValueError):
            parse_target(bad)


# ---------------------------------------------------------------- the samples

def test_the_annex3_sample_is_the_seed_and_imports_as_printed():
    if SEED.exists():  # the checked-in sample is what the generator makes of the seed
        made = samples.build(SEED.read_text(encoding="utf-8"))
        for name in ("annex2", "annex3"):
            assert tw.sheet(made[name]) == tw.sheet(samples.path(name).read_bytes())
    w = tw.world(indicators=4, targets=False)
    data = samples.path("annex3").read_bytes()
    result = tw.run("annex3", data, w["city"])
    assert result.ok and result.committed and tally(result) == (44, 0, 0, 0)
    got = values(w["programme"], period_start=date(2017, 1, 1), period_end=date(2017, 12, 31))
    assert got[("开发区", "signed-projects")] == (Decimal(20), "")
    assert got[("锦溪", "carriers-approved")] == (Decimal(1), "")
    assert sum(v for (_o, slug), (v, _t) in got.items() if slug == "events-held") == 79  # 合计
    assert Target.objects.filter(period_kind="year").count() == 44
    assert tally(tw.run("annex3", data, w["city"])) == (0, 0, 44, 0)


def test_the_printed_annex2_with_merged_headings_and_the_departments_prose_row():
    w = tw.world(indicators=4, targets=False)
    labels = ["项目合作（项）", "对接活动（次）", "人才团队（个）", "载体建设（个）"]
    data = tw.printed_annex2([
        ["市科技局、智能装备与半导体产业促进中心、招商中心", "新一代信息技术", "中科院系统、清华大学",
         "举办市级产学研对接活动10场、引介科学家团队20个、协调各区镇建设载体5个"],
        ["开发区", "新一代信息技术、智能制造", "中科院高能物理所", 60, 50, 10, "5（含省级以上重点实验室1个）"],
        ["高新区", "生物医药", "沈自所", 65, 50, 10, "5（含省级以上重点实验室1个）"],
    ], labels, [125, 100, 20, 10])
    result = tw.run("annex2", data, w["city"])
    assert result.ok, result.errors()
    assert tally(result) == (3 + 8, 0, 0, 0)
    assert any("特色产业领域" in note and "计划对接大院大所" in note for note in result.notes)
    got = values(w["programme"], period_kind="whole")
    assert got[("昆山市科学技术局", "events-held")] == (Decimal(10), "举办市级产学研对接活动10场")
    assert got[("昆山市科学技术局", "paired-experts")] == (Decimal(20), "引介科学家团队20个")
    assert got[("昆山市科学技术局", "carriers-approved")] == (Decimal(5), "协调各区镇建设载体5个")
    assert ("昆山市科学技术局", "signed-projects") not in got
    assert got[("开发区", "carriers-approved")] == (Decimal(5), "5（含省级以上重点实验室1个）")
    dept = Target.objects.get(owner_department=w["bureau"], programme_indicator__indicator="events-held")
    assert dept.source.endswith("（市科技局、智能装备与半导体产业促进中心、招商中心）")
    assert dept.history.count() == 1 and dept.filed_by == w["city"]
    # the whole sample of the seed (12 rows, 总计 300 / 250 / 40 / 25) imports once the units exist
    sample = tw.run("annex2", samples.path("annex2").read_bytes(), w["city"], commit=False)
    assert sample.ok, sample.errors()
    assert tally(sample) == (9 * 4, 0, 3 + 2 * 4, 0)


# ---------------------------------------------------------------- round trip and upsert

@pytest.mark.parametrize("kind", ["annex3", "annex2"])
def test_export_of_the_demo_programme_reimports_unchanged(kind):
    w = tw.world()
    before = values(w["programme"])
    data, rows = export.export_table(kind, w["programme"], w["city"], today=TODAY)
    assert rows == (11 if kind == "annex3" else 12)
    cells, merged = tw.sheet(data)
    head = 3 if kind == "annex3" else 4  # the 目标 / 完成 row under the merged indicator headings
    assert cells[head][-4:] == ("目标", "完成", "目标", "完成")
    assert {"C3:D3", "E3:F3"} <= merged if kind == "annex3" else {"E3:H3", "E4:F4", "A3:A5"} <= merged
    kaifa = next(r for r in cells if r[1] == "开发区")
    assert kaifa[-4:] == ((20, 0, 16, 0) if kind == "annex3" else (60, 0, 50, 0))  # no projects yet: 0 done
    if kind == "annex2":  # the city bureau's row: prose as printed, its actual counted over its city (none yet)
        assert cells[5][1].startswith("市科技局") and cells[5][-2:] == ("举办市级产学研对接活动10场", 0)
    result = tw.run(kind, data, w["city"])
    assert result.ok, result.errors()
    assert result.counts["new"] == 0 and result.counts["updated"] == 0
    assert result.counts["unchanged"] == (22 if kind == "annex3" else 23)
    assert values(w["programme"]) == before


def test_editing_one_cell_updates_exactly_that_target():
    w = tw.world()
    data, _rows = export.export_table("annex3", w["programme"], w["city"], today=TODAY)
    cells, _m = tw.sheet(data)
    row = next(i for i, r in enumerate(cells, start=1) if r[1] == "高新区")
    total = next(i for i, r in enumerate(cells, start=1) if r[1] == "合计")
    assert cells[row - 1][2] == 22 and cells[total - 1][2] == 98
    edited = tw.edit(data, {f"C{row}": 25, f"C{total}": 101})
    target = Target.objects.get(owner_unit=w["units"]["ks2017-gaoxin"], period_kind="year",
                                programme_indicator__indicator="signed-projects")
    others = {t.pk: (t.value, t.version) for t in Target.objects.exclude(pk=target.pk)}
    result = tw.run("annex3", edited, w["city"])
    assert result.ok and tally(result) == (0, 1, 21, 0)
    changed = next(r for r in result.rows if r.outcome == "update")
    assert changed.row == row and "22→25" in changed.changes[0]
    target.refresh_from_db()
    assert target.value == 25 and target.history.count() == 2
    assert {t.pk: (t.value, t.version) for t in Target.objects.exclude(pk=target.pk)} == others


# ---------------------------------------------------------------- refusals

def test_unknown_unit_and_unknown_indicator_are_refused_whole_naming_both():
    w = tw.world()
    before = values(w["programme"])
    count = Target.objects.count()
    data = tw.printed_annex2([
        ["开发区", "", "", 61, 50, 7],  # a real change, which must not be written either
        ["不存在镇", "", "", 5, 5, 1],
    ], ["项目合作（项）", "对接活动（次）", "新指标（个）"], [66, 55, 8])
    result = tw.run("annex2", data, w["city"])
    assert not result.ok and not result.committed
    text = json.dumps(result.errors(), ensure_ascii=False)
    assert "不存在镇" in text and "新指标（个）" in text
    errors = result.errors()
    assert any(row == 6 and "不存在镇" in reason for row, _c, reason in errors)  # the unit's row
    assert any(row == 4 and column.startswith("G") and "新指标" in reason for row, column, reason in errors)
    assert Target.objects.count() == count and values(w["programme"]) == before


def test_a_totals_row_that_does_not_add_up_names_the_column_and_both_numbers():
    w = tw.world(targets=False)
    data = samples.path("annex3").read_bytes()
    cells, _m = tw.sheet(data)
    total = next(i for i, r in enumerate(cells, start=1) if r[1] == "合计")
    # the sample's other two columns are not indicators of this programme: cut them out first
    trimmed = tw.edit(data, {f"{c}{r}": None for c in "EF" for r in range(3, total + 1)})
    assert tw.run("annex3", trimmed, w["city"], commit=False).ok
    result = tw.run("annex3", tw.edit(trimmed, {f"D{total}": 80}), w["city"])
    assert not result.ok and not Target.objects.exists()
    [(row, column, reason)] = result.errors()
    assert row == total and "对接活动" in column and "80" in reason and "79" in reason


def test_a_unit_named_twice_is_refused_on_its_second_row():
    w = tw.world(targets=False)
    data = tw.printed_annex2([["开发区", "", "", 60, 50], ["开发区", "", "", 60, 50]],
                             ["项目合作（项）", "对接活动（次）"], [120, 100])
    result = tw.run("annex2", data, w["city"])
    assert not result.ok and not Target.objects.exists()
    assert {(row, "第 5 行" in reason) for row, _c, reason in result.errors()} == {(6, True)}


def test_a_table_without_a_programme_or_title_year_is_refused():
    w = tw.world(targets=False)
    data = samples.path("annex3").read_bytes()
    assert "--programme" in tw.run("annex3", data, w["city"], programme="").errors()[0][2]
    assert "no-such" in tw.run("annex3", data, w["city"], programme="no-such").errors()[0][2]
    no_year = tw.edit(data, {"A2": "主要任务指标"})
    assert "2017年主要任务指标" in tw.run("annex3", no_year, w["city"]).errors()[0][2]


def test_a_district_administrator_imports_only_its_own_units():
    w = tw.world()
    data, _rows = export.export_table("annex3", w["programme"], w["city"], today=TODAY)
    cells, _m = tw.sheet(data)
    row = next(i for i, r in enumerate(cells, start=1) if r[1] == "高新区")
    total = next(i for i, r in enumerate(cells, start=1) if r[1] == "合计")
    result = tw.run("annex3", tw.edit(data, {f"C{row}": 25, f"C{total}": 101}), w["district"])
    assert not result.ok
    assert {r.row for r in result.rows if r.outcome == ERROR} >= {row}
    assert Target.objects.get(owner_unit=w["units"]["ks2017-gaoxin"], period_kind="year",
                              programme_indicator__indicator="signed-projects").value == 22


# ---------------------------------------------------------------- commands and pages

def _call(*args):
    out = StringIO()
    code = 0
    try:
        call_command(*args, stdout=out)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().strip().splitlines()


def test_the_commands_print_the_json_summary_and_export_the_layout(tmp_path):
    w = tw.world()
    path = tmp_path / "annex3.xlsx"
    code, lines = _call("export_file", "annex3", str(path), "--programme", "kunshan-2017")
    assert code == 0 and lines[-1].startswith("11 rows")
    code, lines = _call("import_file", "annex3", str(path), "--programme", "kunshan-2017", "--dry-run")
    assert code == 0 and json.loads(lines[-1]) == {"new": 0, "updated": 0, "unchanged": 22, "errors": 0}
    Target.objects.filter(period_kind="year").delete()
    code, lines = _call("import_file", "annex3", str(path), "--programme", "kunshan-2017", "--dry-run")
    assert json.loads(lines[-1]) == {"new": 22, "updated": 0, "unchanged": 0, "errors": 0}
    assert not Target.objects.filter(period_kind="year").exists()
    code, lines = _call("import_file", "annex3", str(path), "--programme", "kunshan-2017")
    assert code == 0 and Target.objects.filter(period_kind="year").count() == 22
    code, lines = _call("import_file", "annex3", str(path))
    assert code == 1 and "--programme" in json.loads(lines[0])["reason"]
    code, lines = _call("export_file", "annex3", str(tmp_path / "d.xlsx"), "--programme", "kunshan-2017",
                        "--user", w["district"].username)
    assert lines[-1].startswith("1 rows")


def test_a_district_administrators_export_holds_only_its_units(client):
    w = tw.world()
    client.force_login(w["district"])
    page = client.get(reverse("programmes:progress", args=["kunshan-2017"]))
    assert page.status_code == 200
    url = reverse("imports:table_export", args=["annex3", "kunshan-2017"]) + "?year=2017"
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    cells, _m = tw.sheet(response.content)
    owners = [r[1] for r in cells[4:]]
    assert owners == ["开发区", "合计"]
    assert cells[4][2] == 20 and cells[-1][2] == 20  # its own target and its own total
    cells, _m = tw.sheet(client.get(reverse("imports:table_export", args=["annex2", "kunshan-2017"])).content)
    assert [r[1] for r in cells[5:-1]] == ["开发区"]
    client.force_login(w["city"])
    cells, _m = tw.sheet(client.get(url).content)
    assert len(cells[4:-1]) == 11


def test_the_import_pages_take_the_programme_and_confirm(client):
    w = tw.world(indicators=4, targets=False)
    client.force_login(w["city"])
    progress_page = client.get(reverse("programmes:progress", args=["kunshan-2017"])).content.decode()
    upload = reverse("imports:table_upload", args=["annex3"])
    assert f"{upload}?programme=kunshan-2017" in progress_page
    page = client.get(f"{upload}?programme=kunshan-2017")
    assert page.status_code == 200 and '<option value="kunshan-2017" selected>' in page.content.decode()
    assert client.get(reverse("imports:table_sample", args=["annex3"])).status_code == 200
    assert client.get(reverse("imports:upload", args=["targets"])).status_code == 302
    with samples.path("annex3").open("rb") as fh:
        response = client.post(reverse("imports:table_upload", args=["annex3"]),
                               {"programme": "kunshan-2017", "file": fh})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.options == {"programme": "kunshan-2017"}
    assert job.status == ImportStatus.PREVIEWED and job.new == 44
    client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.COMMITTED and Target.objects.count() == 44
    history = client.get(reverse("imports:history")).content.decode()
    assert reverse("imports:table_upload", args=["annex2"]) in history and "kunshan-2017" in history
    client.force_login(w["district"])
    assert client.get(reverse("imports:table_export", args=["annex3", "kunshan-2017"])).status_code == 200
