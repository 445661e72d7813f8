"""The audit helper: one entry per action, never holding personal values."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from duijie.core.models import AuditLog


def audit(*, user, action: str, obj: Model | None = None, object_type: str = "", detail: dict | None = None,
          object_id: Any = "", object_repr: str = "") -> AuditLog:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    return AuditLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        object_repr=object_repr[:300],
        detail=detail or {},
    )
