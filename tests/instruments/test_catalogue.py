"""The catalogue as data: codes, licences and item text, LOINC codes, bands."""

from __future__ import annotations

import pytest

from alliance.instruments import Instrument, UnknownInstrument, catalogue, get

CODES = [
    "phq9", "phq2", "gad7", "gad2", "pcl5", "audit", "auditc", "dast10", "cssrs_screener",
    "asq", "epds", "k10", "phqa", "ors", "srs", "who5", "core10",
]  # fmt: skip
NO_TEXT = {"dast10", "cssrs_screener", "epds", "ors", "srs", "phqa"}


def loinc_check_digit(number: str) -> str:
    """LOINC's mod-10 check digit."""
    digits = number[::-1]
    odd = int(digits[0::2][::-1]) * 2
    even = digits[1::2][::-1]
    total = sum(int(c) for c in even + str(odd))
    return str((10 - total % 10) % 10)


def test_the_catalogue_has_the_seventeen_instruments_of_the_issue() -> None:
    assert [instrument.code for instrument in catalogue()] == CODES
    assert all(get(code).code == code for code in CODES)


def test_get_rejects_unknown_codes() -> None:
    with pytest.raises(UnknownInstrument):
        get("bdi")


@pytest.mark.parametrize("instrument", catalogue(), ids=lambda i: i.code)
def test_item_text_ships_only_where_the_licence_allows(instrument: Instrument) -> None:
    if instrument.text_shipped:
        assert instrument.text_licensed, instrument.code
    if instrument.code in NO_TEXT:
        assert not instrument.text_licensed
        assert all(item.text is None for item in instrument.items)
    assert instrument.attribution
    assert instrument.licence_note


@pytest.mark.parametrize("instrument", catalogue(), ids=lambda i: i.code)
def test_items_have_unique_ids_and_neutral_labels(instrument: Instrument) -> None:
    ids = [item.id for item in instrument.items]
    assert len(ids) == len(set(ids))
    assert all(item.label for item in instrument.items)


@pytest.mark.parametrize("instrument", catalogue(), ids=lambda i: i.code)
def test_loinc_codes_carry_valid_check_digits(instrument: Instrument) -> None:
    codes = [instrument.loinc_panel, instrument.loinc_total]
    codes += [item.loinc for item in instrument.items]
    for code in filter(None, codes):
        number, check = code.split("-")
        assert loinc_check_digit(number) == check, code


def test_loinc_codes_of_the_specification() -> None:
    assert (get("phq9").loinc_panel, get("phq9").loinc_total) == ("44249-1", "44261-6")
    assert get("phq9").item("9").loinc == "44260-8"
    assert get("phq9").item("10").loinc == "69722-7"
    assert (get("phq2").loinc_panel, get("phq2").loinc_total) == ("55757-9", "55758-7")
    assert (get("gad7").loinc_panel, get("gad7").loinc_total) == ("69737-5", "70274-6")
    assert get("gad2").loinc_panel is None
    assert (get("audit").loinc_panel, get("audit").loinc_total) == ("72110-0", "75624-7")
    assert (get("auditc").loinc_panel, get("auditc").loinc_total) == ("72109-2", "75626-2")
    assert (get("dast10").loinc_panel, get("dast10").loinc_total) == ("82666-9", "82667-7")
    assert (get("phqa").loinc_panel, get("phqa").loinc_total) == ("89206-7", "89204-2")


def test_difficulty_answer_codes_are_not_in_code_order() -> None:
    """LA6575-0 "Very difficult" comes before LA6574-3 "Extremely difficult"."""
    values = {option.code: option.value for option in get("phq9").item("10").options}

    assert values == {"LA6572-7": 0, "LA6573-5": 1, "LA6575-0": 2, "LA6574-3": 3}
