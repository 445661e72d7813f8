from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from duijie.core.models import Region
from duijie.core.validators import validate_phone, validate_uscc
from duijie.experts.models import Expert
from duijie.orgs.models import Institution


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class RegistrationForm(StyledForm):
    uscc = forms.CharField(label=_("unified social credit code"), max_length=30, validators=[validate_uscc])
    enterprise_name = forms.CharField(label=_("enterprise name"), max_length=200)
    region = forms.ModelChoiceField(label=_("region"), queryset=Region.objects.filter(
        level=3, code__startswith=settings.DUIJIE_PROVINCE_CODE))
    contact_name = forms.CharField(label=_("contact person"), max_length=50)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=30, validators=[validate_phone])
    email = forms.EmailField(label=_("email"))
    username = forms.CharField(label=_("username"), max_length=150)
    password = forms.CharField(label=_("password"), widget=forms.PasswordInput)


class AcceptForm(StyledForm):
    username = forms.CharField(label=_("username"), max_length=150)
    password = forms.CharField(label=_("password"), widget=forms.PasswordInput)


class InstitutionInviteForm(StyledForm):
    institution = forms.ModelChoiceField(label=_("institution"), queryset=Institution.objects.all())
    email = forms.EmailField(label=_("email"))


class ExpertInviteForm(StyledForm):
    expert = forms.ModelChoiceField(label=_("expert"), queryset=Expert.objects.none(), required=False)
    email = forms.EmailField(label=_("email"))

    def __init__(self, *args, institution=None, **kwargs):
        super().__init__(*args, **kwargs)
        if institution is not None:
            self.fields["expert"].queryset = Expert.objects.filter(institution=institution, user__isnull=True)


class RejectForm(StyledForm):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))
