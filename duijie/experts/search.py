"""What expert profiles feed into matching (typed data, contributed through ``plugin.py``; fields in
``core/plugins.MatchingSource``)."""

from duijie.core.plugins import MatchingSource

SEARCH = (
    MatchingSource(
        model="experts.Expert",
        kind="expert",
        title="research_directions",
        text=(("keywords", 2.0), ("bio", 1.0), ("position", 0.5)),
        keywords="keywords",
        structured={"industry": "industries__code", "field": "disciplines__name", "region": "region__code",
                    "institution": "institution__name"},
        select_related=("institution", "region"),
        prefetch_related=("industries", "disciplines"),
        # PIPL: an expert who opted out is never indexed nor recommended.
        index_exclude={"do_not_recommend": True},
        recommend_filter={"do_not_recommend": False},
    ),
)
