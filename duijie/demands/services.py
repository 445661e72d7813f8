"""Writes for demands: the review workflow. Later states (matched, in cooperation, solved) are
derived from matching and cooperation records, never stored here."""

from __future__ import annotations

from duijie.core.services import record_transition
from duijie.demands.models import Demand


def demand_transition(name: str):
    def run(*, instance: Demand, by, reason: str = "", allowed: bool = True) -> Demand:
        from duijie.demands.records import DEMAND_TRANSITIONS

        step = next(t for t in DEMAND_TRANSITIONS if t.name == name)
        return record_transition(instance=instance, transition=step, by=by, reason=reason, allowed=allowed)

    run.__name__ = f"demand_{name}"
    return run


demand_submit = demand_transition("submit")
demand_publish = demand_transition("publish")
demand_return = demand_transition("return")
demand_reject = demand_transition("reject")
demand_close = demand_transition("close")
