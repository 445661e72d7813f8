"""Supervision pages: a programme's rounds (督查/考核), a round's report (ranking, lagging indicators,
comments, submissions, issue/reopen, downloads) and its files. Government roles only; a unit
administrator reads the issued report's rows of its own units and files their submissions."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duijie.core import scope, selectors
from duijie.core.audit import audit
from duijie.core.choices import AuditAction
from duijie.programmes import progress, report_files, supervision
from duijie.programmes.choices import RoundKind
from duijie.programmes.models import SupervisionRound
from duijie.programmes.views import _government, _programme

MAX_ATTACHMENT = 10 * 1024 * 1024


def _round(request: HttpRequest, pk: int) -> SupervisionRound:
    _government(request)
    rnd = selectors.visible_queryset(SupervisionRound, request.user).select_related("programme").filter(pk=pk).first()
    if rnd is None:
        raise Http404
    return rnd


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def rounds(request: HttpRequest, code: str) -> HttpResponse:
    _government(request)
    programme = _programme(request, code)
    manage = supervision.may_manage(request.user, programme)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        try:
            period = request.POST.get("period", "")
            start, end = (date.fromisoformat(p) for p in period.split("_")) if "_" in period else (None, None)
            as_of = date.fromisoformat(request.POST.get("as_of", ""))
        except ValueError:
            messages.error(request, _("Choose the targets' period and give the as-of date as YYYY-MM-DD."))
            return redirect("programmes:rounds", code=code)
        kind = request.POST.get("kind", "")
        name = request.POST.get("name", "").strip()
        if kind not in RoundKind.values or not name or start is None:
            messages.error(request, _("Give the round a kind, a name and the targets' period."))
            return redirect("programmes:rounds", code=code)
        try:
            rnd = supervision.create_round(programme=programme, by=request.user, kind=kind, name=name,
                                           period_start=start, period_end=end, as_of=as_of)
        except ValidationError as e:
            _errors(request, e)
            return redirect("programmes:rounds", code=code)
        return redirect("programmes:round", pk=rnd.pk)
    items = supervision.rounds(request.user, programme).prefetch_related("issues")
    return render(request, "programmes/rounds.html", {
        "programme": programme, "rounds": items, "manage": manage, "kinds": RoundKind.choices,
        "periods": progress.periods(request.user, programme)})


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    report = supervision.report(request.user, rnd)
    manage = supervision.may_manage(request.user, rnd.programme)
    mine = set(scope.units_in_scope(request.user).values_list("pk", flat=True))
    own_units = [ru for ru in supervision.units_for(request.user, rnd) if manage or ru.unit_id in mine]
    issues = list(rnd.issues.order_by("-number").select_related("issued_by", "reopened_by"))
    return render(request, "programmes/round.html", {
        "rnd": rnd, "programme": rnd.programme, "report": report, "manage": manage, "own_units": own_units,
        "issues": issues, "rules": report_files.rule_rows(report) if report else [],
        "verified": supervision.verify(issues[0]) if manage and issues and rnd.is_issued else None})


@login_required
@require_POST
def round_issue(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    try:
        iss = supervision.issue(rnd=rnd, by=request.user)
    except ValidationError as e:
        _errors(request, e)
    else:
        messages.success(request, _("Issued (issue %(n)s); its figures are frozen.") % {"n": iss.number})
    return redirect("programmes:round", pk=rnd.pk)


@login_required
@require_POST
def round_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    try:
        supervision.reopen(rnd=rnd, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as e:
        _errors(request, e)
    else:
        messages.success(request, _("Reopened; the issued report stays as it was, with your reason."))
    return redirect("programmes:round", pk=rnd.pk)


@login_required
@require_POST
def round_comment(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = _round(request, pk)
    unit = None
    if request.POST.get("unit"):
        ru = rnd.round_units.filter(unit_id=request.POST["unit"]).first() if request.POST["unit"].isdigit() else None
        if ru is None:
            raise Http404
        unit = ru.unit
    try:
        supervision.comment(rnd=rnd, by=request.user, text=request.POST.get("text", ""), unit=unit)
    except ValidationError as e:
        _errors(request, e)
    else:
        messages.success(request, _("Comment saved."))
    return redirect("programmes:round", pk=rnd.pk)


@login_required
@require_POST
def round_submit(request: HttpRequest, pk: int, unit: int) -> HttpResponse:
    rnd = _round(request, pk)
    ru = rnd.round_units.select_related("unit").filter(unit_id=unit).first()
    if ru is None:
        raise Http404
    upload = request.FILES.get("attachment")
    if upload is not None and upload.size > MAX_ATTACHMENT:
        messages.error(request, _("The attachment is %(size).1f MB; the largest accepted is %(limit).1f MB.")
                       % {"size": upload.size / 1048576, "limit": MAX_ATTACHMENT / 1048576})
        return redirect("programmes:round", pk=rnd.pk)
    try:
        supervision.submit(rnd=rnd, by=request.user, unit=ru.unit, text=request.POST.get("text", ""),
                           attachment=upload)
    except ValidationError as e:
        _errors(request, e)
    else:
        messages.success(request, _("Submission saved."))
    return redirect("programmes:round", pk=rnd.pk)


@login_required
def round_attachment(request: HttpRequest, pk: int, unit: int) -> HttpResponse:
    rnd = _round(request, pk)
    ru = next((r for r in supervision.units_for(request.user, rnd) if r.unit_id == unit), None)
    if ru is None or not ru.attachment:
        raise Http404
    response = HttpResponse(ru.attachment.open("rb").read(), content_type="application/octet-stream")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{ru.attachment.name.rsplit('/', 1)[-1]}"
    return response


def _report_or_404(request, pk):
    rnd = _round(request, pk)
    report = supervision.report(request.user, rnd)
    if report is None:
        raise Http404
    return rnd, report


@login_required
def round_print(request: HttpRequest, pk: int) -> HttpResponse:
    _rnd, report = _report_or_404(request, pk)
    return HttpResponse(report_files.html(report, request=request))


FILES = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", report_files.xlsx),
    "pdf": ("application/pdf", report_files.pdf),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", report_files.docx),
}


@login_required
def round_file(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    rnd, report = _report_or_404(request, pk)
    if fmt not in FILES:
        raise Http404
    content_type, make = FILES[fmt]
    response = HttpResponse(make(report), content_type=content_type)
    name = f"{rnd.programme.code}-{rnd.pk}-{'issue' + str(report.issue.number) if report.issue else 'draft'}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    audit(user=request.user, action=AuditAction.EXPORT, obj=rnd, request=request,
          detail={"format": fmt, "issue": report.issue.number if report.issue else None})
    return response
