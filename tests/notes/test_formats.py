"""Note templates: sections, the structured mental status examination, completeness."""

from __future__ import annotations

import pytest

from alliance.notes.formats import (
    FORMATS,
    clean_content,
    compared,
    displayed,
    format_of,
    missing_for_signing,
    summary,
)
from alliance.notes.models import NoteTemplate


def test_every_template_has_a_format_with_a_required_section() -> None:
    assert set(FORMATS) == set(NoteTemplate.values)
    for note_format in FORMATS.values():
        assert any(s.required for s in note_format.sections), note_format.template


@pytest.mark.parametrize(
    ("template", "keys"),
    [
        ("soap", ["subjective", "objective", "assessment", "plan"]),
        ("dap", ["data", "assessment", "plan"]),
        ("birp", ["behavior", "intervention", "response", "plan"]),
        ("girp", ["goal", "intervention", "response", "plan"]),
        ("free_text", ["text"]),
    ],
)
def test_progress_note_templates(template: str, keys: list[str]) -> None:
    assert format_of(template).keys() == keys


def test_the_intake_has_a_structured_mental_status_examination() -> None:
    intake = format_of(NoteTemplate.INTAKE)
    mse = [s for s in intake.sections if s.group == "Mental status examination"]

    assert {"presenting_problem", "psychiatric_history", "substance_use", "trauma", "risk"} <= set(
        intake.keys()
    )
    assert len(mse) >= 10
    assert intake.section("mse_affect").choices  # type: ignore[union-attr]
    assert intake.section("mse_insight").choices == ("Good", "Fair", "Poor")  # type: ignore[union-attr]


def test_clean_content_keeps_the_templates_sections_only() -> None:
    content = clean_content("dap", {"data": "  Talked.  ", "author": 7, "client": 3})

    assert content == {"data": "Talked.", "assessment": "", "plan": ""}


def test_a_choice_outside_its_list_is_refused() -> None:
    with pytest.raises(ValueError, match="mse_insight"):
        clean_content("intake", {"mse_insight": "Excellent"})
    assert clean_content("intake", {"mse_insight": "Fair"})["mse_insight"] == "Fair"


def test_missing_sections_for_signing_and_the_summary() -> None:
    content = {"subjective": "Slept well.", "objective": "", "assessment": "Stable"}

    assert [s.key for s in missing_for_signing("soap", content)] == ["objective", "plan"]
    assert summary("soap", content) == "Slept well."
    assert summary("free_text", {"text": "x" * 300}).endswith("…")
    assert len(summary("free_text", {"text": "x" * 300})) == 240


def test_display_groups_and_comparison() -> None:
    groups = displayed("intake", {"mse_mood": "flat"})
    compared_rows = compared("dap", {"data": "A", "plan": "P"}, {"data": "B", "plan": "P"})

    assert ("Mood (the client's words)", "flat") in dict(groups)["Mental status examination"]
    assert compared_rows == [("Data", "A", "B")]
