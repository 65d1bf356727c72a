"""Reading notes: who sees what, the chart timeline, worklists, audit of every read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time

from alliance.access.models import BreakGlassGrant, BreakGlassReason
from alliance.access.policy import ClientNotFound
from alliance.audit.models import AuditEvent
from alliance.core.presence import UNKNOWN, Presence, part_counts
from alliance.notes.guards import install_note_guards, remove_note_guards
from alliance.notes.models import Note
from alliance.notes.selectors import NoteNotFound, note_for
from alliance.notes.services import note_create
from alliance.notes.supervision import note_cosign, note_return
from alliance.notes.timeline import (
    NOTES_WITHOUT_SESSION,
    SESSIONS,
    TIMELINE_PAGE_SIZE,
    timeline_for_chart,
)
from alliance.notes.worklists import cosign_queue_for, unsigned_notes_for
from alliance.staff.capabilities import Capability
from tests.notes.conftest import SOAP, draft, session, signed
from tests.personas import PASSWORD, Clinic

CANARY = "Marmalade-canary reflection on my countertransference."


@pytest.fixture
def psychotherapy_note(clinic: Clinic) -> Note:
    return signed(
        clinic.therapist_on_team,
        clinic.client_a,
        template="psychotherapy",
        content={"process": CANARY},
    )


def grant_break_glass(clinic: Clinic) -> None:
    now = timezone.now()
    BreakGlassGrant.objects.create(
        actor=clinic.therapist_off_team,
        client=clinic.client_a,
        reason_code=BreakGlassReason.CRISIS_CALL,
        reason_text="Crisis call, team unreachable",
        granted_at=now,
        expires_at=now + timedelta(hours=1),
    )


# ------------------------------------------------------------------------ psychotherapy notes


def test_only_the_author_reads_a_psychotherapy_note(
    clinic: Clinic, psychotherapy_note: Note
) -> None:
    """SEC-16: the author reads it, audited with the PN data category (SEC-23)."""
    note = note_for(
        actor=clinic.therapist_on_team,
        client_id=clinic.client_a.pk,
        note_id=psychotherapy_note.pk,
        capability=Capability.CHART_READ,
    )

    assert note.content["process"] == CANARY
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.action, event.object_id, event.detail["category"]) == (
        "record_view",
        str(note.pk),
        "PSYTHPN",
    )
    assert CANARY not in str(event.detail)


@pytest.mark.parametrize(
    "persona",
    [
        "supervisor",
        "psychiatrist",
        "peer_specialist",
        "therapist_off_team",
        "privacy_officer",
        "it_admin",
        "front_desk",
    ],
)
def test_nobody_else_reads_a_psychotherapy_note(
    persona: str, clinic: Clinic, psychotherapy_note: Note
) -> None:
    """SEC-16, SEC-22: supervisor, colleagues, administrators, privacy officer and
    break-the-glass all get the answer for a note that does not exist; the attempt is audited."""
    grant_break_glass(clinic)  # the off-team therapist holds a live emergency grant
    before = AuditEvent.objects.count()

    with pytest.raises(NoteNotFound):
        note_for(
            actor=getattr(clinic, persona),
            client_id=clinic.client_a.pk,
            note_id=psychotherapy_note.pk,
            capability=Capability.CHART_READ,
        )

    denied = AuditEvent.objects.order_by("seq")[before:]
    assert [(e.outcome, e.object_type) for e in denied] == [("denied", "notes.Note")]


def test_the_record_notes_of_a_client_never_include_psychotherapy_notes(
    clinic: Clinic, psychotherapy_note: Note, signed_note: Note
) -> None:
    """SEC-16: the default manager (what any list, search or export uses) cannot see them."""
    assert list(Note.objects.all()) == [signed_note]
    assert not Note.objects.filter(content__process=CANARY).exists()
    assert Note.all_kinds.filter(content__process=CANARY).exists()
    assert Note.all_kinds.filter(pk=psychotherapy_note.pk).exists()


# ----------------------------------------------------------------------------- record notes


@pytest.mark.parametrize(
    ("persona", "purpose"),
    [
        ("therapist_on_team", "TREAT"),
        ("supervisor", "TREAT"),
        ("peer_specialist", "TREAT"),
        ("therapist_off_team", "BTG"),
    ],
)
def test_a_signed_note_is_read_by_the_care_relationship_and_audited(
    persona: str, purpose: str, clinic: Clinic, signed_note: Note
) -> None:
    """SEC-10, SEC-22, SEC-23: every read writes one event with its purpose of use."""
    grant_break_glass(clinic)
    before = AuditEvent.objects.count()

    note = note_for(
        actor=getattr(clinic, persona),
        client_id=clinic.client_a.pk,
        note_id=signed_note.pk,
        capability=Capability.CHART_READ,
    )

    assert note.pk == signed_note.pk
    [event] = AuditEvent.objects.order_by("seq")[before:]
    assert (event.action, event.purpose, event.client_id, event.severity) == (
        "record_view",
        purpose,
        clinic.client_a.pk,
        "normal",
    )


def test_a_note_is_not_reached_through_another_client(clinic: Clinic, signed_note: Note) -> None:
    """SEC-10, SEC-11: the note id with a client the actor may see, but not its own, is 404."""
    from alliance.access.models import CareTeamMember, CareTeamRole

    CareTeamMember.objects.create(
        client=clinic.client_b,
        staff=clinic.therapist_off_team,
        role=CareTeamRole.THERAPIST,
        start_on=timezone.localdate(),
    )
    with pytest.raises(NoteNotFound):
        note_for(
            actor=clinic.therapist_off_team,
            client_id=clinic.client_b.pk,
            note_id=signed_note.pk,
            capability=Capability.CHART_READ,
        )


def test_a_tampered_note_is_read_with_a_high_severity_event(
    clinic: Clinic, signed_note: Note
) -> None:
    """REL-01: the signature is checked on every read; a mismatch is recorded for review."""
    remove_note_guards(connection)
    try:
        Note.all_kinds.filter(pk=signed_note.pk).update(content={**SOAP, "plan": "Altered"})
    finally:
        install_note_guards(connection)

    note_for(
        actor=clinic.therapist_on_team,
        client_id=clinic.client_a.pk,
        note_id=signed_note.pk,
        capability=Capability.CHART_READ,
    )

    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.severity, event.detail["signature"]) == ("high", "mismatch")


# --------------------------------------------------------------------------------- timeline


def test_the_timeline_excludes_psychotherapy_notes_even_for_their_author(
    clinic: Clinic, psychotherapy_note: Note, signed_note: Note
) -> None:
    """SEC-16: the chart shows the session, never the PN written about it."""
    page = timeline_for_chart(actor=clinic.therapist_on_team, client=clinic.client_a, page=1)

    shown = [n.pk for entry in page.entries for n in entry.notes]
    assert shown == [signed_note.pk]
    assert psychotherapy_note.encounter_id in [e.encounter.pk for e in page.entries if e.encounter]
    assert CANARY not in repr([n.content for entry in page.entries for n in entry.notes])


def test_the_timeline_shows_newest_first_with_notes_without_a_session(clinic: Clinic) -> None:
    author = clinic.psychiatrist
    today = timezone.localdate()
    older = signed(author, clinic.client_a, day=today - timedelta(days=10))
    newer = signed(author, clinic.client_a, day=today - timedelta(days=2))
    loose = note_create(actor=author, client=clinic.client_a, template="free_text")

    page = timeline_for_chart(actor=author, client=clinic.client_a)

    assert [(e.encounter.pk if e.encounter else None) for e in page.entries] == [
        None,
        newer.encounter_id,
        older.encounter_id,
    ]
    assert page.entries[0].notes[0].pk == loose.pk
    assert page.entries[0].notes[0].mine  # type: ignore[attr-defined]


def test_the_timeline_is_paged_with_a_constant_number_of_queries(clinic: Clinic) -> None:
    """Query count does not grow with the chart (the 500-note chart stays fast)."""
    author = clinic.psychiatrist
    for days in range(3):
        signed(author, clinic.client_a, day=timezone.localdate() - timedelta(days=days + 1))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            timeline_for_chart(actor=author, client=clinic.client_a, page=1)
        return len(captured)

    few = queries()
    for days in range(TIMELINE_PAGE_SIZE + 5):
        draft(author, clinic.client_a, day=timezone.localdate() - timedelta(days=days + 5))
    many = queries()

    assert few == many
    second = timeline_for_chart(actor=author, client=clinic.client_a, page=2)
    assert (second.number, second.num_pages, second.total) == (2, 2, 3 + TIMELINE_PAGE_SIZE + 5)
    assert len(second.entries) == 8 and second.has_previous and not second.has_next
    assert timeline_for_chart(actor=author, client=clinic.client_a, page="x").number == 1


def test_the_chart_counts_pick_the_timeline_path_and_the_pages_are_the_same(
    clinic: Clinic,
) -> None:
    """With the chart's counts and no note outside a session, the timeline pages through the
    sessions directly; with a loose note, through the union. Same pages as without counts."""
    author = clinic.psychiatrist
    for days in range(TIMELINE_PAGE_SIZE + 2):
        draft(author, clinic.client_a, day=timezone.localdate() - timedelta(days=days + 1))

    def pages(presence: Presence) -> list[list[tuple[int | None, list[int]]]]:
        return [
            [
                (e.encounter.pk if e.encounter else None, [n.pk for n in e.notes])
                for e in timeline_for_chart(
                    actor=author, client=clinic.client_a, page=number, presence=presence
                ).entries
            ]
            for number in (1, 2)
        ]

    def counted() -> Presence:
        parts = [SESSIONS, NOTES_WITHOUT_SESSION]
        return Presence(part_counts(parts, clinic.client_a.pk))

    assert counted().count(NOTES_WITHOUT_SESSION) == 0
    assert pages(counted()) == pages(UNKNOWN)
    assert len(pages(UNKNOWN)[1]) == 2

    note_create(actor=author, client=clinic.client_a, template="free_text")
    assert counted().count(NOTES_WITHOUT_SESSION) == 1
    assert pages(counted()) == pages(UNKNOWN)
    assert pages(UNKNOWN)[0][0][0] is None  # the loose note, newest


def test_the_timeline_is_only_for_those_who_may_read_the_chart(clinic: Clinic) -> None:
    with pytest.raises(ClientNotFound):
        timeline_for_chart(actor=clinic.therapist_off_team, client=clinic.client_a)


# ------------------------------------------------------------------------------- worklists


def test_unsigned_notes_with_their_age_and_lateness(clinic: Clinic) -> None:
    """Drafts survive anything but signing; over 72 hours after the session they are late."""
    author = clinic.therapist_on_team
    today = timezone.localdate()
    late = draft(author, clinic.client_a, day=today - timedelta(days=4))
    fresh = draft(author, clinic.client_a, day=today)
    pn = draft(author, clinic.client_a, template="psychotherapy", day=today)
    signed(author, clinic.client_a)  # not listed
    draft(clinic.psychiatrist, clinic.client_a)  # someone else's: not listed

    with freeze_time(timezone.now() + timedelta(hours=1)):
        rows = unsigned_notes_for(actor=author)

    by_note = {r.note.pk: r for r in rows}
    assert set(by_note) == {late.pk, fresh.pk, pn.pk}
    assert rows[0].note.pk == late.pk and rows[0].late and rows[0].age > timedelta(days=3)
    assert not by_note[fresh.pk].late
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert event.detail == {"view": "unsigned_notes", "client_ids": [clinic.client_a.pk]}


def test_a_returned_note_is_back_on_the_authors_list(clinic: Clinic) -> None:
    note = signed(clinic.therapist_on_team, clinic.client_a)
    note_return(actor=clinic.supervisor, note=note, comment="Please add the risk section.")

    rows = unsigned_notes_for(actor=clinic.therapist_on_team)

    assert [(r.note.pk, r.returned, r.late) for r in rows] == [(note.pk, True, False)]


def test_the_cosign_queue_holds_supervisees_notes_only(
    clinic: Clinic, psychotherapy_note: Note, signed_note: Note
) -> None:
    """The supervisor's queue: the supervisee's signed record notes, never a PN (SEC-16)."""
    waiting = signed(clinic.therapist_on_team, clinic.client_a)
    draft(clinic.therapist_on_team, clinic.client_a, content=SOAP)

    assert [n.pk for n in cosign_queue_for(actor=clinic.supervisor)] == [waiting.pk]
    assert cosign_queue_for(actor=clinic.psychiatrist) == []
    note_cosign(actor=clinic.supervisor, note=waiting, password=PASSWORD)
    assert cosign_queue_for(actor=clinic.supervisor) == []


def test_session_values_helper_builds_a_valid_session() -> None:
    values = session(minutes=75)
    assert (values.end_time.hour, values.end_time.minute) == (11, 15)
