"""Accounts as a record type, for the platform administrators (三员分立): the system administrator
creates and maintains accounts (never their role), the security administrator assigns roles (and
nothing else), the audit administrator reads the audit trail. The UI gives each duty its own form,
the API its own serializer; both check that role and organisation agree
(``accounts.services.role_organisation_error``), and the API refuses, rather than ignores, a change
to a field of another duty."""

import django_filters
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers

from duijie.accounts.models import User
from duijie.accounts.services import role_organisation_error
from duijie.core.api import RecordSerializer, serializer_for
from duijie.core.filtersets import SearchFilterSet
from duijie.core.forms import RecordForm
from duijie.core.models import AuditLog
from duijie.core.registry import RecordType
from duijie.core.roles import Role

GROUP = _("Administration")


class UserFilterSet(SearchFilterSet):
    search_fields = ("username", "display_name")

    class Meta:
        model = User
        fields = ["role", "organisation", "is_active"]


class AccountForm(RecordForm):
    """System administrator: the account, not its role."""

    class Meta:
        model = User
        fields = ["username", "display_name", "email", "organisation", "is_active"]

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation", self.instance.organisation)
        is_active = cleaned.get("is_active", self.instance.is_active)
        error = role_organisation_error(role=self.instance.role, organisation=organisation, is_active=is_active)
        if error:
            moved = "organisation" in self.changed_data or "is_active" not in self.changed_data
            self.add_error("organisation" if moved else "is_active", error)
        return cleaned

    def _post_clean(self):
        # New accounts get no usable password: the user sets one through the onboarding link.
        if self.instance.pk is None and not self.instance.password:
            self.instance.set_unusable_password()
        super()._post_clean()


class RoleForm(RecordForm):
    """Security administrator: the role only. One role per account, so no account holds two
    duties; administrators never edit their own account (selectors exclude it)."""

    class Meta:
        model = User
        fields = ["role"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role"):
            error = role_organisation_error(role=cleaned["role"], organisation=self.instance.organisation,
                                            is_active=self.instance.is_active)
            if error:
                self.add_error("role", error)
        return cleaned


USER_FIELDS = ("username", "display_name", "email", "organisation", "role", "is_active", "last_login")
FIELD_LABELS = {name: User._meta.get_field(name).verbose_name for name in USER_FIELDS}


def _differs(current: User, name: str, value) -> bool:
    field = User._meta.get_field(name)
    if field.is_relation:
        old = getattr(current, field.attname)
        return (None if value in (None, "") else str(value)) != (None if old is None else str(old))
    try:
        return field.to_python(value) != getattr(current, name)
    except ValidationError:
        return True


class UserSerializer(RecordSerializer):
    """An account as the API shows it; each administrator duty writes only its own fields
    (``writable``). A change to any other field is refused (403, audited), never silently dropped."""

    writable: tuple[str, ...] = ()

    class Meta:
        model = User
        fields = ("id", *USER_FIELDS)
        read_only_fields = fields

    def validate(self, attrs):
        data = getattr(self, "initial_data", None) or {}
        current = self.instance if isinstance(self.instance, User) else User()
        refused = [n for n in USER_FIELDS if n not in self.writable and n != "last_login" and n in data
                   and _differs(current, n, data[n])]
        if refused:
            raise exceptions.PermissionDenied(
                gettext("Your duty may not change: %(fields)s.") % {"fields": "、".join(str(FIELD_LABELS[n])
                                                                                       for n in refused)})
        if self.instance is None:
            attrs["password"] = make_password(None)  # set by the user through the onboarding link
        attrs = super().validate(attrs)
        role = attrs.get("role", current.role)
        organisation = attrs.get("organisation", current.organisation)
        is_active = attrs.get("is_active", current.is_active)
        error = role_organisation_error(role=role, organisation=organisation, is_active=is_active)
        if error:
            field = "role" if "role" in self.writable else (
                "is_active" if "is_active" in attrs and "organisation" not in attrs else "organisation")
            raise serializers.ValidationError({field: [error]})
        return attrs


def _duty_serializer(name: str, writable: tuple[str, ...]) -> type[UserSerializer]:
    meta = type("Meta", (), {"model": User, "fields": ("id", *USER_FIELDS),
                             "read_only_fields": ("id", *(n for n in USER_FIELDS if n not in writable))})
    return type(name, (UserSerializer,), {"Meta": meta, "writable": writable})


# System administrator: the account, never its role. Security administrator: the role only.
AccountSerializer = _duty_serializer("AccountSerializer", ("username", "display_name", "email", "organisation",
                                                           "is_active"))
RoleSerializer = _duty_serializer("RoleSerializer", ("role",))


class AuditFilterSet(SearchFilterSet):
    search_fields = ("object_repr", "object_type")
    at_after = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From"))
    at_before = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = AuditLog
        fields = ["action", "user", "object_type"]


USERS = RecordType(
    slug="users", model=User, group=GROUP, order=95, icon="bi-person",
    list_columns=("username", "display_name", "role", "organisation", "is_active", "last_login"),
    filterset=UserFilterSet, form=AccountForm,
    serializer=UserSerializer,
    select_related=("organisation",),
    detail_exclude=("password",),
    forms_by_role={Role.SYSTEM_ADMIN: AccountForm, Role.SECURITY_ADMIN: RoleForm},
    serializers_by_role={Role.SYSTEM_ADMIN: AccountSerializer, Role.SECURITY_ADMIN: RoleSerializer},
)
AUDIT_LOG = RecordType(
    slug="audit-log", model=AuditLog, group=GROUP, order=96, icon="bi-journal-text", reference_only=True,
    list_columns=("at", "user", "action", "object_type", "object_repr"),
    filterset=AuditFilterSet, serializer=serializer_for(AuditLog), select_related=("user",),
)

RECORD_TYPES = (USERS, AUDIT_LOG)
