"""What enterprises feed into matching (typed data, contributed through ``plugin.py``; fields in
``core/plugins.MatchingSource``).
Institutions are not indexed themselves: matching aggregates their experts and achievements."""

from duijie.core.plugins import MatchingSource

SEARCH = (
    MatchingSource(
        model="orgs.Enterprise",
        kind="enterprise",
        title="name",
        text=(("main_products", 2.0), ("description", 1.0)),
        structured={"industry": "industry__code", "region": "region__code"},
        select_related=("industry", "region"),
    ),
)
