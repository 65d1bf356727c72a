"""SEC-21: a disclosure of a Part 2 program's records needs a consent in force that covers the
recipient and purpose, or a court order (42 CFR 2.31, 2.12(d), 2.64-65); refusals are audited
and write nothing to the accounting; allowed ones carry the 42 CFR 2.32 notice and scope."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from alliance.audit.models import AuditEvent
from alliance.disclosures.accounting import disclosure_record
from alliance.disclosures.authorizations import (
    DisclosureRefused,
    authorization_record,
    psychotherapy_note_disclose,
)
from alliance.disclosures.models import (
    Disclosure,
    DisclosureSource,
    Part2Basis,
    Part2Consent,
    Part2CourtOrder,
    Part2Disclosure,
    Part2OrderSection,
    Part2Purpose,
)
from alliance.disclosures.part2 import (
    LEGAL_REFUSAL,
    NOTICE_STATEMENT,
    Part2Refused,
    Part2Request,
    part2_disclosure_record,
)
from alliance.disclosures.part2_consents import part2_consent_revoke, part2_court_order_record
from alliance.disclosures.selectors import accounting_for, disclosure_for
from alliance.notes.models import NoteTemplate
from alliance.notes.services import note_create, note_save, note_sign
from tests.disclosures.test_part2_consent import (
    Part2Setting,
    named_consent,
    part2_setting,
    record,
    tpo_consent,
)
from tests.personas import PASSWORD, Clinic


@pytest.fixture
def part2(clinic: Clinic) -> Part2Setting:
    """A Part 2 program, therapist_on_team in its personnel, client_a enrolled."""
    return part2_setting(clinic)


RECIPIENT = "Dr. Ana Ruiz, Riverside Family Medicine"


def disclose(
    part2: Part2Setting,
    *,
    recipient: str = RECIPIENT,
    when: datetime | None = None,
    **request: object,
) -> Disclosure:
    values: dict[str, object] = {"program_id": part2.program.pk, **request}
    values.setdefault("purpose", Part2Purpose.PATIENT_REQUEST)
    return part2_disclosure_record(
        actor=part2.member,
        client_id=part2.client.pk,
        disclosed_at=when or timezone.now() - timedelta(minutes=5),
        recipient=recipient,
        description="Attendance dates, January to June",
        purpose="Client asked that her physician be told",
        request=Part2Request(**values),  # type: ignore[arg-type]
    )


def refused_events() -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type="disclosures.Disclosure", outcome="denied", action="create"
        )
    )


def test_without_a_covering_consent_it_is_refused_audited_and_nothing_written(
    part2: Part2Setting,
) -> None:
    """SEC-21: no consent → refused; the refusal is audited; the accounting is untouched."""
    with pytest.raises(Part2Refused) as refused:
        disclose(part2)
    assert "part2_consent" in refused.value.message_dict
    assert not Disclosure.objects.exists() and not Part2Disclosure.objects.exists()
    [event] = refused_events()
    assert event.client_id == part2.client.pk and event.severity == "high"
    assert event.detail["category"] == "42CFRPart2"
    assert event.detail["refused"] == ["part2_consent"]


def test_a_consent_for_another_recipient_does_not_cover(part2: Part2Setting) -> None:
    consent = record(part2, named_consent(part2.program))
    with pytest.raises(Part2Refused) as refused:
        disclose(part2, recipient="Acme Employer HR", consent_id=consent.pk)
    assert "recipient" in refused.value.message_dict
    assert not Disclosure.objects.exists()
    assert len(refused_events()) == 1


def test_a_consent_for_another_purpose_does_not_cover(part2: Part2Setting) -> None:
    consent = record(part2, named_consent(part2.program))
    with pytest.raises(Part2Refused) as refused:
        disclose(part2, consent_id=consent.pk, purpose=Part2Purpose.PAYMENT)
    assert "part2_purpose" in refused.value.message_dict


def test_an_allowed_disclosure_writes_the_accounting_and_the_notice(
    part2: Part2Setting,
) -> None:
    """SEC-21, SEC-29: the accounting row, and the 42 CFR 2.32 notice with the consent's scope."""
    consent = record(part2, named_consent(part2.program))
    row = disclose(part2)  # the covering consent is found
    assert row.source_type == DisclosureSource.PART2 and row.source_id == part2.program.pk
    assert f"consent {consent.pk}" in row.purpose
    kept = Part2Disclosure.objects.get(disclosure=row)
    assert kept.basis == Part2Basis.CONSENT and kept.consent == consent
    assert kept.notice == NOTICE_STATEMENT
    assert "42 CFR part 2 prohibits unauthorized use or disclosure of these records." in kept.notice
    assert RECIPIENT in kept.scope and "revoke" in kept.scope
    assert not refused_events()


def test_after_revocation_the_next_disclosure_is_blocked(part2: Part2Setting) -> None:
    """SEC-20: revocation is prospective: the next disclosure is refused, earlier ones stand."""
    consent = record(part2, named_consent(part2.program))
    before = disclose(part2, when=timezone.now() - timedelta(hours=2))
    part2_consent_revoke(
        actor=part2.member,
        client_id=part2.client.pk,
        consent_id=consent.pk,
        revocation="Signed letter of revocation, dated today",
    )
    with pytest.raises(Part2Refused) as refused:
        disclose(part2, consent_id=consent.pk, when=timezone.now())
    assert "revoked" in refused.value.message_dict["part2_consent"][0]
    with pytest.raises(Part2Refused):
        disclose(part2, when=timezone.now())  # nor found without choosing it
    # A disclosure made before the revocation and recorded after it still stands.
    late = disclose(part2, consent_id=consent.pk, when=timezone.now() - timedelta(hours=1))
    assert set(Disclosure.objects.values_list("pk", flat=True)) == {before.pk, late.pk}


def test_an_expired_consent_does_not_cover(part2: Part2Setting) -> None:
    today = timezone.localdate()
    record(
        part2,
        named_consent(
            part2.program,
            signed_on=today - timedelta(days=30),
            expires_on=today - timedelta(days=1),
        ),
    )
    with pytest.raises(Part2Refused):
        disclose(part2)


def test_a_class_of_recipients_needs_the_recorders_confirmation(part2: Part2Setting) -> None:
    record(part2, tpo_consent(part2.program))
    with pytest.raises(Part2Refused):
        disclose(part2, purpose=Part2Purpose.TREATMENT)
    row = disclose(part2, purpose=Part2Purpose.TREATMENT, recipient_in_class=True)
    assert Part2Disclosure.objects.get(disclosure=row).purpose == Part2Purpose.TREATMENT


def test_counseling_notes_need_their_own_consent(part2: Part2Setting) -> None:
    """SEC-21, 42 CFR 2.31(b): a general consent never covers SUD counseling notes."""
    record(part2, named_consent(part2.program))
    with pytest.raises(Part2Refused):
        disclose(part2, includes_counseling_notes=True)
    record(part2, named_consent(part2.program, covers_counseling_notes=True, information_kind=""))
    row = disclose(part2, includes_counseling_notes=True)
    assert Part2Disclosure.objects.get(disclosure=row).includes_counseling_notes


def test_use_in_proceedings_without_a_court_order_is_refused(part2: Part2Setting) -> None:
    """SEC-21: purpose legal → blocked, even with a TPO consent (42 CFR 2.12(d))."""
    record(part2, tpo_consent(part2.program))
    with pytest.raises(Part2Refused) as refused:
        disclose(
            part2,
            recipient="County District Attorney",
            purpose=Part2Purpose.LEGAL_PROCEEDINGS,
            recipient_in_class=True,
        )
    assert refused.value.message_dict["part2_purpose"] == [LEGAL_REFUSAL]
    assert not Disclosure.objects.exists()
    assert refused_events()[0].detail["purpose"] == Part2Purpose.LEGAL_PROCEEDINGS


def test_use_in_proceedings_with_a_recorded_court_order_is_allowed(part2: Part2Setting) -> None:
    """SEC-21: with an order under 42 CFR 2.64 recorded first, it is allowed and noticed."""
    order = part2_court_order_record(
        actor=part2.member,
        client_id=part2.client.pk,
        program_id=part2.program.pk,
        court="Superior Court of Example County",
        order_date=timezone.localdate() - timedelta(days=1),
        reference="24-CV-118",
        section=Part2OrderSection.NONCRIMINAL,
        scope="Attendance records January to June, to the court, for the custody hearing",
    )
    row = disclose(
        part2,
        recipient="Superior Court of Example County",
        purpose=Part2Purpose.LEGAL_PROCEEDINGS,
        court_order_id=order.pk,
    )
    kept = Part2Disclosure.objects.get(disclosure=row)
    assert kept.basis == Part2Basis.COURT_ORDER and kept.court_order == order
    assert "24-CV-118" in kept.scope and kept.notice == NOTICE_STATEMENT


def test_a_court_order_record_needs_its_elements(part2: Part2Setting) -> None:
    with pytest.raises(ValidationError) as refused:
        part2_court_order_record(
            actor=part2.member,
            client_id=part2.client.pk,
            program_id=None,
            court="",
            order_date=None,
            reference="",
            section="",
            scope="",
        )
    assert set(refused.value.message_dict) == {
        "court",
        "order_date",
        "reference",
        "section",
        "scope",
    }
    assert not Part2CourtOrder.objects.exists()


def test_a_program_the_actor_may_not_see_is_refused(clinic: Clinic, part2: Part2Setting) -> None:
    """Nobody outside the program records (or learns of) its disclosures: a 404."""
    record(part2, named_consent(part2.program))
    with pytest.raises(Http404):
        part2_disclosure_record(
            actor=clinic.psychiatrist,
            client_id=part2.client.pk,
            disclosed_at=timezone.now(),
            recipient=RECIPIENT,
            description="Attendance",
            purpose="Client's request",
            request=Part2Request(program_id=part2.program.pk, purpose=Part2Purpose.PATIENT_REQUEST),
        )
    assert not Disclosure.objects.exists()


def test_part2_rows_are_hidden_from_staff_outside_the_program(
    clinic: Clinic, part2: Part2Setting
) -> None:
    """42 CFR 2.13(c): the client's other clinicians do not learn of the program from the
    accounting; the privacy officer sees every row of the client's accounting."""
    record(part2, named_consent(part2.program))
    row = disclose(part2)
    other = disclosure_record(
        actor=clinic.psychiatrist,
        client=part2.client,
        disclosed_at=timezone.now() - timedelta(minutes=1),
        recipient="County Crisis Team",
        description="Medication list",
        purpose="Client's authorization of today",
    )
    seen = accounting_for(actor=clinic.psychiatrist, client=part2.client).rows
    assert [r.pk for r in seen] == [other.pk]
    with pytest.raises(Http404):
        disclosure_for(actor=clinic.psychiatrist, disclosure_id=row.pk)
    member = {r.pk for r in accounting_for(actor=part2.member, client=part2.client).rows}
    assert member == {row.pk, other.pk}
    privacy = {r.pk for r in accounting_for(actor=clinic.privacy_officer, client=part2.client).rows}
    assert privacy == {row.pk, other.pk}


# ------------------------------------------------------------- other disclosure paths


def _part2_pn(part2: Part2Setting):  # type: ignore[no-untyped-def]
    author = part2.member
    note = note_create(actor=author, client=part2.client, template=NoteTemplate.PSYCHOTHERAPY)
    note = note_save(
        actor=author,
        note=note,
        values={"process": "My reflections on today's group session and my reactions."},
        version=note.version,
    )
    return note_sign(actor=author, note=note, version=note.version, password=PASSWORD)


def test_a_part2_psychotherapy_note_also_needs_a_counseling_notes_consent(
    part2: Part2Setting,
) -> None:
    """SEC-21: a psychotherapy note written in a Part 2 program is a SUD counseling note: the
    HIPAA authorization alone does not release it; with the Part 2 consent it carries the
    42 CFR 2.32 notice."""
    pn = _part2_pn(part2)
    assert pn.part2_program_id == part2.program.pk
    today = timezone.localdate()
    authorization = authorization_record(
        actor=part2.member,
        client=part2.client,
        recipient=RECIPIENT,
        purpose="Evaluation requested by the client",
        covers_psychotherapy_notes=True,
        covers_other="",
        signed_on=today,
        expires_on=today + timedelta(days=90),
    )
    with pytest.raises(DisclosureRefused) as refused:
        psychotherapy_note_disclose(
            actor=part2.member, note=pn, recipient=RECIPIENT, authorization=authorization
        )
    assert "recipient" in refused.value.message_dict
    assert not Disclosure.objects.exists()
    assert AuditEvent.objects.filter(
        action="export", outcome="denied", object_id=str(pn.pk), detail__part2=True
    ).exists()
    record(part2, named_consent(part2.program, covers_counseling_notes=True, information_kind=""))
    release = psychotherapy_note_disclose(
        actor=part2.member, note=pn, recipient=RECIPIENT, authorization=authorization
    )
    assert release.part2 is not None and release.part2.notice == NOTICE_STATEMENT
    assert release.part2.consent == Part2Consent.objects.get(covers_counseling_notes=True)
