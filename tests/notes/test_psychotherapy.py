"""What a psychotherapy note refuses, category by category (SEC-18)."""

from __future__ import annotations

import pytest

from alliance.notes.psychotherapy import excluded_content

PROCESS = (
    "I noticed I felt protective when she spoke about her brother; "
    "wonder whether that echoes her wish to be rescued. Explore my own reaction in supervision."
)


@pytest.mark.parametrize(
    ("category", "text"),
    [
        ("medication", "She is on sertraline and finds it helps."),
        ("medication", "Took 50 mg before bed."),
        ("medication", "Talked about whether to stop her meds."),
        ("medication", "Her prescription ran out."),
        ("session_times", "We began at 10:05 and ran over."),
        ("session_times", "Seen at 3 pm, she was late."),
        ("session_times", "A 50-minute session."),
        ("session_times", "Session ended at the usual point."),
        ("modality", "Used CBT thought records."),
        ("modality", "We will keep meeting weekly."),
        ("modality", "Continued with motivational interviewing."),
        ("diagnosis", "Meets criteria for the full picture."),
        ("diagnosis", "Consistent with F43.10."),
        ("diagnosis", "Her PTSD was very present today."),
        ("diagnosis", "The diagnosis still fits."),
        ("plan", "Update the treatment plan next time."),
        ("plan", "Objective 2 is nearly met."),
        ("plan", "Referral to the housing team."),
        ("progress", "Good progress this month."),
        ("progress", "Her symptoms were less intense."),
        ("progress", "Prognosis is guarded."),
        ("progress", "Mood has improved since spring."),
        ("tests", "PHQ-9 was 14 today."),
        ("tests", "Her score went down."),
        ("tests", "The drug screen came back clean."),
    ],
)
def test_each_category_of_record_content_is_found(category: str, text: str) -> None:
    """SEC-18: medication, session times, modality, diagnosis, plan, progress and test results
    belong in the record and are refused in a psychotherapy note."""
    found = excluded_content([text])

    assert category in [f.category for f in found], (text, found)


def test_process_notes_pass() -> None:
    """SEC-18 (control): the therapist's own process notes are what a PN is for."""
    assert excluded_content([PROCESS, "Hypothesis: anger covers grief."]) == []


def test_the_message_names_the_category_the_words_and_where_to_write_them() -> None:
    """SEC-18: the refusal says what was found and that it belongs in a progress note."""
    found = excluded_content(["Started sertraline 50 mg; PHQ-9 improved."])

    assert {f.category for f in found} == {"medication", "tests", "progress"}
    message = next(f for f in found if f.category == "medication").message
    assert "medication names or doses" in message
    assert "“sertraline”" in message
    assert "progress note" in message
    assert "SEC-18" in message


def test_every_section_is_checked() -> None:
    """SEC-18: record content in the second section is found as well as in the first."""
    assert [f.category for f in excluded_content([PROCESS, "Dx unchanged."])] == ["diagnosis"]
