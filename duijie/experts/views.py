"""The expert's own page (PIPL): see their data, correct it (the registry edit form), record
consent to the privacy notice, opt out of recommendations and erase their personal data."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from duijie.core.audit import audit
from duijie.core.choices import AuditAction
from duijie.experts import services
from duijie.experts.models import Expert


def _own_profile(request: HttpRequest) -> Expert:
    try:
        return Expert.objects.select_related("institution", "unit").get(user=request.user)
    except Expert.DoesNotExist:
        raise Http404(_("Your account is not linked to an expert profile."))


def my_profile(request: HttpRequest) -> HttpResponse:
    expert = _own_profile(request)
    # The data subject sees their own personal data in full (PIPL right of access); audited like any view.
    audit(user=request.user, action=AuditAction.REVEAL, obj=expert, detail={"fields": ["email", "phone"], "self": True})
    return render(request, "experts/my_profile.html", {
        "expert": expert, "notice_version": services.PRIVACY_NOTICE_VERSION})


@require_POST
def my_consent(request: HttpRequest) -> HttpResponse:
    services.expert_record_consent(expert=_own_profile(request), by=request.user)
    messages.success(request, _("Thank you: your consent to the privacy notice is recorded."))
    return redirect("experts:me")


@require_POST
def my_opt_out(request: HttpRequest) -> HttpResponse:
    expert = _own_profile(request)
    wanted = request.POST.get("do_not_recommend") == "1"
    services.expert_set_do_not_recommend(expert=expert, wanted=wanted, by=request.user)
    messages.success(request, _("You will not be recommended to others.") if wanted
                     else _("You may be recommended again."))
    return redirect("experts:me")


@require_POST
def my_erase(request: HttpRequest) -> HttpResponse:
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Tick the box to confirm the erasure."))
        return redirect("experts:me")
    services.expert_erase_personal_data(expert=_own_profile(request), by=request.user)
    messages.success(request, _("Your phone number and email were erased from your profile and its history."))
    return redirect("experts:me")
