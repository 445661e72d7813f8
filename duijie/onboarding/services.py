"""Onboarding writes. Each owns its transaction and audit entry; mail goes to the configured
backend (the outbox file backend in development and demo) and the inviter also sees the link."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from duijie.accounts.models import User
from duijie.core import changes, scope
from duijie.core.audit import audit
from duijie.core.choices import AuditAction
from duijie.core.models import AssessmentUnit
from duijie.core.roles import Role
from duijie.core.validators import normalise_uscc
from duijie.experts.models import Expert
from duijie.onboarding.models import EnterpriseRegistration, Invitation, InvitationKind, RegistrationStatus
from duijie.orgs.models import Enterprise, Institution

INVITATION_DAYS = 7


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_account(username: str, password: str, email: str = "") -> None:
    errors = {}
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This username is taken.")]
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)


def registration_submit(*, uscc: str, enterprise_name: str, region, contact_name: str, contact_phone: str,
                        email: str, username: str, password: str) -> EnterpriseRegistration | None:
    """Self-registration: an inactive enterprise account waits for its unit administrator.

    The public form must not tell whether a username exists: a taken username gets the same answer
    as a new one (the password is checked and hashed the same way, nothing is stored), and the
    account holder — not the registrant — is told by mail that someone tried. Returns None then."""
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages})
    existing = User.objects.filter(username__iexact=username).first()
    if existing is not None:
        make_password(password)  # the same work as for a new account
        audit(user=None, action=AuditAction.DENIED, object_type="onboarding.enterpriseregistration",
              detail={"self_registration": True, "reason": "username_taken"})
        if existing.email:
            send_mail(_("duijie: someone tried to register with your username"),
                      _("Someone tried to register an enterprise with the username %(username)s, which is yours. "
                        "Nothing was changed. If this was you, log in instead, or register with another "
                        "username.") % {"username": existing.username}, None, [existing.email])
        return None
    with transaction.atomic():
        user = User(username=username, email=email, role=Role.ENTERPRISE, is_active=False,
                    display_name=contact_name)
        user.set_password(password)
        user.save()
        reg = EnterpriseRegistration(uscc=normalise_uscc(uscc), enterprise_name=enterprise_name.strip(),
                                     region=region, contact_name=contact_name, contact_phone=contact_phone,
                                     email=email, user=user)
        reg.full_clean()
        reg.save()
        audit(user=None, action=AuditAction.CREATE, obj=reg, detail={"self_registration": True})
        changes.announce(changes.Kind.CREATED, User, [user.pk])
        changes.announce(changes.Kind.CREATED, EnterpriseRegistration, [reg.pk])
    return reg


def registrations_for(user) -> QuerySet:
    """Registrations the user may review: city administrators their city, unit administrators the
    regions mapped to their unit (and its children)."""
    qs = EnterpriseRegistration.objects.select_related("region", "user", "enterprise")
    if getattr(user, "role", None) == Role.CITY_ADMIN:
        prefix = scope.city_prefix(user)
        return qs if prefix is None else qs.filter(region__code__startswith=prefix)
    if getattr(user, "role", None) == Role.UNIT_ADMIN and user.organisation and user.organisation.assessment_unit:
        ids = scope.unit_ids(user.organisation.assessment_unit)
        codes = set(AssessmentUnit.objects.filter(pk__in=ids).values_list("regions__code", flat=True)) - {None}
        q = Q(pk__in=[])
        for code in codes:
            q |= Q(region__code__startswith=code)
        return qs.filter(q)
    return qs.none()


def registration_approve(*, registration: EnterpriseRegistration, by) -> EnterpriseRegistration:
    if not registrations_for(by).filter(pk=registration.pk).exists():
        raise PermissionDenied(_("This registration is not in your unit."))
    with transaction.atomic():
        reg = EnterpriseRegistration.objects.select_for_update().get(pk=registration.pk)
        if reg.status != RegistrationStatus.PENDING:
            raise ValidationError(_("This registration was already reviewed."))
        enterprise = Enterprise.objects.filter(uscc=reg.uscc).first()
        if enterprise is None:
            enterprise = Enterprise(uscc=reg.uscc, name=reg.enterprise_name, region=reg.region,
                                    contact_name=reg.contact_name, contact_phone=reg.contact_phone,
                                    filed_by=by, filed_by_org=by.organisation)
            enterprise.full_clean()
            enterprise._history_user = by
            enterprise.save()
            changes.announce(changes.Kind.CREATED, Enterprise, [enterprise.pk])
        reg.status, reg.reviewed_by, reg.reviewed_at, reg.enterprise = (
            RegistrationStatus.APPROVED, by, timezone.now(), enterprise)
        reg.save()
        User.objects.filter(pk=reg.user_id).update(is_active=True, organisation=enterprise.organisation)
        audit(user=by, action=AuditAction.TRANSITION, obj=reg, detail={"to": "approved", "enterprise": enterprise.pk})
        changes.announce(changes.Kind.UPDATED, EnterpriseRegistration, [reg.pk],
                         fields=["status", "reviewed_by", "reviewed_at", "enterprise"])
        changes.announce(changes.Kind.UPDATED, User, [reg.user_id], fields=["is_active", "organisation"])
        changes.announce(changes.Kind.VISIBILITY_CHANGED, User, [reg.user_id], fields=["organisation"])
        transaction.on_commit(lambda: send_mail(
            _("duijie: your registration is approved"),
            _("Your account %(username)s for %(name)s is active; you can log in now.")
            % {"username": reg.user.username, "name": enterprise.name},
            None, [reg.email]))
    return reg


def registration_reject(*, registration: EnterpriseRegistration, by, reason: str) -> EnterpriseRegistration:
    if not registrations_for(by).filter(pk=registration.pk).exists():
        raise PermissionDenied(_("This registration is not in your unit."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Please give a reason.")]})
    with transaction.atomic():
        reg = EnterpriseRegistration.objects.select_for_update().get(pk=registration.pk)
        if reg.status != RegistrationStatus.PENDING:
            raise ValidationError(_("This registration was already reviewed."))
        reg.status, reg.reason, reg.reviewed_by, reg.reviewed_at = (
            RegistrationStatus.REJECTED, reason.strip(), by, timezone.now())
        reg.save()
        audit(user=by, action=AuditAction.TRANSITION, obj=reg, detail={"to": "rejected"})
        changes.announce(changes.Kind.UPDATED, EnterpriseRegistration, [reg.pk],
                         fields=["status", "reason", "reviewed_by", "reviewed_at"])
        transaction.on_commit(lambda: send_mail(
            _("duijie: your registration was not approved"), reason.strip(), None, [reg.email]))
    return reg


def can_invite(user, kind: str) -> bool:
    if kind == InvitationKind.INSTITUTION_ACCOUNT:
        return getattr(user, "role", None) == Role.CITY_ADMIN
    if kind == InvitationKind.EXPERT:
        return getattr(user, "role", None) == Role.INSTITUTION and bool(user.organisation_id)
    return False


def invitation_create(*, kind: str, email: str, by, institution: Institution | None = None,
                      expert: Expert | None = None, base_url: str = "") -> tuple[Invitation, str]:
    """A single-use link valid for INVITATION_DAYS; returns the invitation and the link (shown to
    the inviter as well as mailed). Institution accounts: the city; experts: their institution."""
    if not can_invite(by, kind):
        raise PermissionDenied(_("You may not send this invitation."))
    if kind == InvitationKind.EXPERT:
        institution = Institution.objects.get(organisation=by.organisation_id)
        if expert is not None and expert.institution_id != institution.pk:
            raise PermissionDenied(_("This expert is not in your institution."))
    if institution is None:
        raise ValidationError({"institution": [_("Choose the institution.")]})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        inv = Invitation.objects.create(kind=kind, email=email, organisation=institution.organisation, expert=expert,
                                        token_hash=_hash(token), created_by=by,
                                        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS))
        audit(user=by, action=AuditAction.CREATE, obj=inv, detail={"kind": kind})
        changes.announce(changes.Kind.CREATED, Invitation, [inv.pk])
        link = f"{base_url}/onboarding/accept/{token}/"
        transaction.on_commit(lambda: send_mail(
            _("duijie: you are invited"),
            _("You are invited to duijie for %(org)s. Set your username and password within %(days)d days: %(link)s")
            % {"org": institution.name, "days": INVITATION_DAYS, "link": link},
            None, [email]))
    return inv, link


def invitation_for_token(token: str) -> Invitation | None:
    inv = Invitation.objects.select_related("organisation", "expert").filter(token_hash=_hash(token)).first()
    return inv if inv is not None and inv.usable else None


def invitation_accept(*, token: str, username: str, password: str) -> User:
    with transaction.atomic():
        inv = Invitation.objects.select_for_update().filter(token_hash=_hash(token)).first()
        if inv is None or not inv.usable:
            raise ValidationError(_("This invitation link is invalid, used or expired."))
        _check_account(username, password, inv.email)
        role = Role.INSTITUTION if inv.kind == InvitationKind.INSTITUTION_ACCOUNT else Role.EXPERT
        user = User(username=username, email=inv.email, role=role, organisation=inv.organisation)
        user.set_password(password)
        user.save()
        if inv.expert_id:
            # Through the model (a history row and a new version of the profile), then announced.
            expert = Expert.objects.select_for_update().get(pk=inv.expert_id)
            expert.user, expert._history_user = user, user
            expert.save(update_fields=["user", "updated_at"])
            changes.announce(changes.Kind.UPDATED, Expert, [expert.pk], fields=["user"])
        inv.used_at, inv.user = timezone.now(), user
        inv.save(update_fields=["used_at", "user"])
        audit(user=user, action=AuditAction.UPDATE, obj=inv, detail={"accepted": True})
        changes.announce(changes.Kind.CREATED, User, [user.pk])
        changes.announce(changes.Kind.UPDATED, Invitation, [inv.pk], fields=["used_at", "user"])
    return user
