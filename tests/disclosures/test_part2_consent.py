"""SEC-20: a 42 CFR Part 2 consent records every element of 42 CFR 2.31(a) and is refused
without any of them; revocation is written, once, and prospective.

The fixtures here (a Part 2 program whose personnel is therapist_on_team, client_a enrolled in
it) are shared by the other ``test_part2_*`` modules.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.utils import DatabaseError
from django.http import Http404
from django.utils import timezone

from alliance.clients.models import Client, Episode
from alliance.disclosures.models import (
    TPO_RECIPIENTS,
    Part2Consent,
    Part2Expiry,
    Part2InformationKind,
    Part2Purpose,
    Part2RecipientKind,
    Part2Signer,
)
from alliance.disclosures.part2_consents import (
    ConsentElements,
    part2_consent_record,
    part2_consent_revoke,
)
from alliance.organisation.models import Program, ProgramMembership
from alliance.staff.models import User
from tests.personas import Clinic


@dataclass
class Part2Setting:
    program: Program
    member: User  # therapist_on_team: in the program's personnel
    client: Client  # client_a: enrolled in the program


def part2_setting(clinic: Clinic, *, discharged: bool = False) -> Part2Setting:
    """A Part 2 program, therapist_on_team in its personnel, client_a enrolled (the episode
    closed yesterday when ``discharged``: then nothing written later carries the label)."""
    today = timezone.localdate()
    program = Program.objects.create(
        organisation=clinic.program.organisation,
        name="Opioid Treatment Program",
        code="otp",
        is_part2=True,
    )
    ProgramMembership.objects.create(
        program=program, staff=clinic.therapist_on_team, start_on=today - timedelta(days=60)
    )
    Episode.objects.create(
        client=clinic.client_a,
        program=program,
        referral_date=today - timedelta(days=40),
        admission_date=today - timedelta(days=40),
        discharge_date=today - timedelta(days=1) if discharged else None,
    )
    return Part2Setting(program=program, member=clinic.therapist_on_team, client=clinic.client_a)


@pytest.fixture
def part2(clinic: Clinic) -> Part2Setting:
    return part2_setting(clinic)


def named_consent(program: Program, **changes: object) -> ConsentElements:
    """A complete consent naming one recipient, at the patient's request, for a year."""
    today = timezone.localdate()
    elements = ConsentElements(
        program_id=program.pk,
        information_kind=Part2InformationKind.ATTENDANCE,
        information="Attendance dates and enrollment status in the program",
        information_amount="From 2025-01-01 to today",
        recipient_kind=Part2RecipientKind.NAMED,
        recipient="Dr. Ana Ruiz, Riverside Family Medicine",
        purpose=Part2Purpose.PATIENT_REQUEST,
        revocation_statement=True,
        expiry=Part2Expiry.ON_DATE,
        expires_on=today + timedelta(days=365),
        signed_by=Part2Signer.PATIENT,
        signer_name="Zoë Núñez",
        signed_on=today - timedelta(days=2),
    )
    return replace(elements, **changes)  # type: ignore[arg-type]


def tpo_consent(program: Program, **changes: object) -> ConsentElements:
    values: dict[str, object] = {
        "recipient_kind": Part2RecipientKind.TPO_CLASS,
        "recipient": "",
        "purpose": Part2Purpose.TPO,
        "expiry": Part2Expiry.END_OF_TREATMENT,
        "expires_on": None,
        "tpo_redisclosure_statement": True,
        "tpo_refusal_statement": True,
        **changes,
    }
    return named_consent(program, **values)


def record(part2: Part2Setting, elements: ConsentElements) -> Part2Consent:
    return part2_consent_record(actor=part2.member, client_id=part2.client.pk, elements=elements)


# Each element of 42 CFR 2.31(a), removed one at a time, and the field the refusal names.
MISSING = [
    ("program_id", {"program_id": None, "discloser": ""}),
    ("information_kind", {"information_kind": ""}),
    ("information", {"information": ""}),
    ("information", {"information": "SUD"}),  # not "specific and meaningful"
    ("information_amount", {"information_amount": "  "}),
    ("recipient_kind", {"recipient_kind": ""}),
    ("recipient", {"recipient": ""}),
    ("purpose", {"purpose": ""}),
    ("purpose_detail", {"purpose": Part2Purpose.OTHER, "purpose_detail": ""}),
    ("revocation_statement", {"revocation_statement": False}),
    ("expiry", {"expiry": ""}),
    ("expires_on", {"expires_on": None}),
    ("signed_by", {"signed_by": ""}),
    ("signer_name", {"signer_name": ""}),
    ("signer_relationship", {"signed_by": Part2Signer.AUTHORIZED, "signer_relationship": ""}),
    ("signed_on", {"signed_on": None}),
]


@pytest.mark.parametrize(
    ("field", "changes"), MISSING, ids=[f"{f}-{i}" for i, (f, _) in enumerate(MISSING)]
)
def test_a_consent_missing_an_element_is_invalid(
    part2: Part2Setting, field: str, changes: dict[str, object]
) -> None:
    """SEC-20: each element of 42 CFR 2.31(a) is needed; the error names its field."""
    with pytest.raises(ValidationError) as refused:
        record(part2, named_consent(part2.program, **changes))
    assert field in refused.value.message_dict
    assert not Part2Consent.objects.exists()


@pytest.mark.parametrize("statement", ["tpo_redisclosure_statement", "tpo_refusal_statement"])
def test_a_tpo_consent_needs_both_statements(part2: Part2Setting, statement: str) -> None:
    """SEC-20: 42 CFR 2.31(a)(10): a TPO consent states redisclosure and refusal's effects."""
    with pytest.raises(ValidationError) as refused:
        record(part2, tpo_consent(part2.program, **{statement: False}))
    assert statement in refused.value.message_dict


def test_a_tpo_consent_uses_the_regulations_class_of_recipients(part2: Part2Setting) -> None:
    consent = record(part2, tpo_consent(part2.program))
    assert consent.recipient == TPO_RECIPIENTS
    assert consent.expiry == Part2Expiry.END_OF_TREATMENT and consent.expires_on is None


@pytest.mark.parametrize("expiry", [Part2Expiry.END_OF_TREATMENT, Part2Expiry.NONE])
def test_end_of_treatment_or_none_only_for_tpo(part2: Part2Setting, expiry: str) -> None:
    """SEC-20: "end of treatment" or "none" expires only a TPO consent; others need a date."""
    with pytest.raises(ValidationError) as refused:
        record(part2, named_consent(part2.program, expiry=expiry, expires_on=None))
    assert "expiry" in refused.value.message_dict


def test_counseling_notes_need_a_consent_of_their_own(part2: Part2Setting) -> None:
    """SEC-21, 42 CFR 2.31(b): a counseling-notes consent covers nothing else."""
    with pytest.raises(ValidationError) as refused:
        record(part2, named_consent(part2.program, covers_counseling_notes=True))
    assert "information_kind" in refused.value.message_dict
    consent = record(
        part2, named_consent(part2.program, covers_counseling_notes=True, information_kind="")
    )
    assert consent.covers_counseling_notes and consent.information_kind == ""


def test_an_intermediary_names_its_participants(part2: Part2Setting) -> None:
    with pytest.raises(ValidationError) as refused:
        record(
            part2,
            named_consent(
                part2.program,
                recipient_kind=Part2RecipientKind.INTERMEDIARY,
                recipient="Statewide HIE",
            ),
        )
    assert "intermediary_participants" in refused.value.message_dict


def test_a_person_authorized_to_sign_gives_the_relationship(part2: Part2Setting) -> None:
    consent = record(
        part2,
        named_consent(
            part2.program,
            signed_by=Part2Signer.AUTHORIZED,
            signer_name="Rosa Núñez",
            signer_relationship="Mother of a minor patient (42 CFR 2.14)",
        ),
    )
    assert consent.signer_relationship.startswith("Mother")


def test_a_complete_consent_is_recorded_and_audited(part2: Part2Setting) -> None:
    from alliance.audit.models import AuditEvent

    consent = record(part2, named_consent(part2.program))
    assert consent.recorded_by == part2.member and consent.revocation_statement
    assert AuditEvent.objects.filter(
        object_type="disclosures.Part2Consent", object_id=str(consent.pk), action="create"
    ).exists()


def test_only_staff_who_may_see_part2_records_record_one(
    clinic: Clinic, part2: Part2Setting
) -> None:
    """The client's other clinicians may not learn of the program: the answer is a 404."""
    with pytest.raises(Http404):
        part2_consent_record(
            actor=clinic.psychiatrist,
            client_id=part2.client.pk,
            elements=named_consent(part2.program),
        )
    assert not Part2Consent.objects.exists()


def test_the_database_refuses_a_consent_missing_elements(part2: Part2Setting) -> None:
    """SEC-20: the cheap elements are checked by the database too."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Part2Consent.objects.create(
            client=part2.client,
            program=part2.program,
            information_kind=Part2InformationKind.ATTENDANCE,
            information="Attendance",
            information_amount="All",
            recipient_kind=Part2RecipientKind.NAMED,
            recipient="Dr. Ruiz",
            purpose=Part2Purpose.PATIENT_REQUEST,
            revocation_statement=False,  # missing (6)
            expiry=Part2Expiry.ON_DATE,
            expires_on=date(2030, 1, 1),
            signed_by=Part2Signer.PATIENT,
            signer_name="Zoë Núñez",
            signed_on=date(2025, 1, 1),
            recorded_by=part2.member,
        )


def test_revocation_is_written_once_with_words(part2: Part2Setting) -> None:
    """SEC-20: the revocation is the client's, in words; it is written once."""
    consent = record(part2, named_consent(part2.program))
    with pytest.raises(ValidationError) as refused:
        part2_consent_revoke(
            actor=part2.member, client_id=part2.client.pk, consent_id=consent.pk, revocation="x"
        )
    assert "revocation" in refused.value.message_dict
    revoked = part2_consent_revoke(
        actor=part2.member,
        client_id=part2.client.pk,
        consent_id=consent.pk,
        revocation="Signed letter of revocation dated today, handed in at the front desk",
    )
    assert revoked.revoked_at is not None and revoked.revoked_by == part2.member
    with pytest.raises(ValidationError):
        part2_consent_revoke(
            actor=part2.member,
            client_id=part2.client.pk,
            consent_id=consent.pk,
            revocation="Second letter of revocation, the same consent",
        )


def test_a_consent_is_never_edited_nor_deleted_in_the_database(part2: Part2Setting) -> None:
    """SEC-20: only the revocation changes a consent (database triggers)."""
    consent = record(part2, named_consent(part2.program))
    with pytest.raises(DatabaseError), transaction.atomic():
        Part2Consent.objects.filter(pk=consent.pk).update(recipient="Someone else")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM disclosures_part2consent WHERE id = %s", [consent.pk])
    part2_consent_revoke(
        actor=part2.member,
        client_id=part2.client.pk,
        consent_id=consent.pk,
        revocation="Signed letter of revocation dated today",
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        Part2Consent.objects.filter(pk=consent.pk).update(revoked_at=None, revocation="")
