"""The crisis numbers as links a phone can dial (or text), for the client's public pages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from alliance.safety.plans import crisis_contacts

PHONE = re.compile(r"\+?\d[\d ().-]*\d|\d")
TEXTS = re.compile(r"\btext\b", re.IGNORECASE)


@dataclass(frozen=True)
class DialableContact:
    label: str
    number: str
    tel: str  # "" when the text holds no number a phone can dial
    sms: str  # set when the text says the line takes text messages


def dialable(label: str, number: str) -> DialableContact:
    match = next((m for m in PHONE.finditer(number) if len(re.sub(r"\D", "", m[0])) >= 3), None)
    if match is None:
        return DialableContact(label, number, "", "")
    digits = ("+" if match[0].startswith("+") else "") + re.sub(r"\D", "", match[0])
    return DialableContact(
        label, number, f"tel:{digits}", f"sms:{digits}" if TEXTS.search(number) else ""
    )


def crisis_links() -> list[DialableContact]:
    return [dialable(contact.label, contact.number) for contact in crisis_contacts()]
