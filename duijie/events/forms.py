"""Forms of the event page (the event itself is edited with records.EventForm)."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from duijie.events.choices import InvitationStatus as I
from duijie.events.models import Event, Invitation
from duijie.experts.models import Expert
from duijie.orgs.models import Enterprise, Institution

PARTY_KINDS = (("enterprise", _("Enterprises")), ("institution", _("Institutions")), ("expert", _("Experts")))


class _Styled(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select form-select-sm" if isinstance(field.widget, forms.Select) else "form-control form-control-sm"
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                continue
            field.widget.attrs.setdefault("class", css)


class InviteSearchForm(_Styled):
    kind = forms.ChoiceField(label=_("Kind"), choices=PARTY_KINDS)
    q = forms.CharField(label=_("Name contains"), max_length=100, required=False)


class SlotForm(_Styled):
    starts_at = forms.ChoiceField(label=_("Time"))
    table = forms.ChoiceField(label=_("Meeting table"))
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=None)
    expert = forms.ModelChoiceField(label=_("Expert"), queryset=None)

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)

        self.event = event
        live = Invitation.objects.filter(event=event, status__in=(I.INVITED, I.REGISTERED, I.ATTENDED))
        self.fields["enterprise"].queryset = Enterprise.objects.filter(pk__in=live.values("enterprise")).order_by("name")
        self.fields["expert"].queryset = (Expert.objects.filter(pk__in=live.values("expert")).order_by("name")
                                          .select_related("institution"))  # its label names the institution
        self.fields["starts_at"].choices = [(t.strftime("%Y-%m-%dT%H:%M"), t.strftime("%m-%d %H:%M"))
                                            for t in event.slot_times()]
        self.fields["table"].choices = [(t, t) for t in event.tables()] or [("", "—")]
        self.fields["table"].required = bool(event.tables())

    def clean_starts_at(self):
        try:
            naive = datetime.strptime(self.cleaned_data["starts_at"], "%Y-%m-%dT%H:%M")
        except ValueError:
            raise forms.ValidationError(_("Choose a time from the grid."))
        return timezone.make_aware(naive)


class IntentionRecordForm(_Styled):
    enterprise = forms.ModelChoiceField(label=_("Enterprise"), queryset=None)
    expert = forms.ModelChoiceField(label=_("Expert"), queryset=None, required=False)
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=None, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    signed_on = forms.DateField(label=_("Signed on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    meeting_slot = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)

        inv = Invitation.objects.filter(event=event)
        self.fields["enterprise"].queryset = Enterprise.objects.filter(pk__in=inv.values("enterprise")).order_by("name")
        self.fields["expert"].queryset = Expert.objects.filter(pk__in=inv.values("expert")).order_by("name")
        self.fields["institution"].queryset = Institution.objects.filter(
            pk__in=inv.values("institution")).order_by("name") | Institution.objects.filter(
            pk__in=Expert.objects.filter(pk__in=inv.values("expert")).values("institution")).order_by("name")
        self.fields["signed_on"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("expert") and not cleaned.get("institution"):
            self.add_error("expert", _("Name the institution or the expert on the other side."))
        return cleaned


class FollowUpForm(_Styled):
    title = forms.CharField(label=_("Task"), max_length=300)
    owner = forms.CharField(label=_("Owner (username)"), max_length=150)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    intention = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_owner(self):
        user = get_user_model().objects.filter(username=self.cleaned_data["owner"].strip(), is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No active user with that username."))
        return user


class MeetingRecordForm(_Styled):
    held_on = forms.DateField(label=_("Held on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    attendees = forms.CharField(label=_("Attendees"), widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=_("One per line: name and unit."))
    decisions = forms.CharField(label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 4}))
    actions = forms.CharField(label=_("Actions"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("One per line: task | owner username | due date (YYYY-MM-DD)."))

    def clean_actions(self):
        out = []
        users = get_user_model().objects
        for n, line in enumerate((self.cleaned_data.get("actions") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 3:
                raise forms.ValidationError(_("Line %(n)s: write “task | owner username | due date”.") % {"n": n})
            title, username, due = parts
            owner = users.filter(username=username, is_active=True).first()
            if owner is None:
                raise forms.ValidationError(_("Line %(n)s: no active user “%(u)s”.") % {"n": n, "u": username})
            try:
                due_on = datetime.strptime(due, "%Y-%m-%d").date()
            except ValueError:
                raise forms.ValidationError(_("Line %(n)s: the due date “%(d)s” is not YYYY-MM-DD.") % {"n": n, "d": due})
            if not title:
                raise forms.ValidationError(_("Line %(n)s: describe the task.") % {"n": n})
            out.append((title, owner, due_on))
        return out
