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

import hashlib

from django.db.models import Model

from duijie.core import access


def _rules_stamp() -> str:
    """A short fingerprint of the read rules the labels encode (relations, keys, code lengths): an
    index built under other rules would mask wrongly, so ``rebuild_index --if-missing`` rebuilds it."""
    rules = [(r.key, r.path, r.prefix, r.own, r.party) for r in access.RELATIONS]
    rules.append((access.PUBLIC, access.OPEN, access.GRANT, access.REGION_CODE_LENGTHS))
    return hashlib.sha1(repr(rules).encode(), usedforsecurity=False).hexdigest()[:12]


RULES_STAMP = _rules_stamp()
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
