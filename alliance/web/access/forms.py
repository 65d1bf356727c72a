"""Forms for care teams and emergency access."""

from __future__ import annotations

from django import forms

from alliance.access.models import BreakGlassReason, CareTeamRole, RestrictionReason
from alliance.staff.capabilities import CLINICAL_CAPABILITIES
from alliance.staff.models import User
from alliance.web.documents import password_field, reason_field
from alliance.web.widgets import DateInput


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.get_discipline_display()})"


def clinical_staff_ids() -> list[int]:
    """Active staff whose scope includes clinical work: the only people a care team can hold."""
    return [
        u.pk
        for u in User.objects.filter(is_active=True).prefetch_related("licences")
        if CLINICAL_CAPABILITIES & u.capabilities()
    ]


class CareTeamAddForm(forms.Form):
    staff = StaffChoiceField(queryset=User.objects.none(), label="Staff member")
    role = forms.ChoiceField(choices=CareTeamRole.choices, label="Role on the team")
    start_on = forms.DateField(widget=DateInput(), required=False, label="Starts on")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["staff"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            pk__in=clinical_staff_ids()
        ).order_by("last_name", "first_name")


class BreakGlassForm(forms.Form):
    mrn = forms.CharField(label="MRN of the client", max_length=12)
    reason_code = forms.ChoiceField(
        choices=[("", "Choose a reason"), *BreakGlassReason.choices], label="Reason"
    )
    reason_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What is the emergency?",
        help_text="The privacy officer reviews every emergency access.",
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label="Your password",
        help_text="Re-enter your password to confirm it is you.",
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Review finding",
        help_text="E.g. 'Justified: crisis call, primary clinician on leave.'",
    )


class RestrictionForm(forms.Form):
    staff = StaffChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("last_name", "first_name"),
        label="Staff member to keep out of this record",
    )
    reason = forms.ChoiceField(choices=[("", "Choose a reason"), *RestrictionReason.choices])
    note = forms.CharField(
        max_length=300,
        required=False,
        label="Note (optional)",
        help_text="No clinical detail: e.g. 'neighbor of the client'.",
    )


class LabelRemovalForm(forms.Form):
    """Why a record is not the Part 2 program's, and the password again (SEC-19)."""

    reason = reason_field(
        "Why is this record not the program's?",
        "E.g. 'Written for the adult outpatient session, not the recovery program.'",
    )
    password = password_field()
