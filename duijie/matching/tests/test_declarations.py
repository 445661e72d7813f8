"""Search declarations read the structured fields an app may feed from matchkit's signal declarations."""

import pytest

from duijie.core.plugins import MatchingSource
from duijie.matching import declarations
from matchkit import signals


def test_every_field_signal_is_a_declarable_field_and_nothing_else():
    assert declarations.STRUCTURED == tuple(s.name for s in signals.SIGNALS if s.kind == "field")
    assert {"industry", "field", "region", "institution", "ipc"} <= set(declarations.STRUCTURED)


def test_a_declaration_may_map_a_field_signal_and_not_a_pair_signal():
    decl = declarations.parse(MatchingSource(model="demands.Demand", kind="demand", title="title",
                                             structured={"stage": "stage", "region": "region__code"}))
    assert decl.structured == {"stage": "stage", "region": "region__code"}
    with pytest.raises(ValueError, match="unknown structured fields"):
        declarations.parse(MatchingSource(model="demands.Demand", kind="demand", title="title",
                                          structured={"cooperation": "enterprise"}))
