"""A note as a document of the records kernel: what its signature covers, how a save is kept.

The canonical form binds the content to who signed it, when, and which client, encounter and
kind of note it belongs to, so a signature cannot be carried over to other content or another
chart (REL-01). Digest, lock, versions, addenda and entered in error are the kernel's
(``records.lifecycle``); signatures made before the kernel still verify
(``tests/records/test_canonical.py``).
"""

from __future__ import annotations

from typing import Any

from alliance.notes.models import Addendum, Note, NoteVersion
from alliance.records import lifecycle
from alliance.records.canonical import canonical_time


def note_document(note: Note) -> dict[str, Any]:
    """What a note's SHA-256 covers (its signer and time must already be set)."""
    return {
        "note": note.pk,
        "client": note.client_id,
        "encounter": note.encounter_id,
        "author": note.author_id,
        "template": note.template,
        "content": note.content,
        "signed_by": note.signed_by_id,
        "signed_at": canonical_time(note.signed_at),
    }


def reload_note(note: Note) -> Note:
    """The note as saved now (after an atomic UPDATE)."""
    return Note.all_kinds.select_related("client", "encounter", "author").get(pk=note.pk)


NOTE = lifecycle.DocumentKind(
    label="note",
    model=Note,
    manager="all_kinds",  # psychotherapy notes too: same lifecycle, same lock
    reload=reload_note,
    signature=note_document,
    version_model=NoteVersion,
    version_parent="note",
    addendum_model=Addendum,
    addendum_parent="note",
)


def note_digest(note: Note) -> str:
    """The SHA-256 that signing ``note`` records (its signer and time must already be set)."""
    return lifecycle.signature_of(NOTE, note)


def note_signature_valid(note: Note) -> bool:
    """False when a signed note's content no longer matches its signature (tampering)."""
    return lifecycle.signature_valid(NOTE, note)


def addendum_signature_valid(addendum: Addendum, note: Note) -> bool:
    return lifecycle.addendum_signature_valid(NOTE, addendum, note)
