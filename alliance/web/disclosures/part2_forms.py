"""Forms of the 42 CFR Part 2 pages: consents, revocations, court orders, and the Part 2 part
of a recorded disclosure.

Rules live in ``alliance.disclosures``; these only parse. Every element of a consent is optional
here so that the service, which refuses a consent missing any of them (SEC-20), says what is
missing next to each field in its own words. Programs offered are only those the signed-in
person may see for this client (``part2_selectors.part2_programs_for``).
"""

from __future__ import annotations

from typing import Any

from django import forms

from alliance.disclosures.models import (
    Part2Consent,
    Part2CourtOrder,
    Part2Expiry,
    Part2InformationKind,
    Part2OrderSection,
    Part2Purpose,
    Part2RecipientKind,
    Part2Signer,
)
from alliance.disclosures.part2 import Part2Request
from alliance.disclosures.part2_consents import ConsentElements
from alliance.organisation.models import Program
from alliance.web.widgets import DateInput


def _choice(choices: list[tuple[Any, str]], label: str, blank: str, **kwargs: Any) -> Any:
    return forms.ChoiceField(choices=[("", blank), *choices], required=False, label=label, **kwargs)


def _text(label: str, rows: int = 2, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": rows}), required=False, label=label, **kwargs
    )


def _program_field(programs: list[Program], blank: str, label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        choices=[("", blank), *[(p.pk, p.name) for p in programs]],
        coerce=int,
        empty_value=None,
        required=False,
        label=label,
    )


class Part2ConsentForm(forms.Form):
    """The signed consent, element by element (42 CFR 2.31(a), 2024 rule)."""

    discloser = forms.CharField(
        max_length=200,
        required=False,
        label="Or the person or class authorized to disclose",
        help_text="Only if the consent names a person or class rather than the program.",
    )
    covers_counseling_notes = forms.BooleanField(
        required=False,
        label="This consent is for SUD counseling notes, and only them (42 CFR 2.31(b))",
    )
    information_kind = _choice(
        Part2InformationKind.choices,
        "Kind of information",
        "Choose",
        help_text="Leave empty for a consent for SUD counseling notes: it may cover nothing else.",
    )
    information = _text(
        "The information to be disclosed, described specifically",
        rows=3,
        help_text="As the consent words it, e.g. 'attendance dates and drug screen results'.",
    )
    information_amount = forms.CharField(
        max_length=200,
        required=False,
        label="How much",
        help_text="E.g. 'records from 2025-01-01 to 2025-06-30'.",
    )
    recipient_kind = _choice(Part2RecipientKind.choices, "Recipients are named", "Choose")
    recipient = forms.CharField(
        max_length=300,
        required=False,
        label="Recipient (name or class)",
        help_text="Left empty for a TPO class, the regulation's wording is used.",
    )
    intermediary_participants = _text("For an intermediary: its member participants")
    purpose = _choice(Part2Purpose.choices, "Purpose", "Choose")
    purpose_detail = _text("The purpose in the consent's words")
    revocation_statement = forms.BooleanField(
        required=False,
        label=(
            "The consent states the right to revoke it in writing, how, and that revoking does "
            "not undo what was done in reliance on it"
        ),
    )
    expiry = _choice(Part2Expiry.choices, "Expires", "Choose")
    expires_on = forms.DateField(widget=DateInput(), required=False, label="Expiry date")
    signed_by = _choice(Part2Signer.choices, "Signed by", "Choose")
    signer_name = forms.CharField(max_length=200, required=False, label="Name of the signer")
    signer_relationship = forms.CharField(
        max_length=200,
        required=False,
        label="If not the patient: relationship and authority to sign",
    )
    signed_on = forms.DateField(widget=DateInput(), required=False, label="Date signed")
    tpo_redisclosure_statement = forms.BooleanField(
        required=False,
        label=(
            "TPO consent: it states that records disclosed under it may be redisclosed and "
            "lose Part 2 protection"
        ),
    )
    tpo_refusal_statement = forms.BooleanField(
        required=False, label="TPO consent: it states the consequences of refusing to sign"
    )

    def __init__(self, *args: Any, programs: list[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program_id"] = _program_field(
            programs, "None: a person or class named below", "Part 2 program authorized to disclose"
        )
        self.order_fields(["program_id", *[n for n in self.fields if n != "program_id"]])

    def elements(self) -> ConsentElements:
        return ConsentElements(**self.cleaned_data)


class Part2RevokeForm(forms.Form):
    revocation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="The client's written revocation",
        help_text="What the client revoked and how, e.g. 'signed letter dated 2025-07-01'.",
    )


class Part2CourtOrderForm(forms.Form):
    court = forms.CharField(max_length=200, required=False, label="Court")
    order_date = forms.DateField(widget=DateInput(), required=False, label="Date of the order")
    reference = forms.CharField(max_length=120, required=False, label="Docket or reference")
    section = _choice(Part2OrderSection.choices, "Issued under", "Choose")
    scope = _text("What the order authorizes (records, recipient, use)", rows=3)

    def __init__(self, *args: Any, programs: list[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program_id"] = _program_field(
            programs, "Not named in the order", "Part 2 program the order names"
        )
        self.order_fields(["program_id", *[n for n in self.fields if n != "program_id"]])


def _consent_label(c: Part2Consent) -> str:
    expiry = f"until {c.expires_on:%Y-%m-%d}" if c.expires_on else c.get_expiry_display().lower()
    notes = ", SUD counseling notes" if c.covers_counseling_notes else ""
    return (
        f"{c.recipient}: {c.get_purpose_display()}{notes}, signed {c.signed_on:%Y-%m-%d}, {expiry}"
    )


def _order_label(o: Part2CourtOrder) -> str:
    return f"{o.court}, {o.reference} (42 CFR {o.section}), {o.order_date:%Y-%m-%d}"


def add_part2_fields(
    form: forms.Form,
    *,
    programs: list[Program],
    consents: list[Part2Consent],
    orders: list[Part2CourtOrder],
) -> None:
    """The Part 2 part of the recorded-disclosure form: shown only to staff who may see the
    client's Part 2 records, and only with those programs (none is ever named to anyone else)."""
    form.fields["part2_program"] = _program_field(
        programs,
        "None: no information from a Part 2 program",
        "Includes information from a 42 CFR Part 2 program",
    )
    form.fields["part2_purpose"] = _choice(Part2Purpose.choices, "Part 2 purpose", "Choose")
    consent = forms.TypedChoiceField(
        choices=[
            ("", "Find a consent that covers it"),
            *[(c.pk, _consent_label(c)) for c in consents],
        ],
        coerce=int,
        empty_value=None,
        required=False,
        label="The client's Part 2 consent",
    )
    form.fields["part2_consent"] = consent
    form.fields["court_order"] = forms.TypedChoiceField(
        choices=[("", "None"), *[(o.pk, _order_label(o)) for o in orders]],
        coerce=int,
        empty_value=None,
        required=False,
        label="Or a court order (42 CFR 2.64, 2.65)",
    )
    form.fields["includes_counseling_notes"] = forms.BooleanField(
        required=False, label="Includes SUD counseling notes"
    )
    form.fields["recipient_in_class"] = forms.BooleanField(
        required=False,
        label="The recipient belongs to the class of recipients the consent names",
    )


def part2_request_of(form: forms.Form) -> Part2Request | None:
    """The Part 2 part of a valid recorded-disclosure form, or ``None`` when it has none."""
    data = form.cleaned_data
    program_id = data.get("part2_program")
    if program_id is None:
        return None
    return Part2Request(
        program_id=program_id,
        purpose=data.get("part2_purpose") or "",
        consent_id=data.get("part2_consent"),
        court_order_id=data.get("court_order"),
        includes_counseling_notes=bool(data.get("includes_counseling_notes")),
        recipient_in_class=bool(data.get("recipient_in_class")),
    )


PART2_FIELDS = (
    "part2_program",
    "part2_purpose",
    "part2_consent",
    "court_order",
    "includes_counseling_notes",
    "recipient_in_class",
)
