"""Writes for achievements: the review workflow (draft → submitted → published / returned → transferred)."""

from __future__ import annotations

from duijie.core.registry import Transition
from duijie.core.services import record_transition
from duijie.supply.models import Achievement


def achievement_transition(name: str):
    def run(*, instance: Achievement, by, reason: str = "", allowed: bool = True) -> Achievement:
        from duijie.supply.records import ACHIEVEMENT_TRANSITIONS

        step: Transition = next(t for t in ACHIEVEMENT_TRANSITIONS if t.name == name)
        return record_transition(instance=instance, transition=step, by=by, reason=reason, allowed=allowed)

    run.__name__ = f"achievement_{name}"
    return run


achievement_submit = achievement_transition("submit")
achievement_publish = achievement_transition("publish")
achievement_return = achievement_transition("return")
achievement_transfer = achievement_transition("transfer")
