"""Innovation score pages: the score list of a run (ranks and percentiles within the city, a unit, a
park or an industry), one enterprise's breakdown with the records behind each point, the indicator
sets (weights per stage, provenance, new version, publish), 公示 with objections, the enterprise's
bank consent and the bank export.

Reads go through ``innovation.selectors`` (scope via ``core.selectors``); writes through
``innovation.services``, which check the actor."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duijie.core.http import safe_next, service_messages
from duijie.core.roles import GOVERNMENT_ROLES, Role
from duijie.innovation import selectors, services
from duijie.innovation.choices import Group, RunStatus, SetStatus, Stage
from duijie.innovation.models import BankConsent, IndicatorSet, Objection, ScoreRun
from duijie.innovation.scoring import GROUPS, STAGES
from duijie.orgs.models import Enterprise

READERS = (*GOVERNMENT_ROLES, Role.ENTERPRISE)


def _reader(request: HttpRequest) -> None:
    if getattr(request.user, "role", None) not in READERS:
        raise PermissionDenied


def _own_enterprise(user) -> Enterprise | None:
    if getattr(user, "role", None) != Role.ENTERPRISE or not user.organisation_id:
        return None
    return Enterprise.objects.filter(organisation_id=user.organisation_id).first()


def _date(request: HttpRequest, name: str) -> date | None:
    try:
        return date.fromisoformat(request.POST.get(name, ""))
    except ValueError:
        return None


def _city(user):
    org = getattr(user, "organisation", None)
    return org.region if org is not None and user.role == Role.CITY_ADMIN else None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The latest run the reader may see, its score list; the other runs; the indicator sets."""
    _reader(request)
    runs = list(selectors.visible_runs(request.user))
    sets = IndicatorSet.objects.select_related("region").order_by("code", "-number")
    city = _city(request.user)
    context = {"runs": runs, "sets": sets, "city": city, "enterprise": _own_enterprise(request.user),
               "year": timezone.localdate().year - 1}
    if context["enterprise"] is not None:
        context["consents"] = BankConsent.objects.filter(enterprise=context["enterprise"])
    if runs:  # the city's own run first (a city administrator also reads what its bureau filed elsewhere)
        own = [r for r in runs if services.manages_city(request.user, r.region)]
        context.update(_run_context(request, (own or runs)[0]))
    return render(request, "innovation/index.html", context)


def _run_context(request: HttpRequest, run: ScoreRun) -> dict:
    scores = list(selectors.visible_scores(request.user, run).select_related("enterprise").order_by("-total", "enterprise_id"))
    table = selectors.rank_table(run)
    by, key = request.GET.get("by", "city"), request.GET.get("key", "")
    if by not in selectors.GROUPINGS:
        by = "city"
    rows = []
    for s in scores:
        ranks = table[s.pk]
        if by == "city":
            r = ranks["city"]
        elif by == "unit":
            r = ranks["unit"].get(int(key)) if key.isdigit() else None
        elif by == "park":
            r = ranks["park"] if key.isdigit() and s.park_id_at_run == int(key) else None
        else:
            r = ranks["industry"] if key and s.industry_code == key else None
        if r is None and by != "city":
            continue
        rows.append({"score": s, "rank": r, "stage": Stage(s.stage).label})
    rows.sort(key=lambda x: (x["rank"].rank, x["score"].enterprise_id))
    manager = services.manages_city(request.user, run.region)
    consented = services.consenting([s.enterprise_id for s in scores]) if manager else set()
    return {"run": run, "rows": rows, "by": by, "key": key, "options": selectors.group_options(run, scores),
            "manager": manager, "consented": consented, "RS": RunStatus,
            "objections": Objection.objects.filter(run=run, enterprise__in=[s.enterprise_id for s in scores])
            .select_related("enterprise", "resolved_by") if request.user.is_government else [],
            "problems": services.verify(run) if run.status == RunStatus.PUBLISHED and manager else None}


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    run = get_object_or_404(ScoreRun.objects.select_related("indicator_set", "region"), pk=pk)
    if not (services.manages_city(request.user, run.region) or selectors.visible_scores(request.user, run).exists()):
        raise Http404
    return render(request, "innovation/run.html", _run_context(request, run))


@login_required
@require_POST
def run_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    run = get_object_or_404(ScoreRun, pk=pk)
    by = request.user
    if action not in ("compute", "publicise", "publish"):
        raise Http404
    with service_messages(request, _("Done.")):
        if action == "compute":
            services.run_compute(indicator_set=run.indicator_set, region=run.region, year=run.year, by=by)
        elif action == "publicise":
            services.run_publicise(run=run, start=_date(request, "publicity_start"), end=_date(request, "publicity_end"),
                                   by=by)
        else:
            services.run_publish(run=run, by=by)
    return redirect("innovation:run", pk=run.pk)


@login_required
@transaction.non_atomic_requests
def bank_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The xlsx for banks: consenting enterprises only (``?enterprise=<id>`` names some; any without
    consent refuses the export). Audited, refusals too."""
    run = get_object_or_404(ScoreRun.objects.select_related("indicator_set", "region"), pk=pk)
    wanted = request.GET.getlist("enterprise")
    try:
        ids = [int(x) for x in wanted] if wanted else None
    except ValueError:
        messages.error(request, _("Enterprise ids are whole numbers."))
        return redirect("innovation:run", pk=run.pk)
    with service_messages(request) as outcome:
        data, _chosen = services.bank_export(run=run, by=request.user, enterprise_ids=ids)
    if not outcome.ok:
        return redirect("innovation:run", pk=run.pk)
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="innovation-score-{run.region.code}-{run.year}.xlsx"'
    return response


@login_required
def score_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One enterprise's breakdown: every indicator's raw value, share, points and the records behind
    it, the set version used, and its ranks."""
    _reader(request)
    score = selectors.visible_scores(request.user).select_related("enterprise", "run__indicator_set", "run__region") \
        .filter(pk=pk).first()
    if score is None:
        raise Http404
    run = score.run
    ranks = selectors.rank_table(run)[score.pk]
    names = selectors.names(score)
    rows = selectors.breakdown_rows(score)
    groups = []
    for g in GROUPS:
        items = [r for r in rows if r["group"] == g]
        if items:
            groups.append({"label": Group(g).label, "code": g, "items": items,
                           "points": sum((Decimal(r["points"]) for r in items), Decimal("0")),
                           "total": run.indicator_set.group_totals[score.stage][g]})
    own = _own_enterprise(request.user)
    is_own = own is not None and own.pk == score.enterprise_id
    return render(request, "innovation/score.html", {
        "score": score, "run": run, "groups": groups, "ranks": ranks, "names": names,
        "unit_ranks": [(names["units"].get(u, u), r) for u, r in ranks["unit"].items()],
        "stage": Stage(score.stage).label, "can_object": is_own and run.status == RunStatus.PUBLICITY,
        "objections": Objection.objects.filter(run=run, enterprise=score.enterprise),
        "consent": BankConsent.objects.filter(enterprise=score.enterprise, withdrawn_at__isnull=True).first(),
        "is_own": is_own})


@login_required
@require_POST
def score_object(request: HttpRequest, pk: int) -> HttpResponse:
    score = selectors.visible_scores(request.user).filter(pk=pk).select_related("enterprise").first()
    if score is None:
        raise Http404
    with service_messages(request, _("Your objection is filed; the office will answer it.")):
        services.objection_file(score=score, reason=request.POST.get("reason", ""),
                                indicator_code=request.POST.get("indicator_code", ""), by=request.user)
    return redirect("innovation:score", pk=score.pk)


@login_required
@require_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(Objection.objects.select_related("enterprise", "run"), pk=pk)
    with service_messages(request, _("Done.")):
        services.objection_resolve(objection=objection, upheld=request.POST.get("decision") == "upheld",
                                   resolution=request.POST.get("resolution", ""), by=request.user)
    return redirect("innovation:run", pk=objection.run_id)


@login_required
@require_POST
def consent(request: HttpRequest) -> HttpResponse:
    """The enterprise gives or withdraws its consent that its score go to banks."""
    enterprise = _own_enterprise(request.user)
    if enterprise is None:
        raise PermissionDenied
    with service_messages(request, _("Done.")):
        if request.POST.get("action") == "withdraw":
            c = get_object_or_404(BankConsent, pk=request.POST.get("consent") or 0, enterprise=enterprise)
            services.consent_withdraw(consent=c, by=request.user)
        else:
            services.consent_give(enterprise=enterprise, purpose=request.POST.get("purpose", ""), by=request.user)
    return redirect(safe_next(request, "innovation:index"))  # never to another host


@login_required
def set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _reader(request)
    s = get_object_or_404(IndicatorSet.objects.select_related("region", "derived_from"), pk=pk)
    indicators = list(s.indicators.order_by("position"))
    groups = [{"label": Group(g).label, "code": g, "items": [i for i in indicators if i.group == g],
               "totals": [s.group_totals.get(st, {}).get(g) for st in STAGES]} for g in GROUPS]
    manager = services.manages_city(request.user, s.region) if s.region_id else request.user.role == Role.CITY_ADMIN
    return render(request, "innovation/set.html", {
        "set": s, "groups": groups, "stages": [Stage(st).label for st in STAGES], "manager": manager,
        "runs": s.runs.select_related("region"), "year": timezone.localdate().year - 1,
        "city": _city(request.user), "SS": SetStatus})


@login_required
@require_POST
def set_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    s = get_object_or_404(IndicatorSet, pk=pk)
    if action not in ("copy", "publish", "run"):
        raise Http404
    run = None
    with service_messages(request, _("Done.")):
        if action == "copy":
            s = services.indicator_set_copy(source=s, by=request.user)
        elif action == "publish":
            services.indicator_set_publish(indicator_set=s, by=request.user)
        else:
            try:
                year = int(request.POST.get("year", ""))
            except ValueError:
                raise ValidationError({"year": _("Give the year as four digits, e.g. 2025.")}) from None
            run = services.run_compute(indicator_set=s, region=_city(request.user), year=year, by=request.user)
    if run is not None:
        return redirect("innovation:run", pk=run.pk)
    return redirect("innovation:set", pk=s.pk)


def _weights_form(s: IndicatorSet, data=None) -> tuple[dict, dict, dict]:
    """(group totals, weights, field errors) read from POST ``data`` (or the set as stored)."""
    totals, weights, errors = {}, {}, {}
    for st in STAGES:
        totals[st] = {}
        for g in GROUPS:
            name = f"total-{g}-{st}"
            raw = data.get(name, "") if data is not None else s.group_totals.get(st, {}).get(g, "")
            totals[st][g] = raw
    for ind in s.indicators.order_by("position"):
        weights[ind.code] = {}
        for st in STAGES:
            name = f"w-{ind.code}-{st}"
            weights[ind.code][st] = data.get(name, "") if data is not None else ind.weights.get(st, "")
    if data is not None:
        for bucket, prefix in ((totals, "total"), (weights, "w")):
            for outer, inner in bucket.items():
                for k, raw in inner.items():
                    try:
                        Decimal(str(raw).strip())
                    except InvalidOperation:
                        field = f"{prefix}-{k}-{outer}" if prefix == "total" else f"w-{outer}-{k}"
                        errors.setdefault(field, []).append(_("“%(v)s” is not a number.") % {"v": raw})
    return totals, weights, errors


@login_required
def set_weights(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a draft set's group totals and weights, all at once; refused with field errors and
    nothing written when a group's weights do not add up, or a weight is negative."""
    s = get_object_or_404(IndicatorSet, pk=pk)
    if not services.manages_city(request.user, s.region):
        raise PermissionDenied
    if s.status != SetStatus.DRAFT:
        messages.error(request, _("A published indicator set cannot be changed; create a new version."))
        return redirect("innovation:set", pk=s.pk)
    errors: dict = {}
    if request.method == "POST":
        totals, weights, errors = _weights_form(s, request.POST)
        if not errors:
            try:
                services.indicator_set_update_weights(indicator_set=s, group_totals=totals, weights=weights,
                                                      by=request.user)
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                messages.success(request, _("Weights saved."))
                return redirect("innovation:set", pk=s.pk)
    else:
        totals, weights, _e = _weights_form(s)
    indicators = list(s.indicators.order_by("position"))
    rows = [{"ind": i, "cells": [(f"w-{i.code}-{st}", weights[i.code][st], errors.get(f"w-{i.code}-{st}"))
                                 for st in STAGES]} for i in indicators]
    total_rows = [{"group": Group(g).label, "cells": [(f"total-{g}-{st}", totals[st][g], errors.get(f"total-{g}-{st}"))
                                                      for st in STAGES]} for g in GROUPS]
    return render(request, "innovation/weights.html", {
        "set": s, "rows": rows, "total_rows": total_rows, "stages": [Stage(st).label for st in STAGES],
        "errors": errors}, status=400 if errors else 200)
