"""Access-matrix rows and census objects of the notes pages (merged by the matrix test).

``draft_id`` is a draft of client_a by therapist_on_team; ``note_id`` a signed note of hers,
which waits for her supervisor's co-signature. Drafts, signing, withdrawing and CPT codes are
the author's alone (404 to colleagues); co-signing is the supervisor's alone.
"""

from __future__ import annotations

from datetime import time, timedelta

from django.utils import timezone

from alliance.notes.models import EncounterSetting, EncounterType, NoteTemplate
from alliance.notes.services import EncounterValues, note_create, note_save, note_sign
from tests.personas import PASSWORD, Clinic

# ``tests.web.test_access_matrix`` imports this module before it defines ``row`` and
# ``clinical``, so they cannot be imported from there (a circular import): this is the same
# helper, and tests/notes/test_matrix_rows.py checks that it gives the same rows.
LOGIN = (302, "/login/")


def clinical(*, on: object, off: object, peer: object, registry: object) -> dict[str, object]:
    """A client page as seen by the clinicians (``on`` for client_a's team) and registry staff."""
    return {
        "anonymous": LOGIN,
        "therapist_on_team": on,
        "therapist_off_team": off,
        "psychiatrist": on,
        "supervisor": on,
        "peer_specialist": peer,
        "front_desk": registry,
        "intake": registry,
        "privacy_officer": 403,
        "it_admin": 403,
        "no_role": 403,
    }


AUTHOR_ONLY = {"psychiatrist": 404, "supervisor": 404}

EXPECTED: dict[str, dict[str, object]] = {
    "web:note_create": clinical(on=200, off=404, peer=200, registry=403),
    "web:note_view": clinical(on=200, off=404, peer=200, registry=403),
    "web:note_edit": {**clinical(on=200, off=404, peer=404, registry=403), **AUTHOR_ONLY},
    "web:note_sign": {**clinical(on=200, off=404, peer=404, registry=403), **AUTHOR_ONLY},
    "web:note_addendum": clinical(on=200, off=404, peer=200, registry=403),
    "web:note_entered_in_error": {
        **clinical(on=200, off=404, peer=404, registry=403),
        **AUTHOR_ONLY,
    },
    "web:note_cpt": clinical(on=405, off=405, peer=405, registry=403),
    "web:note_cosign": {
        **clinical(on=404, off=404, peer=404, registry=403),
        "supervisor": 200,
    },
    "web:note_cosign_queue": clinical(on=200, off=200, peer=200, registry=403),
    "web:unsigned_notes": clinical(on=200, off=200, peer=200, registry=403),
}


def census_objects(clinic: Clinic) -> dict[str, int | str]:
    """Ids for this app's URL parameters (one object of client_a of each kind)."""
    author = clinic.therapist_on_team
    session = EncounterValues(
        date=timezone.localdate() - timedelta(days=1),
        start_time=time(10, 0),
        end_time=time(10, 50),
        encounter_type=EncounterType.INDIVIDUAL,
        setting=EncounterSetting.OFFICE,
    )
    draft = note_create(
        actor=author, client=clinic.client_a, template=NoteTemplate.DAP, session=session
    )
    signed = note_create(
        actor=author, client=clinic.client_a, template=NoteTemplate.FREE_TEXT, session=session
    )
    signed = note_save(
        actor=author, note=signed, values={"text": "Census session note."}, version=1
    )
    signed = note_sign(actor=author, note=signed, version=signed.version, password=PASSWORD)
    return {"draft_id": draft.pk, "note_id": signed.pk}
