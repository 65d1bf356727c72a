"""Forms for mandated reports, the accounting of disclosures and authorizations.

Rules live in ``alliance.disclosures``; forms only parse. No form has a client, author or
discloser field: those come from the URL and the signed-in person.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from alliance.disclosures.authorizations import PsychotherapyNoteException
from alliance.disclosures.models import (
    NARRATIVE_FIELDS,
    Authorization,
    ContactMethod,
    LegalBasis,
    MandatedReport,
    ReportKind,
)
from alliance.disclosures.services import ContactValues
from alliance.web.dates import BoundedDateField
from alliance.web.widgets import DateInput

MAX_CONTACTS = 10


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)  # type: ignore[arg-type]


def _when(label: str, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        label=label,
        required=required,
    )


def _text(label: str, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": rows}), label=label, required=False, **kwargs
    )


class ReportCreateForm(forms.Form):
    kind = forms.ChoiceField(
        choices=ReportKind.choices, widget=forms.RadioSelect, label="Kind of report"
    )


def _report_label(name: str) -> str:
    field = MandatedReport._meta.get_field(name)
    return str(getattr(field, "verbose_name", name)).capitalize()


class ReportForm(forms.Form):
    """Every element of SEC-31; all optional in a draft, all checked when signing."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    legal_basis = forms.ChoiceField(
        choices=[("", "Not chosen yet"), *LegalBasis.choices], required=False, label="Legal basis"
    )
    client_informed = forms.TypedChoiceField(
        choices=[("", "Not answered yet"), ("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        label="Was the client told of the report?",
    )

    field_order = [
        "version",
        "concern_verbatim",
        "victim",
        "risk_assessment",
        "rationale",
        "consultation",
        "actions_taken",
        "information_disclosed",
        "legal_basis",
        "legal_citation",
        "client_informed",
        "client_not_informed_reason",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in NARRATIVE_FIELDS:
            self.fields[name] = _text(_report_label(name), rows=2 if "citation" in name else 4)
        self.order_fields(self.field_order)

    def values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}

    @staticmethod
    def initial_for(report: MandatedReport) -> dict[str, Any]:
        informed = {True: "yes", False: "no", None: ""}[report.client_informed]
        return {
            **{name: getattr(report, name) for name in NARRATIVE_FIELDS},
            "legal_basis": report.legal_basis,
            "client_informed": informed,
            "version": report.version,
        }


class ContactForm(forms.Form):
    recipient = forms.CharField(max_length=200, required=False, label="Agency or person")
    contacted_at = _when("When", required=False)
    method = forms.ChoiceField(
        choices=[("", "Choose how"), *ContactMethod.choices], required=False, label="How"
    )
    reference = forms.CharField(max_length=80, required=False, label="Reference number")

    def values(self) -> ContactValues:
        data = self.cleaned_data
        return ContactValues(
            recipient=data.get("recipient") or "",
            contacted_at=data.get("contacted_at"),
            method=data.get("method") or "",
            reference=data.get("reference") or "",
        )


ContactFormSet = forms.formset_factory(
    ContactForm, extra=2, max_num=MAX_CONTACTS, validate_max=True
)


def contact_initial(report: MandatedReport) -> list[dict[str, Any]]:
    return [
        {
            "recipient": c.recipient,
            "contacted_at": c.contacted_at,
            "method": c.method,
            "reference": c.reference,
        }
        for c in report.contacts.order_by("position", "id")
    ]


class DisclosureForm(forms.Form):
    disclosed_at = _when("Disclosed on")
    recipient = forms.CharField(max_length=200, label="To whom")
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What was disclosed",
        help_text="E.g. 'Treatment summary and attendance dates, 2025-01 to 2025-06'.",
    )
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Purpose or legal basis",
        help_text="E.g. 'Client's authorization of 2025-06-01' or 'Court order 24-CV-118'.",
    )


class CorrectionForm(DisclosureForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="Why is the entry corrected?"
    )


class AuthorizationForm(forms.Form):
    recipient = forms.CharField(max_length=200, label="To whom")
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Purpose")
    covers_psychotherapy_notes = forms.BooleanField(
        required=False,
        label="This authorization is for psychotherapy notes, and only them",
    )
    covers_other = forms.CharField(
        max_length=200,
        required=False,
        label="Other information covered (a general release)",
        help_text="Leave empty for a psychotherapy-note authorization: it may cover nothing else.",
    )
    signed_on = forms.DateField(widget=DateInput(), label="Signed by the client on")
    expires_on = forms.DateField(widget=DateInput(), label="Expires on")


class PsychotherapyDiscloseForm(forms.Form):
    recipient = forms.CharField(
        max_length=200,
        required=False,
        label="To whom",
        help_text="With an authorization, the recipient it names (left empty, it is used).",
    )
    authorization = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label="Client's authorization"
    )
    exception = forms.ChoiceField(
        choices=[("", "No exception: use the authorization"), *PsychotherapyNoteException.choices],
        required=False,
        label="Or an exception (reason code)",
    )
    reason_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Reason for the exception",
    )

    def __init__(self, *args: Any, authorizations: list[Authorization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.authorizations = {a.pk: a for a in authorizations}
        field = self.fields["authorization"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            ("", "None"),
            *[
                (
                    a.pk,
                    f"{a.recipient}, signed {a.signed_on:%Y-%m-%d}, until {a.expires_on:%Y-%m-%d}",
                )
                for a in authorizations
            ],
        ]

    def chosen(self) -> Authorization | None:
        pk = self.cleaned_data.get("authorization")
        return self.authorizations.get(pk) if pk else None


class PeriodForm(forms.Form):
    since = BoundedDateField(required=False, label="From")
    until = BoundedDateField(required=False, label="To")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data

    def period(self) -> tuple[date | None, date | None]:
        if not self.is_valid():
            return None, None
        return self.cleaned_data.get("since"), self.cleaned_data.get("until")
