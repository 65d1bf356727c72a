"""One builder for the database triggers that keep clinical records whole (REL-01, REL-02,
SEC-11), on PostgreSQL and SQLite alike.

Every app states its rules as data (``TableGuard`` and its ``Check`` rows) and calls
``install_guards`` from its migration and ``remove_guards`` before a migration that rebuilds a
table (SQLite drops a table's triggers then). The database itself refuses, so
``QuerySet.update()``, bulk methods and raw SQL are refused as well as ``save()``
(SECURITY.md design note 5).

A check says *when* a write is refused: a condition on the old or new row, and optionally that
some columns changed. Two ways to say "changed":

- ``changed``: any of these columns (both databases compare the same list);
- ``changed_except``: on PostgreSQL the whole row minus these columns (``to_jsonb``), so a
  column added later is locked without anyone remembering to; SQLite cannot, so it compares
  ``changed`` instead, and ``tests/records/test_triggers.py`` fails when a model has a column
  in neither list.

Trigger names are kept stable (``{table}_{check.name}`` on SQLite, ``{table}_{event}_{name}``
for a check on several events; ``{table}_guard``,
``{table}_no_delete`` and ``{table}_no_truncate`` on PostgreSQL): migrations that ran before
this builder existed installed the same triggers under the same names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from alliance.core.dbguards import install_append_only, remove_append_only

EVENTS = ("INSERT", "UPDATE", "DELETE")


@dataclass(frozen=True)
class Check:
    """One refusal: ``when`` (SQL over ``OLD``/``NEW``) and, optionally, columns that changed.

    ``when`` is written once for both databases: use ``IS DISTINCT FROM`` (SQLite 3.39+ reads
    it too) and plain comparisons. ``must_change`` refuses an update that leaves that column
    NULL or unchanged (a row that changes only together with a newer history event).
    """

    name: str
    message: str
    when: str = ""
    changed: tuple[str, ...] = ()
    changed_except: tuple[str, ...] | None = None
    must_change: str = ""
    events: tuple[str, ...] = ("UPDATE",)

    def condition(self, vendor: str) -> str:
        parts = [f"({self.when})"] if self.when else []
        if self.changed_except is not None and vendor == "postgresql":
            if self.changed_except:
                allowed = "ARRAY[" + ", ".join(f"'{c}'" for c in self.changed_except) + "]"
                parts.append(
                    f"(to_jsonb(NEW) - {allowed}) IS DISTINCT FROM (to_jsonb(OLD) - {allowed})"
                )
            else:
                parts.append("to_jsonb(NEW) IS DISTINCT FROM to_jsonb(OLD)")
        elif self.changed:
            parts.append(_changed(vendor, self.changed))
        if self.must_change:
            column = self.must_change
            parts.append(
                f"(NEW.{column} IS NULL OR NEW.{column} IS NOT DISTINCT FROM OLD.{column})"
            )
        return " AND ".join(parts)


@dataclass(frozen=True)
class TableGuard:
    """The rules of one table: never deleted (unless ``deletable``), plus its checks."""

    table: str
    checks: tuple[Check, ...] = ()
    deletable: bool = False
    delete_message: str = ""

    def __post_init__(self) -> None:
        if not self.deletable and not self.delete_message:
            raise ValueError(f"{self.table}: an undeletable table needs its delete message")


@dataclass(frozen=True)
class AppGuards:
    """Every guard of one app, and its append-only tables (``core.dbguards``)."""

    app: str
    tables: tuple[TableGuard, ...]
    append_only: tuple[str, ...] = field(default=())

    def install(self, connection: Any) -> None:
        install_guards(connection, self)

    def remove(self, connection: Any) -> None:
        remove_guards(connection, self)

    def guarded_tables(self) -> list[str]:
        """Every table a guard of this app protects (what a flush must lift)."""
        return [*(guard.table for guard in self.tables), *self.append_only]

    def sqlite_trigger_names(self) -> list[str]:
        return [name for guard in self.tables for name, _sql in _sqlite_triggers(guard)]


def _changed(vendor: str, columns: tuple[str, ...]) -> str:
    if vendor == "postgresql":
        new = ", ".join(f"NEW.{c}" for c in columns)
        old = ", ".join(f"OLD.{c}" for c in columns)
        # ROW(...) so that a single column is compared as a row too.
        return f"ROW({new}) IS DISTINCT FROM ROW({old})"
    return "(" + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns) + ")"


def _quote(message: str) -> str:
    return message.replace("'", "''")


# ---------------------------------------------------------------------------- PostgreSQL


def _postgres_statements(guard: TableGuard) -> list[str]:
    table = guard.table
    statements = []
    if not guard.deletable:
        statements += [
            f"CREATE OR REPLACE FUNCTION {table}_refuse_delete() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{_quote(guard.delete_message)}'; "
            "END $$",
            f"CREATE OR REPLACE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_refuse_delete()",
            f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse_delete()",
        ]
    if not guard.checks:
        return statements
    events = [e for e in EVENTS if any(e in check.events for check in guard.checks)]
    lines = []
    for check in guard.checks:
        operations = ", ".join(f"'{e}'" for e in check.events)
        condition = check.condition("postgresql")
        lines.append(
            f"  IF TG_OP IN ({operations}) AND {condition} THEN "
            f"RAISE EXCEPTION '{_quote(check.message)}'; END IF;"
        )
    body = "\n".join(lines)
    statements += [
        f"CREATE OR REPLACE FUNCTION {table}_guard() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"BEGIN\n{body}\n  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;\n  RETURN NEW;\nEND $$",
        f"CREATE OR REPLACE TRIGGER {table}_guard BEFORE {' OR '.join(events)} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_guard()",
    ]
    return statements


def _postgres_remove(guard: TableGuard) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {guard.table}_{suffix} ON {guard.table}"
        for suffix in ("no_delete", "no_truncate", "guard")
    ]


# -------------------------------------------------------------------------------- SQLite


def _sqlite_triggers(guard: TableGuard) -> list[tuple[str, str]]:
    """(name, statement) of each SQLite trigger of ``guard``: one per check and event."""
    table = guard.table
    found = []
    if not guard.deletable:
        found.append(
            (
                f"{table}_no_delete",
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{_quote(guard.delete_message)}'); END",
            )
        )
    for check in guard.checks:
        condition = check.condition("sqlite")
        when = f" WHEN {condition}" if condition else ""
        for event in check.events:
            # A check on several events is one trigger per event: {table}_insert_lock, ...
            prefix = f"{event.lower()}_" if len(check.events) > 1 else ""
            name = f"{table}_{prefix}{check.name}"
            found.append(
                (
                    name,
                    f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON {table}{when} "
                    f"BEGIN SELECT RAISE(ABORT, '{_quote(check.message)}'); END",
                )
            )
    return found


# -------------------------------------------------------------------------------- public


def _statements(connection: Any, app: AppGuards) -> Iterable[str]:
    for guard in app.tables:
        if connection.vendor == "postgresql":
            yield from _postgres_statements(guard)
        elif connection.vendor == "sqlite":
            yield from (statement for _name, statement in _sqlite_triggers(guard))
        else:
            raise NotImplementedError(f"{app.app} guards for {connection.vendor}")


def install_guards(connection: Any, app: AppGuards) -> None:
    """Install every guard of ``app`` (its migration; the test harness's flush)."""
    with connection.cursor() as cursor:
        for statement in _statements(connection, app):
            cursor.execute(statement)
    for table in app.append_only:
        install_append_only(connection, table)


def remove_guards(connection: Any, app: AppGuards) -> None:
    """Only for migrations that must reshape these tables, and for the test harness's flush."""
    with connection.cursor() as cursor:
        for guard in app.tables:
            if connection.vendor == "postgresql":
                for statement in _postgres_remove(guard):
                    cursor.execute(statement)
            else:
                for name, _statement in _sqlite_triggers(guard):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in app.append_only:
        remove_append_only(connection, table)
