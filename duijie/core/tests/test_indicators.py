"""Indicators contributed by the domain apps (core/plugins.py): the figure is the number of records
it returns, computed over what the reader may see — a district administrator counts only the
district's records, a city administrator the city's."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from duijie.cooperation.tests import helpers as h
from duijie.core import plugins
from duijie.core.models import AssessmentUnit, Organisation, Region
from duijie.core.plugins import Window
from duijie.core.tests import factories as f

pytestmark = pytest.mark.django_db

SECRET = "classified"  # scope alone decides who sees what
YEAR = Window(start=date(2025, 1, 1), end=date(2025, 12, 31))


def _readers():
    r = {c: Region.objects.get(code=c) for c in ("3204", "320412", "320411")}
    wujin = AssessmentUnit.objects.create(name="武进区", code="t-wujin", kind="district", city=r["3204"])
    wujin.regions.set([r["320412"]])
    city = f.user(role="city_admin", organisation=Organisation.objects.create(
        kind="government", name="常州市科技局", region=r["3204"]))
    district = f.user(role="unit_admin", organisation=Organisation.objects.create(
        kind="government", name="武进区科技局", region=r["320412"], assessment_unit=wujin))
    return r, wujin, city, district


def _at(day: date):
    return timezone.make_aware(datetime(day.year, day.month, day.day, 9, 0))


def test_signed_projects_counts_what_each_administrator_sees():
    r, wujin, city, district = _readers()
    wujin_in = [h.project(region=r["320412"], visibility=SECRET, status="signed", signed_on=date(2025, 3, 1)),
                h.project(region=r["320412"], visibility=SECRET, status="completed", signed_on=date(2025, 12, 31))]
    xinbei_in = h.project(region=r["320411"], visibility=SECRET, status="signed", signed_on=date(2025, 6, 1))
    h.project(region=r["320412"], visibility=SECRET, status="signed", signed_on=date(2024, 12, 31))  # before
    h.project(region=r["320412"], visibility=SECRET, status="intention")  # never signed
    indicator = plugins.indicator("signed-projects")
    assert indicator.record_type == "projects"

    for user, expected in ((city, {*wujin_in, xinbei_in}), (district, set(wujin_in))):
        figure = indicator.compute(user, YEAR)
        assert figure.value == figure.records.count() == len(expected)
        assert set(figure.records) == expected
    # the window's unit narrows the city's figure to the district
    assert set(indicator.compute(city, Window(YEAR.start, YEAR.end, unit=wujin)).records) == set(wujin_in)


def test_events_held_counts_held_events_in_the_window_for_each_administrator():
    r, _unit, city, district = _readers()
    wujin_held = h.event(region=r["320412"], visibility=SECRET, status="held", starts_at=_at(date(2025, 4, 2)))
    xinbei_held = h.event(region=r["320411"], visibility=SECRET, status="held", starts_at=_at(date(2025, 9, 9)))
    h.event(region=r["320412"], visibility=SECRET, status="planned", starts_at=_at(date(2025, 5, 5)))
    h.event(region=r["320412"], visibility=SECRET, status="held", starts_at=_at(date(2026, 1, 1)))
    indicator = plugins.indicator("events-held")

    city_figure = indicator.compute(city, YEAR)
    assert city_figure.value == city_figure.records.count() == 2
    assert set(city_figure.records) == {wujin_held, xinbei_held}
    district_figure = indicator.compute(district, YEAR)
    assert district_figure.value == district_figure.records.count() == 1
    assert list(district_figure.records) == [wujin_held]
