"""Visibility labels in the index: the keys ``core/access.py`` derives from the one read rule, so
candidates are filtered *inside* the index before ranking.

Every indexed record carries its keys (``access.record_keys``) as labels; a viewer has theirs
(``access.viewer_keys``); a record is a candidate exactly when they share one — the same answer as
``core.selectors.visible_queryset`` when the record was indexed (``core/tests/test_access_labels.py``).
Results are still re-checked through the selectors, which stay the one authority: a grant that has
expired since, or a city whose units changed, take effect there at once and in the labels at the
next refresh.
"""

from __future__ import annotations

from django.db.models import Model

from duijie.core import access

EVERYTHING = access.EVERYTHING  # a viewer whose search is not masked (the server operator)
label_prefetch = access.label_joins
grants_by_object = access.grants_by_object


def record_labels(obj: Model, grants: set[int] | None = None) -> list[str]:
    return sorted(access.record_keys(obj, grants))


def viewer_labels(user) -> list[str] | None:
    """Labels of what ``user`` may read; ``None``: everything (no mask); ``[]``: nothing. Matching
    answers logged-in users only."""
    if not user.is_authenticated:
        return []
    keys = access.viewer_keys(user)
    return None if keys is None else sorted(keys)
