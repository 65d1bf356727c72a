"""A complete synthetic duty-to-warn report, for the demo and the tests (no real person)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from alliance.disclosures.models import ContactMethod, LegalBasis
from alliance.disclosures.services import ContactValues

DUTY_TO_WARN: dict[str, Any] = {
    "concern_verbatim": "“If he shows up at the depot on Monday I will make sure he never "
    "walks out of there.”",
    "victim": "Former shift supervisor at the client's previous workplace, named by the "
    "client; address known to the client.",
    "risk_assessment": "Structured violence risk assessment (HCR-20 style review): specific "
    "target, stated plan and date, access to the workplace; risk judged high and imminent.",
    "rationale": "Serious and imminent threat against an identifiable person; the client "
    "declined voluntary admission; warning needed to prevent harm.",
    "consultation": "Consulted the clinical director and the clinic's counsel by phone "
    "before warning; both agreed that the duty to warn applied.",
    "actions_taken": "Warned the intended victim by phone; notified local police; "
    "arranged an urgent psychiatric evaluation the same day.",
    "information_disclosed": "Client's name, the threat as stated, the date it was made, "
    "and that the client knows the victim's workplace. No diagnosis or history.",
    "legal_basis": LegalBasis.SERIOUS_THREAT,
    "legal_citation": "45 CFR 164.512(j)(1)(i); state duty-to-warn statute (demo citation).",
    "client_informed": True,
    "client_not_informed_reason": "",
}


def duty_to_warn_contacts(when: datetime) -> list[ContactValues]:
    return [
        ContactValues(
            recipient="The intended victim (by phone)",
            contacted_at=when,
            method=ContactMethod.PHONE,
        ),
        ContactValues(
            recipient="City Police Department, non-emergency desk",
            contacted_at=when,
            method=ContactMethod.PHONE,
            reference="PD-DEMO-0042",
        ),
    ]
