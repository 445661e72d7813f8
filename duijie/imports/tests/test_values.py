"""Messy real-world values, each parsed to what is stored."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from duijie.imports import values as V


@pytest.mark.parametrize("raw", [46056, 46056.0, "46056", "2026-02-03", "2026/2/3", "2026年2月3日", "2026.02.03",
                                 "２０２６－０２－０３", " 2026-02-03 ", "20260203", datetime(2026, 2, 3, 0, 0),
                                 date(2026, 2, 3), "2026年02月03日"])
def test_dates_in_every_spelling(raw):
    assert V.parse_date(raw) == date(2026, 2, 3)


@pytest.mark.parametrize("raw", ["2026-02-30", "明年", "3/2/2026"])
def test_bad_dates_are_refused_with_a_reason(raw):
    with pytest.raises(ValueError, match=str(raw)):
        V.parse_date(raw)


@pytest.mark.parametrize(("raw", "yuan"), [
    ("50万元", "500000"), ("50万", "500000"), ("1.5亿", "150000000"), ("1.5亿元", "150000000"),
    ("1,200元", "1200"), ("1，200元", "1200"), ("５０万元", "500000"), ("¥3,000", "3000"), (1200, "1200"),
    (1234.5, "1234.5"), ("8千元", "8000"), (" 200 ", "200"),
])
def test_money_with_units_becomes_yuan(raw, yuan):
    assert V.parse_money(raw) == Decimal(yuan)


def test_bad_money_is_refused():
    with pytest.raises(ValueError, match="面议"):
        V.parse_money("面议")


@pytest.mark.parametrize(("raw", "n"), [("１２０", 120), ("1,200", 1200), (12.0, 12), ("30人", 30), ("2025", 2025)])
def test_whole_numbers(raw, n):
    assert V.parse_int(raw) == n


def test_fraction_is_not_a_whole_number():
    with pytest.raises(ValueError):
        V.parse_int("1.5")


@pytest.mark.parametrize(("raw", "b"), [("是", True), ("否", False), ("√", True), ("TRUE", True), (0, False)])
def test_booleans(raw, b):
    assert V.parse_bool(raw) is b


def test_fold_key_folds_width_script_brackets_and_spaces_only_for_keys():
    assert V.fold_key("臺灣積體電路製造（南京）有限公司 ") == V.fold_key("台湾积体电路制造(南京)有限公司")
    assert V.fold_key("ＡＢＣ　科技") == V.fold_key("abc科技")


def test_cell_text_prints_whole_floats_without_decimals():
    assert V.cell_text(13812345678.0) == "13812345678"
    assert V.cell_text("  常州  ") == "常州"


def test_exported_formula_neutralisation_is_undone():
    assert V.parse_text("'=SUM(A1)") == "=SUM(A1)"
