"""Database triggers that lock activated plans and forbid deletion (REL-01, REL-02, SEC-11).

Rules as data for the records kernel's trigger builder (``records.triggers``), enforced by
PostgreSQL and SQLite themselves, so ``QuerySet.update()``,
bulk methods and raw SQL are refused as well as ``save()``:

- a plan or a node of one is never deleted (a node leaves a draft by being marked removed);
- a plan never changes client, episode, number, the version it revises, author or creation time;
- once a plan is no longer a draft, only its lifecycle columns (``LIFECYCLE``) may change, and
  only while it is active: a superseded or closed plan is final;
- a node is written (inserted, changed) only while its plan is a draft, and never moves to
  another plan;
- snapshots are append-only (``core.dbguards``).

On PostgreSQL the plan rule compares whole rows minus the lifecycle columns, so a column added
later is locked without anyone remembering to; SQLite lists the columns (``LOCKED``), and a test
fails when a new column is in neither list. SQLite drops a table's triggers when a migration
rebuilds the table: such a migration must call ``remove_plan_guards`` and ``install_plan_guards``.
"""

from __future__ import annotations

from typing import Any

from alliance.records.triggers import AppGuards, Check, TableGuard

PLAN_TABLE = "plans_treatmentplan"
NODE_TABLES = ("plans_problem", "plans_goal", "plans_objective", "plans_intervention")
APPEND_ONLY = ("plans_plansnapshot",)

DELETE_MESSAGE = "treatment plans are never deleted: close them or remove a node (REL-02)"
MOVE_MESSAGE = "a plan or plan node cannot be moved to another client, episode or plan (SEC-11)"
LOCKED_MESSAGE = "an activated treatment plan cannot be changed: revise it (REL-01)"
FINAL_MESSAGE = "a superseded or closed treatment plan is final (REL-01)"

IDENTITY = ("client_id", "episode_id", "number", "supersedes_id", "created_by_id", "created_at")
LIFECYCLE = (
    "status",
    "superseded_at",
    "closed_at",
    "closed_by_id",
    "close_reason",
    "close_note",
    "updated_at",
)
LOCKED = (
    "id",
    *IDENTITY,
    "version",
    "strengths",
    "agreement_kind",
    "agreed_on",
    "agreement_name",
    "participation",
    "activated_at",
    "activated_by_id",
    "review_due_on",
    "content_hash",
)
OPEN_STATUSES = "('draft', 'active')"
# The status of the plan a node row belongs to (constants only: no input reaches the SQL).
STATUS_OF_NEW_PLAN = f"(SELECT status FROM {PLAN_TABLE} WHERE id = NEW.plan_id)"  # noqa: S608


def _node(table: str) -> TableGuard:
    return TableGuard(
        table,
        delete_message=DELETE_MESSAGE,
        checks=(
            Check("no_move", MOVE_MESSAGE, changed=("plan_id",)),
            Check(
                "lock",
                LOCKED_MESSAGE,
                when=f"{STATUS_OF_NEW_PLAN} IS DISTINCT FROM 'draft'",
                events=("INSERT", "UPDATE"),
            ),
        ),
    )


GUARDS = AppGuards(
    app="plans",
    tables=(
        TableGuard(
            PLAN_TABLE,
            delete_message=DELETE_MESSAGE,
            checks=(
                Check("no_move", MOVE_MESSAGE, changed=IDENTITY),
                Check(
                    "final",
                    FINAL_MESSAGE,
                    when=f"OLD.status NOT IN {OPEN_STATUSES}",
                    changed=(*LOCKED, *LIFECYCLE),
                    changed_except=(),
                ),
                Check(
                    "locked",
                    LOCKED_MESSAGE,
                    when="OLD.status <> 'draft'",
                    changed=LOCKED,
                    changed_except=LIFECYCLE,
                ),
            ),
        ),
        *(_node(table) for table in NODE_TABLES),
    ),
    append_only=APPEND_ONLY,
)


def install_plan_guards(connection: Any) -> None:
    """Install every guard of the plans app (migration ``0002``; the test harness's flush)."""
    GUARDS.install(connection)


def remove_plan_guards(connection: Any) -> None:
    """Only for migrations that must reshape these tables, and for the test harness's flush."""
    GUARDS.remove(connection)


def guarded_tables() -> list[str]:
    """Every table a guard of this app protects (what a flush must lift)."""
    return GUARDS.guarded_tables()
