"""The 42 CFR Part 2 pages (SEC-20, SEC-21): consents, revocation, court orders, and the Part 2
part of a recorded disclosure, shown only to staff who may see the client's Part 2 records."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from alliance.audit.models import AuditEvent
from alliance.disclosures.models import (
    Disclosure,
    Part2Consent,
    Part2CourtOrder,
    Part2Purpose,
)
from alliance.disclosures.part2 import NOTICE_STATEMENT
from alliance.staff.models import User
from tests.audit.helpers import events_after, last_seq
from tests.conftest import sign_in
from tests.disclosures.test_part2_consent import (
    Part2Setting,
    named_consent,
    part2_setting,
    record,
)
from tests.personas import Clinic


@pytest.fixture
def part2(clinic: Clinic) -> Part2Setting:
    """A Part 2 program, therapist_on_team in its personnel, client_a enrolled."""
    return part2_setting(clinic)


RECIPIENT = "Dr. Ana Ruiz, Riverside Family Medicine"


def consent_post(part2: Part2Setting, **changes: str) -> dict[str, str]:
    today = timezone.localdate()
    data = {
        "program_id": str(part2.program.pk),
        "information_kind": "attendance",
        "information": "Attendance dates and enrollment status in the program",
        "information_amount": "From 2025-01-01 to today",
        "recipient_kind": "named",
        "recipient": RECIPIENT,
        "purpose": "patient_request",
        "revocation_statement": "on",
        "expiry": "date",
        "expires_on": (today + timedelta(days=365)).isoformat(),
        "signed_by": "patient",
        "signer_name": "Zoë Núñez",
        "signed_on": today.isoformat(),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def url(name: str, *args: object) -> str:
    return reverse(f"web:{name}", args=args)


@pytest.mark.parametrize(
    "persona", ["psychiatrist", "supervisor", "peer_specialist", "therapist_off_team"]
)
@pytest.mark.parametrize("page", ["part2_consents", "part2_court_orders"])
def test_staff_outside_the_program_get_404(
    clinic: Clinic,
    part2: Part2Setting,
    signed_in: Callable[[User], HttpClient],
    persona: str,
    page: str,
) -> None:
    """The client's other clinicians do not learn of the program (42 CFR 2.13(c))."""
    seq = last_seq()
    response = signed_in(getattr(clinic, persona)).get(url(page, part2.client.pk))
    assert response.status_code == 404
    assert part2.program.name.encode() not in response.content
    assert any(e.outcome == "denied" for e in events_after(seq))


def test_a_consent_missing_elements_is_refused_next_to_each_field(
    part2: Part2Setting, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-20: the page shows why, beside each field, and saves nothing."""
    http = signed_in(part2.member)
    response = http.post(
        url("part2_consents", part2.client.pk),
        consent_post(part2, revocation_statement="", signer_name="", information="SUD"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    for field in ("revocation_statement", "signer_name", "information"):
        group = re.search(
            rf'<div class="field has-error[^"]*">(?:(?!<div class="field).)*name="{field}"',
            body,
            re.S,
        )
        assert group, f"no error next to {field}"
    assert "42 CFR 2.31(a)(6)" in body
    assert not Part2Consent.objects.exists()


def test_record_list_and_revoke_a_consent(
    part2: Part2Setting, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-20: recorded, listed (each one listed is an audited read), revoked with words."""
    http = signed_in(part2.member)
    response = http.post(url("part2_consents", part2.client.pk), consent_post(part2))
    assert response.status_code == 302
    consent = Part2Consent.objects.get()
    seq = last_seq()
    page = http.get(url("part2_consents", part2.client.pk))
    assert page.status_code == 200 and RECIPIENT in page.content.decode()
    assert any(
        e.object_type == "disclosures.Part2Consent" and e.object_id == str(consent.pk)
        for e in events_after(seq)
    )
    revoke = url("part2_consent_revoke", part2.client.pk, consent.pk)
    assert http.get(revoke).status_code == 200
    assert http.post(revoke, {"revocation": "no"}).status_code == 400
    response = http.post(revoke, {"revocation": "Signed letter of revocation dated today"})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None and "letter" in consent.revocation


def test_revocation_needs_the_csrf_token(
    part2: Part2Setting, signed_in: Callable[[User], HttpClient]
) -> None:
    consent = record(part2, named_consent(part2.program))
    http = sign_in(HttpClient(enforce_csrf_checks=True), part2.member)
    revoke = url("part2_consent_revoke", part2.client.pk, consent.pk)
    response = http.post(revoke, {"revocation": "Signed letter of revocation dated today"})
    assert response.status_code == 403
    consent.refresh_from_db()
    assert consent.revoked_at is None
    token = http.get(revoke).context["csrf_token"]
    response = http.post(
        revoke,
        {"revocation": "Signed letter of revocation dated today", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_record_a_court_order(part2: Part2Setting, signed_in: Callable[[User], HttpClient]) -> None:
    http = signed_in(part2.member)
    page = url("part2_court_orders", part2.client.pk)
    assert http.post(page, {"court": "Superior Court"}).status_code == 400
    response = http.post(
        page,
        {
            "program_id": str(part2.program.pk),
            "court": "Superior Court of Example County",
            "order_date": timezone.localdate().isoformat(),
            "reference": "24-CV-118",
            "section": "2.64",
            "scope": "Attendance records, to the court, for the custody hearing",
        },
    )
    assert response.status_code == 302
    assert Part2CourtOrder.objects.get().reference == "24-CV-118"
    assert "24-CV-118" in http.get(page).content.decode()


# ----------------------------------------------------------------- recording a disclosure


def disclosure_post(part2: Part2Setting, **changes: str) -> dict[str, str]:
    data = {
        "disclosed_at": (timezone.localtime() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
        "recipient": RECIPIENT,
        "description": "Attendance dates, January to June",
        "purpose": "Client asked that her physician be told",
        "part2_program": str(part2.program.pk),
        "part2_purpose": Part2Purpose.PATIENT_REQUEST,
    }
    data.update(changes)
    return data


def test_the_part2_field_is_shown_only_to_staff_who_may_see_it(
    clinic: Clinic, part2: Part2Setting, signed_in: Callable[[User], HttpClient]
) -> None:
    """Never revealing a Part 2 episode to someone who may not see it."""
    page = url("disclosure_record", part2.client.pk)
    member = signed_in(part2.member).get(page).content.decode()
    assert 'name="part2_program"' in member and part2.program.name in member
    for persona in ("psychiatrist", "supervisor", "peer_specialist"):
        other = signed_in(getattr(clinic, persona)).get(page)
        assert other.status_code == 200
        assert b"part2_program" not in other.content
        assert part2.program.name.encode() not in other.content
        assert b"Part 2" not in other.content


def test_a_disclosure_without_a_covering_consent_is_refused_on_the_page(
    part2: Part2Setting, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-21: refused with the reason next to the field, audited, nothing in the accounting."""
    seq = last_seq()
    response = signed_in(part2.member).post(
        url("disclosure_record", part2.client.pk), disclosure_post(part2)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "No consent of the client in force" in body
    assert not Disclosure.objects.exists()
    assert any(
        e.outcome == "denied" and e.object_type == "disclosures.Disclosure"
        for e in events_after(seq)
    )


def test_legal_purpose_without_an_order_is_refused_on_the_page(
    part2: Part2Setting, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-21: purpose=legal → blocked."""
    response = signed_in(part2.member).post(
        url("disclosure_record", part2.client.pk),
        disclosure_post(part2, part2_purpose=Part2Purpose.LEGAL_PROCEEDINGS),
    )
    assert response.status_code == 400
    assert "42 CFR 2.64 or 2.65" in response.content.decode()
    assert not Disclosure.objects.exists()


def test_an_allowed_disclosures_entry_shows_the_232_notice(
    clinic: Clinic, part2: Part2Setting, signed_in: Callable[[User], HttpClient]
) -> None:
    """SEC-21: the entry page (and the privacy officer's printout) carry the 2.32 notice."""
    consent = record(part2, named_consent(part2.program))
    http = signed_in(part2.member)
    response = http.post(
        url("disclosure_record", part2.client.pk),
        disclosure_post(part2, part2_consent=str(consent.pk)),
    )
    assert response.status_code == 302
    row = Disclosure.objects.get()
    body = http.get(url("disclosure_entry", row.pk)).content.decode()
    assert NOTICE_STATEMENT in body
    assert "42 CFR 2.32" in body and RECIPIENT in body
    listing = http.get(url("disclosure_client", part2.client.pk)).content.decode()
    assert NOTICE_STATEMENT in listing
    # The client's other clinicians see neither the entry nor its row.
    other = signed_in(clinic.psychiatrist)
    assert other.get(url("disclosure_entry", row.pk)).status_code == 404
    assert (
        NOTICE_STATEMENT
        not in other.get(url("disclosure_client", part2.client.pk)).content.decode()
    )
    # The privacy officer's report lists it with its notice.
    report = signed_in(clinic.privacy_officer).get(url("disclosure_report_client", part2.client.pk))
    assert NOTICE_STATEMENT in report.content.decode()
    assert AuditEvent.objects.filter(object_type="disclosures.Part2Disclosure").exists()
