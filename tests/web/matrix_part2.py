"""Access-matrix rows and census objects of the 42 CFR Part 2 pages (merged by the matrix test).

therapist_on_team is in the personnel of a Part 2 program in which client_a was treated (the
episode closed yesterday, so nothing written later in the census carries the Part 2 label).
Only she sees the client's Part 2 consents and court orders; the rest of the care team and her
supervisor get the 404 of a client that does not exist, so they do not learn that client_a is
in a Part 2 program (42 CFR 2.13(c)). Registry staff and the privacy officer lack the capability.
"""

from __future__ import annotations

from alliance.disclosures.part2_consents import part2_consent_record
from tests.disclosures.test_part2_consent import named_consent, part2_setting
from tests.personas import Clinic
from tests.web.matrix_notes import clinical


def part2_only() -> dict[str, object]:
    return {
        **clinical(on=200, off=404, peer=404, registry=403),
        "psychiatrist": 404,
        "supervisor": 404,
    }


EXPECTED: dict[str, dict[str, object]] = {
    "web:part2_consents": part2_only(),
    "web:part2_consent_revoke": part2_only(),
    "web:part2_court_orders": part2_only(),
}


def census_objects(clinic: Clinic) -> dict[str, int | str]:
    """A Part 2 program with therapist_on_team in its personnel and one consent of client_a."""
    part2 = part2_setting(clinic, discharged=True)
    consent = part2_consent_record(
        actor=part2.member, client_id=part2.client.pk, elements=named_consent(part2.program)
    )
    return {"part2_consent_id": consent.pk, "part2_program_id": part2.program.pk}
