"""Database triggers that lock signed notes and forbid deletion (REL-01, REL-02, SEC-11).

Enforced by PostgreSQL and SQLite themselves, so ``QuerySet.update()``, ``bulk_update`` and raw
SQL are refused as well as ``save()``:

- a note is never deleted, and never changes client, encounter, author, kind or creation time;
- once signed, only the columns of ``ALLOWED_AFTER_SIGNING`` may change (co-signature, CPT
  confirmation, entered in error); each of those is final once set;
- an encounter is never deleted or moved to another client;
- versions, addenda and co-sign reviews are append-only (``core.dbguards``).

On PostgreSQL the signed-note rule compares whole rows minus the allowed columns, so a column
added later is locked without anyone remembering to. SQLite cannot, so ``LOCKED_AFTER_SIGNING``
lists the other columns, and a test fails when a new column is in neither list. SQLite drops a
table's triggers when a migration rebuilds the table: a migration that reshapes these tables
must call ``remove_note_guards`` before and ``install_note_guards`` after.
"""

from __future__ import annotations

from typing import Any

from alliance.core.dbguards import install_append_only, remove_append_only

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


def _row(prefix: str, columns: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"{prefix}.{c}" for c in columns) + ")"


def _postgres_install() -> list[str]:
    allowed = ", ".join(f"'{c}'" for c in ALLOWED_AFTER_SIGNING)
    finals = "\n".join(
        f"  IF {when} AND {_row('NEW', cols)} IS DISTINCT FROM {_row('OLD', cols)} THEN "
        f"RAISE EXCEPTION '{FINAL_MESSAGE}'; END IF;"
        for when, cols in FINAL_ONCE_SET
    )
    statements = [
        "CREATE OR REPLACE FUNCTION notes_refuse_delete() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{DELETE_MESSAGE}'; END $$",
        f"""CREATE OR REPLACE FUNCTION notes_note_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF {_row("NEW", IDENTITY)} IS DISTINCT FROM {_row("OLD", IDENTITY)} THEN
    RAISE EXCEPTION '{MOVE_MESSAGE}';
  END IF;
  IF OLD.status = 'signed'
     AND (to_jsonb(NEW) - ARRAY[{allowed}]) IS DISTINCT FROM (to_jsonb(OLD) - ARRAY[{allowed}])
  THEN
    RAISE EXCEPTION '{LOCKED_MESSAGE}';
  END IF;
{finals}
  RETURN NEW;
END $$""",
        f"""CREATE OR REPLACE FUNCTION notes_encounter_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.client_id IS DISTINCT FROM OLD.client_id THEN RAISE EXCEPTION '{MOVE_MESSAGE}'; END IF;
  RETURN NEW;
END $$""",
    ]
    for table, guard in (
        (NOTE_TABLE, "notes_note_guard"),
        (ENCOUNTER_TABLE, "notes_encounter_guard"),
    ):
        statements += [
            f"CREATE OR REPLACE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION notes_refuse_delete()",
            f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION notes_refuse_delete()",
            f"CREATE OR REPLACE TRIGGER {table}_guard BEFORE UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {guard}()",
        ]
    return statements


def _sqlite_changed(columns: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns) + ")"


def _sqlite_install() -> list[str]:
    def trigger(name: str, event: str, table: str, when: str, message: str) -> str:
        condition = f" WHEN {when}" if when else ""
        return (
            f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {table}{condition} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )

    statements = [
        trigger(f"{NOTE_TABLE}_no_delete", "DELETE", NOTE_TABLE, "", DELETE_MESSAGE),
        trigger(f"{ENCOUNTER_TABLE}_no_delete", "DELETE", ENCOUNTER_TABLE, "", DELETE_MESSAGE),
        trigger(
            f"{ENCOUNTER_TABLE}_no_move",
            "UPDATE",
            ENCOUNTER_TABLE,
            "NEW.client_id IS NOT OLD.client_id",
            MOVE_MESSAGE,
        ),
        trigger(
            f"{NOTE_TABLE}_no_move", "UPDATE", NOTE_TABLE, _sqlite_changed(IDENTITY), MOVE_MESSAGE
        ),
        trigger(
            f"{NOTE_TABLE}_signed_lock",
            "UPDATE",
            NOTE_TABLE,
            f"OLD.status = 'signed' AND {_sqlite_changed(LOCKED_AFTER_SIGNING)}",
            LOCKED_MESSAGE,
        ),
    ]
    for index, (when, cols) in enumerate(FINAL_ONCE_SET):
        statements.append(
            trigger(
                f"{NOTE_TABLE}_final_{index}",
                "UPDATE",
                NOTE_TABLE,
                f"{when} AND {_sqlite_changed(cols)}",
                FINAL_MESSAGE,
            )
        )
    return statements


def _sqlite_trigger_names() -> list[str]:
    return [
        f"{NOTE_TABLE}_no_delete",
        f"{ENCOUNTER_TABLE}_no_delete",
        f"{ENCOUNTER_TABLE}_no_move",
        f"{NOTE_TABLE}_no_move",
        f"{NOTE_TABLE}_signed_lock",
        *[f"{NOTE_TABLE}_final_{i}" for i in range(len(FINAL_ONCE_SET))],
    ]


def install_note_guards(connection: Any) -> None:
    """Install every guard of the notes app (migration ``0002``; the test harness's flush)."""
    if connection.vendor == "postgresql":
        statements = _postgres_install()
    elif connection.vendor == "sqlite":
        statements = _sqlite_install()
    else:
        raise NotImplementedError(f"note guards for {connection.vendor}")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    for table in APPEND_ONLY:
        install_append_only(connection, table)


def remove_note_guards(connection: Any) -> None:
    """Only for migrations that must reshape these tables, and for the test harness's flush."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in (NOTE_TABLE, ENCOUNTER_TABLE):
                for suffix in ("no_delete", "no_truncate", "guard"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix} ON {table}")
        else:
            for name in _sqlite_trigger_names():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in APPEND_ONLY:
        remove_append_only(connection, table)


def guarded_tables() -> list[str]:
    """Every table a guard of this app protects (what a flush must lift)."""
    return [NOTE_TABLE, ENCOUNTER_TABLE, *APPEND_ONLY]
