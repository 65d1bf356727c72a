"""Questionnaire forms built from the instrument library's item data.

Every item is optional at the form level: the library decides what is missing or skipped, so
its messages (and its safety-first handling of critical answers) apply everywhere alike.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from alliance import instruments
from alliance.assessments.imports import licensed_texts
from alliance.assessments.models import AlertAction
from alliance.web.widgets import DateInput

VAS_MAX = Decimal("10.0")


def field_name(item_id: str) -> str:
    return f"item_{item_id}"


class QuestionnaireForm(forms.Form):
    """One field per item: radios for choices and yes/no, a number for 0.0-10.0 lines."""

    def __init__(self, instrument: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        licensed = {} if instrument.text_licensed else licensed_texts(instrument.code)
        for position, item in enumerate(instrument.items, start=1):
            label = item.text or licensed.get(item.id) or item.label or f"Item {item.id}"
            if item.kind == "vas":
                self.fields[field_name(item.id)] = forms.DecimalField(
                    label=label,
                    required=False,
                    min_value=Decimal("0.0"),
                    max_value=VAS_MAX,
                    decimal_places=1,
                    help_text="Mark on the 10 cm line, in cm (0.0 to 10.0).",
                )
                continue
            choices = [
                (str(option.value), option.label or str(option.value)) for option in item.options
            ]
            self.fields[field_name(item.id)] = forms.TypedChoiceField(
                label=label if item.text else f"{position}. {label}",
                choices=choices,
                coerce=_number,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )

    def answers(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for item in self.instrument.items:
            value = self.cleaned_data.get(field_name(item.id))
            if isinstance(value, Decimal):
                value = float(value)
            result[item.id] = value
        return result


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


class SendLinkForm(forms.Form):
    instrument = forms.ChoiceField(label="Questionnaire")
    kiosk = forms.BooleanField(
        required=False,
        label="Hand a clinic tablet to the client now (kiosk mode)",
        help_text="Signs you out of this device; it locks again when the client is done.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [(i.code, i.name) for i in instruments.catalogue()]  # type: ignore[attr-defined]


class AcknowledgeForm(forms.Form):
    action = forms.ChoiceField(
        choices=AlertAction.choices, widget=forms.RadioSelect, label="What did you do?"
    )
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Details"
    )


class ScheduleForm(forms.Form):
    instrument = forms.ChoiceField(label="Questionnaire")
    every_days = forms.IntegerField(label="Every (days)", min_value=1, max_value=365, initial=14)
    first_due_on = forms.DateField(
        label="First due on", required=False, widget=DateInput(), help_text="Empty: today."
    )
    send_by_email = forms.BooleanField(
        required=False,
        label="Email the link to the client when due (the client agreed)",
        help_text="The message names only the clinic and carries the link.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [  # type: ignore[attr-defined]
            (i.code, i.name) for i in instruments.catalogue()
        ]
