"""Co-signature: a supervisee's signed note waits for a supervisor, who co-signs or returns it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from alliance.notes.models import CosignReview, CosignStatus, Note
from alliance.notes.selectors import NoteNotFound
from alliance.notes.services import addendum_add
from alliance.notes.supervision import note_cosign, note_return
from alliance.staff.stepup import StepUpFailed
from tests.notes.conftest import signed
from tests.personas import PASSWORD, Clinic


def test_a_supervisees_note_waits_for_cosignature_and_is_cosigned(clinic: Clinic) -> None:
    """The supervisee's signed note goes to the supervisor, who co-signs with the password."""
    note = signed(clinic.therapist_on_team, clinic.client_a)
    assert note.cosign_status == CosignStatus.PENDING

    with pytest.raises(NoteNotFound):
        note_cosign(actor=clinic.psychiatrist, note=note, password=PASSWORD)
    with pytest.raises(StepUpFailed):
        note_cosign(actor=clinic.supervisor, note=note, password="wrong")
    cosigned = note_cosign(actor=clinic.supervisor, note=note, password=PASSWORD)

    assert cosigned.cosign_status == CosignStatus.COSIGNED
    assert cosigned.cosigned_by_id == clinic.supervisor.pk
    assert list(CosignReview.objects.values_list("decision", "supervisor_id")) == [
        ("cosigned", clinic.supervisor.pk)
    ]
    with pytest.raises(ValidationError):
        note_cosign(actor=clinic.supervisor, note=cosigned, password=PASSWORD)


def test_a_returned_note_goes_back_to_the_queue_with_the_authors_addendum(
    clinic: Clinic,
) -> None:
    note = signed(clinic.therapist_on_team, clinic.client_a)
    with pytest.raises(ValidationError):
        note_return(actor=clinic.supervisor, note=note, comment="  ")

    returned = note_return(
        actor=clinic.supervisor, note=note, comment="Add the risk assessment, please."
    )
    assert returned.cosign_status == CosignStatus.RETURNED
    addendum_add(
        actor=clinic.therapist_on_team,
        note=returned,
        text="Risk: no current suicidal ideation; safety plan reviewed.",
        password=PASSWORD,
    )
    again = Note.all_kinds.get(pk=note.pk)
    assert again.cosign_status == CosignStatus.PENDING
    note_cosign(actor=clinic.supervisor, note=again, password=PASSWORD)

    assert list(CosignReview.objects.order_by("id").values_list("decision", "comment")) == [
        ("returned", "Add the risk assessment, please."),
        ("cosigned", ""),
    ]


def test_a_note_by_someone_not_supervised_needs_no_cosignature(signed_note: Note) -> None:
    assert signed_note.cosign_status == CosignStatus.NOT_NEEDED
