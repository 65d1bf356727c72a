"""AUDIT and AUDIT-C (INSTRUMENTS.md 4.6, 4.7): zones, items 9-10 values, skip rules, sex."""

from __future__ import annotations

import pytest

from alliance.instruments import InvalidParameter, score
from tests.instruments.support import answers_for_total, rejected, scored


@pytest.mark.parametrize(
    ("total", "zone"),
    [
        (0, "zone_1_low_risk"),
        (7, "zone_1_low_risk"),
        (8, "zone_2_hazardous"),
        (15, "zone_2_hazardous"),
        (16, "zone_3_harmful"),
        (19, "zone_3_harmful"),
        (20, "zone_4_possible_dependence"),
        (33, "zone_4_possible_dependence"),
        (40, "zone_4_possible_dependence"),
    ],
)
def test_audit_zones_at_every_boundary(total: int, zone: str) -> None:
    result = scored("audit", answers_for_total("audit", total))

    assert (result.total, result.severity) == (total, zone)


@pytest.mark.parametrize("item", ["9", "10"])
@pytest.mark.parametrize("value", [1, 3])
def test_audit_items_9_and_10_reject_1_and_3(item: str, value: int) -> None:
    answers = {str(n): 1 for n in range(1, 11)} | {"9": 0, "10": 0, item: value}

    error = rejected("audit", answers)

    assert (error.code, error.item) == ("out_of_range", item)


@pytest.mark.parametrize("value", [0, 2, 4])
def test_audit_items_9_and_10_take_0_2_4(value: int) -> None:
    answers = [1, 1, 1, 1, 1, 1, 1, 1, value, value]

    assert scored("audit", answers).total == 8 + 2 * value


def test_audit_domain_subtotals() -> None:
    result = scored("audit", [4, 3, 2, 1, 1, 0, 2, 1, 2, 4])

    assert result.total == 20
    assert result.extras["audit_c_subtotal"] == 9
    assert result.extras["dependence_items_4_6"] == 2
    assert result.extras["harm_items_7_10"] == 9


def test_audit_q1_never_lets_q2_to_q8_be_omitted() -> None:
    result = scored("audit", {"1": 0, "9": 2, "10": 0})

    assert result.total == 2
    assert result.extras["skipped_items"] == ["2", "3", "4", "5", "6", "7", "8"]
    assert result.item_scores["5"] == 0


def test_audit_q2_plus_q3_zero_lets_q4_to_q8_be_omitted() -> None:
    result = scored("audit", {"1": 2, "2": 0, "3": 0, "9": 0, "10": 4})

    assert result.total == 6
    assert result.extras["skipped_items"] == ["4", "5", "6", "7", "8"]


def test_audit_omission_outside_the_skip_rules_is_missing() -> None:
    error = rejected("audit", {"1": 1, "3": 0, "9": 0, "10": 0})
    assert (error.code, error.item) == ("missing_item", "2")

    error = rejected("audit", {"1": 1, "2": 1, "3": 0, "9": 0, "10": 0})
    assert (error.code, error.item) == ("missing_item", "4")

    error = rejected("audit", {"1": 0, "10": 0})
    assert (error.code, error.item) == ("missing_item", "9")


def test_a_full_audit_sent_as_an_audit_c_is_the_wrong_count() -> None:
    assert rejected("auditc", [1] * 10).code == "wrong_item_count"
    assert rejected("audit", [1, 1, 1]).code == "wrong_item_count"


@pytest.mark.parametrize(
    ("answers", "sex", "severity"),
    [
        ([1, 1, 1], "female", "positive"),
        ([1, 1, 0], "female", "negative"),
        ([1, 1, 1], "male", "negative"),
        ([2, 1, 1], "male", "positive"),
        ([4, 4, 4], None, None),
    ],
)
def test_auditc_cutoff_depends_on_sex(answers: list[int], sex: str | None, severity: str) -> None:
    params = {} if sex is None else {"sex": sex}

    result = scored("auditc", answers, **params)

    assert result.severity == severity
    assert result.total == sum(answers)


def test_auditc_points_from_q1_only() -> None:
    assert scored("auditc", [3, 0, 0], sex="male").extras["points_from_q1_only"] is True
    assert scored("auditc", [3, 1, 0], sex="male").extras["points_from_q1_only"] is False
    assert scored("auditc", [0, 0, 0], sex="male").extras["points_from_q1_only"] is False


def test_auditc_rejects_an_unknown_sex() -> None:
    with pytest.raises(InvalidParameter):
        score("auditc", [1, 1, 1], sex="unknown")
