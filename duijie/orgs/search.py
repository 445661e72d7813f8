"""What enterprises feed into matching (plain data; see ``duijie/matching/declarations.py``).
Institutions are not indexed themselves: matching aggregates their experts and achievements."""

SEARCH = [
    {
        "model": "orgs.Enterprise",
        "kind": "enterprise",
        "title": "name",
        "text": [("main_products", 2.0), ("description", 1.0)],
        "structured": {"industry": "industry__code", "region": "region__code"},
        "select_related": ["industry", "region"],
    },
]
