"""Back up, restore and verify the clinic's database (REL-07): ``alliance backup``,
``alliance restore``, ``alliance backup verify``.

- ``backup_create`` copies the audit checkpoints, then dumps the database (PostgreSQL:
  ``pg_dump``; SQLite: the online backup API) with its row counts from the same snapshot, and
  seals the three into one encrypted file (``backups.archive``, ``backups.crypto``). The
  checkpoints are read first so that every checkpoint in a backup names events its dump holds.
- ``backup_restore`` loads a backup into an empty database, checks every table's rows against
  the manifest, and appends the backup's checkpoints to the checkpoint folder.
- ``backup_verify`` restores into a throwaway database and runs the audit-chain verifier and
  every signature check there, in a process of its own (``backups.check``).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

import dj_database_url
from django.conf import settings
from django.db import connection
from django.utils import timezone

from alliance.audit.actions import AuditAction, AuditOutcome, AuditPurpose, AuditSeverity
from alliance.audit.checkpoints import CHECKPOINT_FILE, Checkpoint, checkpoint_path
from alliance.audit.models import AuditEvent
from alliance.audit.services import audit_record
from alliance.backups import databases
from alliance.backups.archive import CHECKPOINTS, DUMPS, Manifest, archive_read, archive_write
from alliance.backups.databases import Database
from alliance.backups.errors import BackupError, DatabaseNotEmpty

AUDIT_TABLE = AuditEvent._meta.db_table
COMMAND_LINE = "command-line"


def _alliance_version() -> str:
    try:
        return importlib.metadata.version("alliance")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _rows(tables: dict[str, int]) -> int:
    return sum(tables.values())


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _private_workspace(prefix: str) -> tempfile.TemporaryDirectory[str]:
    """A folder only this user can enter (mkdtemp makes it 0700), under TMPDIR: the dump is
    plaintext while it is there. It goes when the work is done, whatever happens."""
    return tempfile.TemporaryDirectory(prefix=prefix)


# --------------------------------------------------------------------------------- backup


@dataclass(frozen=True)
class BackupMade:
    path: Path
    size: int
    manifest: Manifest
    seconds: float

    def describe(self) -> str:
        m = self.manifest
        return (
            f"backup written: {self.path} ({self.size / 1e6:.1f} MB, {m.vendor}, "
            f"{len(m.tables)} tables, {_rows(m.tables)} rows, {m.audit_events} audit events, "
            f"{_count(m.checkpoints, 'checkpoint')}) in {self.seconds:.2f} s"
        )


def _default_output(now_text: str) -> Path:
    folder = Path(settings.VAR_DIR) / "backups"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder / f"alliance-{now_text}.backup"


def _checkpoint_lines() -> bytes:
    """The checkpoint file as it is now, whole lines only (a writer may be mid-line)."""
    path = checkpoint_path()
    if not path.exists():
        return b""
    data = path.read_bytes()
    return data[: data.rfind(b"\n") + 1]


def backup_create(*, output: Path | None = None) -> BackupMade:
    """Write an encrypted backup of the configured database to ``output`` (default:
    ``$ALLIANCE_VAR_DIR/backups/alliance-<UTC time>.backup``), readable by its owner only.

    The backup is an export of every record, so it is audited (before the dump: the backup
    holds its own event); a backup that fails is audited as failed.
    """
    started = time.monotonic()
    database = dict(connection.settings_dict)
    vendor = databases.vendor_of(database)
    now = timezone.now().astimezone(UTC)
    output = output or _default_output(now.strftime("%Y%m%dT%H%M%SZ"))
    if output.exists():
        raise BackupError(f"{output} exists; a backup never overwrites a file")
    _audit(AuditAction.EXPORT, output, {"backup": "started"})
    try:
        checkpoints = _checkpoint_lines()
        with _private_workspace("alliance-backup-") as work:
            dump = Path(work) / DUMPS[vendor]
            if vendor == "sqlite":
                tables, migrations = databases.sqlite_copy(connection, dump)
            else:
                tables, migrations = databases.pg_dump(database, dump)
            manifest = Manifest(
                vendor=vendor,
                alliance_version=_alliance_version(),
                created_at=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
                tables=tables,
                migrations=migrations,
                audit_events=tables.get(AUDIT_TABLE, 0),
                checkpoints=checkpoints.count(b"\n"),
            )
            size = archive_write(
                output=output,
                secret=settings.BACKUP_KEY,
                manifest=manifest,
                checkpoints=checkpoints,
                dump=dump,
            )
    except BaseException:
        # The reason is the exception's to tell; a database that is down cannot hear of it.
        with suppress(Exception):
            _audit(AuditAction.EXPORT, output, {"backup": "failed"}, AuditOutcome.FAILURE)
        raise
    return BackupMade(output, size, manifest, time.monotonic() - started)


def _audit(
    action: AuditAction,
    file: Path,
    detail: dict[str, object],
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
) -> None:
    """A backup or restore in the audit trail: by the command line, for system purposes."""
    audit_record(
        actor=None,
        actor_username=COMMAND_LINE,
        action=action,
        purpose=AuditPurpose.SYSTEM,
        outcome=outcome,
        severity=AuditSeverity.HIGH,
        object_type="backup",
        object_id=file.name,
        detail=detail,
    )


# -------------------------------------------------------------------------------- restore


def _load(manifest: Manifest, dump: Path, database: Database) -> None:
    """Load the dump into ``database`` if it is empty: no tables, or only what ``alliance
    migrate`` writes, with no table the backup lacks (else it was migrated by another
    version, and the restored database would not match its own migration records)."""
    vendor = databases.vendor_of(database)
    if vendor != manifest.vendor:
        raise BackupError(
            f"this is a backup of a {manifest.vendor} database; it restores into "
            f"{manifest.vendor} only, and this database is {vendor}"
        )
    found = databases.contents(database)
    if found.populated:
        raise DatabaseNotEmpty(
            f"the database {database.get('NAME')} already holds records "
            f"({len(found.populated)} tables have rows, {found.populated[0]} among them). "
            "A restore never overwrites records: restore into a new, empty database "
            "(createdb, or a new SQLite file) and point ALLIANCE_DATABASE_URL at it"
        )
    unknown = sorted(set(found.tables) - set(manifest.tables))
    if unknown:
        raise DatabaseNotEmpty(
            f"the database has tables the backup does not ({unknown[0]} among them): it was "
            "migrated by another Alliance version. Restore into a new, empty database"
        )
    if vendor == "sqlite":
        databases.sqlite_load(dump, database)
    else:
        databases.pg_load(dump, database, replace=bool(found.tables))


def _differences(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    return [
        f"{table}: {found.get(table, 'no table')} rows, the backup had {rows}"
        for table, rows in sorted(expected.items())
        if found.get(table) != rows
    ]


@dataclass(frozen=True)
class CheckpointMerge:
    """What restoring did to the checkpoint folder: lines added, lines already there, lines
    refused (not authentic under this audit key), and the newest checkpoint already there
    when it lies beyond the restored chain (those events are lost with this restore)."""

    folder: Path
    added: int
    present: int
    refused: int
    beyond: int | None

    def describe(self) -> str:
        text = (
            f"audit checkpoints: {self.added} added to {self.folder} "
            f"({self.present} already there"
            + (
                f", {self.refused} not authentic under this audit key and left out"
                if self.refused
                else ""
            )
            + ")"
        )
        if self.beyond is not None:
            text += (
                f"\nwarning: a checkpoint in {self.folder} saw the audit chain reach event "
                f"#{self.beyond}, beyond this backup: the events after the backup are lost "
                "with this restore, and `alliance audit verify` will name that gap until the "
                "checkpoint file is archived as evidence (docs/operations.md, Restore)"
            )
        return text


def _checkpoints(text: str) -> list[Checkpoint]:
    points = []
    for line in text.splitlines():
        if line.strip():
            data = json.loads(line)
            points.append(Checkpoint(int(data["seq"]), data["hash"], data["at"], data["mac"]))
    return points


def checkpoints_merge(
    *, backup_lines: bytes, folder: Path, restored_events: int
) -> CheckpointMerge:
    """Append the backup's checkpoints that ``folder``'s file lacks; never rewrite or drop one.

    Append-only, as the checkpoint file always is: a line already there stays, a newer line
    stays (a checkpoint written after this backup is evidence that events were lost with the
    restore, and removing it would hide that loss), and a line that is not authentic under
    this audit key is not added. ``audit verify`` sorts checkpoints by event number, so the
    order of lines does not matter.
    """
    path = folder / CHECKPOINT_FILE
    existing = _checkpoints(path.read_text()) if path.exists() else []
    have = {(p.seq, p.hash, p.at, p.mac) for p in existing}
    incoming = _checkpoints(backup_lines.decode("utf-8"))
    authentic = [p for p in incoming if p.is_authentic(settings.AUDIT_KEY)]
    new = [p for p in authentic if (p.seq, p.hash, p.at, p.mac) not in have]
    if new:
        folder.mkdir(parents=True, exist_ok=True)
        lines = "".join(json.dumps(p.__dict__, sort_keys=True) + "\n" for p in new)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
        try:
            os.write(descriptor, lines.encode())
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    newest = max((p.seq for p in existing), default=0)
    return CheckpointMerge(
        folder=folder,
        added=len(new),
        present=len(authentic) - len(new),
        refused=len(incoming) - len(authentic),
        beyond=newest if newest > restored_events else None,
    )


@dataclass(frozen=True)
class RestoreDone:
    path: Path
    database: str
    manifest: Manifest
    checkpoints: CheckpointMerge | None
    seconds: float

    def describe(self) -> str:
        m = self.manifest
        lines = [
            f"restored {self.path} (a {m.vendor} backup made {m.created_at} by Alliance "
            f"{m.alliance_version}) into {self.database}: {len(m.tables)} tables, "
            f"{_rows(m.tables)} rows, every count as in the backup; in {self.seconds:.2f} s"
        ]
        if self.checkpoints is not None:
            lines.append(self.checkpoints.describe())
        if m.alliance_version != _alliance_version():
            lines.append(
                f"this Alliance is {_alliance_version()}: run `alliance migrate` before serving"
            )
        return "\n".join(lines)


def backup_restore(
    *, path: Path, database: Database | None = None, checkpoint_dir: Path | None = None
) -> RestoreDone:
    """Restore the backup at ``path`` into ``database`` (default: the configured one), which
    must be empty (``DatabaseNotEmpty`` otherwise), and check every table's rows against the
    manifest. The backup's checkpoints are merged into ``checkpoint_dir`` (default, for the
    configured database: ``ALLIANCE_AUDIT_CHECKPOINT_DIR``). Restoring the configured
    database is recorded in its audit trail.
    """
    started = time.monotonic()
    configured = database is None
    target = dict(connection.settings_dict) if database is None else database
    if configured:
        checkpoint_dir = checkpoint_dir or Path(settings.AUDIT_CHECKPOINT_DIR)
        connection.close()
    with _private_workspace("alliance-restore-") as work:
        manifest = archive_read(path=path, secret=settings.BACKUP_KEY, into=Path(work))
        _load(manifest, Path(work) / manifest.dump_name, target)
        differences = _differences(manifest.tables, databases.contents(target).tables)
        if differences:
            raise BackupError(
                "the restored database does not match the backup: " + "; ".join(differences[:5])
            )
        merged = None
        if checkpoint_dir is not None:
            merged = checkpoints_merge(
                backup_lines=(Path(work) / CHECKPOINTS).read_bytes(),
                folder=checkpoint_dir,
                restored_events=manifest.audit_events,
            )
    if configured:
        restored = {"restored_from": manifest.created_at, "audit_events": manifest.audit_events}
        _audit(AuditAction.CONFIG_CHANGE, path, restored)
    name = str(target.get("NAME"))
    return RestoreDone(path, name, manifest, merged, time.monotonic() - started)


# --------------------------------------------------------------------------------- verify


@dataclass
class VerifyReport:
    """What ``alliance backup verify`` found; ``ok`` only if every check passed."""

    path: Path
    manifest: Manifest
    restored_in: float = 0.0
    seconds: float = 0.0
    tables: dict[str, int] = field(default_factory=dict)
    table_problems: list[str] = field(default_factory=list)
    audit: dict[str, Any] = field(default_factory=dict)
    documents: list[dict[str, Any]] = field(default_factory=list)

    @property
    def signature_failures(self) -> list[str]:
        return [
            f"{check['label']} #{pk}: does not match its signature"
            for check in self.documents
            for pk in check["failed"]
        ]

    @property
    def ok(self) -> bool:
        return (
            not self.table_problems and bool(self.audit.get("ok")) and not self.signature_failures
        )

    def describe(self) -> str:
        m = self.manifest
        lines = [
            f"backup {self.path}: {m.vendor}, made {m.created_at} by Alliance {m.alliance_version}",
            f"restored into a throwaway database in {self.restored_in:.2f} s",
            f"tables: {len(self.tables)}, rows: {_rows(self.tables)}"
            + (" (as in the manifest)" if not self.table_problems else ""),
            *(f"  table {problem}" for problem in self.table_problems),
            f"{self.audit.get('description', 'audit chain not checked')} "
            f"({_count(m.checkpoints, 'checkpoint')} from the backup)",
            "signatures checked:",
            *(
                f"  {check['label']:<22} {check['checked']:>7} checked, "
                f"{len(check['failed'])} failed"
                for check in self.documents
            ),
            *(f"  {failure}" for failure in self.signature_failures[:20]),
        ]
        problems = (
            len(self.table_problems)
            + (0 if self.audit.get("ok") else 1)
            + len(self.signature_failures)
        )
        verdict = "PASS" if self.ok else f"FAIL ({problems} problems)"
        lines.append(f"{verdict}: verified in {self.seconds:.2f} s")
        return "\n".join(lines)


@contextmanager
def _throwaway(manifest: Manifest, into: str | None, work: Path) -> Iterator[Database]:
    """Where a backup is restored to be verified: the empty database ``into`` names (kept
    afterwards: it is the caller's), else a SQLite file in the private workspace, else a new
    database on the configured PostgreSQL server, dropped afterwards."""
    if into:
        yield dict(dj_database_url.parse(into))
    elif manifest.vendor == "sqlite":
        yield {"ENGINE": "django.db.backends.sqlite3", "NAME": str(work / "verify.sqlite3")}
    elif databases.vendor_of(connection.settings_dict) == "postgresql":
        with databases.pg_throwaway(dict(connection.settings_dict)) as database:
            yield database
    else:
        raise BackupError(
            "this is a PostgreSQL backup and the configured database is not PostgreSQL: "
            "pass --into URL of an empty PostgreSQL database to verify it in"
        )


def _run_checks(database: Database, anchors: Path, work: Path) -> dict[str, Any]:
    """Run ``backups.check`` on ``database`` in a process of its own (see its docstring)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(
        DJANGO_SETTINGS_MODULE="alliance.config.settings",
        ALLIANCE_DATABASE_URL=databases.database_url(database),
        ALLIANCE_AUDIT_CHECKPOINT_DIR=str(anchors),
        ALLIANCE_AUDIT_KEY=settings.AUDIT_KEY,
        ALLIANCE_VAR_DIR=str(work / "var"),
    )
    # This interpreter and a module of ours, no shell.
    done = subprocess.run(
        [sys.executable, "-m", "alliance.backups.check"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BackupError(f"the verifiers could not run on the restored database: {last}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def backup_verify(*, path: Path, into: str | None = None) -> VerifyReport:
    """Restore the backup at ``path`` into a throwaway database and check it there: every
    table's rows against the manifest, the audit chain against the backup's own checkpoints
    (SEC-26), and every signed document's signature (REL-01). The clinic's database is only
    ever read from (for the server to make the throwaway database on)."""
    started = time.monotonic()
    with _private_workspace("alliance-verify-") as folder:
        work = Path(folder)
        manifest = archive_read(path=path, secret=settings.BACKUP_KEY, into=work)
        anchors = work / "checkpoints"
        anchors.mkdir(mode=0o700)
        (work / CHECKPOINTS).rename(anchors / CHECKPOINT_FILE)
        report = VerifyReport(path, manifest)
        with _throwaway(manifest, into, work) as database:
            _load(manifest, work / manifest.dump_name, database)
            report.restored_in = time.monotonic() - started
            report.tables = databases.contents(database).tables
            report.table_problems = _differences(manifest.tables, report.tables)
            checked = _run_checks(database, anchors, work)
        report.audit = checked["audit"]
        report.documents = checked["documents"]
    report.seconds = time.monotonic() - started
    return report
