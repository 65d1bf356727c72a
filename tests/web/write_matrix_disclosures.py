"""Write-matrix rows of mandated reports, the accounting of disclosures and authorizations.

Mandated reports are restricted records (SEC-31): their author writes and signs them, she or
her supervisor adds to a signed one, the privacy officer corrects the accounting; the rest of
the care team gets 404 like a stranger. ``draft_report_id`` is an empty draft of the
therapist's, ``complete_report_id`` one with every element (signing checks them),
``report_id`` a signed one; ``pn_id`` her psychotherapy note, which only she may release
(SEC-17), here under the client's authorization ``authorization_id``.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from alliance.disclosures.models import Disclosure, MandatedReport, ReportKind
from tests.disclosures.conftest import complete_draft
from tests.personas import PASSWORD, Clinic
from tests.web.write_matrix_base import (
    ANSWERED,
    STORED,
    Target,
    Want,
    Write,
    beyond_care,
    clinical,
    empty,
    only,
)


def create(target: Target) -> dict[str, object]:
    return {"kind": ReportKind.CHILD_ABUSE}


def edit(target: Target) -> dict[str, object]:
    report = MandatedReport.objects.get(pk=target.id("draft_report_id"))
    return {
        "version": report.version,
        "concern_verbatim": "He said his father hits him with a belt.",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
    }


def sign(target: Target) -> dict[str, object]:
    report = MandatedReport.objects.get(pk=target.id("complete_report_id"))
    return {"version": report.version, "password": PASSWORD}


def addendum(target: Target) -> dict[str, object]:
    return {"text": "The agency called back with a case number.", "password": PASSWORD}


def disclosure(target: Target) -> dict[str, object]:
    return {
        "disclosed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "recipient": "Dr. Example, primary care",
        "description": "Treatment summary",
        "purpose": "Client's authorization of this month",
    }


def correction(target: Target) -> dict[str, object]:
    row = Disclosure.objects.get(pk=target.id("disclosure_id"))
    return {
        **disclosure(target),
        "recipient": row.recipient,
        "reason": "The date was typed wrong.",
    }


def find_client(target: Target) -> dict[str, object]:
    return {"mrn": target.client.mrn}


def authorization(target: Target) -> dict[str, object]:
    today = timezone.localdate()
    return {
        "recipient": "Dr. Example, primary care",
        "purpose": "Coordination of care",
        "covers_other": "Treatment summary",
        "signed_on": today.isoformat(),
        "expires_on": (today + timedelta(days=90)).isoformat(),
    }


def release(target: Target) -> dict[str, object]:
    return {"authorization": target.id("authorization_id")}


def restricted(*, author: Want, supervisor: Want, privacy: Want) -> dict[str, Want]:
    """A restricted record: its author, her supervisor, the privacy officer, and the rest of
    the care team, who get the 404 of a stranger (as ``matrix_disclosures.restricted``)."""
    return {
        **clinical(on=author, off=404, peer=404, registry=403),
        "psychiatrist": 404,
        "supervisor": supervisor,
        "privacy_officer": privacy,
    }


WRITE = clinical(on=STORED, off=404, peer=STORED, registry=403)
AUTHOR = restricted(author=STORED, supervisor=404, privacy=403)
ADDENDUM = restricted(author=STORED, supervisor=STORED, privacy=403)
CORRECT = restricted(author=STORED, supervisor=404, privacy=STORED)
PRIVACY = only("privacy_officer", want=ANSWERED)
PN_AUTHOR = {
    **clinical(on=STORED, off=404, peer=404, registry=403),
    "psychiatrist": 404,
    "supervisor": 404,
}

WRITES: dict[str, Write] = {
    "web:mandated_report_create": Write(create, WRITE, beyond_care(WRITE)),
    "web:mandated_report_edit": Write(edit, AUTHOR, beyond_care(AUTHOR)),
    "web:mandated_report_sign": Write(
        sign, AUTHOR, beyond_care(AUTHOR), swap={"draft_report_id": "complete_report_id"}
    ),
    "web:mandated_report_addendum": Write(addendum, ADDENDUM, beyond_care(ADDENDUM)),
    "web:disclosure_record": Write(disclosure, WRITE, beyond_care(WRITE)),
    "web:disclosure_correct": Write(
        correction, CORRECT, beyond_care(CORRECT, privacy_officer=STORED)
    ),
    "web:disclosure_report": Write(find_client, PRIVACY, PRIVACY),
    "web:authorizations": Write(authorization, WRITE, beyond_care(WRITE)),
    "web:authorization_revoke": Write(empty, WRITE, beyond_care(WRITE)),
    "web:psychotherapy_note_disclose": Write(release, PN_AUTHOR, beyond_care(PN_AUTHOR)),
}

READS = frozenset(
    {
        "web:mandated_report_list",
        "web:mandated_report_view",
        "web:disclosure_client",
        "web:disclosure_report_client",
        "web:disclosure_report_pdf",
    }
)


def write_objects(clinic: Clinic) -> dict[str, int | str]:
    """A draft report of client_a's clinician with every element written, ready to sign."""
    report = complete_draft(clinic.therapist_on_team, clinic.client_a)
    return {"complete_report_id": report.pk}
