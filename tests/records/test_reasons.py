"""The one reason policy: words, long enough to say something (entered in error, reviews,
corrections, revocations, break-the-glass)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from alliance.access.models import BreakGlassReason
from alliance.access.services import BreakGlassRefused, break_glass_start
from alliance.records.reasons import EMERGENCY_REASON_LENGTH, reason_clean, reason_problem
from tests.personas import PASSWORD, Clinic


@pytest.mark.parametrize(
    "text",
    ["", "too short", "...............", "1234567890123", "x" * 40, "Misfiled!!!"],
)
def test_short_text_dots_digits_and_one_word_are_not_a_reason(text: str) -> None:
    assert reason_problem(text)


@pytest.mark.parametrize("text", ["Wrong client chart", "Entered for the wrong session."])
def test_a_sentence_is_a_reason(text: str) -> None:
    assert reason_problem(text) == ""
    assert reason_clean(f"  {text}  ") == text


def test_the_message_sits_on_the_field_and_says_what_is_needed() -> None:
    with pytest.raises(ValidationError) as error:
        reason_clean("...", field="note", prompt="Describe the reason")
    assert error.value.message_dict == {
        "note": ["Describe the reason in at least 10 characters, in words."]
    }


def test_break_the_glass_refuses_fifteen_dots(clinic: Clinic) -> None:
    """Issue 14: a reason for break-the-glass must be words, not fifteen dots."""
    with pytest.raises(BreakGlassRefused) as refused:
        break_glass_start(
            actor=clinic.therapist_off_team,
            mrn=clinic.client_b.mrn,
            reason_code=BreakGlassReason.CRISIS_CALL,
            reason_text="." * EMERGENCY_REASON_LENGTH,
            password=PASSWORD,
        )
    assert refused.value.field == "reason_text"
    assert "in words" in refused.value.message
