"""The budget sandbox: a draft rule version's effect on a round — totals and each payee — before it
is published. The same candidates and engine as the run (``services.allocation``), once with the
published versions and once with the draft in force where it is valid; nothing is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from duijie.awards import candidates, rules
from duijie.awards.choices import RuleStatus
from duijie.awards.models import Round, RuleVersion


@dataclass
class PayeeEffect:
    payee_key: str
    label: str
    before: Decimal
    after: Decimal

    @property
    def delta(self) -> Decimal:
        return self.after - self.before


@dataclass
class Effect:
    before: rules.Totals
    after: rules.Totals
    budget: Decimal
    payees: list[PayeeEffect] = field(default_factory=list)
    outcomes_changed: int = 0

    @property
    def delta(self) -> Decimal:
        return self.after.amount - self.before.amount

    @property
    def budget_left_after(self) -> Decimal:
        return self.budget - self.after.amount


def _run(round_: Round, user, versions: list[RuleVersion]) -> list[rules.Allocation]:
    found = candidates.gather(round_, user, versions)
    return rules.allocate(found.candidates, budget=round_.scheme.budget, taken=found.taken)


def simulate(*, round_: Round, draft: RuleVersion, user) -> Effect:
    """Totals and per-payee amounts of ``round_`` under the published versions and with ``draft`` in
    force on the dates it is valid (a newer number wins, as it would once published)."""
    published = candidates.published_versions(round_)
    if draft.status != RuleStatus.DRAFT:
        raise ValueError("the sandbox compares a draft version with the published ones")
    before = _run(round_, user, published)
    after = _run(round_, user, [*published, draft])
    b, a = rules.totals(before), rules.totals(after)
    labels = {x.candidate.payee_key: x.candidate.payee_label for x in (*before, *after)}
    payees = [PayeeEffect(k, labels[k], b.by_payee.get(k, rules.ZERO), a.by_payee.get(k, rules.ZERO))
              for k in sorted(labels)]  # every candidate payee, paid or not
    payees.sort(key=lambda p: (-abs(p.delta), p.label))
    was = {x.candidate.key: x.outcome for x in before}
    changed = sum(1 for x in after if was.get(x.candidate.key) != x.outcome)
    return Effect(before=b, after=a, budget=round_.scheme.budget, payees=payees, outcomes_changed=changed)
