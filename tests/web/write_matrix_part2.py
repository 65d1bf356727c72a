"""Write-matrix rows of the 42 CFR Part 2 pages (SEC-20, SEC-21): record a consent, revoke one,
record a court order.

Only therapist_on_team, in the personnel of the Part 2 program client_a was treated in
(``matrix_part2``), may write them; the rest of client_a's care team and her supervisor get the
404 of a client that does not exist, so they do not learn that client_a is in a Part 2 program
(42 CFR 2.13(c)); registry staff and the privacy officer lack the capability.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.web.write_matrix_base import STORED, Target, Want, Write, beyond_care, clinical


def consent(target: Target) -> dict[str, object]:
    today = timezone.localdate()
    return {
        "program_id": target.id("part2_program_id"),
        "information_kind": "attendance",
        "information": "Attendance dates and enrollment status in the program",
        "information_amount": "From 2025-01-01 to today",
        "recipient_kind": "named",
        "recipient": "Dr. Ana Ruiz, Riverside Family Medicine",
        "purpose": "patient_request",
        "revocation_statement": "on",
        "expiry": "date",
        "expires_on": (today + timedelta(days=365)).isoformat(),
        "signed_by": "patient",
        "signer_name": "Zoë Núñez",
        "signed_on": today.isoformat(),
    }


def revocation(target: Target) -> dict[str, object]:
    return {"revocation": "Signed letter of revocation, dated today"}


def court_order(target: Target) -> dict[str, object]:
    return {
        "program_id": target.id("part2_program_id"),
        "court": "Superior Court of Example County",
        "order_date": timezone.localdate().isoformat(),
        "reference": "24-CV-118",
        "section": "2.64",
        "scope": "Attendance records, to the court, for the custody hearing",
    }


PART2: dict[str, Want] = {
    **clinical(on=STORED, off=404, peer=404, registry=403),
    "psychiatrist": 404,
    "supervisor": 404,
}

WRITES: dict[str, Write] = {
    "web:part2_consents": Write(consent, PART2, beyond_care(PART2)),
    "web:part2_consent_revoke": Write(revocation, PART2, beyond_care(PART2)),
    "web:part2_court_orders": Write(court_order, PART2, beyond_care(PART2)),
}

READS: frozenset[str] = frozenset()
