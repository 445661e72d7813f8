"""How values read on a page: dates as the offices write them (2026年12月7日, as the policy seeds
do), money in 万元 (the seeds' unit) with the exact yuan kept for a hover title and for exports."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils import timezone, translation
from django.utils.functional import keep_lazy_text
from django.utils.html import format_html

WAN = Decimal(10000)


def _chinese() -> bool:
    return (translation.get_language() or "").lower().startswith("zh")


def office_date(value, with_time: bool = False) -> str:
    """2026年12月7日 (2026年12月7日 14:05) in Chinese, 2026-12-07 (14:05) otherwise; "" for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10]) if len(value) <= 10 else datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    time = ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        time = f" {value:%H:%M}" if with_time else ""
        value = value.date()
    if _chinese():
        return f"{value.year}年{value.month}月{value.day}日{time}"
    return f"{value.isoformat()}{time}"


def as_decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def wan_yuan(value) -> str:
    """391500000 → "39,150万元"; 12345 → "1.2345万元" (never rounded away); "" for no value. English
    readers get the exact yuan."""
    amount = as_decimal(value)
    if amount is None:
        return ""
    wan = (amount / WAN).normalize()
    text = f"{wan:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}万元" if _chinese() else f"{amount:,.2f} yuan"


def exact_yuan(value) -> str:
    """391500000.00 → "391,500,000.00元" (the hover title of a 万元 figure)."""
    amount = as_decimal(value)
    if amount is None:
        return ""
    return f"{amount:,.2f}元" if _chinese() else f"{amount:,.2f} yuan"


def is_money(field) -> bool:
    """An amount in yuan: the apps' MONEY decimals (16 digits, 2 places, labelled "… (yuan)")."""
    return isinstance(field, models.DecimalField) and field.max_digits == 16 and field.decimal_places == 2


_UNIT = re.compile(r"\s*[（(](?:元|yuan)[)）]\s*$")


@keep_lazy_text
def without_yuan_unit(label: str) -> str:
    """新增投入（元） → 新增投入: the figure shown beside it carries its unit (万元)."""
    return _UNIT.sub("", str(label))


def wan_html(value) -> str:
    """<span class="money" title="391,500,000.00元">39,150万元</span>; "" for no amount."""
    shown = wan_yuan(value)
    if not shown:
        return ""
    return format_html('<span class="money" title="{}">{}</span>', exact_yuan(value), shown)
