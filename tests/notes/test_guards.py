"""The database itself locks signed notes and refuses deletion (REL-01, REL-02, SEC-11).

Each test runs on SQLite and, with ``ALLIANCE_DATABASE_URL`` set, on PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from alliance.core.models import RecordDeletionError
from alliance.notes import guards
from alliance.notes.guards import (
    ALLOWED_AFTER_SIGNING,
    DELETE_MESSAGE,
    FINAL_MESSAGE,
    LOCKED_AFTER_SIGNING,
    LOCKED_MESSAGE,
    MOVE_MESSAGE,
    install_note_guards,
    remove_note_guards,
)
from alliance.notes.models import Addendum, CosignStatus, Encounter, Note, NoteVersion
from alliance.notes.services import addendum_add, note_sign
from tests.notes.conftest import draft
from tests.personas import PASSWORD, Clinic

NOTE = Note._meta.db_table


def refused(change: Callable[[], object], *messages: str) -> None:
    """``change`` fails in the database with one of ``messages``, and leaves no trace."""
    pattern = "|".join(re.escape(m.split(" (")[0]) for m in messages)
    with pytest.raises(DatabaseError, match=pattern), transaction.atomic():
        change()


def raw(sql: str, params: list[object] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.rowcount


def row(note: Note) -> dict[str, object]:
    return Note.all_kinds.filter(pk=note.pk).values().get()


# ------------------------------------------------------------------------ signed is locked


def test_raw_sql_update_of_a_signed_note_is_refused(signed_note: Note) -> None:
    """REL-01: an UPDATE written by hand cannot change a signed note's content or status."""
    before = row(signed_note)

    refused(
        lambda: raw(f"UPDATE {NOTE} SET content = %s WHERE id = %s", ['{"x": 1}', signed_note.pk]),
        LOCKED_MESSAGE,
    )
    refused(
        lambda: raw(f"UPDATE {NOTE} SET status = 'draft' WHERE id = %s", [signed_note.pk]),
        LOCKED_MESSAGE,
    )
    refused(
        lambda: raw(f"UPDATE {NOTE} SET content_hash = '' WHERE id = %s", [signed_note.pk]),
        LOCKED_MESSAGE,
    )

    assert row(signed_note) == before


def test_queryset_update_of_a_signed_note_is_refused(signed_note: Note, clinic: Clinic) -> None:
    """REL-01: ``QuerySet.update()`` skips ``save()`` and signals, but not the trigger."""
    before = row(signed_note)

    for change in (
        {"content": {"subjective": "rewritten"}},
        {"version": 99},
        {"signed_at": timezone.now()},
        {"signed_by": clinic.supervisor},
        {"cpt_suggested": "90837"},
    ):
        refused(
            lambda c=change: Note.all_kinds.filter(pk=signed_note.pk).update(**c), LOCKED_MESSAGE
        )
    # a bulk update that touches every note, signed ones included
    refused(lambda: Note.all_kinds.update(content={}), LOCKED_MESSAGE)

    assert row(signed_note) == before


def test_saving_a_loaded_signed_note_again_is_refused(signed_note: Note) -> None:
    """REL-01: editing through the ORM (``save()`` issues an UPDATE) is refused."""
    signed_note.content = {**signed_note.content, "plan": "Something else"}

    refused(signed_note.save, LOCKED_MESSAGE)

    assert Note.all_kinds.get(pk=signed_note.pk).content["plan"] != "Something else"


def test_only_the_allowed_columns_change_after_signing(signed_note: Note, clinic: Clinic) -> None:
    """REL-01: co-signature, CPT confirmation and entered-in-error may still be written."""
    now = timezone.now()

    Note.all_kinds.filter(pk=signed_note.pk).update(
        cosign_status=CosignStatus.COSIGNED, cosigned_by=clinic.supervisor, cosigned_at=now
    )
    Note.all_kinds.filter(pk=signed_note.pk).update(cpt_confirmed="90834", cpt_confirmed_at=now)
    Note.all_kinds.filter(pk=signed_note.pk).update(
        entered_in_error_at=now,
        entered_in_error_by=signed_note.author,
        entered_in_error_reason="Wrong client chart",
    )

    saved = Note.all_kinds.get(pk=signed_note.pk)
    assert (saved.cosign_status, saved.cpt_confirmed, saved.in_error) == ("cosigned", "90834", True)


def test_cosignature_cpt_and_error_marks_are_final_once_set(
    signed_note: Note, clinic: Clinic
) -> None:
    """REL-01: once set, those marks cannot be undone or rewritten either."""
    now = timezone.now()
    Note.all_kinds.filter(pk=signed_note.pk).update(
        cosign_status=CosignStatus.COSIGNED,
        cosigned_by=clinic.supervisor,
        cosigned_at=now,
        cpt_confirmed="90834",
        entered_in_error_at=now,
        entered_in_error_by=signed_note.author,
        entered_in_error_reason="Wrong client chart",
    )
    query = Note.all_kinds.filter(pk=signed_note.pk)

    refused(lambda: query.update(cosign_status=CosignStatus.PENDING), FINAL_MESSAGE)
    refused(lambda: query.update(cosigned_by=clinic.psychiatrist), FINAL_MESSAGE)
    refused(lambda: query.update(cpt_confirmed="90837"), FINAL_MESSAGE)
    refused(lambda: query.update(entered_in_error_at=None), FINAL_MESSAGE)
    refused(lambda: query.update(entered_in_error_reason="Something else"), FINAL_MESSAGE)


def test_a_draft_can_still_be_changed(soap_draft: Note) -> None:
    """Control: the lock applies to signed notes; a draft's content changes freely."""
    Note.all_kinds.filter(pk=soap_draft.pk).update(content={"plan": "changed"})

    assert Note.all_kinds.get(pk=soap_draft.pk).content == {"plan": "changed"}


# --------------------------------------------------------------------- never moved (SEC-11)


def test_a_note_cannot_be_moved_to_another_client_or_author(
    soap_draft: Note, signed_note: Note, clinic: Clinic
) -> None:
    """SEC-11: not even a draft changes client, author, encounter or kind, by any route.

    (For a signed note the database may name either rule that refuses the change.)
    """
    for note, messages in (
        (soap_draft, [MOVE_MESSAGE]),
        (signed_note, [MOVE_MESSAGE, LOCKED_MESSAGE]),
    ):
        before = row(note)
        query = Note.all_kinds.filter(pk=note.pk)
        refused(lambda q=query: q.update(client=clinic.client_b), *messages)
        refused(lambda q=query: q.update(author=clinic.therapist_off_team), *messages)
        refused(lambda q=query: q.update(encounter=None), *messages)
        refused(lambda q=query: q.update(template="psychotherapy"), *messages)
        refused(
            lambda n=note: raw(
                f"UPDATE {NOTE} SET client_id = %s WHERE id = %s", [clinic.client_b.pk, n.pk]
            ),
            *messages,
        )
        assert row(note) == before


def test_an_encounter_cannot_be_moved_or_deleted(soap_draft: Note, clinic: Clinic) -> None:
    """SEC-11, REL-02: sessions stay with their client and are never deleted."""
    encounter = Encounter.objects.get(pk=soap_draft.encounter_id)
    table = Encounter._meta.db_table

    refused(
        lambda: Encounter.objects.filter(pk=encounter.pk).update(client=clinic.client_b),
        MOVE_MESSAGE,
    )
    refused(lambda: raw(f"DELETE FROM {table} WHERE id = %s", [encounter.pk]), DELETE_MESSAGE)

    assert Encounter.objects.get(pk=encounter.pk).client_id == clinic.client_a.pk


# ---------------------------------------------------------------------- never deleted (REL-02)


def test_delete_of_any_note_is_refused(soap_draft: Note, signed_note: Note) -> None:
    """REL-02: no route removes a note, draft or signed: raw SQL and the ORM's plain DELETE
    meet the trigger; ``QuerySet.delete()`` and ``Model.delete()`` stop even earlier."""
    count = Note.all_kinds.count()

    refused(lambda: raw(f"DELETE FROM {NOTE} WHERE id = %s", [signed_note.pk]), DELETE_MESSAGE)
    refused(lambda: raw(f"DELETE FROM {NOTE}"), DELETE_MESSAGE)
    refused(
        lambda: Note.all_kinds.filter(pk=soap_draft.pk)._raw_delete(connection.alias),
        DELETE_MESSAGE,
    )
    with pytest.raises(ProtectedError):
        Note.all_kinds.filter(pk=soap_draft.pk).delete()
    with pytest.raises(RecordDeletionError):
        signed_note.delete()

    assert Note.all_kinds.count() == count


def test_versions_and_addenda_are_append_only(signed_note: Note) -> None:
    """REL-01, REL-03: the history of a note and its addenda cannot be rewritten or removed."""
    addendum = addendum_add(
        actor=signed_note.author,
        note=signed_note,
        text="Late entry: phone call.",
        password=PASSWORD,
    )
    message = "append-only table"

    refused(lambda: NoteVersion.objects.filter(note=signed_note).update(content={}), message)
    refused(lambda: NoteVersion.objects.filter(note=signed_note).delete(), message)
    refused(lambda: Addendum.objects.filter(pk=addendum.pk).update(text="changed"), message)
    refused(lambda: raw("DELETE FROM notes_addendum"), message)

    assert Addendum.objects.get(pk=addendum.pk).text == "Late entry: phone call."


@pytest.mark.postgres_only
def test_truncate_is_refused_on_postgresql(signed_note: Note) -> None:
    """REL-02: TRUNCATE, which row triggers do not see, has its own statement trigger."""
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    # Fire the deferred foreign-key checks of the fixture's inserts, which would otherwise
    # make PostgreSQL refuse the TRUNCATE for a reason of its own.
    raw("SET CONSTRAINTS ALL IMMEDIATE")

    refused(lambda: raw(f"TRUNCATE {NOTE} CASCADE"), DELETE_MESSAGE)

    assert Note.all_kinds.filter(pk=signed_note.pk).exists()


# ------------------------------------------------------------------------------- upkeep


def test_every_note_column_is_either_locked_or_allowed_after_signing() -> None:
    """A new column must be put in one list, or SQLite would leave it changeable (REL-01)."""
    columns = {f.column for f in Note._meta.concrete_fields}

    assert set(LOCKED_AFTER_SIGNING) | set(ALLOWED_AFTER_SIGNING) == columns
    assert not set(LOCKED_AFTER_SIGNING) & set(ALLOWED_AFTER_SIGNING)


def test_the_guards_are_installed_by_the_migrations(db: None) -> None:
    """A migration that rebuilt a table (SQLite drops its triggers then) would fail this."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {name for (name,) in cursor.fetchall()}
    expected = (
        guards._sqlite_trigger_names()
        if connection.vendor == "sqlite"
        else [f"{t}_{s}" for t in ("notes_note", "notes_encounter") for s in ("no_delete", "guard")]
    )

    assert set(expected) <= names
    assert {
        f"{t}_no_update" if connection.vendor == "sqlite" else f"{t}_append_only"
        for t in guards.APPEND_ONLY
    } <= names


def test_removing_and_reinstalling_the_guards(signed_note: Note, clinic: Clinic) -> None:
    """What the test harness's flush does: lift the guards, change, put them back."""
    remove_note_guards(connection)
    try:
        Note.all_kinds.filter(pk=signed_note.pk).update(content={"tampered": "yes"})
    finally:
        install_note_guards(connection)

    assert Note.all_kinds.get(pk=signed_note.pk).content == {"tampered": "yes"}
    refused(lambda: Note.all_kinds.filter(pk=signed_note.pk).update(content={}), LOCKED_MESSAGE)
    assert set(guards.guarded_tables()) >= {"notes_note", "notes_encounter", *guards.APPEND_ONLY}


def test_psychotherapy_notes_are_guarded_like_any_other(clinic: Clinic) -> None:
    """REL-01: the lock does not depend on the kind of note."""
    note = draft(
        clinic.therapist_on_team,
        clinic.client_a,
        template="psychotherapy",
        content={"process": "I felt protective when she spoke about her brother."},
    )
    note = note_sign(actor=note.author, note=note, version=note.version, password=PASSWORD)

    refused(lambda: Note.all_kinds.filter(pk=note.pk).update(content={}), LOCKED_MESSAGE)
    refused(lambda: Note.all_kinds.filter(pk=note.pk)._raw_delete(connection.alias), DELETE_MESSAGE)
