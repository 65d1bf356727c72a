"""The two databases Alliance runs on, as backups need them: copy, count, load, make a
throwaway one.

A database is described by a Django ``DATABASES`` entry (``ENGINE``, ``NAME``, ``USER``, ...):
the configured one, or one parsed from a URL. PostgreSQL is reached through ``psycopg`` and the
``pg_dump``/``pg_restore`` programs, whose password goes in ``PGPASSWORD`` (their environment,
never their command line, which every user of the machine can read in ``ps``); SQLite through
Python's ``sqlite3`` and its online backup API.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

from alliance.backups.errors import BackupError, ToolMissing

if TYPE_CHECKING:
    import psycopg

Database = dict[str, Any]

# Rows that ``alliance migrate`` writes into a new database: a database holding only these is
# as empty as a new one, and a restore may replace it.
BOOKKEEPING = frozenset({"django_migrations", "django_content_type", "auth_permission"})
# libpq settings a DATABASES entry's OPTIONS may carry, and their environment variables.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


def vendor_of(database: Database) -> str:
    engine = str(database.get("ENGINE", ""))
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise BackupError(f"backups support PostgreSQL and SQLite, not {engine or 'this database'}")


@dataclass(frozen=True)
class Contents:
    """Each table of a database and its rows."""

    tables: dict[str, int]

    @property
    def populated(self) -> list[str]:
        """Tables that hold rows other than what ``alliance migrate`` writes."""
        return sorted(t for t, rows in self.tables.items() if rows and t not in BOOKKEEPING)


def contents(database: Database) -> Contents:
    """Every table of ``database`` and how many rows it has (none for a database not there)."""
    if vendor_of(database) == "sqlite":
        path = sqlite_path(database)
        if not path.exists() or path.stat().st_size == 0:
            return Contents({})
        with closing(sqlite3.connect(path)) as connection:
            return Contents(sqlite_counts(connection))
    with pg_connect(database) as connection:
        return Contents(pg_counts(connection))


def latest_migrations(rows: list[tuple[str, str]]) -> dict[str, str]:
    """The newest migration applied per app (names start with their number)."""
    latest: dict[str, str] = {}
    for app, name in rows:
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


# -------------------------------------------------------------------------------- SQLite


def sqlite_path(database: Database) -> Path:
    name = str(database.get("NAME") or "")
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError("restoring needs a database file, not an in-memory SQLite database")
    return Path(name)


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    # Table names come from the database's own catalogue, quoted; no value is interpolated.
    return {
        name: int(connection.execute(f"SELECT count(*) FROM {_quoted(name)}").fetchone()[0])  # noqa: S608
        for name in names
    }


def sqlite_copy(connection: Any, target: Path) -> tuple[dict[str, int], dict[str, str]]:
    """Copy the open Django connection's SQLite database to ``target`` with the online backup
    API (one step: a consistent snapshot while the clinic goes on writing, under WAL), then
    count the copy's rows and read its migrations."""
    connection.ensure_connection()
    with closing(sqlite3.connect(target)) as copy:
        connection.connection.backup(copy)
        counts = sqlite_counts(copy)
        migrations = latest_migrations(
            list(copy.execute("SELECT app, name FROM django_migrations"))
            if "django_migrations" in counts
            else []
        )
    return counts, migrations


def sqlite_load(source: Path, database: Database) -> None:
    """Write the SQLite database ``source`` into ``database``'s file, page by page."""
    target = sqlite_path(database)
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)


# ---------------------------------------------------------------------------- PostgreSQL


def pg_tool(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: from PATH (Debian's wrapper picks the newest installed),
    else from the newest /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if versions:
        return str(versions[-1])
    raise ToolMissing(f"{name} not found: install the PostgreSQL client (postgresql-client-15)")


def pg_environment(database: Database) -> dict[str, str]:
    """The environment for pg_dump/pg_restore: libpq's variables, the password among them."""
    environment = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if database.get(key):
            environment[variable] = str(database[key])
    for option, variable in LIBPQ_OPTIONS.items():
        value = (database.get("OPTIONS") or {}).get(option)
        if value:
            environment[variable] = str(value)
    return environment


def pg_connect(database: Database, *, autocommit: bool = False) -> psycopg.Connection[Any]:
    import psycopg
    from psycopg.conninfo import make_conninfo

    options = database.get("OPTIONS") or {}
    parameters = {
        "dbname": database.get("NAME"),
        "user": database.get("USER"),
        "password": database.get("PASSWORD"),
        "host": database.get("HOST"),
        "port": database.get("PORT"),
        **{option: options[option] for option in LIBPQ_OPTIONS if options.get(option)},
    }
    conninfo = make_conninfo("", **{k: str(v) for k, v in parameters.items() if v})
    return psycopg.connect(conninfo, autocommit=autocommit)


def pg_counts(connection: psycopg.Connection[Any]) -> dict[str, int]:
    from psycopg import sql

    names = [
        row[0]
        for row in connection.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() ORDER BY c.relname"
        )
    ]
    counts = {}
    for name in names:
        row = connection.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))
        ).fetchone()
        counts[name] = int(row[0]) if row else 0
    return counts


def _run(argv: list[str], database: Database, what: str) -> None:
    done = subprocess.run(  # noqa: S603 (a fixed program and options; no shell)
        argv, env=pg_environment(database), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        # Only the error lines: pg_restore's CONTEXT and DETAIL lines may quote a row.
        errors = [
            line
            for line in done.stderr.splitlines()
            if re.match(r"pg_(dump|restore): (error|fatal)", line)
        ]
        raise BackupError(f"{what} failed: " + ("; ".join(errors[:3]) or "see its output"))


def pg_dump(database: Database, target: Path) -> tuple[dict[str, int], dict[str, str]]:
    """Dump ``database`` to ``target`` (custom format) and count its rows, both from one
    snapshot: a REPEATABLE READ transaction exports it and pg_dump imports it, so the counts
    are those of the dump even while the clinic writes."""
    with pg_connect(database) as connection:
        connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        row = connection.execute("SELECT pg_export_snapshot()").fetchone()
        assert row is not None
        counts = pg_counts(connection)
        migrations = latest_migrations(
            [
                (str(app), str(name))
                for app, name in connection.execute("SELECT app, name FROM django_migrations")
            ]
            if "django_migrations" in counts
            else []
        )
        # Uncompressed: the whole archive is compressed once, by backups.archive.
        _run(
            [
                pg_tool("pg_dump"),
                "--format=custom",
                "--compress=0",
                f"--snapshot={row[0]}",
                "--no-password",
                f"--file={target}",
            ],
            database,
            "pg_dump",
        )
        connection.rollback()
    return counts, migrations


def pg_load(dump: Path, database: Database, *, replace: bool) -> None:
    """Restore the custom-format ``dump`` into ``database`` in one transaction: on any error
    nothing is left behind. ``replace``: first drop what the dump creates (a database that
    ``alliance migrate`` made and nobody used). Owners and grants are not restored: the
    objects belong to the restoring role (docs/operations.md: re-apply the clinic's grants)."""
    _run(
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            *(["--clean", "--if-exists"] if replace else []),
            f"--dbname={database['NAME']}",
            str(dump),
        ],
        database,
        "pg_restore",
    )


@contextmanager
def pg_throwaway(server: Database) -> Iterator[Database]:
    """A new, empty database on ``server``'s PostgreSQL server, dropped on leaving (with any
    connection still open to it)."""
    import psycopg
    from psycopg import sql

    name = f"alliance_verify_{secrets.token_hex(6)}"
    try:
        with pg_connect(server, autocommit=True) as connection:
            connection.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
                    sql.Identifier(name)
                )
            )
    except psycopg.errors.InsufficientPrivilege:
        raise BackupError(
            "the database role may not create a throwaway database: grant it CREATEDB, or "
            "pass --into URL of an empty database to restore into"
        ) from None
    try:
        yield {**server, "NAME": name}
    finally:
        with pg_connect(server, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


# ---------------------------------------------------------------------------------- URLs


def database_url(database: Database) -> str:
    """``database`` as an ``ALLIANCE_DATABASE_URL`` (for a process started on it)."""
    if vendor_of(database) == "sqlite":
        return f"sqlite:///{sqlite_path(database).resolve()}"
    user = quote(str(database.get("USER") or ""), safe="")
    password = quote(str(database.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(str(database.get("HOST") or ""), safe="")
    port = f":{database['PORT']}" if database.get("PORT") else ""
    options = database.get("OPTIONS") or {}
    query = urlencode({k: options[k] for k in LIBPQ_OPTIONS if options.get(k)})
    name = quote(str(database["NAME"]), safe="")
    return f"postgresql://{credentials}{host}{port}/{name}" + (f"?{query}" if query else "")
