"""Database triggers that lock activated plans and forbid deletion (REL-01, REL-02, SEC-11).

Enforced by PostgreSQL and SQLite themselves, like ``notes.guards``, so ``QuerySet.update()``,
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

from alliance.core.dbguards import install_append_only, remove_append_only

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


def _row(prefix: str, columns: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"{prefix}.{c}" for c in columns) + ")"


def _postgres_install() -> list[str]:
    lifecycle = ", ".join(f"'{c}'" for c in LIFECYCLE)
    statements = [
        "CREATE OR REPLACE FUNCTION plans_refuse_delete() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{DELETE_MESSAGE}'; END $$",
        f"""CREATE OR REPLACE FUNCTION plans_plan_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF {_row("NEW", IDENTITY)} IS DISTINCT FROM {_row("OLD", IDENTITY)} THEN
    RAISE EXCEPTION '{MOVE_MESSAGE}';
  END IF;
  IF OLD.status NOT IN {OPEN_STATUSES} AND to_jsonb(NEW) IS DISTINCT FROM to_jsonb(OLD) THEN
    RAISE EXCEPTION '{FINAL_MESSAGE}';
  END IF;
  IF OLD.status <> 'draft'
     AND (to_jsonb(NEW) - ARRAY[{lifecycle}]) IS DISTINCT FROM (to_jsonb(OLD) - ARRAY[{lifecycle}])
  THEN
    RAISE EXCEPTION '{LOCKED_MESSAGE}';
  END IF;
  RETURN NEW;
END $$""",
        f"""CREATE OR REPLACE FUNCTION plans_node_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.plan_id IS DISTINCT FROM OLD.plan_id THEN
    RAISE EXCEPTION '{MOVE_MESSAGE}';
  END IF;
  IF {STATUS_OF_NEW_PLAN} IS DISTINCT FROM 'draft' THEN
    RAISE EXCEPTION '{LOCKED_MESSAGE}';
  END IF;
  RETURN NEW;
END $$""",
    ]
    for table in (PLAN_TABLE, *NODE_TABLES):
        statements += [
            f"CREATE OR REPLACE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION plans_refuse_delete()",
            f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION plans_refuse_delete()",
        ]
    statements.append(
        f"CREATE OR REPLACE TRIGGER {PLAN_TABLE}_guard BEFORE UPDATE ON {PLAN_TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION plans_plan_guard()"
    )
    for table in NODE_TABLES:
        statements.append(
            f"CREATE OR REPLACE TRIGGER {table}_guard BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION plans_node_guard()"
        )
    return statements


def _sqlite_changed(columns: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns) + ")"


def _sqlite_trigger(name: str, event: str, table: str, when: str, message: str) -> str:
    condition = f" WHEN {when}" if when else ""
    return (
        f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {table}{condition} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


def _sqlite_triggers() -> list[tuple[str, str, str, str, str]]:
    """(name, event, table, condition, message) of every SQLite trigger."""
    every = (*LOCKED, *LIFECYCLE)
    triggers = [
        (f"{PLAN_TABLE}_no_move", "UPDATE", PLAN_TABLE, _sqlite_changed(IDENTITY), MOVE_MESSAGE),
        (
            f"{PLAN_TABLE}_final",
            "UPDATE",
            PLAN_TABLE,
            f"OLD.status NOT IN {OPEN_STATUSES} AND {_sqlite_changed(every)}",
            FINAL_MESSAGE,
        ),
        (
            f"{PLAN_TABLE}_locked",
            "UPDATE",
            PLAN_TABLE,
            f"OLD.status <> 'draft' AND {_sqlite_changed(LOCKED)}",
            LOCKED_MESSAGE,
        ),
    ]
    not_draft = f"{STATUS_OF_NEW_PLAN} IS NOT 'draft'"
    for table in (PLAN_TABLE, *NODE_TABLES):
        triggers.append((f"{table}_no_delete", "DELETE", table, "", DELETE_MESSAGE))
    for table in NODE_TABLES:
        triggers += [
            (f"{table}_no_move", "UPDATE", table, "NEW.plan_id IS NOT OLD.plan_id", MOVE_MESSAGE),
            (f"{table}_insert_lock", "INSERT", table, not_draft, LOCKED_MESSAGE),
            (f"{table}_update_lock", "UPDATE", table, not_draft, LOCKED_MESSAGE),
        ]
    return triggers


def install_plan_guards(connection: Any) -> None:
    """Install every guard of the plans app (migration ``0002``; the test harness's flush)."""
    if connection.vendor == "postgresql":
        statements = _postgres_install()
    elif connection.vendor == "sqlite":
        statements = [_sqlite_trigger(*t) for t in _sqlite_triggers()]
    else:
        raise NotImplementedError(f"plan guards for {connection.vendor}")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    for table in APPEND_ONLY:
        install_append_only(connection, table)


def remove_plan_guards(connection: Any) -> None:
    """Only for migrations that must reshape these tables, and for the test harness's flush."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in (PLAN_TABLE, *NODE_TABLES):
                for suffix in ("no_delete", "no_truncate", "guard"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix} ON {table}")
        else:
            for name, *_rest in _sqlite_triggers():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in APPEND_ONLY:
        remove_append_only(connection, table)


def guarded_tables() -> list[str]:
    """Every table a guard of this app protects (what a flush must lift)."""
    return [PLAN_TABLE, *NODE_TABLES, *APPEND_ONLY]
