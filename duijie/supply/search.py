"""What achievements, patents and carriers feed into matching (typed data, contributed
through ``plugin.py``; fields in ``core/plugins.MatchingSource``)."""

from duijie.core.plugins import MatchingSource

SEARCH = (
    MatchingSource(
        model="supply.Achievement",
        kind="achievement",
        title="name",
        text=(("introduction", 2.0), ("district_fit", 1.0), ("promotion_plan", 0.5), ("unit_name", 0.5)),
        structured={"field": "field", "region": "region__code", "institution": "institution__name",
                    "ipc": "patents__ipc_codes"},
        select_related=("institution", "region"),
        prefetch_related=("patents",),
        recommend_filter={"status__in": ["published", "transferred"]},
    ),
    MatchingSource(
        model="supply.Patent",
        kind="patent",
        title="title",
        text=(("abstract", 1.0), ("applicants", 0.5)),
        structured={"ipc": "ipc_codes", "region": "region__code"},
        select_related=("region",),
        recommend_filter={"legal_status__in": ["pending", "granted"]},
        inactive={"legal_status__in": ["lapsed", "rejected", "withdrawn"]},
    ),
    MatchingSource(
        model="supply.Carrier",
        kind="carrier",
        title="name",
        text=(("description", 1.0), ("approved_by", 0.5)),
        structured={"industry": "industries__code", "region": "region__code"},
        select_related=("region",),
        prefetch_related=("industries",),
    ),
)
