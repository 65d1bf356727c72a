"""Database triggers that make a table append-only, on PostgreSQL and SQLite (SEC-25).

Enforced by the database so that ``QuerySet.update()``, bulk methods and raw SQL are refused
too: Django signals and ``save()`` overrides do not see those (SECURITY.md design note 5).
"""

from __future__ import annotations

from typing import Any

APPEND_ONLY_MESSAGE = "append-only table: rows cannot be changed or deleted"


def _statements_install(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [
            "CREATE OR REPLACE FUNCTION alliance_refuse_change() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
            f"'{APPEND_ONLY_MESSAGE} (%)', TG_TABLE_NAME; END $$",
            f"CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION alliance_refuse_change()",
            f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION alliance_refuse_change()",
        ]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END",
        ]
    raise NotImplementedError(f"append-only triggers for {vendor}")


def _statements_remove(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        ]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"DROP TRIGGER IF EXISTS {table}_no_delete",
    ]


def install_append_only(connection: Any, table: str) -> None:
    with connection.cursor() as cursor:
        for statement in _statements_install(connection.vendor, table):
            cursor.execute(statement)


def remove_append_only(connection: Any, table: str) -> None:
    """Only for migrations that must reshape the table, and for the test harness's flush."""
    with connection.cursor() as cursor:
        for statement in _statements_remove(connection.vendor, table):
            cursor.execute(statement)


def append_only_tables() -> list[str]:
    """Every table a migration guards with ``install_append_only`` directly, not through an
    app's ``guards.py`` (the test harness lifts them to flush; on PostgreSQL a table missing
    here refuses the TRUNCATE of every browser test's flush)."""
    return ["audit_auditevent", "access_labelremoval"]
