"""Database triggers that lock signed notes and forbid deletion (REL-01, REL-02, SEC-11).

The rules as data for the records kernel's trigger builder (``records.triggers``):

- a note is never deleted, and never changes client, encounter, author, kind or creation time;
- once signed, only the columns of ``ALLOWED_AFTER_SIGNING`` may change (co-signature, CPT
  confirmation, entered in error, clearing a wrong Part 2 label); each of those is final once set;
- an encounter is never deleted or moved to another client;
- versions, addenda and co-sign reviews are append-only (``core.dbguards``).

SQLite lists the locked columns (``LOCKED_AFTER_SIGNING``); a test fails when a new column is
in neither list. A migration that reshapes these tables must call ``remove_note_guards`` before
and ``install_note_guards`` after (SQLite drops a rebuilt table's triggers).
"""

from __future__ import annotations

from typing import Any

from alliance.records.triggers import AppGuards, Check, TableGuard

NOTE_TABLE = "notes_note"
ENCOUNTER_TABLE = "notes_encounter"
APPEND_ONLY = ("notes_noteversion", "notes_addendum", "notes_cosignreview")

DELETE_MESSAGE = "notes and encounters are never deleted: mark them entered in error (REL-02)"
MOVE_MESSAGE = "a note or encounter cannot be moved to another client, author or kind (SEC-11)"
LOCKED_MESSAGE = "a signed note cannot be changed: add an addendum (REL-01)"
FINAL_MESSAGE = "a co-signature, CPT confirmation or entered-in-error mark is final (REL-01)"

IDENTITY = ("client_id", "encounter_id", "author_id", "template", "created_at")
ALLOWED_AFTER_SIGNING = (
    "cosign_status",
    "cosigned_by_id",
    "cosigned_at",
    "cpt_confirmed",
    "cpt_confirmed_at",
    "entered_in_error_at",
    "entered_in_error_by_id",
    "entered_in_error_reason",
    # 42 CFR Part 2: a wrong label may be cleared, privileged and audited (access.part2_labels).
    "part2_program_id",
    "updated_at",
)
LOCKED_AFTER_SIGNING = (
    "id",
    *IDENTITY,
    "content",
    "status",
    "version",
    "signed_at",
    "signed_by_id",
    "content_hash",
    "cpt_suggested",
)
# Columns that may be set once after signing and then never again, with the test for "set".
FINAL_ONCE_SET = (
    (
        "OLD.entered_in_error_at IS NOT NULL",
        ("entered_in_error_at", "entered_in_error_by_id", "entered_in_error_reason"),
    ),
    ("OLD.cosign_status = 'cosigned'", ("cosign_status", "cosigned_by_id", "cosigned_at")),
    ("OLD.cpt_confirmed <> ''", ("cpt_confirmed", "cpt_confirmed_at")),
)

GUARDS = AppGuards(
    app="notes",
    tables=(
        TableGuard(
            NOTE_TABLE,
            delete_message=DELETE_MESSAGE,
            checks=(
                Check("no_move", MOVE_MESSAGE, changed=IDENTITY),
                Check(
                    "signed_lock",
                    LOCKED_MESSAGE,
                    when="OLD.status = 'signed'",
                    changed=LOCKED_AFTER_SIGNING,
                    changed_except=ALLOWED_AFTER_SIGNING,
                ),
                *(
                    Check(f"final_{index}", FINAL_MESSAGE, when=when, changed=columns)
                    for index, (when, columns) in enumerate(FINAL_ONCE_SET)
                ),
            ),
        ),
        TableGuard(
            ENCOUNTER_TABLE,
            delete_message=DELETE_MESSAGE,
            checks=(Check("no_move", MOVE_MESSAGE, changed=("client_id",)),),
        ),
    ),
    append_only=APPEND_ONLY,
)


def install_note_guards(connection: Any) -> None:
    """Install every guard of the notes app (migration ``0002``; the test harness's flush)."""
    GUARDS.install(connection)


def remove_note_guards(connection: Any) -> None:
    """Only for migrations that must reshape these tables, and for the test harness's flush."""
    GUARDS.remove(connection)


def guarded_tables() -> list[str]:
    """Every table a guard of this app protects (what a flush must lift)."""
    return GUARDS.guarded_tables()


def _sqlite_trigger_names() -> list[str]:
    return GUARDS.sqlite_trigger_names()
