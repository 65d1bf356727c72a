"""Database triggers of the safety app (REL-01, REL-02, SEC-11), on PostgreSQL and SQLite.

Enforced by the database, so ``QuerySet.update()``, bulk methods and raw SQL are refused too:

- nothing here is ever deleted, and no row moves to another client, author, plan or kind;
- a signed risk assessment changes only to be marked entered in error (once); a signed safety
  plan version never changes;
- a risk flag changes only together with a newer history event (``last_event_id`` must change
  on every update), so there is no change of a flag without its documented reason;
- revisions, addenda and flag events are append-only (``core.dbguards``).

On PostgreSQL the signed lock compares whole rows minus the allowed columns, so a column added
later is locked without anyone remembering to. SQLite cannot, so each guard lists its locked
columns, and a test fails when a new column is in neither list. A migration that rebuilds one of
these tables on SQLite must call ``remove_safety_guards`` before and ``install_safety_guards``
after.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from alliance.core.dbguards import install_append_only, remove_append_only

DELETE_MESSAGE = "safety records are never deleted: mark them entered in error (REL-02)"
MOVE_MESSAGE = "a safety record cannot be moved to another client, author or plan (SEC-11)"
LOCKED_MESSAGE = "a signed safety document cannot be changed: add an addendum or a new version"
FINAL_MESSAGE = "an entered-in-error mark is final (REL-01)"
UNDOCUMENTED_MESSAGE = "a risk flag changes only with a new documented event"

APPEND_ONLY = (
    "safety_riskassessmentrevision",
    "safety_riskassessmentaddendum",
    "safety_riskflagevent",
    "safety_safetyplanrevision",
)


@dataclass(frozen=True)
class Guard:
    table: str
    identity: tuple[str, ...]
    allowed_after_signing: tuple[str, ...] | None = None  # None: the table is not signed
    locked_after_signing: tuple[str, ...] = ()
    final_once: tuple[tuple[str, tuple[str, ...]], ...] = ()
    must_change: str = ""


ASSESSMENT_ERROR_COLUMNS = (
    "entered_in_error_at",
    "entered_in_error_by_id",
    "entered_in_error_reason",
)

GUARDS = (
    Guard(
        "safety_riskassessment",
        identity=("client_id", "author_id", "alert_id", "created_at"),
        allowed_after_signing=(*ASSESSMENT_ERROR_COLUMNS, "updated_at"),
        locked_after_signing=(
            "id",
            "content",
            "suicide_risk",
            "violence_risk",
            "review_on",
            "screeners",
            "status",
            "version",
            "signed_at",
            "signed_by_id",
            "content_hash",
        ),
        final_once=(("OLD.entered_in_error_at IS NOT NULL", ASSESSMENT_ERROR_COLUMNS),),
    ),
    Guard(
        "safety_safetyplanversion",
        identity=("plan_id", "number", "created_at"),
        allowed_after_signing=("updated_at",),
        locked_after_signing=(
            "id",
            "content",
            "status",
            "revision",
            "written_by_id",
            "signed_at",
            "signed_by_id",
            "content_hash",
            "agreement",
            "agreement_on",
            "agreement_note",
        ),
    ),
    Guard("safety_safetyplan", identity=("client_id", "created_at")),
    Guard("safety_safetyplanlink", identity=("plan_id", "token_hash", "created_at")),
    Guard(
        "safety_riskflag",
        identity=("client_id", "kind", "label", "created_at"),
        must_change="last_event_id",
    ),
)


def _row(prefix: str, columns: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"{prefix}.{c}" for c in columns) + ")"


def _postgres_install(guard: Guard) -> list[str]:
    checks = [
        f"IF {_row('NEW', guard.identity)} IS DISTINCT FROM {_row('OLD', guard.identity)} "
        f"THEN RAISE EXCEPTION '{MOVE_MESSAGE}'; END IF;"
    ]
    if guard.allowed_after_signing is not None:
        allowed = ", ".join(f"'{c}'" for c in guard.allowed_after_signing)
        checks.append(
            f"IF OLD.status = 'signed' AND (to_jsonb(NEW) - ARRAY[{allowed}]) IS DISTINCT FROM "
            f"(to_jsonb(OLD) - ARRAY[{allowed}]) THEN RAISE EXCEPTION '{LOCKED_MESSAGE}'; END IF;"
        )
    for when, columns in guard.final_once:
        checks.append(
            f"IF {when} AND {_row('NEW', columns)} IS DISTINCT FROM {_row('OLD', columns)} "
            f"THEN RAISE EXCEPTION '{FINAL_MESSAGE}'; END IF;"
        )
    if guard.must_change:
        column = guard.must_change
        checks.append(
            f"IF NEW.{column} IS NULL OR NEW.{column} IS NOT DISTINCT FROM OLD.{column} "
            f"THEN RAISE EXCEPTION '{UNDOCUMENTED_MESSAGE}'; END IF;"
        )
    body = "\n  ".join(checks)
    table = guard.table
    return [
        "CREATE OR REPLACE FUNCTION safety_refuse_delete() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{DELETE_MESSAGE}'; END $$",
        f"CREATE OR REPLACE FUNCTION {table}_guard() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n  {body}\n  RETURN NEW;\nEND $$",
        f"CREATE OR REPLACE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION safety_refuse_delete()",
        f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION safety_refuse_delete()",
        f"CREATE OR REPLACE TRIGGER {table}_guard BEFORE UPDATE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_guard()",
    ]


def _changed(columns: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns) + ")"


def _sqlite_triggers(guard: Guard) -> list[tuple[str, str, str, str]]:
    """(name, event, condition, message) of each SQLite trigger of ``guard``."""
    table = guard.table
    found = [
        (f"{table}_no_delete", "DELETE", "", DELETE_MESSAGE),
        (f"{table}_no_move", "UPDATE", _changed(guard.identity), MOVE_MESSAGE),
    ]
    if guard.allowed_after_signing is not None:
        condition = f"OLD.status = 'signed' AND {_changed(guard.locked_after_signing)}"
        found.append((f"{table}_signed_lock", "UPDATE", condition, LOCKED_MESSAGE))
    for index, (when, columns) in enumerate(guard.final_once):
        found.append(
            (f"{table}_final_{index}", "UPDATE", f"{when} AND {_changed(columns)}", FINAL_MESSAGE)
        )
    if guard.must_change:
        column = guard.must_change
        condition = f"NEW.{column} IS NULL OR NEW.{column} IS OLD.{column}"
        found.append((f"{table}_undocumented", "UPDATE", condition, UNDOCUMENTED_MESSAGE))
    return found


def _sqlite_install(guard: Guard) -> list[str]:
    statements = []
    for name, event, condition, message in _sqlite_triggers(guard):
        when = f" WHEN {condition}" if condition else ""
        statements.append(
            f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {guard.table}{when} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
    return statements


def install_safety_guards(connection: Any) -> None:
    """Install every guard of the safety app (migration ``0002``; the test harness's flush)."""
    with connection.cursor() as cursor:
        for guard in GUARDS:
            if connection.vendor == "postgresql":
                statements = _postgres_install(guard)
            elif connection.vendor == "sqlite":
                statements = _sqlite_install(guard)
            else:
                raise NotImplementedError(f"safety guards for {connection.vendor}")
            for statement in statements:
                cursor.execute(statement)
    for table in APPEND_ONLY:
        install_append_only(connection, table)


def remove_safety_guards(connection: Any) -> None:
    """Only for migrations that must reshape these tables, and for the test harness's flush."""
    with connection.cursor() as cursor:
        for guard in GUARDS:
            if connection.vendor == "postgresql":
                for suffix in ("no_delete", "no_truncate", "guard"):
                    cursor.execute(
                        f"DROP TRIGGER IF EXISTS {guard.table}_{suffix} ON {guard.table}"
                    )
            else:
                for name, *_rest in _sqlite_triggers(guard):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in APPEND_ONLY:
        remove_append_only(connection, table)


def guarded_tables() -> list[str]:
    """Every table a guard of this app protects (what a flush must lift)."""
    return [*(g.table for g in GUARDS), *APPEND_ONLY]
