"""Database triggers that keep crisis records whole (REL-01, REL-02, SEC-11), on PostgreSQL and
SQLite, so ``QuerySet.update()``, bulk methods and raw SQL are refused as well as ``save()``:

- an episode or a follow-up task is never deleted;
- an episode never changes client, source, alert, who started it, when, or the presenting
  concern; a task never changes client, episode, kind or due time;
- a closed episode's disposition is final, and so is a recorded discharge;
- a completed (or "not needed") task stays so, with its outcome;
- timeline entries are append-only (``core.dbguards``): corrections are new entries.

SQLite drops a table's triggers when a migration rebuilds the table: a migration that reshapes
these tables must call ``remove_crisis_guards`` before and ``install_crisis_guards`` after.
"""

from __future__ import annotations

from typing import Any

from alliance.core.dbguards import install_append_only, remove_append_only

EPISODE_TABLE = "crisis_crisisepisode"
TASK_TABLE = "crisis_followuptask"
APPEND_ONLY = ("crisis_crisisaction",)

DELETE_MESSAGE = "crisis episodes and follow-up tasks are never deleted (REL-02)"
MOVE_MESSAGE = "a crisis episode or task cannot be moved or rewritten: add to its timeline (SEC-11)"
FINAL_MESSAGE = "a disposition, discharge or completed follow-up task is final (REL-01)"

# (table, columns that never change, [(condition on OLD meaning "final", columns it locks)])
RULES: dict[str, tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]] = {
    EPISODE_TABLE: (
        (
            "client_id",
            "source",
            "alert_id",
            "started_by_id",
            "started_at",
            "presenting_concern",
            "created_at",
        ),
        (
            (
                "OLD.status = 'closed'",
                (
                    "status",
                    "disposition",
                    "disposition_note",
                    "facility",
                    "closed_at",
                    "closed_by_id",
                ),
            ),
            (
                "OLD.discharge_date IS NOT NULL",
                ("discharge_date", "discharge_recorded_at", "discharge_recorded_by_id"),
            ),
        ),
    ),
    TASK_TABLE: (
        ("client_id", "episode_id", "kind", "due_at", "created_at"),
        (
            (
                "OLD.status <> 'open'",
                ("status", "completed_at", "completed_by_id", "outcome_note"),
            ),
        ),
    ),
}


def _row(prefix: str, columns: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"{prefix}.{c}" for c in columns) + ")"


def _postgres_install() -> list[str]:
    statements = [
        "CREATE OR REPLACE FUNCTION crisis_refuse_delete() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{DELETE_MESSAGE}'; END $$",
    ]
    for table, (identity, finals) in RULES.items():
        checks = "\n".join(
            f"  IF {when} AND {_row('NEW', cols)} IS DISTINCT FROM {_row('OLD', cols)} THEN "
            f"RAISE EXCEPTION '{FINAL_MESSAGE}'; END IF;"
            for when, cols in finals
        )
        statements += [
            f"""CREATE OR REPLACE FUNCTION {table}_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF {_row("NEW", identity)} IS DISTINCT FROM {_row("OLD", identity)} THEN
    RAISE EXCEPTION '{MOVE_MESSAGE}';
  END IF;
{checks}
  RETURN NEW;
END $$""",
            f"CREATE OR REPLACE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION crisis_refuse_delete()",
            f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION crisis_refuse_delete()",
            f"CREATE OR REPLACE TRIGGER {table}_guard BEFORE UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_guard()",
        ]
    return statements


def _sqlite_changed(columns: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns) + ")"


def _sqlite_triggers() -> dict[str, str]:
    """Trigger name → statement."""

    def trigger(event: str, table: str, when: str, message: str) -> str:
        condition = f" WHEN {when}" if when else ""
        return f"BEFORE {event} ON {table}{condition} BEGIN SELECT RAISE(ABORT, '{message}'); END"

    found = {}
    for table, (identity, finals) in RULES.items():
        found[f"{table}_no_delete"] = trigger("DELETE", table, "", DELETE_MESSAGE)
        found[f"{table}_no_move"] = trigger(
            "UPDATE", table, _sqlite_changed(identity), MOVE_MESSAGE
        )
        for index, (when, cols) in enumerate(finals):
            found[f"{table}_final_{index}"] = trigger(
                "UPDATE", table, f"{when} AND {_sqlite_changed(cols)}", FINAL_MESSAGE
            )
    return found


def install_crisis_guards(connection: Any) -> None:
    """Install every guard of the crisis app (migration ``0002``; the test harness's flush)."""
    if connection.vendor == "postgresql":
        statements = _postgres_install()
    elif connection.vendor == "sqlite":
        statements = [
            f"CREATE TRIGGER IF NOT EXISTS {name} {body}"
            for name, body in _sqlite_triggers().items()
        ]
    else:
        raise NotImplementedError(f"crisis guards for {connection.vendor}")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    for table in APPEND_ONLY:
        install_append_only(connection, table)


def remove_crisis_guards(connection: Any) -> None:
    """Only for migrations that must reshape these tables, and for the test harness's flush."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in RULES:
                for suffix in ("no_delete", "no_truncate", "guard"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix} ON {table}")
        else:
            for name in _sqlite_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in APPEND_ONLY:
        remove_append_only(connection, table)
