"""Forms for sessions and notes. Rules live in ``notes.services``; forms only parse.

No form has a client, author or signer field: those come from the URL and the signed-in person
(SEC-11), so a posted ``client`` or ``author`` is simply ignored.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from alliance.notes.cpt import CPT_CODES, NO_CODE, cpt_label
from alliance.notes.formats import NoteFormat
from alliance.notes.models import EncounterSetting, EncounterType, NoteTemplate
from alliance.notes.services import EncounterValues
from alliance.web.documents import (
    EnteredInErrorBase,
    reason_field,
)
from alliance.web.widgets import DateInput


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%H:%M", **kwargs)  # type: ignore[arg-type]


class NoteCreateForm(forms.Form):
    """Choose a template, and describe the session (unless the note is about none)."""

    template = forms.ChoiceField(choices=NoteTemplate.choices, label="Template")
    no_session = forms.BooleanField(
        required=False, label="This note is not about a session or contact"
    )
    date = forms.DateField(widget=DateInput(), required=False, label="Date of the session")
    start_time = forms.TimeField(widget=TimeInput(), required=False, label="Started at")
    end_time = forms.TimeField(widget=TimeInput(), required=False, label="Ended at")
    encounter_type = forms.ChoiceField(
        choices=[("", "Choose the type"), *EncounterType.choices], required=False, label="Type"
    )
    setting = forms.ChoiceField(
        choices=[("", "Choose the setting"), *EncounterSetting.choices],
        required=False,
        label="Setting",
    )
    participants = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Other participants",
        help_text="One per line, with their relationship, e.g. 'Mother (collateral)'.",
    )
    client_present = forms.BooleanField(
        required=False, initial=True, label="The client took part in the session"
    )

    SESSION_FIELDS = ("date", "start_time", "end_time", "encounter_type", "setting")

    def __init__(self, *args: Any, existing_session: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.existing_session = existing_session
        if not self.is_bound:
            self.fields["date"].initial = timezone.localdate()
        if existing_session:
            for name in (*self.SESSION_FIELDS, "no_session", "participants", "client_present"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.existing_session or data.get("no_session"):
            return data
        for name in self.SESSION_FIELDS:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, "Needed to record the session.")
        return data

    def session(self) -> EncounterValues | None:
        data = self.cleaned_data
        if self.existing_session or data.get("no_session"):
            return None
        return EncounterValues(
            date=data["date"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            encounter_type=data["encounter_type"],
            setting=data["setting"],
            participants=data["participants"].splitlines(),
            client_present=data["client_present"],
        )


class NoteContentForm(forms.Form):
    """One field per section of the note's template, plus the version it was loaded at."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, note_format: NoteFormat, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.note_format = note_format
        for section in note_format.sections:
            field: forms.Field
            if section.choices:
                field = forms.ChoiceField(
                    choices=[("", "—"), *((c, c) for c in section.choices)], required=False
                )
            else:
                widget = (
                    forms.TextInput()
                    if section.rows == 1
                    else forms.Textarea(attrs={"rows": section.rows})
                )
                field = forms.CharField(widget=widget, required=False, strip=False)
            field.label = section.label
            field.help_text = section.help
            self.fields[section.key] = field

    def content(self) -> dict[str, str]:
        return {k: self.cleaned_data.get(k) or "" for k in self.note_format.keys()}  # noqa: SIM118

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """Fields in template order, consecutive sections of one group together."""
        grouped: list[tuple[str, list[forms.BoundField]]] = []
        for section in self.note_format.sections:
            bound = self[section.key]
            if grouped and grouped[-1][0] == section.group:
                grouped[-1][1].append(bound)
            else:
                grouped.append((section.group, [bound]))
        return grouped


class EnteredInErrorForm(EnteredInErrorBase):
    reason = reason_field(
        "Why was this note entered in error?",
        "E.g. 'Written in the wrong client's chart.' The note stays, marked.",
    )


class CosignForm(forms.Form):
    """Co-sign (needs the password) or return with comments (needs a comment)."""

    decision = forms.ChoiceField(
        choices=[("cosign", "Co-sign"), ("return", "Return to the author")],
        widget=forms.RadioSelect,
        label="Decision",
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Comments for the author",
        help_text="Needed when you return the note.",
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        required=False,
        label="Your password",
        help_text="Needed to co-sign.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "cosign" and not data.get("password"):
            self.add_error("password", "Re-enter your password to co-sign.")
        if data.get("decision") == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", "Say what the author should add or correct.")
        return data


class CptConfirmForm(forms.Form):
    code = forms.ChoiceField(label="CPT code")

    def __init__(self, suggested: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = []
        if suggested and suggested != NO_CODE:
            choices.append((suggested, f"{cpt_label(suggested)} (suggested)"))
        choices += [(c, f"{c}: {text}") for c, text in CPT_CODES.items() if c != suggested]
        choices.append((NO_CODE, "No billable code"))
        field = self.fields["code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        field.initial = suggested
