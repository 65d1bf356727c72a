"""The records kernel's trigger builder, over every app that declares guards with it."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from alliance.crisis import guards as crisis_guards
from alliance.disclosures import guards as disclosure_guards
from alliance.notes import guards as note_guards
from alliance.plans import guards as plan_guards
from alliance.records.triggers import AppGuards, Check, TableGuard
from alliance.safety import guards as safety_guards

EVERY_APP: tuple[AppGuards, ...] = (
    note_guards.GUARDS,
    safety_guards.GUARDS,
    plan_guards.GUARDS,
    disclosure_guards.GUARDS,
    crisis_guards.GUARDS,
)


def _model_of(table: str) -> type:
    return next(m for m in apps.get_models() if m._meta.db_table == table)


def test_every_column_of_a_row_locked_on_postgresql_is_listed_for_sqlite() -> None:
    """PostgreSQL locks whole rows minus the allowed columns; SQLite compares the listed ones.
    A column added to a locked table must be put in one of the lists, or SQLite leaves it
    open: this fails until it is."""
    for app in EVERY_APP:
        for guard in app.tables:
            identity = {
                c
                for check in guard.checks
                if check.name in ("no_move", "identity")
                for c in check.changed
            }
            for check in guard.checks:
                if check.changed_except is None:
                    continue
                columns = {f.column for f in _model_of(guard.table)._meta.concrete_fields}
                listed = set(check.changed) | set(check.changed_except) | identity
                assert listed == columns, (guard.table, check.name, columns ^ listed)


def test_every_guard_is_installed_by_the_migrations(db: None) -> None:
    """A migration that rebuilt a table without putting its triggers back would fail this."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        installed = {name for (name,) in cursor.fetchall()}
    for app in EVERY_APP:
        if connection.vendor == "sqlite":
            expected = set(app.sqlite_trigger_names())
        else:
            expected = {
                f"{guard.table}_{suffix}"
                for guard in app.tables
                for suffix in (("guard",) if guard.checks else ())
                + (() if guard.deletable else ("no_delete", "no_truncate"))
            }
        assert expected <= installed, (app.app, expected - installed)


def test_a_check_compares_one_column_as_a_row_on_postgresql_and_by_is_not_on_sqlite() -> None:
    check = Check("no_move", "moved", changed=("client_id",))
    assert check.condition("postgresql") == "ROW(NEW.client_id) IS DISTINCT FROM ROW(OLD.client_id)"
    assert check.condition("sqlite") == "(NEW.client_id IS NOT OLD.client_id)"


def test_a_whole_row_lock_names_the_allowed_columns_on_postgresql_only() -> None:
    check = Check(
        "signed_lock",
        "locked",
        when="OLD.status = 'signed'",
        changed=("content",),
        changed_except=("updated_at",),
    )
    assert check.condition("postgresql") == (
        "(OLD.status = 'signed') AND (to_jsonb(NEW) - ARRAY['updated_at']) "
        "IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['updated_at'])"
    )
    assert (
        check.condition("sqlite") == "(OLD.status = 'signed') AND (NEW.content IS NOT OLD.content)"
    )


def test_a_check_on_several_events_is_one_sqlite_trigger_per_event() -> None:
    app = AppGuards(
        app="example",
        tables=(
            TableGuard(
                "example_node",
                delete_message="never deleted",
                checks=(Check("lock", "locked", when="1 = 1", events=("INSERT", "UPDATE")),),
            ),
        ),
    )
    assert app.sqlite_trigger_names() == [
        "example_node_no_delete",
        "example_node_insert_lock",
        "example_node_update_lock",
    ]


def test_an_undeletable_table_must_say_why() -> None:
    with pytest.raises(ValueError, match="delete message"):
        TableGuard("example_row")
