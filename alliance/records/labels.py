"""Security labels of clinical records (SEC-19; HL7 v3 security labels, DS4P IG).

A record written inside a 42 CFR Part 2 program carries confidentiality ``R`` (restricted),
the sensitivity ``ETH`` (substance abuse information) and the policy ``42CFRPart2``
(HL7 ActCode). Labels are derived from where the record was written, never typed.
"""

from __future__ import annotations

PART2_LABELS = ("R", "ETH", "42CFRPart2")


def security_labels(part2_program_id: int | None) -> tuple[str, ...]:
    """The labels of a record: Part 2's three, or none beyond the clinic's normal ones."""
    return PART2_LABELS if part2_program_id else ()
