"""Accounts as a record type, for the platform administrators (三员分立): the system administrator
creates and maintains accounts (never their role), the security administrator assigns roles (and
nothing else), the audit administrator reads the audit trail."""

import django_filters
from django.utils.translation import gettext_lazy as _

from duijie.accounts.models import Role, User
from duijie.core.api import serializer_for
from duijie.core.filtersets import SearchFilterSet
from duijie.core.forms import RecordForm
from duijie.core.models import AuditLog
from duijie.core.registry import RecordType, register

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


class AuditFilterSet(SearchFilterSet):
    search_fields = ("object_repr", "object_type")
    at_after = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From"))
    at_before = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = AuditLog
        fields = ["action", "user", "object_type"]


register(RecordType(
    slug="users", model=User, group=GROUP, order=95, icon="bi-person",
    list_columns=("username", "display_name", "role", "organisation", "is_active", "last_login"),
    filterset=UserFilterSet, form=AccountForm,
    serializer=serializer_for(User, fields=("username", "display_name", "email", "organisation", "role",
                                            "is_active", "last_login"), read_only=("last_login", "role")),
    select_related=("organisation",),
    detail_exclude=("password",),
    extra={"forms_by_role": {Role.SYSTEM_ADMIN: AccountForm, Role.SECURITY_ADMIN: RoleForm}},
))
register(RecordType(
    slug="audit-log", model=AuditLog, group=GROUP, order=96, icon="bi-journal-text", reference_only=True,
    list_columns=("at", "user", "action", "object_type", "object_repr"),
    filterset=AuditFilterSet, serializer=serializer_for(AuditLog), select_related=("user",),
))
