"""Programme pages: the list, a programme's progress grid (owners × indicators, optionally for one
unit) and one target's drill-down to the records its actual counted. Reads go through core.selectors
and progress.py; government roles only."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from duijie.core import plugins, scope, selectors
from duijie.core.registry import REGISTRY, record_url
from duijie.programmes import figures, progress
from duijie.programmes.choices import Status
from duijie.programmes.models import Programme, Target


def _government(request: HttpRequest) -> None:
    if not getattr(request.user, "is_government", False):
        raise PermissionDenied


def _on(request: HttpRequest) -> date:
    """The date pace is measured at: ?on=YYYY-MM-DD, else today."""
    try:
        return date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return timezone.localdate()


def _programme(request: HttpRequest, code: str) -> Programme:
    programme = selectors.record_list(record_type=REGISTRY["programmes"], user=request.user).filter(code=code).first()
    if programme is None:
        raise Http404
    return programme


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _government(request)
    programmes = selectors.record_list(record_type=REGISTRY["programmes"], user=request.user)
    return render(request, "programmes/index.html", {"programmes": programmes})


@login_required
def programme_progress(request: HttpRequest, code: str) -> HttpResponse:
    _government(request)
    programme = _programme(request, code)
    periods = progress.periods(request.user, programme)
    chosen = request.GET.get("period", "")
    period = next((p for p in periods if f"{p[0]:%Y-%m-%d}_{p[1]:%Y-%m-%d}" == chosen), periods[0] if periods else None)
    unit = None
    if request.GET.get("unit"):
        unit = scope.units_in_scope(request.user).filter(pk=request.GET["unit"]).first() \
            if request.GET["unit"].isdigit() else None
        if unit is None:
            raise Http404
    on = _on(request)
    figures.note_reader(request.user)  # the warm-up after a write computes this reader's figures
    rows = progress.progress(request.user, programme, ids=False, start=period[0] if period else None,
                             end=period[1] if period else None, unit=unit, today=on) if period else []
    indicators = list(dict.fromkeys((r.indicator_slug, r.target.programme_indicator.pk, str(r.indicator_label))
                                    for r in rows))
    grid: dict[str, dict] = {}
    for r in rows:
        cells = grid.setdefault(str(r.owner), {"owner": r.owner, "cells": {}})["cells"]
        cells[r.target.programme_indicator.pk] = r
    table = [(g["owner"], [g["cells"].get(pk) for _, pk, _l in indicators]) for g in grid.values()]
    counts = {s: sum(1 for r in rows if r.status == s) for s in Status.values}
    computed_at = min((r.computed_at for r in rows if r.computed_at is not None), default=None)
    return render(request, "programmes/progress.html", {
        "programme": programme, "periods": periods, "period": period, "unit": unit, "on": on,
        "indicators": indicators, "table": table, "rows": rows, "computed_at": computed_at,
        "exports": plugins.detail_links("programmes", request, programme),
        "status_counts": [(Status(s).label, s, n) for s, n in counts.items() if n]})


@login_required
def target_records(request: HttpRequest, pk: int) -> HttpResponse:
    """One target (an indicator for one owner): its figure and the exact records it counted, each a
    link to its detail page; 404 when the target is outside the reader's scope."""
    _government(request)
    try:
        target = selectors.record_get(record_type=REGISTRY["targets"], user=request.user, pk=pk)
    except Target.DoesNotExist:
        raise Http404 from None
    on = _on(request)
    row = progress.row_for(request.user, target, on)
    records = progress.figure_records(request.user, target)
    items = [(str(obj), record_url(obj)) for obj in records] if records is not None else []
    return render(request, "programmes/target.html", {
        "programme": target.programme_indicator.programme, "target": target, "row": row, "items": items,
        "on": on})
