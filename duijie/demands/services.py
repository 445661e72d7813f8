"""Writes for demands: the review workflow. Later states (matched, in cooperation, solved) are
derived from matching and cooperation records, never stored here."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from duijie.core.registry import Transition
from duijie.core.services import workflow_service
from duijie.demands.choices import DemandStatus as S
from duijie.demands.models import Demand

DEMAND_TRANSITIONS = (
    Transition("submit", _("Submit for review"), (S.DRAFT, S.RETURNED), S.SUBMITTED),
    Transition("publish", _("Publish"), (S.SUBMITTED,), S.PUBLISHED, style="success", admin_only=True),
    Transition("return", _("Return for rework (整改)"), (S.SUBMITTED, S.PUBLISHED), S.RETURNED,
               needs_reason=True, style="warning", admin_only=True),
    Transition("reject", _("Reject"), (S.SUBMITTED,), S.REJECTED, needs_reason=True, style="danger",
               admin_only=True),
    Transition("close", _("Close"), (S.PUBLISHED,), S.CLOSED, style="secondary"),
)

demand_submit = workflow_service(DEMAND_TRANSITIONS, "submit", "demand")
demand_publish = workflow_service(DEMAND_TRANSITIONS, "publish", "demand")
demand_return = workflow_service(DEMAND_TRANSITIONS, "return", "demand")
demand_reject = workflow_service(DEMAND_TRANSITIONS, "reject", "demand")
demand_close = workflow_service(DEMAND_TRANSITIONS, "close", "demand")


def demands_close_expired(today: date) -> dict[str, int]:
    """The calendar's daily job: published demands whose deadline (the last day) is before ``today``
    close — off the portal and out of matching (its recommend_filter keeps published ones only). Each
    is an ordinary "close" step: status, history with the reason, audit, change announcement (the
    matching index refreshes from it). Idempotent."""
    closed = 0
    with translation.override(settings.LANGUAGE_CODE):  # the reason is stored as text
        reason = str(_("Closed automatically: the deadline has passed"))
    for demand in Demand.objects.filter(status=S.PUBLISHED, deadline__lt=today).order_by("pk").iterator():
        demand_close(instance=demand, by=None, reason=reason)
        closed += 1
    return {"closed": closed}
