"""Forms of risk assessments, risk flags and safety plans. Rules live in ``alliance.safety``;
forms only parse. None has a client, author or signer field (SEC-11)."""

from __future__ import annotations

from typing import Any

from django import forms

from alliance.safety.models import ClientAgreement, FlagKind, RiskLevel
from alliance.safety.plans import MEANS, STEPS
from alliance.safety.risk import SECTIONS, Formulation
from alliance.web.documents import EnteredInErrorBase, password_field, reason_field
from alliance.web.widgets import DateInput

LEVELS = [("", "Choose the level"), *RiskLevel.choices]


class RiskAssessmentForm(forms.Form):
    """The sections of the assessment and the formulation; ``version`` is the lock."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    suicide_risk = forms.ChoiceField(
        choices=LEVELS, required=False, label="Suicide risk (your formulation)"
    )
    violence_risk = forms.ChoiceField(
        choices=[("", "Not assessed"), *RiskLevel.choices],
        required=False,
        label="Violence risk (your formulation)",
    )
    review_on = forms.DateField(
        widget=DateInput(),
        required=False,
        label="Review the risk by",
        help_text="The risk flags show this date; they are overdue after it.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label, help_text in reversed(SECTIONS):
            field = forms.CharField(
                label=label,
                help_text=help_text,
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            self.fields = {key: field, **self.fields}

    def content(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key) or "" for key, _l, _h in SECTIONS}

    def formulation(self) -> Formulation:
        return Formulation(
            suicide_risk=self.cleaned_data.get("suicide_risk") or "",
            violence_risk=self.cleaned_data.get("violence_risk") or "",
            review_on=self.cleaned_data.get("review_on"),
        )


class EnteredInErrorForm(EnteredInErrorBase):
    reason = reason_field(
        "Why was this assessment entered in error?",
        "It stays in the record, marked. Review the risk flags it set afterwards.",
    )


class FlagReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("keep", "Keep the flag (set its level and review date)"), ("clear", "Clear it")],
        widget=forms.RadioSelect,
        label="Decision",
        initial="keep",
    )
    level = forms.ChoiceField(choices=LEVELS, required=False, label="Level")
    review_on = forms.DateField(widget=DateInput(), required=False, label="Review again by")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason for the review",
        help_text="What you reviewed and why the flag stays, changes or ends.",
    )


class FlagAddForm(forms.Form):
    kind = forms.ChoiceField(choices=FlagKind.choices, label="Kind", initial=FlagKind.OTHER)
    label = forms.CharField(
        required=False,
        max_length=80,
        label="Name of the flag",
        help_text="For a clinician-defined flag, e.g. 'Do not see alone'.",
    )
    level = forms.ChoiceField(
        choices=LEVELS, required=False, label="Level (suicide and violence flags)"
    )
    review_on = forms.DateField(widget=DateInput(), label="Review by")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason",
        help_text="Why the flag is raised; a suicide or violence level normally comes from a "
        "signed risk assessment.",
    )


def _lines(value: list[str] | None) -> str:
    return "\n".join(value or [])


class SafetyPlanForm(forms.Form):
    """The six steps and reasons for living as text, one entry per line."""

    revision = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, (key, heading, question) in enumerate(STEPS, start=1):
            self.fields[key] = forms.CharField(
                label=f"Step {number}: {heading}",
                help_text=f"{question} One per line, in the client's own words.",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        for key, label in MEANS:
            self.fields[f"means_{key}_plan"] = forms.CharField(
                label=f"Step 6: making the environment safe, {label.lower()}: what will be done",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"means_{key}_who"] = forms.CharField(
                label=f"{label}: who will do it", required=False, max_length=300
            )
        self.fields["reasons_for_living"] = forms.CharField(
            label="The most important things to me, worth living for",
            help_text="One per line, in the client's own words.",
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    @staticmethod
    def initial_from(content: dict[str, Any], revision: int) -> dict[str, Any]:
        initial: dict[str, Any] = {"revision": revision}
        for key, _h, _q in STEPS:
            initial[key] = _lines(content.get(key))
        initial["reasons_for_living"] = _lines(content.get("reasons_for_living"))
        for key, _label in MEANS:
            means = (content.get("means") or {}).get(key) or {}
            initial[f"means_{key}_plan"] = means.get("plan", "")
            initial[f"means_{key}_who"] = means.get("who", "")
        return initial

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **{key: data.get(key, "") for key, _h, _q in STEPS},
            "reasons_for_living": data.get("reasons_for_living", ""),
            "means": {
                key: {
                    "plan": data.get(f"means_{key}_plan", ""),
                    "who": data.get(f"means_{key}_who", ""),
                }
                for key, _label in MEANS
            },
        }


class PlanSignForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    agreement = forms.ChoiceField(
        choices=ClientAgreement.choices, widget=forms.RadioSelect, label="The client's agreement"
    )
    agreement_note = forms.CharField(
        required=False,
        max_length=300,
        label="Details",
        help_text="Needed when the client could not agree: why, and when you will go over it.",
    )
    password = password_field()


class PlanLinkConfirmForm(forms.Form):
    """What the client knows, asked before their plan link is bound to this browser."""

    date_of_birth = forms.DateField(widget=DateInput(), label="Your date of birth")
