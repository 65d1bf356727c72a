"""Reads of encounters and notes (STYLE habit 3): actor first, through the access policy.

A note is reached through its client (``policy.client_for``: a 404 outside the care
relationship), and a psychotherapy note only by its author: to everyone else, supervisors,
colleagues, administrators and break-the-glass included, it does not exist (SEC-16). Every
read of a note writes an audit event; lists are audited with the ids they showed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import CharField, F, Q, QuerySet, TimeField, Value
from django.db.models.functions import TruncDate, TruncTime
from django.http import Http404
from django.utils import timezone

from alliance.access.policy import (
    ClientNotFound,
    client_for,
    clients_visible_to,
    relationship,
    supervisee_ids,
)
from alliance.assessments.models import Administration
from alliance.audit.actions import AuditAction, AuditPurpose, AuditSeverity
from alliance.audit.reads import read_record
from alliance.audit.services import audit_record, audit_refused
from alliance.clients.models import Client
from alliance.core.presence import UNKNOWN, Part, Presence
from alliance.notes.formats import summary
from alliance.notes.models import (
    Addendum,
    CosignReview,
    CosignStatus,
    Encounter,
    Note,
    NoteStatus,
    NoteTemplate,
)
from alliance.notes.signing import addendum_signature_valid, note_signature_valid
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

TIMELINE_PAGE_SIZE = 10
LATE_AFTER = timedelta(hours=72)


class NoteNotFound(Http404):
    """No such note, or not one this actor may see: deliberately the same answer."""


def _load(*, actor: User, client_id: object, note_id: object, capability: Capability) -> Note:
    """The note if ``actor`` may use ``capability`` on its client (and it is theirs if it is a
    psychotherapy note); otherwise ``NoteNotFound``, audited as a denied attempt."""
    try:
        client_pk, note_pk = int(str(client_id)), int(str(note_id))
        client = client_for(actor=actor, client_id=client_pk, capability=capability)
    except (ValueError, ClientNotFound):
        audit_refused(actor=actor, client_id=client_id, object_type="notes.Note", object_id=note_id)
        raise NoteNotFound from None
    note = (
        Note.all_kinds.filter(pk=note_pk, client=client)
        .filter(~Q(template=NoteTemplate.PSYCHOTHERAPY) | Q(author=actor))
        .select_related("encounter", "author", "signed_by", "cosigned_by", "entered_in_error_by")
        .first()
    )
    if note is None:
        audit_refused(actor=actor, client_id=client_pk, object_type="notes.Note", object_id=note_id)
        raise NoteNotFound
    note.client = client
    return note


def note_viewed(*, actor: User, note: Note) -> None:
    """Record that ``actor`` read ``note`` (once per request, ``audit.reads``); a broken
    signature is recorded as high severity."""
    link = relationship(actor=actor, client=note.client)
    intact = not note.is_signed or note_signature_valid(note)
    detail: dict[str, object] = {"template": note.template, "status": note.status}
    if note.is_psychotherapy:
        detail["category"] = "PSYTHPN"
    if not intact:
        detail["signature"] = "mismatch"
    read_record(
        actor=actor,
        client=note.client,
        target=note,
        purpose=AuditPurpose(link.purpose),
        severity=AuditSeverity.NORMAL if intact else AuditSeverity.HIGH,
        detail=detail,
    )


def note_for(*, actor: User, client_id: object, note_id: object, capability: Capability) -> Note:
    """One note, its read audited (``audit.reads``: written once if the response shows it);
    404 outside the policy or for someone else's psychotherapy note (SEC-16)."""
    note = _load(actor=actor, client_id=client_id, note_id=note_id, capability=capability)
    note_viewed(actor=actor, note=note)
    return note


def own_note_for(*, actor: User, client_id: object, note_id: object) -> Note:
    """A note of the actor's own (only the author edits, signs or withdraws a note), its read
    audited like ``note_for``; 404 for anyone else."""
    note = _load(
        actor=actor, client_id=client_id, note_id=note_id, capability=Capability.CHART_WRITE
    )
    if note.author_id != actor.pk:
        audit_refused(
            actor=actor, client_id=note.client_id, object_type="notes.Note", object_id=note_id
        )
        raise NoteNotFound
    note_viewed(actor=actor, note=note)
    return note


@dataclass(frozen=True)
class NoteDetail:
    """What the note page shows besides the note."""

    signature_ok: bool
    addenda: list[tuple[Addendum, bool]]
    reviews: list[CosignReview]
    own_psychotherapy_notes: list[Note]
    version_count: int


def note_detail(*, actor: User, note: Note) -> NoteDetail:
    """Addenda (each with its signature check), co-sign reviews and, for the author only, the
    psychotherapy notes of the same session."""
    addenda = [
        (a, addendum_signature_valid(a, note))
        for a in note.addenda.select_related("author").order_by("written_at", "id")
    ]
    pns: list[Note] = []
    if note.encounter_id and not note.is_psychotherapy:
        pns = list(
            Note.all_kinds.filter(
                encounter_id=note.encounter_id,
                template=NoteTemplate.PSYCHOTHERAPY,
                author=actor,
            ).order_by("created_at")
        )
    return NoteDetail(
        signature_ok=not note.is_signed or note_signature_valid(note),
        addenda=addenda,
        reviews=list(note.cosign_reviews.select_related("supervisor")),
        own_psychotherapy_notes=pns,
        version_count=note.versions.count(),
    )


def session_for(*, actor: User, client: Client, encounter_id: object) -> Encounter | None:
    """An encounter of ``client`` (already opened by the caller) to add a note to."""
    try:
        pk = int(str(encounter_id))
    except ValueError:
        return None
    return Encounter.objects.filter(pk=pk, client=client).first()


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
CHART_PARTS = (SESSIONS, NOTES_WITHOUT_SESSION)


def _timeline_rows(client_id: int, sessions_only: bool) -> QuerySet[Any]:
    """The timeline's rows, newest first: the sessions themselves when every note belongs to
    one (the usual record), else sessions and loose notes as (kind, id, day, time) keys."""
    sessions = Encounter.objects.filter(client_id=client_id)
    if sessions_only:
        return sessions.select_related("clinician").order_by("-date", "-start_time", "-id")
    keyed = sessions.annotate(
        kind=Value("e", output_field=CharField()), day=F("date"), at=F("start_time")
    )
    loose = Note.objects.filter(client_id=client_id, encounter__isnull=True).annotate(
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
            Q(encounter_id__in=encounter_ids) | Q(pk__in=note_ids), client_id=client_id
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


# ------------------------------------------------------------------------------ worklists


@dataclass(frozen=True)
class UnsignedNote:
    note: Note
    age: timedelta
    late: bool
    returned: bool

    @property
    def age_text(self) -> str:
        hours = int(self.age.total_seconds() // 3600)
        if hours < 1:
            return "less than an hour"
        if hours < 48:
            return f"{hours} hour{'s' if hours != 1 else ''}"
        return f"{hours // 24} days"


def _since(note: Note, now: datetime) -> timedelta:
    """Age counts from the end of the session, or from the note's creation without one."""
    start = note.encounter.ended_at if note.encounter is not None else note.created_at
    return max(now - start, timedelta(0))


def unsigned_notes_for(*, actor: User) -> list[UnsignedNote]:
    """The actor's own drafts, oldest first, late after 72 hours; and their notes a supervisor
    returned. Psychotherapy drafts are listed too: this list is only ever the author's own.
    Audited like a search, with the ids of the clients listed (SEC-23)."""
    now = timezone.now()
    visible = clients_visible_to(actor=actor, capability=Capability.CHART_WRITE)
    notes = (
        Note.all_kinds.filter(author=actor, entered_in_error_at__isnull=True, client__in=visible)
        .filter(
            Q(status=NoteStatus.DRAFT)
            | Q(status=NoteStatus.SIGNED, cosign_status=CosignStatus.RETURNED)
        )
        .select_related("client", "encounter")
    )
    rows = [
        UnsignedNote(
            note=n,
            age=_since(n, now),
            late=n.is_draft and _since(n, now) > LATE_AFTER,
            returned=not n.is_draft,
        )
        for n in notes
    ]
    rows.sort(key=lambda r: (r.returned, -r.age))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.SEARCH,
            detail={
                "view": "unsigned_notes",
                "client_ids": sorted({r.note.client_id for r in rows}),
            },
        )
    return rows


def cosign_queue_for(*, actor: User) -> list[Note]:
    """Signed notes of the actor's current supervisees that wait for a co-signature, oldest
    first (never psychotherapy notes). Audited with the ids of the clients listed."""
    today = timezone.localdate()
    visible = clients_visible_to(actor=actor, capability=Capability.CHART_READ)
    notes = list(
        Note.objects.filter(
            cosign_status=CosignStatus.PENDING,
            status=NoteStatus.SIGNED,
            entered_in_error_at__isnull=True,
            author_id__in=supervisee_ids(actor, today),
            client__in=visible,
        )
        .select_related("client", "author", "encounter")
        .order_by("signed_at", "id")
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.SEARCH,
            detail={"view": "cosign_queue", "client_ids": sorted({n.client_id for n in notes})},
        )
    return notes


def cosign_candidate_for(*, actor: User, client_id: object, note_id: object) -> Note:
    """A note the actor may co-sign (as a supervisor of its author), audited; else 404."""
    note = _load(
        actor=actor, client_id=client_id, note_id=note_id, capability=Capability.CHART_READ
    )
    supervising = note.author_id in supervisee_ids(actor, timezone.localdate())
    if note.is_psychotherapy or not supervising:
        audit_refused(
            actor=actor, client_id=note.client_id, object_type="notes.Note", object_id=note_id
        )
        raise NoteNotFound
    note_viewed(actor=actor, note=note)
    return note


def latest_measures_for(*, client: Client) -> list[Administration]:
    """The latest scored administration of each instrument (shown beside a note)."""
    latest: dict[str, Administration] = {}
    for row in Administration.objects.filter(client=client, total__isnull=False).order_by(
        "instrument", "-completed_at"
    ):
        latest.setdefault(row.instrument, row)
    return list(latest.values())
