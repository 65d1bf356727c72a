"""Date fields with a sane range, for filters and forms.

Python's dates end at 9999-12-31, and a filter's end date becomes the start of the next day in
a query, so a far-future date typed into a filter overflowed into a server error. A date
outside the range is refused next to its field instead, with the range in the message.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from alliance.web.widgets import DateInput

# Before any record or audit event the clinic can hold.
EARLIEST = date(1900, 1, 1)
# Far enough ahead for any end of a period someone means ("until the end of next year").
YEARS_AHEAD = 10


def latest_date(years_ahead: int = YEARS_AHEAD, today: date | None = None) -> date:
    """``years_ahead`` years from today (28 February for 29 February in a common year)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + years_ahead)
    except ValueError:  # 29 February
        return today.replace(year=today.year + years_ahead, day=28)


class BoundedDateField(forms.DateField):
    """A date from ``earliest`` to ``years_ahead`` years from today, shown as a date picker."""

    def __init__(
        self, *, earliest: date = EARLIEST, years_ahead: int = YEARS_AHEAD, **kwargs: Any
    ) -> None:
        kwargs.setdefault("widget", DateInput())
        super().__init__(**kwargs)
        self.earliest = earliest
        self.years_ahead = years_ahead

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        # Today is read at each validation: a long-running process does not keep a stale end.
        latest = latest_date(self.years_ahead)
        if not self.earliest <= value <= latest:
            raise ValidationError(
                "Enter a date between %(earliest)s and %(latest)s.",
                code="date_out_of_range",
                params={"earliest": self.earliest.isoformat(), "latest": latest.isoformat()},
            )
