"""A clinician's note worklists: unsigned drafts (late after 72 hours) and returned notes,
the supervisor's co-sign queue, and the note a supervisor opens from it. Lists are audited with
the ids they showed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from alliance.access import part2
from alliance.access.policy import (
    clients_visible_to,
    supervisee_ids,
)
from alliance.audit.actions import AuditAction
from alliance.audit.services import audit_record, audit_refused
from alliance.notes.models import (
    CosignStatus,
    Note,
    NoteStatus,
)
from alliance.notes.selectors import NoteNotFound, note_loaded, note_viewed
from alliance.staff.capabilities import Capability
from alliance.staff.models import User

LATE_AFTER = timedelta(hours=72)


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
        .filter(part2.member_visible_q(actor))
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
        .filter(part2.member_visible_q(actor))
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
    note = note_loaded(
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
