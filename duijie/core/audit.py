"""The audit helper: one entry per action, never holding personal values.

Every entry carries the time (timezone-aware), the user, the client IP, the action, the object and
the result (success or failure), as 等保 level 3 asks of a security audit record. Failures (a
refused login, a denied action) go through :func:`audit_failure`, which writes in its own
transaction so that rolling back the surrounding work cannot erase the record of the attempt.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model

from duijie.core import selectors
from duijie.core.choices import AuditAction, AuditResult
from duijie.core.models import AuditLog

# The client IP of the request being handled (set by core.middleware.AuditContextMiddleware), so that
# entries written by services — which never see the request — still carry it.
current_ip: ContextVar[str | None] = ContextVar("duijie_audit_ip", default=None)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or, behind DUIJIE_TRUSTED_PROXY_COUNT reverse proxies,
    the address those proxies appended to X-Forwarded-For (never a value the client chose)."""
    if request is None:
        return None

    request = getattr(request, "_request", request)  # a DRF Request wraps the HttpRequest
    proxies = getattr(settings, "DUIJIE_TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def audit(*, user, action: str, obj: Model | None = None, object_type: str = "", detail: dict | None = None,
          object_id: Any = "", object_repr: str = "", request=None, ip: str | None = None,
          result: str = AuditResult.SUCCESS) -> AuditLog:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    if ip is None and request is not None:
        ip = client_ip(request)
    if ip is None:
        ip = current_ip.get()
    return AuditLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        object_repr=object_repr[:300],
        detail=detail or {},
        ip=ip,
        result=result,
    )


def audit_failure(**kwargs) -> AuditLog:
    """Record a failed or denied attempt in its own (durable) transaction: it is committed at once
    and cannot be rolled back with the caller's work. Call it outside any atomic block (views that
    record failures are marked ``non_atomic_requests``)."""
    kwargs.setdefault("result", AuditResult.FAILURE)
    with transaction.atomic(durable=True):
        return audit(**kwargs)


def audit_hidden_probe(request, record_type, pk) -> None:
    """A request for a record that exists but is hidden from the user (detail, edit, history, API
    retrieve …) is a denied access: recorded as a failure. The user's answer stays a plain 404, so it
    never tells that the record exists."""
    if selectors.record_exists(record_type=record_type, pk=pk):
        audit_failure(user=request.user, action=AuditAction.DENIED, request=request,
                      object_type=record_type.model._meta.label_lower, object_id=pk,
                      detail={"method": request.method, "path": request.path, "reason": "hidden"})
