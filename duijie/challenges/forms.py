"""Forms of the challenge pages: publishing from a demand, the bid form generated from the criteria,
seating a reviewer, a scorecard generated from the criteria, and a gate decision."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from duijie.challenges.choices import ChallengeMode, GateDecision, IpTerms, Maturity
from duijie.cooperation.choices import ContractType
from duijie.experts.models import Expert

MILESTONE_ROWS = 4
CSS = {"class": "form-control"}


class FromDemandForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200, widget=forms.TextInput(attrs=CSS))
    problem = forms.CharField(label=_("problem"), widget=forms.Textarea(attrs={**CSS, "rows": 3}))
    indicators = forms.CharField(label=_("technical indicators to reach"), widget=forms.Textarea(attrs={**CSS, "rows": 3}))
    budget = forms.DecimalField(label=_("reward / budget (yuan)"), required=False, min_value=Decimal("0.01"),
                                widget=forms.NumberInput(attrs=CSS))
    budget_negotiable = forms.BooleanField(label=_("budget negotiable (面议)"), required=False)
    deadline = forms.DateTimeField(label=_("bidding deadline"),
                                   widget=forms.DateTimeInput(attrs={**CSS, "type": "datetime-local"}))
    eligibility = forms.CharField(label=_("eligibility"), required=False, widget=forms.Textarea(attrs={**CSS, "rows": 2}))
    ip_terms = forms.ChoiceField(label=_("IP terms"), choices=IpTerms.choices, widget=forms.Select(attrs={"class": "form-select"}))
    payment_terms = forms.CharField(label=_("payment terms"), required=False,
                                    widget=forms.Textarea(attrs={**CSS, "rows": 2}))
    mode = forms.ChoiceField(label=_("mode"), choices=ChallengeMode.choices, widget=forms.Select(attrs={"class": "form-select"}))
    teams_funded = forms.IntegerField(label=_("teams funded in phase one"), min_value=1, max_value=20, initial=1,
                                      widget=forms.NumberInput(attrs=CSS))
    criteria = forms.CharField(
        label=_("weighted criteria"), widget=forms.Textarea(attrs={**CSS, "rows": 4}),
        initial="技术方案可行性 40\n团队能力与基础 30\n经费与进度合理性 20\n成果转化前景 10",
        help_text=_("One criterion per line: its name, a space, its weight."))

    def clean_criteria(self):
        rows = []
        for n, line in enumerate(self.cleaned_data["criteria"].splitlines(), start=1):
            if not line.strip():
                continue
            name, _sep, weight = line.strip().rpartition(" ")
            try:
                value = Decimal(weight)
                if not name.strip() or value <= 0:
                    raise InvalidOperation
            except InvalidOperation:
                raise forms.ValidationError(_("Line %(n)s: write the criterion's name, a space and a weight above 0 "
                                              "(e.g. “技术方案可行性 40”).") % {"n": n}) from None
            rows.append((name.strip()[:100], value))
        if not rows:
            raise forms.ValidationError(_("Give at least one criterion."))
        return rows


class BidForm(forms.Form):
    """Generated from the challenge's criteria: one answer per criterion, and milestone rows."""

    lead_expert = forms.ModelChoiceField(label=_("team lead"), queryset=Expert.objects.none(), required=False,
                                         widget=forms.Select(attrs={"class": "form-select"}))
    members = forms.ModelMultipleChoiceField(label=_("team members"), queryset=Expert.objects.none(), required=False,
                                             widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 5}))
    approach = forms.CharField(label=_("technical approach"), widget=forms.Textarea(attrs={**CSS, "rows": 4}))
    maturity = forms.ChoiceField(label=_("maturity"), choices=Maturity.choices,
                                 widget=forms.Select(attrs={"class": "form-select"}))
    budget = forms.CharField(label=_("budget asked (yuan)"), widget=forms.TextInput(attrs=CSS))
    conflict_declaration = forms.CharField(
        label=_("conflict-of-interest declaration"), widget=forms.Textarea(attrs={**CSS, "rows": 2}),
        help_text=_("Any tie of the team with the poster (employment, shares, past projects), or “none”."))

    def __init__(self, *args, challenge, experts, ask_lead: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = experts
        if ask_lead:
            self.fields["lead_expert"].queryset = experts
            self.fields["lead_expert"].required = True
        else:
            del self.fields["lead_expert"]
        self.criteria = list(challenge.criteria.all())
        for c in self.criteria:
            self.fields[f"answer_{c.pk}"] = forms.CharField(
                label=f"{c.name}（{_('weight')} {c.weight.normalize():f}）", help_text=c.description,
                widget=forms.Textarea(attrs={**CSS, "rows": 3}))
        for i in range(1, MILESTONE_ROWS + 1):
            self.fields[f"milestone_{i}_title"] = forms.CharField(label=_("Milestone %(n)s") % {"n": i}, required=False,
                                                                  widget=forms.TextInput(attrs=CSS))
            self.fields[f"milestone_{i}_deliverable"] = forms.CharField(label=_("deliverable"), required=False,
                                                                        widget=forms.TextInput(attrs=CSS))
            self.fields[f"milestone_{i}_due_on"] = forms.DateField(label=_("due on"), required=False,
                                                                   widget=forms.DateInput(attrs={**CSS, "type": "date"}))
            self.fields[f"milestone_{i}_share"] = forms.CharField(label=_("funding share (%)"), required=False,
                                                                  widget=forms.TextInput(attrs=CSS))

    def answer_fields(self):
        return [self[f"answer_{c.pk}"] for c in self.criteria]

    def milestone_rows(self):
        return [[self[f"milestone_{i}_{k}"] for k in ("title", "deliverable", "due_on", "share")]
                for i in range(1, MILESTONE_ROWS + 1)]

    def milestone_data(self) -> list[dict]:
        d = self.cleaned_data
        rows = []
        for i in range(1, MILESTONE_ROWS + 1):
            row = {k: d.get(f"milestone_{i}_{k}") for k in ("title", "deliverable", "due_on", "share")}
            if any(row.values()):
                rows.append(row)
        return rows

    def answer_data(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"answer_{c.pk}", "") for c in self.criteria}


class SeatForm(forms.Form):
    expert = forms.IntegerField(widget=forms.HiddenInput)
    override_reason = forms.CharField(label=_("reason for overriding the conflicts"), required=False,
                                      widget=forms.TextInput(attrs={**CSS, "placeholder": _("only if excluded")}))


class ScorecardForm(forms.Form):
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={**CSS, "rows": 2}))

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"score_{c.pk}"] = forms.DecimalField(
                label=f"{c.name}（×{c.weight.normalize():f}）", min_value=0, max_value=10, decimal_places=2,
                widget=forms.NumberInput(attrs={**CSS, "step": "0.5"}))

    def values(self) -> dict[int, object]:
        return {c.pk: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}


class GateForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), choices=GateDecision.choices,
                                 widget=forms.Select(attrs={"class": "form-select"}))
    reason = forms.CharField(label=_("reason"), widget=forms.TextInput(attrs=CSS))
    merge_into = forms.IntegerField(required=False)


class InviteForm(forms.Form):
    expert = forms.IntegerField(required=False)
    institution = forms.IntegerField(required=False)
    reasons = forms.CharField(required=False, max_length=2000)
    message = forms.CharField(label=_("message"), required=False, max_length=1000)

    def clean(self):
        data = super().clean()
        if not data.get("expert") and not data.get("institution"):
            raise forms.ValidationError(_("Choose an expert or an institution to invite."))
        return data


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=(("dismiss", _("Dismiss")), ("uphold", _("Uphold"))),
                                widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    resolution = forms.CharField(label=_("resolution"), max_length=2000,
                                 widget=forms.TextInput(attrs={"class": "form-control form-control-sm",
                                                               "placeholder": _("resolution")}))


class ContractForm(forms.Form):
    contract_type = forms.ChoiceField(label=_("contract type"), choices=ContractType.choices,
                                      initial=ContractType.DEV_COMMISSIONED,
                                      widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
