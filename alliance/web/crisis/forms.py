"""Forms for crisis episodes and follow-up tasks. Rules live in ``crisis.services``; forms parse.

No form has a client, author or alert field: the client and alert come from the URL and the
author from the signed-in person (SEC-11).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from alliance.crisis.models import ActionKind, CrisisAction, CrisisSource, Disposition, TaskStatus
from alliance.web.widgets import DateInput

TEXTAREA = {"rows": 4}


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)  # type: ignore[arg-type]


def _now_local() -> datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


class CrisisStartForm(forms.Form):
    """How the crisis came to the team, when, and what is happening."""

    source = forms.ChoiceField(
        choices=[(v, label) for v, label in CrisisSource.choices if v != CrisisSource.ALERT],
        widget=forms.RadioSelect,
        label="How did the crisis come to the team?",
        error_messages={"required": "Choose how the crisis came to the team."},
    )
    started_at = forms.DateTimeField(
        widget=DateTimeInput(),
        label="Started at",
        help_text="When the client walked in, called or was reached.",
    )
    presenting_concern = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        label="Presenting concern",
        error_messages={"required": "Describe the presenting concern."},
        help_text="What is happening now, in the client's words where possible.",
    )

    def __init__(self, *args: Any, from_alert: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"started_at": _now_local()})
        super().__init__(*args, **kwargs)
        if from_alert:
            # The source is the alert named in the address.
            del self.fields["source"]


class CrisisActionForm(forms.Form):
    """One entry of the timeline; a correction names the entry it corrects."""

    kind = forms.ChoiceField(choices=ActionKind.choices, label="Kind of action")
    occurred_at = forms.DateTimeField(widget=DateTimeInput(), label="When")
    text = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        label="What was done",
        error_messages={"required": "Describe what was done."},
        help_text="Who was contacted or consulted, what was done, and what came of it.",
    )
    corrects = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        label="This corrects an earlier entry",
        help_text="Entries are never changed: a correction is added beside the entry it corrects.",
    )

    def __init__(
        self, *args: Any, actions: list[CrisisAction] | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {"occurred_at": _now_local()})
        super().__init__(*args, **kwargs)
        actions = actions or []
        self.actions = {action.pk: action for action in actions}
        field = self.fields["corrects"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "No: a new entry")] + [
            (
                action.pk,
                f"{timezone.localtime(action.occurred_at):%Y-%m-%d %H:%M} "
                f"{action.get_kind_display()}",
            )
            for action in actions
        ]
        if not actions:
            del self.fields["corrects"]

    def corrected(self) -> CrisisAction | None:
        pk = self.cleaned_data.get("corrects")
        return self.actions.get(pk) if pk else None


class CrisisCloseForm(forms.Form):
    """The disposition that ends the episode."""

    disposition = forms.ChoiceField(
        choices=Disposition.choices,
        widget=forms.RadioSelect,
        label="Disposition",
        error_messages={"required": "Choose the disposition."},
    )
    facility = forms.CharField(
        required=False,
        max_length=200,
        label="Emergency department or hospital",
        help_text="Only for an emergency department or a hospitalization.",
    )
    discharge_date = forms.DateField(
        widget=DateInput(),
        required=False,
        label="Discharge date",
        help_text="If already known; otherwise record it later from the episode page.",
    )
    disposition_note = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
        label="Disposition note",
        help_text="Required for 'Other'.",
    )


class DischargeForm(forms.Form):
    discharge_date = forms.DateField(widget=DateInput(), label="Discharge date")


class FollowUpCompleteForm(forms.Form):
    """Done (with the outcome) or not needed (with the reason): the button pressed says which."""

    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Outcome, or why it is not needed",
        max_length=2000,
        error_messages={"required": "Describe the outcome, or say why it is not needed."},
    )

    def status(self, data: Any) -> str:
        return TaskStatus.NOT_NEEDED if data.get("result") == "not_needed" else TaskStatus.DONE
