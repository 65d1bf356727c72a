"""The forms of the records kernel's lifecycle, the same for every signed document type (notes,
risk assessments, safety plans, mandated reports): the password asked again (SEC-08), signing a
draft at the version shown, an addendum, and "entered in error" with its reason. A document
type's pages use these; only the reason's wording is the type's own."""

from __future__ import annotations

from django import forms

PASSWORD_HELP = "Re-enter your password to confirm it is you signing."  # noqa: S105


def password_field(label: str = "Your password") -> forms.CharField:
    return forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        label=label,
        help_text=PASSWORD_HELP,
    )


def reason_field(label: str, help_text: str) -> forms.CharField:
    """Why a document was entered in error (``records.reasons`` checks the words)."""
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label=label, help_text=help_text
    )


class SignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    password = password_field()


class AddendumForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label="Addendum")
    password = password_field()


class EnteredInErrorBase(forms.Form):
    """A document type's form sets ``reason`` with its own wording (``reason_field``)."""

    reason = reason_field("Why was this entered in error?", "It stays in the record, marked.")
    password = password_field()
