from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duijie.core.fields import BlindIndexField, EncryptedTextField
from duijie.core.roles import BACK_OFFICE_ROLES, GOVERNMENT_ROLES, Role

# The account command-line imports run as (``manage.py import_file`` without ``--user``): whoever runs
# manage.py on the server already holds the database, so it acts platform-wide; it cannot log in.
SERVER_OPERATOR_USERNAME = "import-operator"


class User(AbstractUser):
    organisation = models.ForeignKey("core.Organisation", verbose_name=_("organisation"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="users")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.ENTERPRISE)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = EncryptedTextField(_("phone"), kind="phone", hash_field="phone_hash")
    phone_hash = BlindIndexField()
    is_demo = models.BooleanField(_("demo account"), default=False,
                                  help_text=_("Demo accounts are exempt from forced password change and second factor."))
    must_change_password = models.BooleanField(
        _("must change password"), default=False,
        help_text=_("Set when someone else chose the password: the user must change it at the next login."))
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)

    # Platform administration (三员分立): the system administrator manages accounts, the security
    # administrator assigns roles; neither reads business data, the audit administrator reads only
    # the audit trail (selectors).
    READ_ROLES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN)
    EDIT_ROLES = (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN)
    CREATE_ROLES = (Role.SYSTEM_ADMIN,)
    DELETE_ROLES = (Role.SYSTEM_ADMIN,)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        if self.password_changed_at is None and self.password:
            self.password_changed_at = timezone.now()
        super().save(*args, **kwargs)

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def set_initial_password(self, raw_password):
        """For accounts created (or reset) by someone else: the user must change it at the next login."""
        self.set_password(raw_password)
        self.must_change_password = True

    @property
    def is_server_operator(self) -> bool:
        return (self.username == SERVER_OPERATOR_USERNAME and self.organisation_id is None
                and not self.has_usable_password())

    @property
    def is_city_admin(self) -> bool:
        return self.role == Role.CITY_ADMIN

    @property
    def is_government(self) -> bool:
        """City, unit and park administrators: review and approve records within their scope."""
        return self.role in GOVERNMENT_ROLES

    @property
    def is_back_office(self) -> bool:
        return self.role in BACK_OFFICE_ROLES


TOKEN_PREFIX_LEN = 8


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(models.Q(expires_at__isnull=True)
                                                           | models.Q(expires_at__gt=now))


class ApiToken(models.Model):
    """A personal API key. Only its SHA-256 hash and a short prefix (to tell keys apart) are
    stored; the key itself is shown once, when it is created. Requests made with it act exactly as
    the user (same role, same data scope)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=TOKEN_PREFIX_LEN, db_index=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
        """Create a token; returns it and the clear key (never stored)."""
        key = secrets.token_urlsafe(32)
        expires = timezone.now() + timedelta(days=days) if days else None
        token = cls.objects.create(user=user, name=name, prefix=key[:TOKEN_PREFIX_LEN], key_hash=hash_token(key),
                                   expires_at=expires)
        return token, key

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())
