"""Personal data typed into free text (a phone number in a demand's description, an ID number in a
bio): found so the writer is warned on save, and masked wherever the text is displayed, exported
or served by the API. The stored text is not changed (the writer's words are theirs)."""

from __future__ import annotations

import re

from duijie.core.masking import mask_id_number, mask_phone

MOBILE = re.compile(r"(?<![\d.])1[3-9]\d{9}(?![\d.])")
LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")
ID_NUMBER = re.compile(
    r"(?<!\d)[1-6]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\dA-Za-z])")

PATTERNS = ((ID_NUMBER, mask_id_number, "id_number"), (MOBILE, mask_phone, "phone"), (LANDLINE, mask_phone, "phone"))


def find_pii(text: str) -> list[str]:
    """Kinds of personal data found in ``text`` ("phone", "id_number"), in order, without values."""
    if not text:
        return []
    kinds = []
    for pattern, _masker, kind in PATTERNS:
        if pattern.search(text) and kind not in kinds:
            kinds.append(kind)
    return kinds


def mask_pii(text):
    if not isinstance(text, str) or not text:
        return text
    for pattern, masker, _kind in PATTERNS:
        text = pattern.sub(lambda m, masker=masker: masker(m.group(0)), text)
    return text
