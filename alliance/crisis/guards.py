"""Database triggers that keep crisis records whole (REL-01, REL-02, SEC-11), on PostgreSQL and
SQLite (rules as data for the records kernel's builder, ``records.triggers``), so
``QuerySet.update()``, bulk methods and raw SQL are refused as well as ``save()``:

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

from alliance.records.triggers import AppGuards, Check, TableGuard

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


GUARDS = AppGuards(
    app="crisis",
    tables=tuple(
        TableGuard(
            table,
            delete_message=DELETE_MESSAGE,
            checks=(
                Check("no_move", MOVE_MESSAGE, changed=identity),
                *(
                    Check(f"final_{index}", FINAL_MESSAGE, when=when, changed=columns)
                    for index, (when, columns) in enumerate(finals)
                ),
            ),
        )
        for table, (identity, finals) in RULES.items()
    ),
    append_only=APPEND_ONLY,
)


def install_crisis_guards(connection: Any) -> None:
    """Install every guard of the crisis app (migration ``0002``; the test harness's flush)."""
    GUARDS.install(connection)


def remove_crisis_guards(connection: Any) -> None:
    """Only for migrations that must reshape these tables, and for the test harness's flush."""
    GUARDS.remove(connection)
