"""{% load duijie_format %}: dates as the offices write them, money in 万元 with the exact yuan on hover."""

from django import template

from duijie.core.formatting import office_date, wan_html

register = template.Library()


@register.filter(name="office_date")
def office_date_filter(value) -> str:
    """{{ d|office_date }} → 2026年12月7日."""
    return office_date(value)


@register.filter
def office_datetime(value) -> str:
    """{{ dt|office_datetime }} → 2026年12月7日 14:05 (local time)."""
    return office_date(value, with_time=True)


@register.filter
def wan(value) -> str:
    """{{ amount|wan }} → <span title="391,500,000.00元">39,150万元</span>; "" for no amount."""
    return wan_html(value)
