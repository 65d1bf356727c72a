"""Access-matrix rows and census objects of the notes pages (merged by the matrix test)."""

from __future__ import annotations

from tests.personas import Clinic

EXPECTED: dict[str, dict[str, object]] = {}


def census_objects(clinic: Clinic) -> dict[str, int | str]:
    """Ids for this app's URL parameters (one object of client_a of each kind)."""
    return {}
