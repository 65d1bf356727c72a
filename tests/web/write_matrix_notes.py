"""Write-matrix rows of notes: ``draft_id`` is a draft of the client's clinician,
``signable_draft_id`` one with its text written (signing checks it), ``note_id`` her
signed note, which waits for her supervisor's co-signature. A draft, its signature, the CPT
code and "entered in error" are the author's alone (404 to colleagues); co-signing is the
supervisor's alone.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from alliance.notes.formats import format_of
from alliance.notes.models import EncounterSetting, EncounterType, Note, NoteTemplate
from tests.notes.conftest import draft
from tests.personas import PASSWORD, Clinic
from tests.web.write_matrix_base import STORED, Target, Write, beyond_care, clinical


def create(target: Target) -> dict[str, object]:
    return {
        "template": NoteTemplate.SOAP,
        "date": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "start_time": "14:00",
        "end_time": "14:50",
        "encounter_type": EncounterType.INDIVIDUAL,
        "setting": EncounterSetting.OFFICE,
        "client_present": "on",
    }


def edit(target: Target) -> dict[str, object]:
    note = Note.objects.get(pk=target.id("draft_id"))
    sections = {s.key: "Slept better this week." for s in format_of(note.template).sections}
    return {**sections, "version": note.version}


def sign(target: Target) -> dict[str, object]:
    note = Note.objects.get(pk=target.id("signable_draft_id"))
    return {"version": note.version, "password": PASSWORD}


def addendum(target: Target) -> dict[str, object]:
    return {"text": "Her sister called after the session.", "password": PASSWORD}


def entered_in_error(target: Target) -> dict[str, object]:
    return {"reason": "Written in the wrong client's chart.", "password": PASSWORD}


def cpt(target: Target) -> dict[str, object]:
    return {"code": "90834"}


def cosign(target: Target) -> dict[str, object]:
    return {"decision": "cosign", "password": PASSWORD}


WRITE = clinical(on=STORED, off=404, peer=STORED, registry=403)
AUTHOR = {
    **clinical(on=STORED, off=404, peer=404, registry=403),
    "psychiatrist": 404,
    "supervisor": 404,
}
SUPERVISOR = {**clinical(on=404, off=404, peer=404, registry=403), "supervisor": STORED}

WRITES: dict[str, Write] = {
    "web:note_create": Write(create, WRITE, beyond_care(WRITE)),
    "web:note_edit": Write(edit, AUTHOR, beyond_care(AUTHOR)),
    "web:note_sign": Write(
        sign, AUTHOR, beyond_care(AUTHOR), swap={"draft_id": "signable_draft_id"}
    ),
    "web:note_addendum": Write(addendum, WRITE, beyond_care(WRITE)),
    "web:note_entered_in_error": Write(entered_in_error, AUTHOR, beyond_care(AUTHOR)),
    "web:note_cpt": Write(cpt, AUTHOR, beyond_care(AUTHOR)),
    "web:note_cosign": Write(cosign, SUPERVISOR, beyond_care(SUPERVISOR)),
}

READS = frozenset({"web:note_view", "web:note_cosign_queue", "web:unsigned_notes"})


def write_objects(clinic: Clinic) -> dict[str, int | str]:
    """A draft of client_a's clinician with its text written, ready to sign. Free text: a
    progress note would also need the objectives of client_a's active plan it addressed."""
    signable = draft(
        clinic.therapist_on_team,
        clinic.client_a,
        template=NoteTemplate.FREE_TEXT,
        content={"text": "Talked through the week; no new risk."},
    )
    return {"signable_draft_id": signable.pk}
