"""Registry validation rules shared by the services (and so by every interface)."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError

from alliance.core.text import fold

OLDEST_PLAUSIBLE_AGE = 125
PHONE_ALLOWED = re.compile(r"^[0-9+().\-\s]*(?:(?:ext\.?|x)\s*\d+)?$", re.IGNORECASE)


def phone_digits(phone: str) -> str:
    return re.sub(r"\D", "", phone)[-15:]


def validate_phone(value: str) -> None:
    if value and (not PHONE_ALLOWED.match(value) or not 7 <= len(phone_digits(value)) <= 15):
        raise ValidationError("Enter a phone number of 7 to 15 digits, e.g. 555-201-3344.")


def validate_birth_date(value: date, today: date) -> None:
    if value > today:
        raise ValidationError("Date of birth cannot be in the future.")
    if today.year - value.year > OLDEST_PLAUSIBLE_AGE:
        raise ValidationError(f"Date of birth is more than {OLDEST_PLAUSIBLE_AGE} years ago.")


def search_text_for(*names: str) -> str:
    """What ``Client.search_text`` holds: every name, folded, joined by spaces."""
    return fold(" ".join(n for n in names if n))[:420]


NAME_SORT_SEPARATOR = "\x1f"  # below every character a folded name holds


def name_sort_for(last: str, first: str) -> str:
    """What ``Client.name_sort`` holds: last name, then first name, folded."""
    return f"{fold(last)[:150]}{NAME_SORT_SEPARATOR}{fold(first)[:149]}"
