"""The notes rows of the access matrix use the matrix's own helper, faithfully copied."""

from __future__ import annotations

from tests.web import matrix_notes, test_access_matrix


def test_the_local_clinical_helper_matches_the_matrix() -> None:
    for on, off, peer, registry in ((200, 404, 200, 403), (405, 405, 403, 405)):
        assert matrix_notes.clinical(
            on=on, off=off, peer=peer, registry=registry
        ) == test_access_matrix.clinical(on=on, off=off, peer=peer, registry=registry)


def test_every_notes_row_names_every_persona() -> None:
    for name, statuses in matrix_notes.EXPECTED.items():
        assert set(statuses) == set(test_access_matrix.PERSONAS), name
