"""Signatures of notes and addenda: a SHA-256 over a canonical text, checked on every read.

The canonical text binds the content to who signed it, when, and which client, encounter and
kind of note it belongs to, so a signature cannot be carried over to other content or another
chart (REL-01). It is JSON with sorted keys, no spaces and times in UTC with microseconds,
which the database returns exactly as it was given on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from alliance.notes.models import Addendum, Note


def _time(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds") if moment else ""


def _digest(document: dict[str, Any]) -> str:
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def note_digest(note: Note) -> str:
    """The SHA-256 that signing ``note`` records (its signer and time must already be set)."""
    return _digest(
        {
            "note": note.pk,
            "client": note.client_id,
            "encounter": note.encounter_id,
            "author": note.author_id,
            "template": note.template,
            "content": note.content,
            "signed_by": note.signed_by_id,
            "signed_at": _time(note.signed_at),
        }
    )


def note_signature_valid(note: Note) -> bool:
    """False when a signed note's content no longer matches its signature (tampering)."""
    return bool(note.content_hash) and note.content_hash == note_digest(note)


def addendum_digest(addendum: Addendum, note_hash: str) -> str:
    """An addendum's own signature, chained to the note's signature it was added to."""
    return _digest(
        {
            "note": addendum.note_id,
            "note_hash": note_hash,
            "author": addendum.author_id,
            "written_at": _time(addendum.written_at),
            "text": addendum.text,
        }
    )


def addendum_signature_valid(addendum: Addendum, note: Note) -> bool:
    return addendum.content_hash == addendum_digest(addendum, note.content_hash)
