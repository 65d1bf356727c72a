"""The chart's notes timeline: sessions and the notes that document them, a page at a time,
read in a fixed number of statements (``CHART_PARTS`` tell the chart when there is nothing to
read). Notes are reached through the client the chart opened under the policy; psychotherapy
notes only by their author (SEC-16).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import CharField, F, Q, QuerySet, TimeField, Value
from django.db.models.functions import TruncDate, TruncTime
from django.utils import timezone

from alliance.access import part2
from alliance.access.policy import (
    client_for,
)
from alliance.clients.models import Client
from alliance.core.presence import UNKNOWN, Part, Presence
from alliance.notes.formats import summary
from alliance.notes.models import (
    Encounter,
    Note,
)
from alliance.notes.signing import note_signature_valid
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

TIMELINE_PAGE_SIZE = 10


# --------------------------------------------------------------------------------- timeline


@dataclass
class TimelineEntry:
    """One row of the chart's timeline: a session with its notes, or a note without one."""

    encounter: Encounter | None
    notes: list[Note]

    @property
    def day(self) -> object:
        if self.encounter is not None:
            return self.encounter.date
        return timezone.localtime(self.notes[0].created_at).date()


@dataclass
class TimelinePage:
    entries: list[TimelineEntry]
    number: int
    num_pages: int
    total: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _record_notes() -> QuerySet[Note]:
    """Record notes (never psychotherapy notes: ``Note.objects``) for a timeline."""
    return Note.objects.select_related("author").order_by("created_at", "id")


def _decorate(note: Note, actor: User) -> Note:
    note.summary = summary(note.template, note.content)  # type: ignore[attr-defined]
    note.mine = note.author_id == actor.pk  # type: ignore[attr-defined]
    note.signature_ok = not note.is_signed or note_signature_valid(note)  # type: ignore[attr-defined]
    return note


# The chart asks whether the record has any before reading them (``core.presence``).
SESSIONS = Part(
    "notes.sessions",
    lambda client_id: Encounter.objects.filter(client_id=client_id),
    "SELECT COUNT(*) FROM notes_encounter WHERE client_id = %s",
)
NOTES_WITHOUT_SESSION = Part(
    "notes.without_session",
    lambda client_id: Note.objects.filter(client_id=client_id, encounter__isnull=True),
    # ``Note.objects`` never counts a psychotherapy note (SEC-16)
    "SELECT COUNT(*) FROM notes_note WHERE client_id = %s AND encounter_id IS NULL"
    " AND template <> 'psychotherapy'",
)
# Sessions and notes written inside a 42 CFR Part 2 program (``access.part2``): when a client
# has none (almost always) the counts above are what every reader sees.
LABELLED_SESSIONS = Part(
    "notes.sessions_part2",
    lambda client_id: Encounter.objects.filter(client_id=client_id, part2_program__isnull=False),
    "SELECT COUNT(*) FROM notes_encounter WHERE client_id = %s AND part2_program_id IS NOT NULL",
)
LABELLED_NOTES_WITHOUT_SESSION = Part(
    "notes.without_session_part2",
    lambda client_id: Note.objects.filter(
        client_id=client_id, encounter__isnull=True, part2_program__isnull=False
    ),
    "SELECT COUNT(*) FROM notes_note WHERE client_id = %s AND encounter_id IS NULL"
    " AND template <> 'psychotherapy' AND part2_program_id IS NOT NULL",
)
CHART_PARTS = (SESSIONS, NOTES_WITHOUT_SESSION, LABELLED_SESSIONS, LABELLED_NOTES_WITHOUT_SESSION)


def _timeline_rows(client_id: int, sessions_only: bool) -> QuerySet[Any]:
    """The timeline's rows, newest first: the sessions themselves when every note belongs to
    one (the usual record), else sessions and loose notes as (kind, id, day, time) keys."""
    sessions = Encounter.objects.filter(part2.visible_q(client_id), client_id=client_id)
    if sessions_only:
        return sessions.select_related("clinician").order_by("-date", "-start_time", "-id")
    keyed = sessions.annotate(
        kind=Value("e", output_field=CharField()), day=F("date"), at=F("start_time")
    )
    loose = Note.objects.filter(
        part2.visible_q(client_id), client_id=client_id, encounter__isnull=True
    ).annotate(
        kind=Value("n", output_field=CharField()),
        day=TruncDate("created_at"),
        at=TruncTime("created_at", output_field=TimeField()),
    )
    return (
        keyed.values_list("kind", "id", "day", "at")
        .order_by()
        .union(loose.values_list("kind", "id", "day", "at").order_by(), all=True)
        .order_by("-day", "-at", "-id")
    )


# The chart's timeline reads.
def _timeline_page(client_id: int, sessions_only: bool, offset: int) -> list[Any]:
    return list(_timeline_rows(client_id, sessions_only)[offset : offset + TIMELINE_PAGE_SIZE])


def _encounters(ids: tuple[int, ...]) -> list[Encounter]:
    return list(Encounter.objects.filter(pk__in=ids).select_related("clinician"))


def _page_notes(
    client_id: int, encounter_ids: tuple[int, ...], note_ids: tuple[int, ...]
) -> list[Note]:
    return list(
        _record_notes().filter(
            Q(encounter_id__in=encounter_ids) | Q(pk__in=note_ids),
            part2.visible_q(client_id),
            client_id=client_id,
        )
    )


def timeline_for_chart(
    *,
    actor: User,
    client: Client,
    page: int | str | None = 1,
    presence: Presence = UNKNOWN,
) -> TimelinePage:
    """Sessions and notes of ``client``, newest first, ``TIMELINE_PAGE_SIZE`` a page.

    Psychotherapy notes are never part of it, not even for their author (SEC-16). Other
    people's drafts show as drafts without their text. The caller has opened (and audited)
    the chart; the policy is checked again here. A constant number of queries whatever the
    size of the chart.
    """
    client = client_for(actor=actor, client_id=client.pk, capability=Capability.CHART_READ)
    if not (presence.may_have(SESSIONS) or presence.may_have(NOTES_WITHOUT_SESSION)):
        return TimelinePage([], 1, 1, 0)
    sessions_count = presence.count(SESSIONS)
    loose_count = presence.count(NOTES_WITHOUT_SESSION)
    sessions_only = loose_count == 0
    if presence.may_have(LABELLED_SESSIONS) or presence.may_have(LABELLED_NOTES_WITHOUT_SESSION):
        # Part 2 rows the reader may not see: the counts above are not theirs to page by.
        sessions_count = loose_count = None
        sessions_only = False
    if sessions_count is None or loose_count is None:
        paginator = Paginator(_timeline_rows(client.pk, sessions_only), TIMELINE_PAGE_SIZE)
        current = paginator.get_page(page)
        found = list(current.object_list)
        number, total, num_pages = current.number, paginator.count, paginator.num_pages
    else:
        # The chart counted the rows: no COUNT query of the paginator's own.
        paginator = Paginator(range(sessions_count + loose_count), TIMELINE_PAGE_SIZE)
        current = paginator.get_page(page)
        number, total, num_pages = current.number, paginator.count, paginator.num_pages
        offset = (number - 1) * TIMELINE_PAGE_SIZE
        found = _timeline_page(client.pk, sessions_only, offset) if total else []
    if not total:
        return TimelinePage([], 1, 1, 0)
    if sessions_only:
        encounters = {e.pk: e for e in found}
        keys = [("e", e.pk) for e in found]
    else:
        keys = [(kind, pk) for kind, pk, _day, _at in found]
        encounters = {e.pk: e for e in _encounters(tuple(pk for kind, pk in keys if kind == "e"))}
    encounter_ids = list(encounters)
    note_ids = [pk for kind, pk in keys if kind == "n"]
    # The page's notes, of its sessions and without one, in one query.
    by_session: dict[int, list[Note]] = {pk: [] for pk in encounter_ids}
    without_session: dict[int, Note] = {}
    for note in _page_notes(client.pk, tuple(encounter_ids), tuple(note_ids)):
        _decorate(note, actor)
        if note.encounter_id is None:
            without_session[note.pk] = note
        else:
            by_session[note.encounter_id].append(note)
    entries = [
        TimelineEntry(encounters[pk], by_session[pk])
        if kind == "e"
        else TimelineEntry(None, [without_session[pk]])
        for kind, pk in keys
    ]
    return TimelinePage(entries, number, num_pages, total)
