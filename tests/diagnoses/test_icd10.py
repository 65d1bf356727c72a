"""ICD-10-CM validation and search through simple-icd-10-cm (never a hand-typed code list)."""

from __future__ import annotations

import importlib
import sys
from typing import Any

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
    # F51.9 ranks before G47.9: mental and behavioural codes come first.
    sleep = [c.code for c in icd10_search("disorder of sleep", limit=30)]
    assert {"F51.9", "G47.9"} <= set(sleep)


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


def test_search_ranks_mental_and_behavioural_codes_before_any_other() -> None:
    """Issue 13: "depress" put P91.4 (neonatal cerebral depression) before F33.x."""
    codes = [c.code for c in icd10_search("depress", limit=50)]
    assert codes[0].startswith("F")
    mental = [i for i, code in enumerate(codes) if code.startswith("F")]
    assert mental == list(range(len(mental)))  # every F code before every other code
    assert {"F32.A", "F33.1"} <= set(codes)
    assert "P91.4" in codes[len(mental) :]


def test_search_ranks_mental_health_z_codes_after_f_codes_and_before_the_rest() -> None:
    codes = [c.code for c in icd10_search("depression")]
    assert codes[0] in ("F32.A", "F53.0")
    assert codes.index("Z13.31") < codes.index("P91.4")
    assert all(codes.index(f) < codes.index("Z13.31") for f in ("F32.A", "F53.0"))
    self_harm = [c.code for c in icd10_search("self harm")]
    assert self_harm[0] == "Z91.52"  # personal history of nonsuicidal self-harm


def test_within_a_group_the_closest_description_still_comes_first() -> None:
    codes = [c.code for c in icd10_search("stress", limit=30)]
    groups = [icd10.group_of(code) for code in codes]
    assert groups == sorted(groups)
    assert codes[0] == "F43.0"  # "Acute stress reaction": fewest other words among the F codes


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("F32.1", icd10.MENTAL),
        ("F01.A4", icd10.MENTAL),
        ("Z91.51", icd10.FACTOR),
        ("Z59.01", icd10.FACTOR),
        ("Z63.4", icd10.FACTOR),
        ("Z69.010", icd10.FACTOR),
        ("Z13.31", icd10.FACTOR),
        ("Z57.0", icd10.OTHER),  # occupational exposure to noise
        ("Z00.00", icd10.OTHER),
        ("P91.4", icd10.OTHER),
        ("R45.851", icd10.OTHER),
    ],
)
def test_each_code_belongs_to_one_search_group(code: str, group: int) -> None:
    assert icd10.group_of(code) == group


def test_every_factor_prefix_names_codes_of_the_library() -> None:
    cm: Any = icd10._cm()
    assert all(cm.is_valid_item(prefix) for prefix in icd10.FACTOR_PREFIXES)


def test_a_web_process_starts_building_the_index_as_it_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given a web process about to load the WSGI application
    started: list[bool] = []
    monkeypatch.setattr(icd10, "warm_up", lambda: started.append(True))
    monkeypatch.delitem(sys.modules, "alliance.config.wsgi", raising=False)

    # when it loads it, as each gunicorn worker does
    importlib.import_module("alliance.config.wsgi")

    # then the index build has started
    assert started == [True]


def test_warm_up_builds_the_index_in_the_background_and_searches_wait_for_it() -> None:
    # given a process whose index is not built yet
    icd10._built_index.cache_clear()
    icd10._index_built.clear()
    assert not icd10.index_ready()

    # when it warms up and is searched at once
    thread = icd10.warm_up()
    found = icd10_search("F33.1")

    # then the search waited for the one build, which ran in a daemon thread
    assert [c.code for c in found] == ["F33.1"]
    assert thread.daemon
    assert icd10.index_ready(timeout=60)
    thread.join(timeout=60)
    assert icd10._built_index.cache_info().misses == 1
