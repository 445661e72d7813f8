"""Login (with per-IP rate limit), password change, TOTP enrolment and verification, API tokens."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from duijie.accounts import policy
from duijie.accounts.forms import ApiTokenForm, PasswordChangeForm, TokenForm
from duijie.accounts.middleware import LOGOUT_REASON
from duijie.accounts.models import ApiToken
from duijie.accounts.throttling import login_allowed
from duijie.core.audit import audit, audit_failure
from duijie.core.choices import AuditAction
from duijie.core.http import safe_next

LOGOUT_MESSAGES = {
    "idle": gettext_lazy("You were logged out after a period of inactivity."),
    "absolute": gettext_lazy("Your session reached its maximum duration. Log in again."),
}


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if not login_allowed(request):
            audit_failure(user=None, action=AuditAction.LOGIN_FAILED, object_type="accounts.user",
                          object_repr=request.POST.get("username", "")[:150], request=request,
                          detail={"username": request.POST.get("username", "")[:150], "reason": "rate_limited"})
            context = self.get_context_data(form=self.get_form())
            context["rate_limited"] = True
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reason = self.request.session.pop(LOGOUT_REASON, None)
        context["logout_reason"] = reason
        context["logout_message"] = LOGOUT_MESSAGES.get(reason) and str(LOGOUT_MESSAGES[reason])
        return context


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"

    def get_success_url(self):
        return safe_next(self.request, "/")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reason"] = policy.password_change_reason(self.request.user)
        context["next"] = safe_next(self.request, "")
        return context

    def form_valid(self, form):
        form.user.must_change_password = False
        response = super().form_valid(form)
        audit(user=form.user, action=AuditAction.PASSWORD_CHANGE, obj=form.user, request=self.request)
        messages.success(self.request, _("Your password has been changed."))
        return response


def otp_setup(request):
    """Enrol a TOTP authenticator: scan the QR code (or type the key), confirm with a code."""
    user = request.user
    if user_has_device(user, confirmed=True):
        return redirect("otp-verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            request.session.cycle_key()
            otp_login(request, device)
            audit(user=user, action=AuditAction.OTP_ENROL, obj=user, request=request)
            messages.success(request, _("Your authenticator app is set up."))
            return redirect(safe_next(request))
        audit_failure(user=user, action=AuditAction.OTP_FAILED, obj=user, request=request,
                      detail={"stage": "enrolment"})
        form.add_error("code", _("The code is not right. Check the time on your phone and try again."))
    secret = b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return render(request, "accounts/otp_setup.html", {
        "form": form, "qr_svg": qr, "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "next": safe_next(request, ""),
    })


def otp_verify(request):
    """Second step of a back-office login: a code from the enrolled authenticator app."""
    user = request.user
    if not user_has_device(user, confirmed=True):
        return redirect("otp-setup")
    if user.is_verified():
        return redirect(safe_next(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = None
        for candidate in TOTPDevice.objects.filter(user=user, confirmed=True):
            allowed, _info = candidate.verify_is_allowed()
            if allowed and candidate.verify_token(form.cleaned_data["code"]):
                device = candidate
                break
        if device is not None:
            request.session.cycle_key()
            otp_login(request, device)
            return redirect(safe_next(request))
        audit_failure(user=user, action=AuditAction.OTP_FAILED, obj=user, request=request,
                      detail={"stage": "login"})
        form.add_error("code", _("The code is not right, or too many wrong codes were entered: wait a "
                                 "moment and try again."))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": safe_next(request, "")})


def tokens(request):
    """The user's API tokens: create (the key is shown once), list, revoke."""
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        token, new_key = ApiToken.issue(request.user, form.cleaned_data["name"], form.cleaned_data["days"])
        audit(user=request.user, action=AuditAction.TOKEN_CREATE, obj=token, request=request)
        form = ApiTokenForm()
    return render(request, "accounts/tokens.html", {
        "form": form, "new_key": new_key, "tokens": request.user.api_tokens.all(), "now": timezone.now(),
    })


@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit(user=request.user, action=AuditAction.TOKEN_REVOKE, obj=token, request=request)
        messages.success(request, _("The token has been revoked."))
    return redirect("tokens")


