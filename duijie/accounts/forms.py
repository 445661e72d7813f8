from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.utils.translation import gettext_lazy as _


class PasswordChangeForm(DjangoPasswordChangeForm):
    def clean_new_password1(self):
        new = self.cleaned_data.get("new_password1")
        if new and self.user.check_password(new):
            raise forms.ValidationError(_("The new password must differ from the current one."),
                                        code="password_unchanged")
        return new


class TokenForm(forms.Form):
    code = forms.CharField(label=_("Code from your authenticator app"), max_length=8, min_length=6,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "class": "form-control", "autofocus": True}))

    def clean_code(self):
        return self.cleaned_data["code"].strip().replace(" ", "")


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           widget=forms.TextInput(attrs={"class": "form-control"}),
                           help_text=_("What the token is for, e.g. the script or system that uses it."))
    days = forms.IntegerField(label=_("Valid for (days)"), required=False, min_value=1,
                              widget=forms.NumberInput(attrs={"class": "form-control"}),
                              help_text=_("Empty: until revoked (up to the maximum the platform allows)."))

    def clean_days(self):
        days = self.cleaned_data.get("days")
        limit = settings.DUIJIE_API_TOKEN_MAX_DAYS
        if limit and (days is None or days > limit):
            days = limit
        return days
