"""Suggested CPT codes for a session, from its type and length (the clinician confirms).

Psychotherapy time rules of the CPT code set: 90832 for 16-37 minutes, 90834 for 38-52,
90837 for 53 or more; family psychotherapy (at least 26 minutes) 90846 without the client and
90847 with; group 90853; crisis 90839 for the first 30-74 minutes and 90840 for each further
30 minutes (75-104 minutes: one, 105-134: two, ...). Intake assessment 90791. Contacts that are
not psychotherapy (case management, medication management, collateral) get no suggestion.
"""

from __future__ import annotations

from alliance.notes.models import EncounterType

# Every code this module can suggest, with a short description for the confirmation form.
CPT_CODES: dict[str, str] = {
    "90791": "Psychiatric diagnostic evaluation",
    "90832": "Psychotherapy, 30 minutes (16-37)",
    "90834": "Psychotherapy, 45 minutes (38-52)",
    "90837": "Psychotherapy, 60 minutes (53 or more)",
    "90846": "Family psychotherapy without the client",
    "90847": "Family psychotherapy with the client",
    "90853": "Group psychotherapy",
    "90839": "Psychotherapy for crisis, first 60 minutes (30-74)",
    "90840": "Psychotherapy for crisis, each additional 30 minutes",
}
NO_CODE = "none"
FAMILY_MINIMUM_MINUTES = 26


def cpt_suggest(*, encounter_type: str, minutes: int, client_present: bool = True) -> list[str]:
    """The codes for one session; empty when none applies (too short, or not psychotherapy)."""
    if encounter_type == EncounterType.INTAKE:
        return ["90791"]
    if encounter_type == EncounterType.INDIVIDUAL:
        if minutes >= 53:
            return ["90837"]
        if minutes >= 38:
            return ["90834"]
        if minutes >= 16:
            return ["90832"]
        return []
    if encounter_type == EncounterType.FAMILY:
        if minutes < FAMILY_MINIMUM_MINUTES:
            return []
        return ["90847" if client_present else "90846"]
    if encounter_type == EncounterType.GROUP:
        return ["90853"]
    if encounter_type == EncounterType.CRISIS:
        if minutes < 30:
            return []
        extra = 0 if minutes < 75 else 1 + (minutes - 75) // 30
        return ["90839", *["90840"] * extra]
    return []


def cpt_text(codes: list[str]) -> str:
    """Codes as stored: ``90839+90840+90840``."""
    return "+".join(codes)


def cpt_label(text: str) -> str:
    """``90839+90840+90840`` → ``90839 + 90840 x2``; ``none`` → ``no code``."""
    if text == NO_CODE:
        return "no billable code"
    codes = [c for c in text.split("+") if c]
    counted: dict[str, int] = {}
    for code in codes:
        counted[code] = counted.get(code, 0) + 1
    return " + ".join(f"{c} x{n}" if n > 1 else c for c, n in counted.items())
