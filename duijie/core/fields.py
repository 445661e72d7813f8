"""The encrypted field type for personal data (phones, ID numbers, personal emails).

Values are encrypted with SM4-GCM before they reach the database (see crypto.py), so tables,
history tables, dumps and backups hold only ciphertext. A companion ``BlindIndexField`` holds the
keyed hash for exact lookup; the encrypted field fills it on save.
"""

from __future__ import annotations

from django.db import models

from duijie.core import crypto


class EncryptedTextField(models.TextField):
    description = "Personal data, encrypted at rest with SM4-GCM"

    def __init__(self, *args, kind: str = "phone", hash_field: str | None = None, **kwargs):
        self.kind = kind
        self.hash_field = hash_field
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        if self.hash_field:
            kwargs["hash_field"] = self.hash_field
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value) if crypto.is_ciphertext(value) else value

    def to_python(self, value):
        if isinstance(value, str) and crypto.is_ciphertext(value):
            return crypto.decrypt(value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        if crypto.is_ciphertext(value):
            return value
        return crypto.encrypt(value)

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if self.hash_field:
            setattr(model_instance, self.hash_field, crypto.blind_index(value) if value else "")
        return value

    def get_lookup(self, lookup_name):
        if lookup_name not in {"isnull", "exact"}:
            return None  # ciphertext cannot be searched; use the blind index
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):
    description = "Keyed hash of a personal value, for exact lookup"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)
