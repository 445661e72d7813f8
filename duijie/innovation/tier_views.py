"""The enterprise tiers page (梯度培育) of a unit or park: the tier distribution today, the moves by year
(小升高 …) with a small chart, the cultivation lists and the certificates expiring soon; every figure
drills through to the enterprises behind it (``?show=…``), and each list downloads as xlsx or CSV.

Reads go through ``orgs.tiers``, which refuses non-government roles and keeps to the user's
scope; bad input (a year out of range, a unit outside the scope, an unknown list) is answered with the
field and why, status 400."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from duijie.core import scope
from duijie.orgs import tiers
from duijie.orgs.models import Enterprise, EnterpriseQualification

TREND_YEARS = 5
FORMATS = ("xlsx", "csv")


@dataclass
class Listing:
    """A drill-through: the title, the column headers and one row per record (cells, the enterprise link)."""

    key: str
    title: str
    headers: list[str]
    rows: list[tuple[list, str]] = field(default_factory=list)


def _url(e_pk: int) -> str:
    return reverse("registry:detail", args=["enterprises", e_pk])


def _tier_cells(t: tiers.Tier | None, labels: dict[int, str]) -> list:
    if t is None:
        return [_("No tier"), ""]
    return [t.rung.name, f"{labels.get(t.qualification_id, '')}"]


def _qualification_labels(ids: list[int]) -> dict[int, str]:
    out = {}
    for q in EnterpriseQualification.objects.filter(pk__in=ids):
        to = q.valid_to.isoformat() if q.valid_to else _("open")
        out[q.pk] = f"{q.get_kind_display()} {q.certificate_no} ({q.valid_from.isoformat()} – {to})".strip()
    return out


def _names(ids: list[int]) -> dict[int, Enterprise]:
    return {e.pk: e for e in Enterprise.objects.filter(pk__in=ids).only("pk", "name", "uscc")}


def listing(user, owner: tiers.Owner, show: str, year: int, today: date) -> Listing:
    """The records behind one figure of the page: ``rung:<rank>`` (0: on no rung), ``move:<from>-<to>``
    in ``year``, ``cultivation:<rule code>``, ``expiring``."""
    kind, _sep, arg = show.partition(":")
    if kind == "rung" and arg.isdigit():
        ladder = tiers.ladder_on(today)
        rank = int(arg)
        counts = {(c.rung.rank if c.rung else 0): c for c in tiers.distribution(user, owner, today)}
        if rank not in counts:
            raise ValidationError({"show": _("The ladder has no rung %(r)s.") % {"r": rank}})
        ids = counts[rank].ids
        found = tiers.tiers_on(ids, today, ladder)
        labels = _qualification_labels([t.qualification_id for t in found.values()])
        rung = counts[rank].rung
        out = Listing(show, _("On %(day)s: %(rung)s") % {"day": today.isoformat(), "rung": rung.name if rung else _("No tier")},
                      [_("Enterprise"), _("Unified social credit code"), _("Tier"), _("Qualification that places it")])
        names = _names(ids)
        for eid in sorted(ids, key=lambda i: names[i].name):
            out.rows.append(([names[eid].name, names[eid].uscc or "", *_tier_cells(found.get(eid), labels)], _url(eid)))
        return out
    if kind == "move":
        a, _dash, b = arg.partition("-")
        if not (a.isdigit() and b.isdigit()):
            raise ValidationError({"show": _("A move is written move:<from rank>-<to rank>.")})
        m = tiers.moves(user, owner, year, today)
        ids = m.ids(int(a), int(b))
        before, after = tiers.tiers_on(ids, m.start, m.ladder), tiers.tiers_on(ids, m.end, m.ladder)
        labels = _qualification_labels([t.qualification_id for t in (*before.values(), *after.values())])
        frm, to = m.rung(int(a)), m.rung(int(b))
        out = Listing(show, _("%(year)s: %(a)s → %(b)s") % {"year": m.year, "a": frm.name if frm else _("No tier"),
                                                           "b": to.name if to else _("No tier")},
                      [_("Enterprise"), _("Unified social credit code"),
                       _("Tier on %(day)s") % {"day": m.start.isoformat()}, _("Qualification"),
                       _("Tier on %(day)s") % {"day": m.end.isoformat()}, _("Qualification")])
        names = _names(ids)
        for eid in sorted(ids, key=lambda i: names[i].name):
            out.rows.append(([names[eid].name, names[eid].uscc or "", *_tier_cells(before.get(eid), labels),
                              *_tier_cells(after.get(eid), labels)], _url(eid)))
        return out
    if kind == "cultivation":
        for c in tiers.cultivation(user, owner, today):
            if c.rule.code != arg:
                continue
            checks = c.candidates[0].checks if c.candidates else []
            out = Listing(show, c.rule.name, [_("Enterprise"), _("Unified social credit code"), _("Figures of year"),
                                              *[ch.label for ch in checks]])
            names = _names([x.enterprise_id for x in c.candidates])
            for x in sorted(c.candidates, key=lambda x: names[x.enterprise_id].name):
                e = names[x.enterprise_id]
                cells = [_check_cell(ch) for ch in x.checks]
                out.rows.append(([e.name, e.uscc or "", x.figures.year or "", *cells], _url(e.pk)))
            return out
        raise ValidationError({"show": _("No cultivation rule %(c)r on the ladder in force.") % {"c": arg}})
    if kind == "expiring":
        out = Listing(show, _("Certificates expiring within %(n)s days") % {"n": settings.DUIJIE_QUALIFICATION_EXPIRING_DAYS},
                      [_("Enterprise"), _("Unified social credit code"), _("Qualification"), _("Certificate number"),
                       _("Valid to"), _("Days left")])
        for q in tiers.expiring(user, owner, today):
            out.rows.append(([q.enterprise.name, q.enterprise.uscc or "", q.get_kind_display(), q.certificate_no,
                              q.valid_to.isoformat(), (q.valid_to - today).days], _url(q.enterprise_id)))
        return out
    raise ValidationError({"show": _("Unknown list %(s)r.") % {"s": show}})


def _check_cell(ch) -> str:
    if ch.need is None and ch.value is None and ch.passed is None:
        return _("to check on the application")
    value = "—" if ch.value is None else f"{ch.value.quantize(Decimal('0.01')).normalize():f}"
    need = "" if ch.need is None else f" ≥ {ch.need.normalize():f}"
    return f"{value}{need}"


def _export(out: Listing, fmt: str, owner: tiers.Owner) -> HttpResponse:
    name = f"tiers-{out.key.replace(':', '-')}"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow([f"{owner.label} · {out.title}"])
        w.writerow(out.headers)
        for cells, _link in out.rows:
            w.writerow([_safe(c) for c in cells])
        response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    from openpyxl import Workbook  # deferred: loaded only when an export is made

    wb = Workbook()
    ws = wb.active
    ws.title = "梯度培育"
    ws.append([f"{owner.label} · {out.title}"])
    ws.append(out.headers)
    for cells, _link in out.rows:
        ws.append([_safe(c) for c in cells])
    data = io.BytesIO()
    wb.save(data)
    response = HttpResponse(data.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _safe(value):
    """A cell never starts a formula (CSV/xlsx injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


@login_required
def tiers_page(request: HttpRequest) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    tiers.require_government(user)
    context: dict = {"units": scope.units_in_scope(user).order_by("name"), "parks": scope.parks_in_scope(user).order_by("name"),
                     "today": today, "expiring_days": settings.DUIJIE_QUALIFICATION_EXPIRING_DAYS}
    try:
        owner = tiers.owner_for(user, unit=request.GET.get("unit") or None, park=request.GET.get("park") or None)
        year = tiers.check_year(request.GET.get("year") or today.year - 1, today)  # the last whole year
        show, fmt = request.GET.get("show", ""), request.GET.get("format", "")
        if fmt and fmt not in FORMATS:
            raise ValidationError({"format": _("Unknown format %(f)r (xlsx or csv).") % {"f": fmt}})
        if show:
            out = listing(user, owner, show, year, today)
            if fmt:
                return _export(out, fmt, owner)
            context["listing"] = out
        context.update(_overview(user, owner, year, today))
    except ValidationError as exc:
        context["errors"] = [f"{k}: {m}" for k, msgs in exc.message_dict.items() for m in msgs]
        return render(request, "innovation/tiers.html", context, status=400)
    context.update(owner=owner, year=year, show=show, base=owner.query())
    return render(request, "innovation/tiers.html", context)


def _overview(user, owner: tiers.Owner, year: int, today: date) -> dict:
    dist = tiers.distribution(user, owner, today)
    m = tiers.moves(user, owner, year, today)
    rungs = sorted(m.ladder.rungs.all(), key=lambda r: r.rank)
    ranks = [0, *[r.rank for r in rungs]]
    matrix = [{"rung": m.rung(a), "rank": a,
               "cells": [{"rank": b, "n": len(m.ids(a, b)), "up": b > a, "down": b < a} for b in ranks]}
              for a in ranks]
    years = [y for y in range(year - TREND_YEARS + 1, year + 1) if y > tiers.FIRST_YEAR]
    trend = tiers.move_trend(user, owner, years, today)
    sme, ht = (next((r.rank for r in rungs if k in r.kinds), None) for k in ("tech_sme", "high_tech"))
    chart = {"years": [str(t.year) for t in trend], "up": [t.up() for t in trend], "down": [t.down() for t in trend],
             "sme_to_ht": [len(t.ids(sme, ht)) if sme and ht else 0 for t in trend],
             "labels": {"up": _("Moved up"), "down": _("Moved down or left"), "sme_to_ht": _("小升高")}}
    return {"distribution": dist, "total": sum(len(c.ids) for c in dist), "moves": m, "matrix": matrix,
            "ranks": ranks, "rungs": rungs, "chart": chart, "sme_to_ht": len(m.ids(sme, ht)) if sme and ht else 0,
            "sme_rank": sme, "ht_rank": ht, "cultivation": tiers.cultivation(user, owner, today),
            "expiring": list(tiers.expiring(user, owner, today)[:20]),
            "expiring_count": tiers.expiring(user, owner, today).count(), "ladder": m.ladder,
            "by_unit": [] if owner.unit or owner.park else [
                {"unit": u, "sme_to_ht": len(um.ids(sme, ht)) if sme and ht else 0, "up": um.up(), "down": um.down()}
                for u, um in tiers.moves_by_unit(user, year, today)]}
