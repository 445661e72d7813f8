"""Validators shared by forms, the API and imports. Messages name the problem in plain words."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE_RE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?|400-?\d{3}-?\d{4})$")

# GB 32100-2015 统一社会信用代码: 18 chars from this alphabet (no I, O, Z, S, V), last is check.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def fold(value: str) -> str:
    """Full-width → half-width (NFKC) and trimmed; for codes and numbers typed in Chinese IMEs."""
    return unicodedata.normalize("NFKC", value or "").strip()


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s()（）]", "", fold(value))


def validate_phone(value: str) -> None:
    if value and not PHONE_RE.match(normalise_phone(value)):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number: use an 11-digit mobile number (e.g. 13812345678) "
              "or a landline with area code (e.g. 0519-86339999)."),
            code="invalid_phone",
            params={"value": value},
        )


_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_STRIP_RE = re.compile(r"[\s-]")


def uscc_check_char(code17: str) -> str:
    if len(code17) != 17:
        raise ValueError("uscc_check_char needs the first 17 characters")
    try:
        total = sum(map(int.__mul__, map(_USCC_VALUE.__getitem__, code17), USCC_WEIGHTS))
    except KeyError as exc:
        raise ValueError(f"{exc} is not a USCC character") from exc
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(value: str) -> str:
    if value and value.isascii() and value.isalnum():  # the usual case, a clean code (imports call this 100,000 times)
        return value.upper()
    return _USCC_STRIP_RE.sub("", fold(value)).upper()


def validate_uscc(value: str) -> None:
    code = normalise_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("The unified social credit code must have 18 characters; “%(value)s” has %(n)d."),
            code="uscc_length", params={"value": value, "n": len(code)},
        )
    if not USCC_RE.match(code):
        raise ValidationError(
            _("“%(value)s” is not shaped like a unified social credit code (digits and capital letters "
              "except I, O, Z, S, V; characters 3–8 are the region code)."),
            code="uscc_shape", params={"value": value},
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("The check character of “%(value)s” is wrong (expected %(expected)s): the code has a typo."),
            code="uscc_check", params={"value": value, "expected": expected},
        )


# Chinese patent application numbers (CNIPA): since 2003 12 digits (year 4, type 1, serial 7) + "."
# + check digit; before, 8 digits (year 2, type 1, serial 5) + "." + check. Check = sum(d_i * w_i)
# mod 11 with weights 2..9 repeating; 10 is written X.
PATENT_RE = re.compile(r"^(?:CN|ZL)?(\d{8}|\d{12})\.?([0-9X])$")
PATENT_TYPES = {"1": "invention", "2": "utility", "3": "design", "8": "invention", "9": "utility"}


def patent_check_digit(digits: str) -> str:
    weights = [2, 3, 4, 5, 6, 7, 8, 9]
    total = sum(int(d) * weights[i % 8] for i, d in enumerate(digits))
    rem = total % 11
    return "X" if rem == 10 else str(rem)


def normalise_patent_number(value: str) -> str:
    return re.sub(r"[\s]", "", fold(value)).upper()


def parse_patent_number(value: str) -> tuple[str, str]:
    """Return (canonical number "202310123456.7", type key). Raise ValidationError if malformed."""
    text = normalise_patent_number(value)
    m = PATENT_RE.match(text)
    if not m:
        raise ValidationError(
            _("“%(value)s” is not a Chinese patent application number: expected 12 digits, a dot and a "
              "check digit (e.g. 202310123456.7), optionally prefixed CN or ZL."),
            code="patent_shape", params={"value": value},
        )
    digits, check = m.groups()
    expected = patent_check_digit(digits)
    if check != expected:
        raise ValidationError(
            _("The check digit of patent application number “%(value)s” is wrong (expected %(expected)s)."),
            code="patent_check", params={"value": value, "expected": expected},
        )
    type_digit = digits[4] if len(digits) == 12 else digits[2]
    if type_digit not in PATENT_TYPES:
        raise ValidationError(
            _("“%(value)s”: the type digit %(digit)s is not 1, 2, 3, 8 or 9 (invention, utility model, design)."),
            code="patent_type_digit", params={"value": value, "digit": type_digit},
        )
    return f"{digits}.{check}", PATENT_TYPES[type_digit]


class MaxCharsValidator:
    """Annex-1 style limits (“限500字”): counts characters, which is what 字 means on the form."""

    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, value: str) -> None:
        if value and len(value) > self.limit:
            raise ValidationError(
                _("At most %(limit)d characters are allowed here (限%(limit)d字); this text has %(n)d."),
                code="too_long", params={"limit": self.limit, "n": len(value)},
            )

    def __eq__(self, other):
        return isinstance(other, MaxCharsValidator) and other.limit == self.limit

    def deconstruct(self):
        return ("duijie.core.validators.MaxCharsValidator", (self.limit,), {})
