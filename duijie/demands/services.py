"""Writes for demands: the review workflow. Later states (matched, in cooperation, solved) are
derived from matching and cooperation records, never stored here."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from duijie.core.registry import Transition
from duijie.core.services import workflow_service
from duijie.demands.choices import DemandStatus as S

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
