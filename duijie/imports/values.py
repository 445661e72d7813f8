"""Messy spreadsheet values → Python values, and the folding used for matching keys.

Every parser takes a raw cell (str, int, float, date/datetime from openpyxl or xlrd) and returns the
value to store, or raises ``ValueError`` with a reason in plain words (translated by the caller's
active language). Folding (NFKC, traditional → simplified, brackets, whitespace) is for keys only:
stored text stays exactly as given, apart from surrounding spaces.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import opencc
from django.utils.translation import gettext as _

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (with the 1900 leap-year bug folded in)
_SPACE_RE = re.compile(r"\s+")
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT_DATE_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONEY_RE = re.compile(r"^([-+]?\d+(?:\.\d+)?)\s*(亿元|亿|万元|万|千元|元)?$")
_UNITS = {None: Decimal(1), "元": Decimal(1), "千元": Decimal(1000), "万": Decimal(10000),
          "万元": Decimal(10000), "亿": Decimal(100000000), "亿元": Decimal(100000000)}
TRUE_WORDS = {"是", "有", "true", "yes", "y", "1", "√", "✓", "✔", "对"}
FALSE_WORDS = {"否", "无", "false", "no", "n", "0", "×", "✗", "不是"}
LIST_SPLIT_RE = re.compile(r"[、,，;；\n]+")
BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "[": "(", "]": ")", "〔": "(", "〕": ")"})


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=1)
def _t2s():
    return opencc.OpenCC("t2s")  # its dictionary loads on first use


@lru_cache(maxsize=200_000)
def fold_key(text: str) -> str:
    """The matching/duplicate key of a name: full/half width, traditional/simplified, bracket
    shapes, case and whitespace folded. Never stored."""
    text = str(text)
    if text.isascii():  # NFKC and traditional → simplified leave ASCII as it is
        return _SPACE_RE.sub("", text.translate(BRACKETS)).lower()
    text = nfkc(text).translate(BRACKETS)
    text = _t2s().convert(text)
    return _SPACE_RE.sub("", text).lower()


def cell_text(value) -> str:
    """A cell as text: numbers that are whole print without ``.0`` (phones, codes typed as numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_text(value) -> str:
    text = cell_text(value)
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]  # our own exports neutralise formula-like text with an apostrophe
    return text


def parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel serial day numbers (up to 9999-12-31)
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueError(_("“%(value)s” is not a date.") % {"value": value})
    text = nfkc(cell_text(value))
    m = _DATE_RE.match(text) or _COMPACT_DATE_RE.match(text)
    if not m:
        if re.fullmatch(r"\d{5}(?:\.\d+)?", text):
            return parse_date(float(text))
        raise ValueError(_("“%(value)s” is not a date: write it as 2026-02-03, 2026/2/3 or 2026年2月3日.")
                         % {"value": value})
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date that exists.") % {"value": value})


def _number_text(value) -> str:
    text = nfkc(cell_text(value)).replace(",", "").replace(" ", "").replace("\u3000", "")
    return text


def parse_money(value) -> Decimal:
    """Yuan. ``50万元`` → 500000, ``1.5亿`` → 150000000, ``1,200元`` → 1200, a bare number is yuan."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    text = _number_text(value).replace("¥", "").replace("￥", "").replace("RMB", "")
    if text.endswith("人民币"):
        text = text[: -len("人民币")]
    m = _MONEY_RE.match(text)
    if not m:
        raise ValueError(_("“%(value)s” is not an amount of money: write e.g. 500000, 50万元 or 1.5亿.")
                         % {"value": value})
    return (Decimal(m.group(1)) * _UNITS[m.group(2)]).quantize(Decimal("0.01"))


def is_plain_number(value) -> bool:
    return isinstance(value, str) and bool(re.fullmatch(r"[-+]?\d+(?:\.\d+)?", _number_text(value)))


def parse_decimal(value) -> Decimal:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    try:
        return Decimal(_number_text(value).rstrip("%"))
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a number.") % {"value": value})


def parse_int(value) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = _number_text(value)
    for suffix in ("人", "件", "个", "年", "项"):
        text = text.removesuffix(suffix)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})
    if number != number.to_integral_value():
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})
    return int(number)


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = nfkc(cell_text(value)).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(_("“%(value)s” is not yes or no: write 是 or 否.") % {"value": value})


def label_keys(label: str) -> set[str]:
    """The spellings that select a choice: the label, and the Chinese inside its brackets
    (“Tech-based SME (科技型中小企业)” → also “科技型中小企业”)."""
    keys = {fold_key(label)}
    for inner in re.findall(r"[(（]([^()（）]+)[)）]", label):
        keys.add(fold_key(inner))
    return keys


def split_list(value) -> list[str]:
    return [part.strip() for part in LIST_SPLIT_RE.split(cell_text(value)) if part.strip()]
