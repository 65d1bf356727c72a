"""The chart's rows built in Python (``web/templatetags/chart_rows.py``): same markup as the
template loops they replaced, every value escaped. Unsaved model instances, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from types import SimpleNamespace

from alliance.assessments.models import Administration, AdministrationMode
from alliance.notes.models import (
    CosignStatus,
    Encounter,
    EncounterSetting,
    EncounterType,
    Note,
    NoteStatus,
    NoteTemplate,
)
from alliance.notes.timeline import TimelineEntry
from alliance.staff.models import User
from alliance.web.templatetags.chart_rows import measure_rows, objective_rows, timeline_rows

HOSTILE = '<script>alert("x")</script>'


def _note(pk: int, **fields: object) -> Note:
    shown = {"mine": False, "summary": "", "signature_ok": True}
    for name in list(shown):
        if name in fields:
            shown[name] = fields.pop(name)
    note = Note(pk=pk, client_id=7, template=NoteTemplate.SOAP, **fields)
    note.author = User(first_name="Dana", last_name=HOSTILE, username="dana")
    for name, value in shown.items():
        setattr(note, name, value)
    return note


def _session() -> Encounter:
    encounter = Encounter(
        pk=3,
        client_id=7,
        date=date(2026, 11, 2),
        start_time=time(9, 5),
        end_time=time(9, 55),
        encounter_type=EncounterType.INDIVIDUAL,
        setting=EncounterSetting.TELEHEALTH_VIDEO,
    )
    encounter.clinician = User(first_name="Sam", last_name="Ode", username="sam")
    return encounter


def test_a_session_heading_and_a_signed_note_with_its_escaped_summary() -> None:
    note = _note(11, status=NoteStatus.SIGNED, summary=f"Sleeps better {HOSTILE}")

    html = str(timeline_rows([TimelineEntry(_session(), [note])]))

    assert html.startswith('<li class="timeline-entry"><h3>2026-11-02 09:05\N{EN DASH}09:55: ')
    assert "(telehealth (video), Sam Ode)" in html
    assert '<a href="/clients/7/notes/11/">SOAP' in html
    assert "<p>Sleeps better &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>" in html
    assert "<script>" not in html  # the author's name is escaped too
    assert "draft" not in html and "does not match" not in html


def test_someone_elses_draft_has_no_link_and_no_text() -> None:
    theirs = _note(12, status=NoteStatus.DRAFT, summary="private words")

    html = str(timeline_rows([TimelineEntry(_session(), [theirs])]))

    assert "/notes/12/" not in html
    assert '<span class="tag">draft</span>' in html
    assert "private words" not in html


def test_my_draft_links_to_its_editor() -> None:
    mine = _note(13, status=NoteStatus.DRAFT, mine=True)

    html = str(timeline_rows([TimelineEntry(_session(), [mine])]))

    assert '<a href="/clients/7/notes/13/">' in html
    assert '<a href="/clients/7/notes/13/edit/">Continue' in html


def test_tags_for_co_signature_error_and_a_broken_signature() -> None:
    pending = _note(14, status=NoteStatus.SIGNED, cosign_status=CosignStatus.PENDING)
    returned = _note(15, status=NoteStatus.SIGNED, cosign_status=CosignStatus.RETURNED)
    withdrawn = _note(
        16,
        status=NoteStatus.SIGNED,
        entered_in_error_at=datetime(2026, 11, 3, tzinfo=UTC),
        summary="withdrawn words",
    )
    tampered = _note(17, status=NoteStatus.SIGNED, signature_ok=False)

    html = str(timeline_rows([TimelineEntry(_session(), [pending, returned, withdrawn, tampered])]))

    assert html.count('<span class="tag">waiting for co-signature</span>') == 1
    assert html.count('<span class="tag no">returned</span>') == 1
    assert html.count('<li class="in-error">') == 1
    assert '<span class="tag no">entered in error</span>' in html
    assert "withdrawn words" not in html
    assert '<span class="tag no">does not match its signature</span>' in html


def test_a_note_without_a_session_and_a_session_without_a_note() -> None:
    loose = _note(18, status=NoteStatus.SIGNED, created_at=datetime(2026, 11, 4, 12, tzinfo=UTC))

    html = str(timeline_rows([TimelineEntry(None, [loose]), TimelineEntry(_session(), [])]))

    assert "<h3>2026-11-04: note without a session</h3>" in html
    assert '<p class="empty">No note in the record for this session.</p>' in html


def test_measure_rows_show_totals_flags_and_escaped_answers() -> None:
    row = Administration(
        pk=5,
        instrument="phq9",
        mode=AdministrationMode.IN_SESSION,
        completed_at=datetime(2026, 11, 1, 15, tzinfo=UTC),
        total=12.5,
        submitted_total=14,
        severity="moderately_severe",
        critical_flags=["phq9_item9_positive"],
        answers={"1": 2, "2": None, "note": HOSTILE},
    )
    clean = Administration(
        pk=6,
        instrument="phq9",
        mode=AdministrationMode.IN_SESSION,
        completed_at=datetime(2026, 10, 1, 15, tzinfo=UTC),
        total=None,
        severity="",
        critical_flags=[],
        answers={},
    )

    html = str(measure_rows([row, clean]))

    assert "<td>2026-11-01</td>" in html
    assert '<td>12.5 <span class="tag no">submitted 14</span></td>' in html
    assert "<td>moderately severe" in html
    assert "PHQ-9 item 9: thoughts of death or self-harm" in html
    assert "<li>Item 1: 2</li><li>Item 2: —</li>" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "<td>—</td><td>—</td>" in html  # no total, no severity
    assert html.count("<tr>") == 2


def test_objective_rows_escape_the_clients_words() -> None:
    node = SimpleNamespace(
        objective=SimpleNamespace(description=f"Sleep {HOSTILE}"),
        progress=SimpleNamespace(
            state="not_yet",
            target_text="PHQ-9 below 10 by 2027-03-01",
            latest_text="PHQ-9 12 (2026-11-01; baseline 19)",
            status_text="Not met yet; improving since the previous score",
        ),
    )

    html = str(objective_rows([node, node]))

    assert html.count('<tr class="progress-not_yet"><td>Sleep &lt;script&gt;') == 2
    assert "<td>PHQ-9 12 (2026-11-01; baseline 19)</td>" in html
    assert "<script>" not in html


def test_label_tables_give_djangos_get_foo_display() -> None:
    """The rows' label tables (built from the TextChoices) give what ``get_FOO_display`` gives,
    for every choice, and a value without a label as itself."""
    from alliance.assessments.models import Administration
    from alliance.notes.models import Encounter, Note
    from alliance.web.templatetags import chart_rows

    tables = [
        (Note, "template", chart_rows.NOTE_TEMPLATE_LABELS),
        (Encounter, "encounter_type", chart_rows.ENCOUNTER_TYPE_LABELS),
        (Encounter, "setting", chart_rows.ENCOUNTER_SETTING_LABELS),
        (Administration, "mode", chart_rows.MODE_LABELS),
    ]
    for model, name, labels in tables:
        field = model._meta.get_field(name)
        assert len(labels) == len(field.choices) > 0
        for value in [*labels, "no-such-value"]:
            row = model(**{name: value})
            assert labels.get(value, value) == getattr(row, f"get_{name}_display")(), value
