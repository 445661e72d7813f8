"""What challenges feed into matching (typed data, contributed through ``plugin.py``; fields in
``core/plugins.MatchingSource``): a challenge is a query for solvers (experts, their teams,
institutions) as a demand is. Its enterprise, industry and keywords are its demand's (stored once,
there); a 政府榜 has none of them and matches on its text and region."""

from duijie.core.plugins import MatchingSource

SEARCH = (
    MatchingSource(
        model="challenges.Challenge",
        kind="challenge",
        title="title",
        text=(("problem", 1.0), ("indicators", 1.0), ("demand__tech_field", 0.5)),
        keywords="demand__keywords",
        structured={"industry": "demand__industry__code", "field": "demand__tech_field", "region": "region__code"},
        select_related=("demand__industry", "demand__enterprise__organisation", "region"),
        # Only challenges open for bids are recommended; drafts are indexed for their owners' own panels.
        recommend_filter={"status__in": ["published"]},
        # Bidding closed, under review, awarded, in delivery or failed: no longer matched (nor invited to).
        inactive={"status__in": ["closed", "under_review", "awarded", "in_delivery", "failed"]},
    ),
)
