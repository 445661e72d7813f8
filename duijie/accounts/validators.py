"""Password rules of the authentication policy (等保 level 3: 口令复杂度)."""

from __future__ import annotations

import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

CLASSES = (
    ("lower", lambda c: c in string.ascii_lowercase),
    ("upper", lambda c: c in string.ascii_uppercase),
    ("digit", lambda c: c.isdigit()),
    ("symbol", lambda c: not c.isalnum() or not c.isascii()),
)


class CharacterClassesValidator:
    """At least ``min_classes`` of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, min_classes: int | None = None):
        self.min_classes = min_classes or getattr(settings, "DUIJIE_PASSWORD_MIN_CHAR_CLASSES", 3)

    def classes(self, password: str) -> int:
        return sum(1 for _name, test in CLASSES if any(test(c) for c in password))

    def validate(self, password, user=None):
        if self.classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return ngettext(
            "Your password must contain characters of at least %(n)d kind (lower-case letters, "
            "upper-case letters, digits, other characters).",
            "Your password must contain characters of at least %(n)d of these kinds: lower-case letters, "
            "upper-case letters, digits, other characters.",
            self.min_classes) % {"n": self.min_classes}


