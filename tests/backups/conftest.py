"""Backup tests keep their checkpoints in a fresh folder, and restore into a throwaway database
(a SQLite file, or a new database on the suite's PostgreSQL server, dropped afterwards)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from alliance.backups import databases
from alliance.backups.databases import Database


@pytest.fixture(autouse=True)
def checkpoint_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "audit-checkpoints"
    with override_settings(AUDIT_CHECKPOINT_DIR=folder):
        yield folder


@contextmanager
def empty_database(tmp_path: Path) -> Iterator[Database]:
    """A new, empty database of the suite's kind."""
    if connection.vendor == "sqlite":
        yield {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "empty.sqlite3")}
    else:
        with databases.pg_throwaway(dict(connection.settings_dict)) as database:
            yield database
