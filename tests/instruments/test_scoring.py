"""The scoring engine: answer shapes, value checks, error precedence, output shapes."""

from __future__ import annotations

import pytest

from alliance.instruments import ERROR_CODES, InstrumentInputError, UnknownInstrument, score
from tests.instruments.support import rejected, scored


def test_a_list_and_a_mapping_score_the_same() -> None:
    answers = [0, 1, 2, 3, 0, 1, 2]

    as_list = scored("gad7", answers)
    as_mapping = scored("gad7", {str(n): v for n, v in enumerate(answers, start=1)})

    assert as_list == as_mapping


def test_integer_keys_are_read_as_item_ids() -> None:
    assert scored("phq2", {1: 2, 2: 1}).total == 3


def test_an_integral_float_is_accepted_on_an_integer_scale() -> None:
    assert scored("phq2", [2.0, 1]).total == 3


@pytest.mark.parametrize("value", ["2", 1.5, True, {"a": 1}, [1], float("nan")])
def test_a_value_of_the_wrong_type_is_invalid_value_type(value: object) -> None:
    error = rejected("phq2", [1, value])

    assert (error.code, error.item) == ("invalid_value_type", "2")


@pytest.mark.parametrize("value", [-1, 4])
def test_a_value_off_the_scale_is_out_of_range(value: int) -> None:
    error = rejected("gad7", [0, 0, value, 0, 0, 0, 0])

    assert (error.code, error.item) == ("out_of_range", "3")


def test_answers_that_are_neither_list_nor_mapping_are_rejected() -> None:
    error = rejected("gad7", "0000000")

    assert (error.code, error.item, error.instrument) == ("invalid_value_type", None, "gad7")


def test_null_and_absent_items_are_missing_never_zero() -> None:
    assert rejected("gad7", [0, 0, None, 0, 0, 0, 0]).code == "missing_item"
    error = rejected("gad7", {"1": 0, "2": 0, "3": 0, "4": 0, "5": 0, "6": 0})
    assert (error.code, error.item) == ("missing_item", "7")


def test_an_unknown_item_is_reported_before_value_errors_with_the_flags_of_valid_items() -> None:
    answers = {str(n): 0 for n in range(1, 10)} | {"9": 2, "11": 1, "3": 7}

    error = rejected("phq9", answers)

    assert (error.code, error.item) == ("unknown_item", "11")
    assert error.critical_flags == ("phq9_item9_positive",)


def test_value_errors_come_in_item_order_before_missing_items() -> None:
    error = rejected("phq9", {"2": "x", "5": 9, "9": 1})

    assert (error.code, error.item) == ("invalid_value_type", "2")
    assert error.critical_flags == ("phq9_item9_positive",)


def test_wrong_item_count_raises_no_flags_because_positions_are_unreliable() -> None:
    error = rejected("phq9", [0, 0, 0, 0, 0, 0, 0, 3])

    assert error.code == "wrong_item_count"
    assert error.critical_flags == ()


def test_error_json_shape() -> None:
    error = rejected("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 5])

    assert error.as_json() == {
        "instrument": "phq9",
        "total": None,
        "severity": None,
        "critical_flags": [],
        "error": {"code": "out_of_range", "item": "9", "message": error.message},
    }
    assert "Item 9" in error.message


def test_result_json_shape() -> None:
    result = scored("gad7", [3, 3, 0, 0, 0, 0, 0])

    assert result.as_json() == {
        "instrument": "gad7",
        "total": 6,
        "severity": "mild",
        "critical_flags": [],
        "error": None,
        "gad2_subtotal": 6,
        "item_scores": {"1": 3, "2": 3, "3": 0, "4": 0, "5": 0, "6": 0, "7": 0},
    }


def test_every_error_code_of_the_specification_exists() -> None:
    assert set(ERROR_CODES) == {
        "out_of_range",
        "missing_item",
        "wrong_item_count",
        "invalid_value_type",
        "unknown_item",
        "skip_logic_violation",
        "too_many_missing_items",
    }
    with pytest.raises(ValueError):
        InstrumentInputError("not_a_code", None, "message")


def test_an_unknown_instrument_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        score("phq10", [])
    with pytest.raises(UnknownInstrument, match="phq10"):
        score("phq10", [])
