"""What enterprise demands feed into matching. Typed data contributed through ``plugin.py``
(this app never imports matching); fields in ``core/plugins.MatchingSource``."""

from duijie.core.plugins import MatchingSource

SEARCH = (
    MatchingSource(
        model="demands.Demand",
        kind="demand",
        title="title",
        # (field path, weight): higher weight comes first in the text (the encoder reads the lead);
        # weight >= 2 is also repeated once for BM25.
        text=(("description", 1.0), ("tech_field", 1.0)),
        keywords="keywords",
        structured={"industry": "industry__code", "field": "tech_field", "region": "region__code"},
        select_related=("industry", "region", "enterprise__organisation"),
        # Only open demands are recommended (drafts are still indexed for their owners' own panels).
        recommend_filter={"status__in": ["published"]},
        inactive={"status__in": ["rejected", "closed"]},
    ),
)
