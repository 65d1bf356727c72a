"""Signatures: what the SHA-256 covers, and that a changed note no longer matches it (REL-01)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from django.db import connection

from alliance.notes.guards import install_note_guards, remove_note_guards
from alliance.notes.models import Note
from alliance.notes.services import addendum_add
from alliance.notes.signing import (
    addendum_signature_valid,
    note_digest,
    note_signature_valid,
)
from tests.personas import PASSWORD, Clinic


def test_the_hash_is_sha256_of_the_canonical_content(signed_note: Note) -> None:
    """REL-01: signer, time, client, encounter and content are all under the hash."""
    canonical = json.dumps(
        {
            "author": signed_note.author_id,
            "client": signed_note.client_id,
            "content": signed_note.content,
            "encounter": signed_note.encounter_id,
            "note": signed_note.pk,
            "signed_at": signed_note.signed_at.astimezone(UTC).isoformat(  # type: ignore[union-attr]
                timespec="microseconds"
            ),
            "signed_by": signed_note.signed_by_id,
            "template": signed_note.template,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )

    assert signed_note.content_hash == hashlib.sha256(canonical.encode()).hexdigest()
    assert note_signature_valid(Note.all_kinds.get(pk=signed_note.pk))  # as read back


def test_any_change_breaks_the_signature(signed_note: Note, clinic: Clinic) -> None:
    """REL-01: content, signer and client are each bound by the hash."""
    for field, value in (
        ("content", {**signed_note.content, "plan": "Something else"}),
        ("signed_by_id", clinic.supervisor.pk),
        ("client_id", clinic.client_b.pk),
    ):
        copy = Note.all_kinds.get(pk=signed_note.pk)
        setattr(copy, field, value)
        assert note_digest(copy) != signed_note.content_hash, field
        assert not note_signature_valid(copy), field


def test_a_note_changed_behind_the_guards_is_detected_on_read(signed_note: Note) -> None:
    """REL-01: even someone who lifts the database guard cannot change a note unnoticed."""
    remove_note_guards(connection)
    try:
        Note.all_kinds.filter(pk=signed_note.pk).update(
            content={**signed_note.content, "assessment": "Rewritten later"}
        )
    finally:
        install_note_guards(connection)

    assert not note_signature_valid(Note.all_kinds.get(pk=signed_note.pk))


def test_an_addendum_signature_is_chained_to_the_note(signed_note: Note) -> None:
    addendum = addendum_add(
        actor=signed_note.author, note=signed_note, text="Called back.", password=PASSWORD
    )

    assert addendum_signature_valid(addendum, signed_note)
    addendum.text = "Called back twice."
    assert not addendum_signature_valid(addendum, signed_note)
