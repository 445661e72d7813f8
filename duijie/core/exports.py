"""Approved exports of full personal data (等保: exports are masked unless approved).

Request (from a list page, with its filters and a reason) → a government user whose scope covers the
requester, other than the requester, approves or rejects → the requester downloads the xlsx once, with
full values only in the rows whose personal data the requester may reveal one by one
(``selectors.personal_access``); every other row stays masked. Audited throughout."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duijie.core import scope, selectors
from duijie.core.audit import audit, audit_failure
from duijie.core.choices import AuditAction
from duijie.core.export import export_queryset, export_xlsx
from duijie.core.models import ExportRequest, ExportRequestStatus, Organisation
from duijie.core.registry import REGISTRY
from duijie.core.roles import GOVERNMENT_ROLES, PLATFORM_ADMIN_ROLES, Role

QUEUE_SIZE = 200


def _anchor_records(requester) -> list:
    """The registry records that stand for the requester: their enterprise's or institution's record
    (one-to-one with their organisation), or, for experts and brokers, who act for themselves, the
    record tied to their account (an expert's profile)."""
    by_user = requester.role in (Role.EXPERT, Role.BROKER)
    found = []
    for rt in REGISTRY.values():
        for field in rt.model._meta.concrete_fields:
            if not field.one_to_one:
                continue
            target = field.related_model
            if by_user and target._meta.label == requester._meta.label:
                found += list(rt.model._default_manager.filter(**{field.name: requester.pk}))
            elif not by_user and target is Organisation and requester.organisation_id:
                found += list(rt.model._default_manager.filter(**{field.name: requester.organisation_id}))
    return found


def covers(approver, requester) -> bool:
    """Whether the approver's scope covers the requester: a government role that may edit the record
    standing for the requester (core/scope.py decides, as everywhere); for requesters without one
    (government staff, accounts without organisation), only a city administrator of the city their
    organisation is in."""
    if getattr(approver, "role", None) not in GOVERNMENT_ROLES or not approver.is_active:
        return False
    anchors = _anchor_records(requester)
    if anchors:
        return any(selectors.can_edit(approver, record) for record in anchors)
    if approver.role != Role.CITY_ADMIN:
        return False
    prefix = scope.city_prefix(approver)
    org = requester.organisation
    if prefix is None:
        return True  # a platform-wide city administrator (scope.py: the whole platform)
    return bool(org is not None and org.region_id and org.region.code.startswith(prefix))


def can_approve(user, req: ExportRequest) -> bool:
    """Never the requester; only a government role whose scope covers the requester."""
    return bool(user.is_authenticated and req.user_id != user.pk and covers(user, req.user))


def request_queue(user) -> list[tuple[ExportRequest, bool]]:
    """The user's own requests, those they reviewed, and the pending requests they may approve —
    nothing else (a request out of their scope is not even listed)."""
    qs = (ExportRequest.objects.select_related("user__organisation__region", "reviewed_by")
          .filter(Q(user=user.pk) | Q(reviewed_by=user.pk) | Q(status=ExportRequestStatus.PENDING)))
    items = []
    for req in qs[:QUEUE_SIZE * 5]:
        approvable = req.status == ExportRequestStatus.PENDING and can_approve(user, req)
        if req.user_id == user.pk or req.reviewed_by_id == user.pk or approvable:
            items.append((req, approvable))
        if len(items) >= QUEUE_SIZE:
            break
    return items


def export_request_create(*, user, slug: str, query: str, reason: str) -> ExportRequest:
    if slug not in REGISTRY or not user.is_authenticated or getattr(user, "role", "") in PLATFORM_ADMIN_ROLES:
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Please give a reason."))
    with transaction.atomic():
        req = ExportRequest.objects.create(user=user, record_type=slug, query=query, reason=reason.strip())
        audit(user=user, action=AuditAction.CREATE, obj=req, detail={"record_type": slug})
    return req


def export_request_review(*, req: ExportRequest, by, approve: bool) -> ExportRequest:
    if not can_approve(by, req):
        raise PermissionDenied(_("Export requests are approved by a government administrator whose scope covers "
                                 "the requester, never by the requester."))
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
    return render(request, "core/export_requests.html", {"items": request_queue(request.user)})


@require_POST
def request_review(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    req = ExportRequest.objects.select_related("user__organisation__region").filter(pk=pk).first()
    if req is None or (req.user_id != request.user.pk and not can_approve(request.user, req)):
        audit_failure(user=request.user, action=AuditAction.DENIED, request=request, object_type="core.exportrequest",
                      object_id=pk, detail={"method": request.method, "path": request.path, "reason": "not_found"})
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
        # Full values only where the requester may reveal them one by one; the others stay masked.
        revealable = selectors.revealable_ids(request.user, qs)
        data = export_xlsx(rt, export_queryset(rt, qs).iterator(chunk_size=2000), filters.getlist("columns"),
                           unmask=lambda obj: obj.pk in revealable)
        req.status, req.used_at = ExportRequestStatus.USED, timezone.now()
        req.save()
        audit(user=request.user, action=AuditAction.EXPORT, object_type=rt.model._meta.label_lower,
              object_repr=str(rt.verbose_name_plural), detail={"unmasked": True, "request": req.pk, "rows": qs.count(),
                      "unmasked_rows": len(revealable)})
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{rt.slug}-full-{req.pk}.xlsx"'
    return response
