"""Onboarding pages. Thin: forms validate, services act (duijie/onboarding/services.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duijie.core.roles import Role
from duijie.onboarding import forms, services
from duijie.onboarding.models import InvitationKind
from duijie.orgs.models import Institution


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


def register(request: HttpRequest) -> HttpResponse:
    """Public: an enterprise registers with its USCC; its unit administrator approves."""
    form = forms.RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_submit(**form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return render(request, "onboarding/registered.html", {"name": form.cleaned_data["enterprise_name"]})
    return render(request, "onboarding/register.html", {"form": form})


def registrations(request: HttpRequest) -> HttpResponse:
    items = services.registrations_for(request.user)
    if not items.exists() and request.user.role not in (Role.CITY_ADMIN, Role.UNIT_ADMIN):
        raise PermissionDenied
    return render(request, "onboarding/registrations.html", {"items": items[:200],
                                                             "reject_form": forms.RejectForm()})


@require_POST
def registration_review(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    reg = services.registrations_for(request.user).filter(pk=pk).first()
    if reg is None:
        raise Http404
    try:
        if decision == "approve":
            services.registration_approve(registration=reg, by=request.user)
            messages.success(request, _("Approved: %(name)s can log in now.") % {"name": reg.enterprise_name})
        else:
            services.registration_reject(registration=reg, by=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("Rejected: %(name)s.") % {"name": reg.enterprise_name})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("onboarding:registrations")


def invite(request: HttpRequest) -> HttpResponse:
    user = request.user
    if services.can_invite(user, InvitationKind.INSTITUTION_ACCOUNT):
        kind, form = InvitationKind.INSTITUTION_ACCOUNT, forms.InstitutionInviteForm(request.POST or None)
    elif services.can_invite(user, InvitationKind.EXPERT):
        institution = Institution.objects.get(organisation=user.organisation_id)
        kind = InvitationKind.EXPERT
        form = forms.ExpertInviteForm(request.POST or None, institution=institution)
    else:
        raise PermissionDenied
    link = None
    if request.method == "POST" and form.is_valid():
        try:
            _inv, link = services.invitation_create(kind=kind, by=user, base_url=request.build_absolute_uri("/")[:-1],
                                                    **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    return render(request, "onboarding/invite.html", {"form": form, "kind": kind, "link": link})


def accept(request: HttpRequest, token: str) -> HttpResponse:
    """Public: a single-use, expiring link; the invitee sets a username and password."""
    inv = services.invitation_for_token(token)
    if inv is None:
        return render(request, "onboarding/invalid.html", status=404)
    form = forms.AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(token=token, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Your account is ready; please log in."))
            return redirect("login")
    return render(request, "onboarding/accept.html", {"form": form, "invitation": inv})


