"""Forms for the client registry. Rules live in ``clients.services``; forms parse, then ask the
services' rules about whatever parsed, so every field's error shows at once."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q

from alliance.clients.models import Client, Contact, Episode
from alliance.clients.services import (
    CLIENT_FIELDS,
    client_field_errors,
    contact_field_errors,
    episode_field_errors,
)
from alliance.organisation.models import Program
from alliance.web.widgets import DateInput, PhoneInput


class ServiceRulesForm(forms.ModelForm):
    """A model form that reports the service's rules together with its own parsing errors.

    The service checks the same rules again when it saves; asking them here only means a bad
    email no longer hides a future date of birth until the email is fixed.
    """

    def rule_errors(self, values: dict[str, Any]) -> dict[str, list[str]]:
        """The service's messages, by field, for the values that parsed."""
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        super().clean()
        for name, messages in self.rule_errors(dict(self.cleaned_data)).items():
            field = name if name in self.fields else None
            # A field that did not parse already says why; its rule would only repeat it.
            if field not in self.errors:
                self.add_error(field, messages)
        return self.cleaned_data


class VersionedRulesForm(ServiceRulesForm):
    """A form that both adds and edits a row: an edit sends back the version it loaded (REL-04).

    The view passes ``editing=True`` (and the row's version as the initial value) when the form
    changes a saved row; the service refuses a stale version with ``StaleEdit``.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].required = editing


class ClientForm(ServiceRulesForm):
    def rule_errors(self, values: dict[str, Any]) -> dict[str, list[str]]:
        return client_field_errors(values)

    class Meta:
        model = Client
        fields = list(CLIENT_FIELDS)
        widgets = {
            "date_of_birth": DateInput(),
            "phone": PhoneInput(attrs={"autocomplete": "off"}),
        }
        help_texts = {
            "pronouns": "In the client's words, e.g. she/her, they/them.",
            "preferred_name": "The name the client wants to be called.",
        }


class ClientCreateForm(ClientForm):
    confirm_not_duplicate = forms.BooleanField(
        required=False,
        label="I checked the possible matches: this is a different person",
    )

    class Meta(ClientForm.Meta):
        pass


class ClientEditForm(ClientForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta(ClientForm.Meta):
        pass


class ContactForm(VersionedRulesForm):
    def rule_errors(self, values: dict[str, Any]) -> dict[str, list[str]]:
        return contact_field_errors(values)

    class Meta:
        model = Contact
        fields = ["name", "relationship", "phone", "email", "may_contact", "active"]
        widgets = {"phone": PhoneInput()}


class EpisodeForm(VersionedRulesForm):
    """New episodes go to active programs; an existing one keeps its program even once closed.

    ``offered``: the programs this user may enrol in (``access.part2.programs_offered_q``).
    ``clinical``: whether the user may read clinical narrative; the discharge note is the
    clinician's words, so the front desk and intake never see it (SEC-12, issue 14 class 6).
    """

    program = forms.ModelChoiceField(queryset=Program.objects.filter(active=True))

    def __init__(
        self,
        *args: Any,
        current_program: Program | None = None,
        offered: Q | None = None,
        clinical: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = Q(active=True) | Q(pk=current_program.pk) if current_program else Q(active=True)
        self.fields["program"].queryset = Program.objects.filter(  # type: ignore[attr-defined]
            choices, offered or Q()
        )
        if not clinical:
            del self.fields["discharge_note"]

    def rule_errors(self, values: dict[str, Any]) -> dict[str, list[str]]:
        return episode_field_errors(values)

    class Meta:
        model = Episode
        fields = [
            "program",
            "referral_date",
            "admission_date",
            "discharge_date",
            "discharge_reason",
            "discharge_note",
        ]
        widgets = {
            "referral_date": DateInput(),
            "admission_date": DateInput(),
            "discharge_date": DateInput(),
        }


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Name, MRN or date of birth",
        max_length=100,
        help_text="Any part of a name; MRN; or date of birth as 1990-04-23 or 04/23/1990.",
    )
