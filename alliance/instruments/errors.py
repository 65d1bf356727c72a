"""Errors of the instrument library. Input error codes are those of INSTRUMENTS.md section 3.4."""

from __future__ import annotations

from typing import Final

OUT_OF_RANGE: Final = "out_of_range"
MISSING_ITEM: Final = "missing_item"
WRONG_ITEM_COUNT: Final = "wrong_item_count"
INVALID_VALUE_TYPE: Final = "invalid_value_type"
UNKNOWN_ITEM: Final = "unknown_item"
SKIP_LOGIC_VIOLATION: Final = "skip_logic_violation"
TOO_MANY_MISSING_ITEMS: Final = "too_many_missing_items"

ERROR_CODES: Final = (
    OUT_OF_RANGE,
    MISSING_ITEM,
    WRONG_ITEM_COUNT,
    INVALID_VALUE_TYPE,
    UNKNOWN_ITEM,
    SKIP_LOGIC_VIOLATION,
    TOO_MANY_MISSING_ITEMS,
)


class InstrumentInputError(Exception):
    """Answers that cannot be scored.

    ``critical_flags`` holds the flags raised by the valid answers: an answer that signals risk
    raises its alert even when another answer is invalid (INSTRUMENTS.md 2.3, safety first).
    """

    def __init__(
        self,
        code: str,
        item: str | None,
        message: str,
        *,
        instrument: str | None = None,
        critical_flags: tuple[str, ...] = (),
    ) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown input error code {code!r}")
        super().__init__(message)
        self.code = code
        self.item = item
        self.message = message
        self.instrument = instrument
        self.critical_flags = critical_flags

    def with_context(
        self, instrument: str, critical_flags: tuple[str, ...]
    ) -> InstrumentInputError:
        """The same error, naming the instrument and carrying the critical flags."""
        return InstrumentInputError(
            self.code,
            self.item,
            self.message,
            instrument=instrument,
            critical_flags=critical_flags,
        )

    def as_json(self) -> dict[str, object]:
        return {
            "instrument": self.instrument,
            "total": None,
            "severity": None,
            "critical_flags": list(self.critical_flags),
            "error": {"code": self.code, "item": self.item, "message": self.message},
        }

    def __repr__(self) -> str:
        return f"InstrumentInputError({self.code!r}, {self.item!r}, {self.message!r})"


class UnknownInstrument(KeyError):
    """No instrument has this code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def __str__(self) -> str:
        return f"unknown instrument {self.code!r}"


class InvalidParameter(ValueError):
    """A scoring or change parameter that the instrument does not take, or a bad value."""


class NoTotal(ValueError):
    """Change over time asked of an instrument that has no total (C-SSRS screener, ASQ)."""
