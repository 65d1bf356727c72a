"""Forms for treatment plans. Rules live in ``plans.services`` and ``plans.nodes``; forms parse.

No form has a client, plan or author field: those come from the URL and the signed-in person
(SEC-11). Every draft form carries the plan version it was loaded at (REL-04).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from alliance.clients.models import Episode
from alliance.diagnoses.models import Diagnosis
from alliance.diagnoses.selectors import diagnoses_among
from alliance.plans.addressed import MAX_COMMENT, Rating
from alliance.plans.models import AgreementKind, CloseReason, Direction, Modality
from alliance.plans.nodes import Kind, measurable_instruments
from alliance.plans.selectors import NoteObjective
from alliance.plans.services import Agreement
from alliance.staff.models import User
from alliance.web.widgets import DateInput

PASSWORD_HELP = "Re-enter your password to confirm it is you."  # noqa: S105


def _password() -> forms.CharField:
    return forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label="Your password",
        help_text=PASSWORD_HELP,
    )


def _text(label: str, rows: int = 3, required: bool = True, help_text: str = "") -> forms.Field:
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": rows}),
        label=label,
        required=required,
        help_text=help_text,
    )


class DiagnosisChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.icd10_code} {obj.description}"


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class PlanCreateForm(forms.Form):
    episode = forms.ChoiceField(label="Episode of care")

    def __init__(self, episodes: list[Episode], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["episode"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            (e.pk, f"{e.program.name}, referred {e.referral_date:%Y-%m-%d}") for e in episodes
        ]


class VersionForm(forms.Form):
    """Only the version: removing a node, confirming a step."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class StrengthsForm(VersionForm):
    strengths = _text(
        "Strengths and preferences",
        rows=3,
        required=False,
        help_text="What the client brings: supports, interests, what has helped before.",
    )


class ProblemForm(VersionForm):
    statement = _text("Problem", help_text="The clinical statement of the problem.")
    client_words = _text("In the client's own words", rows=2, required=False)
    diagnosis = DiagnosisChoiceField(queryset=None, required=False, label="Linked diagnosis")

    def __init__(self, diagnoses: list[Diagnosis], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["diagnosis"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = diagnoses_among([d.pk for d in diagnoses])
        field.empty_label = "No diagnosis (e.g. a social or contextual need)"


class GoalForm(VersionForm):
    client_words = _text("Goal in the client's words", rows=2)
    target = _text("Measurable target", rows=2, help_text="How you will both know it is reached.")


class ObjectiveForm(VersionForm):
    description = _text(
        "What will be measured", rows=2, help_text="E.g. 'Depressive symptoms (PHQ-9)'."
    )
    instrument = forms.ChoiceField(
        required=False,
        label="Measured with",
        help_text="Bind the objective to a measure: its progress is then computed from scores.",
    )
    direction = forms.ChoiceField(
        choices=[("", "—"), *Direction.choices], required=False, label="Score should go"
    )
    target_value = forms.FloatField(required=False, label="Target score")
    target = forms.CharField(
        required=False,
        max_length=300,
        label="Target",
        help_text="Needed without a measure, e.g. 'Attends 3 group sessions a month'.",
    )
    target_date = forms.DateField(widget=DateInput(), label="Target date")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instrument"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "No measure"), *measurable_instruments()]
        if not self.is_bound and not self.initial.get("target_date"):
            self.fields["target_date"].initial = timezone.localdate()


class InterventionForm(VersionForm):
    modality = forms.ChoiceField(choices=[("", "Choose a modality"), *Modality.choices])
    description = _text("What will be done", rows=2, required=False)
    frequency = forms.CharField(max_length=100, help_text="E.g. weekly, 50 minutes.")
    responsible = StaffChoiceField(queryset=User.objects.none(), label="Responsible staff member")

    def __init__(self, team: list[User], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["responsible"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=[u.pk for u in team]).order_by(
            "last_name", "first_name"
        )


NODE_FORMS: dict[str, type[VersionForm]] = {
    "problem": ProblemForm,
    "goal": GoalForm,
    "objective": ObjectiveForm,
    "intervention": InterventionForm,
}


def node_form(
    kind: Kind,
    *,
    diagnoses: list[Diagnosis],
    team: list[User],
    data: Any = None,
    initial: dict[str, Any] | None = None,
) -> VersionForm:
    form_class = NODE_FORMS[kind.name]
    if form_class is ProblemForm:
        return ProblemForm(diagnoses, data, initial=initial)
    if form_class is InterventionForm:
        return InterventionForm(team, data, initial=initial)
    return form_class(data, initial=initial)


def node_values(form: VersionForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


class ActivateForm(VersionForm):
    kind = forms.ChoiceField(
        choices=AgreementKind.choices,
        widget=forms.RadioSelect,
        label="How did the client agree to the plan?",
    )
    signed_name = forms.CharField(
        required=False,
        max_length=200,
        label="Name as the client signed",
        help_text="Needed when the client signed.",
    )
    agreed_on = forms.DateField(widget=DateInput(), label="Date of the agreement")
    participation = _text(
        "Participation statement",
        rows=3,
        help_text="How the client took part in writing the plan, in your words.",
    )
    password = _password()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["agreed_on"].initial = timezone.localdate()

    def agreement(self) -> Agreement:
        data = self.cleaned_data
        return Agreement(
            kind=data["kind"],
            agreed_on=data["agreed_on"],
            participation=data["participation"],
            signed_name=data.get("signed_name") or "",
        )


class CloseForm(forms.Form):
    reason = forms.ChoiceField(choices=[("", "Choose a reason"), *CloseReason.choices])
    note = _text("Details", rows=2, required=False, help_text="Needed for 'Other'.")
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        required=False,
        label="Your password",
        help_text="Needed to close an active plan.",
    )


class AddressedForm(forms.Form):
    """For a progress note: a rating and a comment per objective of the active plan; an
    objective left without a rating was not addressed."""

    def __init__(self, objectives: list[NoteObjective], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.objectives = objectives
        for item in objectives:
            pk = item.objective.pk
            self.fields[f"objective-{pk}-rating"] = forms.ChoiceField(
                choices=[("", "Not addressed in this session"), *Rating.choices],
                required=False,
                label="Progress",
            )
            self.fields[f"objective-{pk}-comment"] = forms.CharField(
                required=False, max_length=MAX_COMMENT, label="Comment"
            )

    @classmethod
    def initial_from(cls, entries: list[dict[str, Any]]) -> dict[str, str]:
        initial = {}
        for entry in entries:
            initial[f"objective-{entry['objective']}-rating"] = entry.get("rating", "")
            initial[f"objective-{entry['objective']}-comment"] = entry.get("comment", "")
        return initial

    def rows(self) -> list[tuple[NoteObjective, forms.BoundField, forms.BoundField]]:
        return [
            (
                item,
                self[f"objective-{item.objective.pk}-rating"],
                self[f"objective-{item.objective.pk}-comment"],
            )
            for item in self.objectives
        ]

    def entries(self) -> list[dict[str, Any]]:
        found = []
        for item in self.objectives:
            pk = item.objective.pk
            rating = self.cleaned_data.get(f"objective-{pk}-rating")
            if rating:
                comment = self.cleaned_data.get(f"objective-{pk}-comment") or ""
                found.append({"objective": pk, "rating": rating, "comment": comment})
        return found
