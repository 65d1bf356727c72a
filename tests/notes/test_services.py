"""Writing notes: drafts, versions, optimistic locking, signing, addenda, co-signature, CPT."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alliance.access.models import CareTeamMember, CareTeamRole
from alliance.access.policy import ClientNotFound
from alliance.audit.models import AuditEvent
from alliance.notes.models import (
    Encounter,
    EncounterType,
    Note,
    NoteStatus,
    NoteTemplate,
    NoteVersion,
)
from alliance.notes.selectors import NoteNotFound
from alliance.notes.services import (
    addendum_add,
    cpt_confirm,
    note_create,
    note_mark_entered_in_error,
    note_save,
    note_sign,
)
from alliance.notes.signing import addendum_signature_valid, note_signature_valid
from alliance.notes.supervision import note_cosign
from alliance.records import lifecycle
from alliance.records.errors import DocumentLocked, StaleDraft
from alliance.staff.disciplines import Discipline
from alliance.staff.stepup import StepUpFailed
from tests.notes.conftest import SOAP, draft, session, signed
from tests.personas import PASSWORD, Clinic, make_user


def events_for(target: Any) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            object_type=target._meta.label, object_id=str(target.pk)
        ).order_by("seq")
    )


def versions(note: Note) -> list[tuple[int, str, dict[str, Any]]]:
    return list(
        NoteVersion.objects.filter(note=note)
        .order_by("version")
        .values_list("version", "status", "content")
    )


# --------------------------------------------------------------------------------- create


def test_a_session_and_its_draft_are_created_and_audited(clinic: Clinic) -> None:
    """REL-03, SEC-23: the draft starts at version 1 with its version row; both writes audited."""
    author = clinic.therapist_on_team

    note = note_create(
        actor=author, client=clinic.client_a, template=NoteTemplate.SOAP, session=session()
    )

    assert (note.status, note.version, note.author_id) == (NoteStatus.DRAFT, 1, author.pk)
    encounter = Encounter.objects.get(pk=note.encounter_id)
    assert (encounter.clinician_id, encounter.duration_minutes) == (author.pk, 50)
    assert versions(note) == [(1, "draft", {k: "" for k in SOAP})]
    assert [e.action for e in events_for(encounter)] == ["create"]
    assert [(e.action, e.client_id, e.actor_id) for e in events_for(note)] == [
        ("create", clinic.client_a.pk, author.pk)
    ]


@pytest.mark.parametrize("persona", ["therapist_off_team", "front_desk", "privacy_officer"])
def test_no_note_for_a_client_outside_ones_care(persona: str, clinic: Clinic) -> None:
    """SEC-10, SEC-11: the write is checked against the policy: a 404 and nothing written."""
    with pytest.raises(ClientNotFound):
        note_create(
            actor=getattr(clinic, persona),
            client=clinic.client_a,
            template=NoteTemplate.SOAP,
            session=session(),
        )

    assert not Note.all_kinds.exists()
    assert not Encounter.objects.exists()


def test_a_note_cannot_join_another_clients_session(clinic: Clinic) -> None:
    """SEC-11: a session of client_b cannot carry a note of client_a."""
    CareTeamMember.objects.create(
        client=clinic.client_b,
        staff=clinic.therapist_on_team,
        role=CareTeamRole.PRIMARY_CLINICIAN,
        start_on=timezone.localdate(),
    )
    other = draft(clinic.therapist_on_team, clinic.client_b)

    with pytest.raises(NoteNotFound):
        note_create(
            actor=clinic.therapist_on_team,
            client=clinic.client_a,
            template=NoteTemplate.PSYCHOTHERAPY,
            encounter=other.encounter,
        )


def test_a_session_must_end_after_it_starts_and_not_be_in_the_future(clinic: Clinic) -> None:
    bad = session(minutes=0)
    future = session(day=timezone.localdate() + timedelta(days=2))

    for values, field in ((bad, "end_time"), (future, "date")):
        with pytest.raises(ValidationError) as error:
            note_create(
                actor=clinic.therapist_on_team,
                client=clinic.client_a,
                template="soap",
                session=values,
            )
        assert field in error.value.error_dict


# ---------------------------------------------------------------------------------- drafts


def test_each_save_writes_a_version(clinic: Clinic) -> None:
    """REL-03: three edits, three more versions, each with the text as it was saved."""
    author = clinic.therapist_on_team
    note = draft(author, clinic.client_a, template="free_text")

    for text in ("first", "second", "third"):
        note = note_save(actor=author, note=note, values={"text": text}, version=note.version)

    assert note.version == 4
    assert [(v, c["text"]) for v, _s, c in versions(note)] == [
        (1, ""),
        (2, "first"),
        (3, "second"),
        (4, "third"),
    ]
    assert [e.detail["version"] for e in events_for(note)] == [1, 2, 3, 4]
    assert events_for(note)[-1].detail["sections"] == ["text"]


def test_a_failing_audit_write_leaves_the_draft_and_its_versions_unchanged(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    """REL-03, REL-06: the save, its version row and its audit event commit together or not
    at all."""
    author = clinic.therapist_on_team
    note = draft(author, clinic.client_a, template="free_text", content={"text": "kept"})

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(lifecycle, "audit_record", broken)  # the kernel writes the event
    with pytest.raises(RuntimeError):
        note_save(actor=author, note=note, values={"text": "lost?"}, version=note.version)

    saved = Note.all_kinds.get(pk=note.pk)
    assert (saved.version, saved.content["text"]) == (2, "kept")
    assert len(versions(note)) == 2


def test_the_second_of_two_editors_from_one_version_gets_a_conflict(clinic: Clinic) -> None:
    """REL-04: both loaded version 2; the first save wins, the second is refused with the text
    now saved, and writes nothing (no lost update)."""
    author = clinic.therapist_on_team
    note = draft(author, clinic.client_a, template="free_text", content={"text": "start"})
    first_tab = Note.all_kinds.get(pk=note.pk)
    second_tab = Note.all_kinds.get(pk=note.pk)

    note_save(actor=author, note=first_tab, values={"text": "from tab one"}, version=2)
    with pytest.raises(StaleDraft) as stale:
        note_save(actor=author, note=second_tab, values={"text": "from tab two"}, version=2)

    assert stale.value.current.content["text"] == "from tab one"
    assert stale.value.current.version == 3
    saved = Note.all_kinds.get(pk=note.pk)
    assert (saved.version, saved.content["text"]) == (3, "from tab one")
    assert [c["text"] for _v, _s, c in versions(note)] == ["", "start", "from tab one"]


def test_only_the_author_edits_a_draft(clinic: Clinic, soap_draft: Note) -> None:
    """SEC-11: a colleague on the same team cannot write into someone else's draft."""
    with pytest.raises(NoteNotFound):
        note_save(
            actor=clinic.psychiatrist, note=soap_draft, values=SOAP, version=soap_draft.version
        )


# ---------------------------------------------------------------------------------- signing


def test_signing_records_signer_time_and_hash_and_locks_the_note(
    clinic: Clinic, soap_draft: Note
) -> None:
    """REL-01, REL-03: signer, time and SHA-256 are recorded; a version row marks the signing;
    the draft can no longer be saved."""
    author = clinic.therapist_on_team

    note = note_sign(actor=author, note=soap_draft, version=soap_draft.version, password=PASSWORD)

    assert note.status == NoteStatus.SIGNED
    assert note.signed_by_id == author.pk and note.signed_at is not None
    assert len(note.content_hash) == 64 and note_signature_valid(note)
    assert versions(note)[-1][:2] == (note.version, "signed")
    assert events_for(note)[-1].detail["sha256"] == note.content_hash
    with pytest.raises(DocumentLocked):
        note_save(actor=author, note=note, values=SOAP, version=note.version)
    with pytest.raises(DocumentLocked):
        note_sign(actor=author, note=note, version=note.version, password=PASSWORD)


def test_signing_needs_the_password_again(clinic: Clinic, soap_draft: Note) -> None:
    """SEC-08: a wrong password signs nothing, and the refusal is audited."""
    with pytest.raises(StepUpFailed):
        note_sign(
            actor=clinic.therapist_on_team,
            note=soap_draft,
            version=soap_draft.version,
            password="not-my-password",
        )

    assert Note.all_kinds.get(pk=soap_draft.pk).status == NoteStatus.DRAFT
    refused = events_for(soap_draft)[-1]
    assert (refused.outcome, refused.detail) == ("denied", {"step": "sign", "refused": "password"})


def test_signing_needs_the_required_sections_and_the_version_shown(
    clinic: Clinic, soap_draft: Note
) -> None:
    """REL-04: signing a version other than the one read is refused too."""
    author = clinic.therapist_on_team
    empty = draft(author, clinic.client_a, content={"subjective": "Only this."})

    with pytest.raises(ValidationError, match="Objective, Assessment, Plan"):
        note_sign(actor=author, note=empty, version=empty.version, password=PASSWORD)
    with pytest.raises(StaleDraft):
        note_sign(actor=author, note=soap_draft, version=1, password=PASSWORD)


def test_signing_needs_the_capability(clinic: Clinic) -> None:
    """A psychiatric nurse without a current licence writes drafts but cannot sign them."""
    nurse = make_user("nina_quist", Discipline.PSYCHIATRIC_NURSE, None)
    CareTeamMember.objects.create(
        client=clinic.client_a,
        staff=nurse,
        role=CareTeamRole.THERAPIST,
        start_on=timezone.localdate(),
    )
    note = draft(nurse, clinic.client_a, template="free_text", content={"text": "Checked in."})

    with pytest.raises(ValidationError, match="scope of practice"):
        note_sign(actor=nurse, note=note, version=note.version, password=PASSWORD)


@pytest.mark.parametrize(
    ("kind", "minutes", "present", "expected"),
    [
        (EncounterType.INDIVIDUAL, 50, True, "90834"),
        (EncounterType.FAMILY, 50, False, "90846"),
        (EncounterType.CRISIS, 110, True, "90839+90840+90840"),
        (EncounterType.CASE_MANAGEMENT, 30, True, "none"),
    ],
)
def test_a_signed_session_note_carries_its_suggested_cpt_code(
    clinic: Clinic, kind: str, minutes: int, present: bool, expected: str
) -> None:
    note = signed(
        clinic.psychiatrist, clinic.client_a, kind=kind, minutes=minutes, client_present=present
    )

    assert (note.cpt_suggested, note.cpt_confirmed) == (expected, "")


def test_the_author_confirms_the_cpt_code_once(clinic: Clinic, signed_note: Note) -> None:
    author = clinic.psychiatrist
    with pytest.raises(NoteNotFound):
        cpt_confirm(actor=clinic.therapist_on_team, note=signed_note, code="90834")
    with pytest.raises(ValidationError):
        cpt_confirm(actor=author, note=signed_note, code="99999")

    note = cpt_confirm(actor=author, note=signed_note, code="90837")

    assert (note.cpt_suggested, note.cpt_confirmed) == ("90834", "90837")
    assert note.cpt_confirmed_at is not None
    with pytest.raises(ValidationError, match="already confirmed"):
        cpt_confirm(actor=author, note=note, code="90834")


# ---------------------------------------------------------------------- addenda and errors


def test_an_addendum_is_signed_on_its_own_and_leaves_the_note_as_it_was(
    clinic: Clinic, signed_note: Note
) -> None:
    """REL-01: a colleague on the team adds an addendum; the note and its hash stay as signed."""
    before = Note.all_kinds.filter(pk=signed_note.pk).values("content", "content_hash").get()

    addendum = addendum_add(
        actor=clinic.therapist_on_team,
        note=signed_note,
        text="Mother phoned after the session.",
        password=PASSWORD,
    )

    assert addendum_signature_valid(addendum, signed_note)
    assert addendum.author_id == clinic.therapist_on_team.pk
    assert Note.all_kinds.filter(pk=signed_note.pk).values("content", "content_hash").get() == (
        before
    )
    assert events_for(addendum)[0].detail["sha256"] == addendum.content_hash


def test_addenda_are_for_signed_notes_only_and_need_the_password(
    clinic: Clinic, soap_draft: Note, signed_note: Note
) -> None:
    with pytest.raises(ValidationError, match="Only a signed note"):
        addendum_add(actor=soap_draft.author, note=soap_draft, text="x", password=PASSWORD)
    with pytest.raises(StepUpFailed):
        addendum_add(actor=signed_note.author, note=signed_note, text="x", password="wrong")
    with pytest.raises(ClientNotFound):
        addendum_add(actor=clinic.therapist_off_team, note=signed_note, text="x", password=PASSWORD)


def test_entered_in_error_keeps_the_note_with_the_reason(clinic: Clinic, signed_note: Note) -> None:
    """REL-02: the note is marked, never deleted; then it takes no addendum."""
    author = clinic.psychiatrist
    with pytest.raises(NoteNotFound):
        note_mark_entered_in_error(
            actor=clinic.therapist_on_team,
            note=signed_note,
            reason="Wrong client chart",
            password=PASSWORD,
        )
    with pytest.raises(ValidationError):
        note_mark_entered_in_error(actor=author, note=signed_note, reason="oops", password=PASSWORD)

    note = note_mark_entered_in_error(
        actor=author, note=signed_note, reason="Written in the wrong chart", password=PASSWORD
    )

    assert note.in_error and note.entered_in_error_by_id == author.pk
    assert Note.all_kinds.filter(pk=note.pk).exists()
    assert note_signature_valid(note)
    assert events_for(note)[-1].severity == "high"
    with pytest.raises(ValidationError, match="entered in error"):
        addendum_add(actor=author, note=note, text="More.", password=PASSWORD)


def test_a_draft_entered_in_error_can_no_longer_be_saved(clinic: Clinic, soap_draft: Note) -> None:
    author = clinic.therapist_on_team
    note = note_mark_entered_in_error(
        actor=author, note=soap_draft, reason="Started in the wrong chart", password=PASSWORD
    )

    with pytest.raises(DocumentLocked):
        note_save(actor=author, note=note, values=SOAP, version=note.version)


# ------------------------------------------------------------------------ psychotherapy notes


def test_a_psychotherapy_note_refuses_record_content_on_every_save(clinic: Clinic) -> None:
    """SEC-18: the draft keeps its last acceptable text; the refusal says what was found."""
    author = clinic.therapist_on_team
    note = draft(
        author, clinic.client_a, template="psychotherapy", content={"process": "My reaction."}
    )

    with pytest.raises(ValidationError) as error:
        note_save(
            actor=author,
            note=note,
            values={"process": "Discussed increasing sertraline to 100 mg."},
            version=note.version,
        )

    assert "medication names or doses" in " ".join(error.value.messages)
    assert Note.all_kinds.get(pk=note.pk).content["process"] == "My reaction."


def test_a_signed_psychotherapy_note_has_no_cosignature_and_no_cpt(clinic: Clinic) -> None:
    """SEC-16: supervisors never see it, so it never enters their queue; it bills nothing."""
    note = signed(
        clinic.therapist_on_team,
        clinic.client_a,
        template="psychotherapy",
        content={"process": "Felt stuck; she seemed to test whether I would give up."},
    )

    assert (note.cosign_status, note.cpt_suggested) == ("", "")
    with pytest.raises(NoteNotFound):
        note_cosign(actor=clinic.supervisor, note=note, password=PASSWORD)
    with pytest.raises(NoteNotFound):
        addendum_add(actor=clinic.psychiatrist, note=note, text="x", password=PASSWORD)
    with pytest.raises(ValidationError, match="diagnoses"):
        addendum_add(actor=note.author, note=note, text="Diagnosis revised.", password=PASSWORD)
