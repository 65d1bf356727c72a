"""Reads of encounters and notes (STYLE habit 3): actor first, through the access policy.

A note is reached through its client (``policy.client_for``: a 404 outside the care
relationship), and a psychotherapy note only by its author: to everyone else, supervisors,
colleagues, administrators and break-the-glass included, it does not exist (SEC-16). Every
read of a note writes an audit event; lists are audited with the ids they showed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from alliance.access import part2
from alliance.access.policy import (
    ClientNotFound,
    client_for,
    relationship,
)
from alliance.assessments.models import Administration
from alliance.audit.actions import AuditPurpose, AuditSeverity
from alliance.audit.reads import read_record
from alliance.audit.services import audit_refused
from alliance.clients.models import Client
from alliance.notes.models import (
    Addendum,
    CosignReview,
    Encounter,
    Note,
    NoteTemplate,
)
from alliance.notes.signing import addendum_signature_valid, note_signature_valid
from alliance.staff.capabilities import Capability
from alliance.staff.models import User


class NoteNotFound(Http404):
    """No such note, or not one this actor may see: deliberately the same answer."""


def note_loaded(*, actor: User, client_id: object, note_id: object, capability: Capability) -> Note:
    """The note under the policy (refusals audited), its read not yet recorded: the selectors
    of this app record it (``note_viewed``)."""
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
        .filter(part2.labelled_visible_q(actor, client))
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
    note = note_loaded(actor=actor, client_id=client_id, note_id=note_id, capability=capability)
    note_viewed(actor=actor, note=note)
    return note


def own_note_for(*, actor: User, client_id: object, note_id: object) -> Note:
    """A note of the actor's own (only the author edits, signs or withdraws a note), its read
    audited like ``note_for``; 404 for anyone else."""
    note = note_loaded(
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


def latest_measures_for(*, client: Client) -> list[Administration]:
    """The latest scored administration of each instrument (shown beside a note)."""
    latest: dict[str, Administration] = {}
    for row in Administration.objects.filter(
        part2.visible_q(client), client=client, total__isnull=False
    ).order_by("instrument", "-completed_at"):
        latest.setdefault(row.instrument, row)
    return list(latest.values())
