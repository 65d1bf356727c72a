"""The CPT suggestion table: session type and minutes → codes."""

from __future__ import annotations

import pytest

from alliance.notes.cpt import cpt_label, cpt_suggest, cpt_text
from alliance.notes.models import EncounterType as T


@pytest.mark.parametrize(
    ("kind", "minutes", "present", "codes"),
    [
        (T.INTAKE, 60, True, ["90791"]),
        (T.INTAKE, 20, True, ["90791"]),
        (T.INDIVIDUAL, 15, True, []),
        (T.INDIVIDUAL, 16, True, ["90832"]),
        (T.INDIVIDUAL, 37, True, ["90832"]),
        (T.INDIVIDUAL, 38, True, ["90834"]),
        (T.INDIVIDUAL, 52, True, ["90834"]),
        (T.INDIVIDUAL, 53, True, ["90837"]),
        (T.INDIVIDUAL, 90, True, ["90837"]),
        (T.FAMILY, 50, True, ["90847"]),
        (T.FAMILY, 50, False, ["90846"]),
        (T.FAMILY, 25, True, []),
        (T.FAMILY, 26, False, ["90846"]),
        (T.GROUP, 90, True, ["90853"]),
        (T.CRISIS, 29, True, []),
        (T.CRISIS, 30, True, ["90839"]),
        (T.CRISIS, 74, True, ["90839"]),
        (T.CRISIS, 75, True, ["90839", "90840"]),
        (T.CRISIS, 104, True, ["90839", "90840"]),
        (T.CRISIS, 105, True, ["90839", "90840", "90840"]),
        (T.CRISIS, 135, True, ["90839", "90840", "90840", "90840"]),
        (T.CASE_MANAGEMENT, 60, True, []),
        (T.MEDICATION_MANAGEMENT, 20, True, []),
        (T.COLLATERAL, 45, True, []),
    ],
)
def test_suggested_codes(kind: str, minutes: int, present: bool, codes: list[str]) -> None:
    assert cpt_suggest(encounter_type=kind, minutes=minutes, client_present=present) == codes


def test_codes_are_stored_and_shown_compactly() -> None:
    stored = cpt_text(["90839", "90840", "90840"])

    assert stored == "90839+90840+90840"
    assert cpt_label(stored) == "90839 + 90840 x2"
    assert cpt_label("none") == "no billable code"
