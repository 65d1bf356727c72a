"""Access-matrix rows of the page that clears a 42 CFR Part 2 label (``access.part2_labels``).

No persona of the matrix is in a Part 2 program, so for every clinician the page is a record
that does not exist (404), as the policy answers for anything outside one's reach; the
program's own staff are tried in ``tests/access/test_part2_labels.py``.
"""

from __future__ import annotations

from tests.personas import Clinic

LOGIN = (302, "/login/")

EXPECTED: dict[str, dict[str, object]] = {
    "web:part2_label_remove": {
        "anonymous": LOGIN,
        "therapist_on_team": 404,
        "therapist_off_team": 404,
        "psychiatrist": 404,
        "supervisor": 404,
        "peer_specialist": 404,
        "front_desk": 403,
        "intake": 403,
        "privacy_officer": 403,
        "it_admin": 403,
        "no_role": 403,
    },
}


def census_objects(clinic: Clinic) -> dict[str, int | str]:
    """A note of client_a (written outside any Part 2 program: it carries no label)."""
    from alliance.notes.models import NoteTemplate
    from alliance.notes.services import note_create

    note = note_create(
        actor=clinic.therapist_on_team, client=clinic.client_a, template=NoteTemplate.SOAP
    )
    return {"label_kind": "note", "labelled_id": note.pk}
