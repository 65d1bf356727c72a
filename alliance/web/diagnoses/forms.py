"""Forms of the problem list. They parse input only: the services decide what is allowed.

No form has a client, author or co-signer field: those come from the URL and the signed-in user
(SEC-11, no mass assignment of owner fields).
"""

from __future__ import annotations

from typing import Any

from django import forms

from alliance.diagnoses.icd10 import Code
from alliance.diagnoses.models import CURRENT_STATUSES, DiagnosisStatus
from alliance.web.widgets import DateInput


class CodeSearchForm(forms.Form):
    """The words or code to look up: a POST, so that no search words sit in a URL."""

    q = forms.CharField(
        label="Search ICD-10-CM by words or code",
        min_length=2,
        max_length=200,
        help_text="E.g. “major depressive single episode moderate”, “F41.1” or “homeless”.",
        error_messages={"required": "Type a few words or the start of a code to search."},
    )


class DiagnosisAddForm(forms.Form):
    """Record a diagnosis: a code picked from the search results, or typed.

    The search is a POST of the words (``CodeSearchForm``, no JavaScript needed); its results
    come back as radio choices of ``code``. A clinician who knows the code can type it in
    ``code_typed`` instead.
    """

    code = forms.ChoiceField(label="Code", required=False, choices=(), widget=forms.RadioSelect)
    code_typed = forms.CharField(
        label="Or type the code", required=False, max_length=10, help_text="E.g. F33.1"
    )
    status = forms.ChoiceField(
        label="Status",
        choices=[(s.value, s.label) for s in CURRENT_STATUSES],
        initial=DiagnosisStatus.ACTIVE,
    )
    onset = forms.DateField(label="Onset", required=False, widget=DateInput())
    is_primary = forms.BooleanField(label="Primary diagnosis", required=False)
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, results: list[Code] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(c.code, f"{c.code} — {c.description}") for c in results or []]
        # A code chosen from an earlier search stays choosable when the form comes back.
        chosen = self.data.get("code") if self.is_bound else None
        if chosen and chosen not in {c for c, _label in choices}:
            choices.insert(0, (chosen, chosen))
        self.fields["code"].choices = choices  # type: ignore[attr-defined]

    def chosen_code(self) -> str:
        """The typed code if any, else the chosen result."""
        return str(
            self.cleaned_data.get("code_typed") or self.cleaned_data.get("code") or ""
        ).strip()


class DiagnosisChangeForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=DiagnosisStatus.choices)
    is_primary = forms.BooleanField(label="Primary diagnosis", required=False)
    note = forms.CharField(
        label="Reason for the change",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CosignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(
        label="Comment", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReturnForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(
        label="What should be revised",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
