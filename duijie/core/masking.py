"""The one masking function family for personal data shown to people who do not need it."""

from __future__ import annotations

import re

MASK = "****"


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    digits = re.sub(r"\s", "", value)
    if len(digits) >= 11:
        return f"{digits[:3]}{MASK}{digits[-4:]}"
    if len(digits) >= 7:
        return f"{digits[:2]}{MASK}{digits[-2:]}"
    return MASK


def mask_email(value: str | None) -> str:
    if not value:
        return ""
    local, at, domain = value.partition("@")
    if not at:
        return MASK
    return f"{local[:1]}{MASK}@{domain}"


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    return f"{value[:3]}{'*' * max(len(value) - 7, 4)}{value[-4:]}" if len(value) > 8 else MASK


def mask_bank_account(value: str | None) -> str:
    """Bank account numbers (award payouts): the last four digits only."""
    if not value:
        return ""
    digits = "".join(value.split())
    return f"{MASK}{digits[-4:]}" if len(digits) > 8 else MASK


MASKERS = {"phone": mask_phone, "email": mask_email, "id_number": mask_id_number, "bank_account": mask_bank_account}


def mask(value: str | None, kind: str = "phone") -> str:
    return MASKERS[kind](value)


def looks_masked(value: str | None) -> bool:
    return bool(value) and MASK in value  # type: ignore[operator]
