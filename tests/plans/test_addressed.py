"""Progress notes record the plan objectives they addressed, as signed, locked content."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from alliance.notes.models import Note, NoteTemplate, NoteVersion
from alliance.notes.services import note_save, note_sign
from alliance.notes.signing import note_digest
from alliance.plans.addressed import ADDRESSED_KEY, addressed_in
from alliance.plans.models import Objective, TreatmentPlan
from tests.notes.conftest import SOAP, draft
from tests.personas import PASSWORD, Clinic


def _entries(plan: TreatmentPlan, rating: str = "progressing") -> list[dict[str, object]]:
    objective = Objective.objects.get(plan=plan)
    return [{"objective": objective.pk, "rating": rating, "comment": "Used the sleep routine"}]


def test_the_addressed_objectives_are_saved_versioned_signed_and_locked(
    clinic: Clinic, active_plan: TreatmentPlan
) -> None:
    """REL-01, REL-03: part of the content, so in the version rows, the hash and the lock."""
    author = clinic.psychiatrist
    note = draft(author, clinic.client_a)
    saved = note_save(
        actor=author, note=note, values=SOAP, version=note.version, addressed=_entries(active_plan)
    )

    entry = addressed_in(saved.content)[0]
    assert entry["rating"] == "progressing" and entry["plan_version"] == 1
    assert entry["target"].startswith("PHQ-9 below 10")
    assert NoteVersion.objects.get(note=saved, version=saved.version).content[ADDRESSED_KEY]

    # a save without the objectives (None) keeps them
    again = note_save(actor=author, note=saved, values=SOAP, version=saved.version)
    assert addressed_in(again.content) == addressed_in(saved.content)

    signed = note_sign(actor=author, note=again, version=again.version, password=PASSWORD)
    tampered = Note.objects.get(pk=signed.pk)
    tampered.content = {**tampered.content, ADDRESSED_KEY: []}
    assert note_digest(tampered) != signed.content_hash
    with pytest.raises(DatabaseError), transaction.atomic():
        Note.objects.filter(pk=signed.pk).update(content=tampered.content)


def test_a_progress_note_must_say_which_objectives_it_addressed(
    clinic: Clinic, active_plan: TreatmentPlan
) -> None:
    author = clinic.psychiatrist
    note = draft(author, clinic.client_a, content=SOAP)

    with pytest.raises(ValidationError, match="treatment plan objectives"):
        note_sign(actor=author, note=note, version=note.version, password=PASSWORD)

    free = draft(
        author, clinic.client_a, template=NoteTemplate.FREE_TEXT, content={"text": "Call."}
    )
    assert note_sign(actor=author, note=free, version=free.version, password=PASSWORD).is_signed


def test_only_objectives_of_the_clients_active_plan_are_accepted(
    clinic: Clinic, draft_plan: TreatmentPlan
) -> None:
    author = clinic.psychiatrist
    note = draft(author, clinic.client_a)
    with pytest.raises(ValidationError, match="no longer part"):
        note_save(
            actor=author,
            note=note,
            values=SOAP,
            version=note.version,
            addressed=_entries(draft_plan),
        )
    assert ADDRESSED_KEY not in Note.objects.get(pk=note.pk).content


def test_a_rating_must_come_from_the_list(clinic: Clinic, active_plan: TreatmentPlan) -> None:
    author = clinic.psychiatrist
    note = draft(author, clinic.client_a)
    with pytest.raises(ValidationError, match="Rate the progress"):
        note_save(
            actor=author,
            note=note,
            values=SOAP,
            version=note.version,
            addressed=_entries(active_plan, rating="great"),
        )


def test_psychotherapy_notes_never_carry_plan_progress(
    clinic: Clinic, active_plan: TreatmentPlan
) -> None:
    """SEC-18: progress belongs in the record, never in a psychotherapy note."""
    author = clinic.therapist_on_team
    note = draft(author, clinic.client_a, template=NoteTemplate.PSYCHOTHERAPY)
    saved = note_save(
        actor=author,
        note=note,
        values={"process": "My countertransference today."},
        version=note.version,
        addressed=_entries(active_plan),
    )
    assert ADDRESSED_KEY not in saved.content
