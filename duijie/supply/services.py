"""Writes for achievements: the review workflow (draft → submitted → published / returned → transferred)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from duijie.core.registry import Transition
from duijie.core.services import workflow_service
from duijie.supply.choices import AchievementStatus as S

ACHIEVEMENT_TRANSITIONS = (
    Transition("submit", _("Submit for review"), (S.DRAFT, S.RETURNED), S.SUBMITTED),
    Transition("publish", _("Publish"), (S.SUBMITTED,), S.PUBLISHED, style="success", admin_only=True),
    Transition("return", _("Return for rework"), (S.SUBMITTED, S.PUBLISHED), S.RETURNED, needs_reason=True,
               style="warning", admin_only=True),
    Transition("transfer", _("Mark transferred"), (S.PUBLISHED,), S.TRANSFERRED, style="primary"),
)

achievement_submit = workflow_service(ACHIEVEMENT_TRANSITIONS, "submit", "achievement")
achievement_publish = workflow_service(ACHIEVEMENT_TRANSITIONS, "publish", "achievement")
achievement_return = workflow_service(ACHIEVEMENT_TRANSITIONS, "return", "achievement")
achievement_transfer = workflow_service(ACHIEVEMENT_TRANSITIONS, "transfer", "achievement")
