"""Approved exports of full personal data (等保: exports are masked unless approved).

Request (from a list page, with its filters and a reason) → a city administrator other than the
requester approves or rejects → the requester downloads the unmasked xlsx once. Audited throughout."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duijie.core import selectors
from duijie.core.audit import audit
from duijie.core.choices import AuditAction
from duijie.core.export import export_queryset, export_xlsx
from duijie.core.models import ExportRequest, ExportRequestStatus
from duijie.core.registry import REGISTRY


def can_approve(user, req: ExportRequest) -> bool:
    return getattr(user, "role", None) == "city_admin" and req.user_id != user.pk


def export_request_create(*, user, slug: str, query: str, reason: str) -> ExportRequest:
    if slug not in REGISTRY or not user.is_authenticated or getattr(user, "role", "") in {
            "system_admin", "security_admin", "audit_admin"}:
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Please give a reason."))
    with transaction.atomic():
        req = ExportRequest.objects.create(user=user, record_type=slug, query=query, reason=reason.strip())
        audit(user=user, action=AuditAction.CREATE, obj=req, detail={"record_type": slug})
    return req


def export_request_review(*, req: ExportRequest, by, approve: bool) -> ExportRequest:
    if not can_approve(by, req):
        raise PermissionDenied(_("Export requests are approved by a city administrator other than the requester."))
    with transaction.atomic():
        req = ExportRequest.objects.select_for_update().get(pk=req.pk)
        if req.status != ExportRequestStatus.PENDING:
            raise ValidationError(_("This request was already reviewed."))
        req.status = ExportRequestStatus.APPROVED if approve else ExportRequestStatus.REJECTED
        req.reviewed_by, req.reviewed_at = by, timezone.now()
        req.save()
        audit(user=by, action=AuditAction.TRANSITION, obj=req, detail={"to": req.status})
    return req


@require_POST
def request_export(request: HttpRequest, slug: str) -> HttpResponse:
    query = request.POST.get("query", "")
    try:
        export_request_create(user=request.user, slug=slug, query=query, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{REGISTRY[slug].url()}?{query}")
    messages.success(request, _("Your export request was sent for approval."))
    return redirect("export_requests")


def request_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    qs = ExportRequest.objects.select_related("user", "reviewed_by")
    qs = qs if getattr(user, "role", None) == "city_admin" else qs.filter(user=user)
    items = [(r, can_approve(user, r)) for r in qs[:200]]
    return render(request, "core/export_requests.html", {"items": items})


@require_POST
def request_review(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    req = ExportRequest.objects.filter(pk=pk).first()
    if req is None:
        raise Http404
    try:
        export_request_review(req=req, by=request.user, approve=decision == "approve")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("export_requests")


def request_download(request: HttpRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        req = ExportRequest.objects.select_for_update().filter(pk=pk, user=request.user).first()
        if req is None:
            raise Http404
        if req.status != ExportRequestStatus.APPROVED:
            raise PermissionDenied(_("This export is not approved, or was already downloaded."))
        rt = REGISTRY[req.record_type]
        filters = QueryDict(req.query)
        base = selectors.record_list(record_type=rt, user=request.user)
        fs = rt.filterset(filters or None, queryset=base, request=request)
        qs = (fs.qs if fs.is_valid() else base.none()) if fs.is_bound else base
        data = export_xlsx(rt, export_queryset(rt, qs).iterator(chunk_size=2000), filters.getlist("columns"),
                           unmask=True)
        req.status, req.used_at = ExportRequestStatus.USED, timezone.now()
        req.save()
        audit(user=request.user, action=AuditAction.EXPORT, object_type=rt.model._meta.label_lower,
              object_repr=str(rt.verbose_name_plural), detail={"unmasked": True, "request": req.pk, "rows": qs.count()})
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{rt.slug}-full-{req.pk}.xlsx"'
    return response
