"""ICD-10-CM validation and search through simple-icd-10-cm (never a hand-typed code list)."""

from __future__ import annotations

import pytest

from alliance.diagnoses import icd10
from alliance.diagnoses.selectors import icd10_search


def test_a_billable_code_is_found_with_its_description_from_the_library() -> None:
    code = icd10.lookup("F32.1")
    assert code == icd10.Code("F32.1", "Major depressive disorder, single episode, moderate", True)
    assert not code.is_factor


@pytest.mark.parametrize("typed", ["f32.1", " F321 ", "f 32.1"])
def test_a_code_is_normalised_before_lookup(typed: str) -> None:
    assert icd10.lookup(typed).code == "F32.1"


@pytest.mark.parametrize("typed", ["F99.99", "XYZ", "F00-F99", "5", "F32.1; DROP"])
def test_something_that_is_not_a_code_is_refused(typed: str) -> None:
    with pytest.raises(icd10.CodeInvalid, match="is not an ICD-10-CM code"):
        icd10.lookup(typed)


def test_an_empty_code_asks_for_one() -> None:
    with pytest.raises(icd10.CodeInvalid, match="Enter an ICD-10-CM code"):
        icd10.lookup("  ")


def test_a_category_is_refused_with_more_specific_codes_suggested() -> None:
    with pytest.raises(icd10.CodeInvalid) as refused:
        icd10.lookup("F32")
    assert "not a billable code" in refused.value.message
    assert "more specific" in refused.value.message
    assert "F32.0" in refused.value.message and "F32.1" in refused.value.message
    assert all(s.code.startswith("F32.") for s in refused.value.suggestions)


def test_z59_0_homelessness_is_a_category_now_so_the_specific_codes_are_suggested() -> None:
    """The library's code set (FY2023 on) split Z59.0 into Z59.00 to Z59.02."""
    with pytest.raises(icd10.CodeInvalid) as refused:
        icd10.lookup("Z59.0")
    assert [s.code for s in refused.value.suggestions] == ["Z59.00", "Z59.01", "Z59.02"]
    sheltered = icd10.lookup("Z59.01")
    assert sheltered.description == "Sheltered homelessness"
    assert sheltered.is_factor


def test_search_by_words_finds_the_closest_description_first() -> None:
    found = icd10_search("major depressive single episode moderate")
    assert found[0].code == "F32.1"


def test_search_folds_case_and_accents_and_ignores_joining_words() -> None:
    assert icd10_search("GÉNÉRALIZED anxiety")[0].code == "F41.1"
    assert "G47.9" in [c.code for c in icd10_search("disorder of sleep")]


def test_search_matches_word_beginnings() -> None:
    codes = [c.code for c in icd10_search("maj depress recur sev", limit=50)]
    assert "F33.2" in codes
    assert all(c.startswith("F33") for c in codes)


def test_search_by_code_prefix_returns_only_billable_codes_in_code_order() -> None:
    found = icd10_search("F32", limit=50)
    codes = [c.code for c in found]
    assert codes[:3] == ["F32.0", "F32.1", "F32.2"]
    assert "F32" not in codes  # the category itself is not billable
    assert all(c.startswith("F32") for c in codes)
    assert [c.code for c in icd10_search("f331")] == ["F33.1"]


def test_search_for_a_social_factor_finds_z_codes() -> None:
    codes = [c.code for c in icd10_search("homeless")]
    assert {"Z59.00", "Z59.01", "Z59.02"} <= set(codes)


def test_search_respects_the_limit_and_finds_nothing_for_nonsense() -> None:
    assert len(icd10_search("disorder", limit=7)) == 7
    assert icd10_search("qwertyuiop") == []
    assert icd10_search("   ") == []
    assert icd10_search("of the") == []
