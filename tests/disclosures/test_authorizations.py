"""Psychotherapy-note authorizations and disclosure (SEC-17; 45 CFR 164.508(a)(2), (b)(3))."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alliance.audit.models import AuditEvent
from alliance.disclosures.authorizations import (
    DisclosureRefused,
    PsychotherapyNoteException,
    authorization_record,
    authorization_revoke,
    psychotherapy_note_disclose,
)
from alliance.disclosures.models import Authorization, Disclosure, DisclosureSource
from alliance.notes.models import Note, NoteTemplate
from alliance.notes.selectors import NoteNotFound
from alliance.notes.services import note_create, note_save, note_sign
from tests.personas import PASSWORD, Clinic

RECIPIENT = "Dr. Example Forensic Evaluator"


@pytest.fixture
def pn(clinic: Clinic) -> Note:
    author = clinic.therapist_on_team
    note = note_create(actor=author, client=clinic.client_a, template=NoteTemplate.PSYCHOTHERAPY)
    note = note_save(
        actor=author,
        note=note,
        values={"process": "My reflections on the alliance and my own reactions."},
        version=note.version,
    )
    return note_sign(actor=author, note=note, version=note.version, password=PASSWORD)


def _authorize(clinic: Clinic, *, pn_only: bool, other: str = "", **extra: object) -> Authorization:
    today = timezone.localdate()
    values: dict[str, object] = {
        "recipient": RECIPIENT,
        "purpose": "Evaluation requested by the client",
        "covers_psychotherapy_notes": pn_only,
        "covers_other": other,
        "signed_on": today,
        "expires_on": today + timedelta(days=90),
        **extra,
    }
    return authorization_record(
        actor=clinic.therapist_on_team,
        client=clinic.client_a,
        **values,  # type: ignore[arg-type]
    )


def test_no_authorization_is_refused_and_audited(clinic: Clinic, pn: Note) -> None:
    """SEC-17: without an authorization or an exception the disclosure is blocked."""
    with pytest.raises(DisclosureRefused):
        psychotherapy_note_disclose(actor=clinic.therapist_on_team, note=pn, recipient=RECIPIENT)
    assert not Disclosure.objects.exists()
    assert AuditEvent.objects.filter(action="export", outcome="denied", object_id=str(pn.pk))


def test_general_release_is_refused(clinic: Clinic, pn: Note) -> None:
    """SEC-17: a general authorization never covers a psychotherapy note."""
    general = _authorize(clinic, pn_only=False, other="Treatment summary and attendance")
    with pytest.raises(DisclosureRefused) as refused:
        psychotherapy_note_disclose(
            actor=clinic.therapist_on_team, note=pn, recipient=RECIPIENT, authorization=general
        )
    assert "general release" in str(refused.value.message_dict["authorization"])
    assert not Disclosure.objects.exists()


def test_psychotherapy_authorization_allows_and_is_accounted(clinic: Clinic, pn: Note) -> None:
    """SEC-17, SEC-29: a PN-only authorization for this recipient allows it; the accounting
    row is written."""
    authorization = _authorize(clinic, pn_only=True)
    release = psychotherapy_note_disclose(
        actor=clinic.therapist_on_team,
        note=pn,
        recipient=RECIPIENT.upper(),
        authorization=authorization,
    )
    row = release.disclosure
    assert row.source_type == DisclosureSource.PSYCHOTHERAPY_NOTE and row.source_id == pn.pk
    assert f"Authorization {authorization.pk}" in row.purpose
    assert AuditEvent.objects.filter(action="export", outcome="success", object_id=str(pn.pk))


def test_authorization_for_another_recipient_revoked_or_expired_is_refused(
    clinic: Clinic, pn: Note
) -> None:
    """SEC-17: the authorization must name the recipient and be in force."""
    authorization = _authorize(clinic, pn_only=True)
    with pytest.raises(DisclosureRefused):
        psychotherapy_note_disclose(
            actor=clinic.therapist_on_team,
            note=pn,
            recipient="Client's employer",
            authorization=authorization,
        )
    authorization_revoke(actor=clinic.therapist_on_team, authorization=authorization)
    authorization.refresh_from_db()
    with pytest.raises(DisclosureRefused):
        psychotherapy_note_disclose(
            actor=clinic.therapist_on_team,
            note=pn,
            recipient=RECIPIENT,
            authorization=authorization,
        )
    assert not Disclosure.objects.exists()


@pytest.mark.parametrize("code", PsychotherapyNoteException.values)
def test_each_exception_needs_its_code_and_a_reason(clinic: Clinic, pn: Note, code: str) -> None:
    """SEC-17: each listed exception is allowed with its reason code and a reason text."""
    with pytest.raises(DisclosureRefused):
        psychotherapy_note_disclose(
            actor=clinic.therapist_on_team, note=pn, recipient="Court", exception=code
        )
    release = psychotherapy_note_disclose(
        actor=clinic.therapist_on_team,
        note=pn,
        recipient="County coroner",
        exception=code,
        reason_text="Written request received today, file 42.",
    )
    assert f"[{code}]" in release.disclosure.purpose


def test_only_the_author_may_disclose(clinic: Clinic, pn: Note) -> None:
    """SEC-16, SEC-17: to anyone else the note does not exist."""
    authorization = _authorize(clinic, pn_only=True)
    for actor in (clinic.supervisor, clinic.psychiatrist):
        with pytest.raises(NoteNotFound):
            psychotherapy_note_disclose(
                actor=actor, note=pn, recipient=RECIPIENT, authorization=authorization
            )


def test_a_psychotherapy_authorization_cannot_be_compound(clinic: Clinic) -> None:
    """SEC-17: PN authorization combined with other information → refused; a general release
    without saying what it covers → refused."""
    with pytest.raises(ValidationError) as error:
        _authorize(clinic, pn_only=True, other="Treatment summary")
    assert "cannot cover anything else" in str(error.value.message_dict["covers_other"])
    with pytest.raises(ValidationError):
        _authorize(clinic, pn_only=False)
    assert not Authorization.objects.exists()
