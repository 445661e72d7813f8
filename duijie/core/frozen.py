"""Issued means frozen (ARCHITECTURE.md): the one content hash of what was issued.

A frozen document (an award payout list, an innovation score run) is described as plain JSON data —
its inputs, rule versions, record ids and results — and hashed here: SHA-256 of the canonical JSON
(sorted keys, no spaces, UTF-8, Decimals and dates as strings). Recomputing the document from what
it stores and hashing it again gives the same digest; a tampered row does not.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(doc: Any) -> str:
    """The canonical text of ``doc``: sorted keys, no whitespace, non-ASCII kept, other values as str."""
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def content_hash(doc: Any) -> str:
    """SHA-256 (hex) of :func:`canonical_json` of ``doc``."""
    return hashlib.sha256(canonical_json(doc).encode("utf-8")).hexdigest()
