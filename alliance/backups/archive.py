"""The backup file: a tar of the manifest, the audit checkpoints and the database dump,
gzip-compressed, then sealed by ``backups.crypto`` (REL-07).

    manifest.json              format, Alliance version, database vendor, time, table row
                               counts, latest migration per app, audit events: no PHI
    audit-checkpoints.jsonl    the chain-head checkpoints (SEC-26) as they were at backup time
    database.pgdump            PostgreSQL: ``pg_dump --format=custom``
      or database.sqlite3      SQLite: a copy made with the online backup API

The members come in this order, so a reader knows what it restores before the dump arrives,
and only these names are ever written out (into a private folder of the reader's choosing):
nothing in a backup file chooses a path on the restoring machine.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import tarfile
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from alliance.backups.crypto import DecryptingReader, EncryptingWriter
from alliance.backups.errors import BackupError, BackupTampered, BackupUnreadable

FORMAT_NAME = "alliance-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHECKPOINTS = "audit-checkpoints.jsonl"
DUMPS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
COPY_BUFFER = 1 << 20
# Level 6 is gzip's own default: most of level 9's gain (SQLite pages and pg_dump's plain
# table data compress about fivefold) at a fraction of its time.
COMPRESS_LEVEL = 6


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, without a word of PHI: names of tables and how many rows each has,
    never a row."""

    vendor: str
    alliance_version: str
    created_at: str
    tables: dict[str, int]
    migrations: dict[str, str] = field(default_factory=dict)
    audit_events: int = 0
    checkpoints: int = 0
    format: str = FORMAT_NAME
    format_version: int = FORMAT_VERSION

    @property
    def dump_name(self) -> str:
        return DUMPS[self.vendor]

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True, indent=2).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            raw: dict[str, Any] = json.loads(data)
            if raw.get("format") != FORMAT_NAME:
                raise BackupUnreadable("the archive's manifest is not an Alliance manifest")
            if raw.get("format_version") != FORMAT_VERSION:
                raise BackupUnreadable(
                    f"manifest version {raw.get('format_version')} is not one this Alliance reads"
                )
            manifest = cls(**raw)
        except (ValueError, TypeError) as error:
            raise BackupUnreadable(f"the archive's manifest cannot be read ({error})") from None
        if manifest.vendor not in DUMPS:
            raise BackupUnreadable(f"a backup of an unknown database ({manifest.vendor})")
        return manifest


def private_file(path: Path) -> IO[bytes]:
    """A new file only its owner can read or write (0600); never an existing one."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(descriptor, "wb")


def _tarinfo(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    # Names nobody: the archive carries no account or host of the machine that made it.
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def archive_write(
    *, output: Path, secret: str, manifest: Manifest, checkpoints: bytes, dump: Path
) -> int:
    """Write the sealed archive to ``output`` (refused if it exists) and return its size.

    It is written to ``output.partial`` first and renamed when whole and on disk, so a backup
    cut short by a crash or a full disk never has the name of a finished one.
    """
    if output.exists():
        raise BackupError(f"{output} exists; a backup never overwrites a file")
    partial = output.with_name(output.name + ".partial")
    if partial.exists():
        raise BackupError(f"{partial} is in the way: another backup is writing it, or one died")
    try:
        with private_file(partial) as raw:
            sealed = EncryptingWriter(raw, secret)
            compressed = gzip.GzipFile(
                filename="", mode="wb", fileobj=sealed, compresslevel=COMPRESS_LEVEL, mtime=0
            )
            with tarfile.open(fileobj=compressed, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                data = manifest.to_json()
                tar.addfile(_tarinfo(MANIFEST, len(data)), io.BytesIO(data))
                tar.addfile(_tarinfo(CHECKPOINTS, len(checkpoints)), io.BytesIO(checkpoints))
                with dump.open("rb") as source:
                    tar.addfile(_tarinfo(manifest.dump_name, dump.stat().st_size), source)
            compressed.close()
            sealed.close()
            raw.flush()
            os.fsync(raw.fileno())
        partial.rename(output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return output.stat().st_size


def archive_read(*, path: Path, secret: str, into: Path) -> Manifest:
    """Decrypt and unpack the backup at ``path`` into the folder ``into`` (which should be
    private: the dump is plaintext) and return its manifest.

    Reads the whole file, so that every chunk, the last one included, is authenticated before
    anything is restored from it. Raises ``BackupError``s with a message for the operator.
    """
    with path.open("rb") as raw:
        sealed = DecryptingReader(raw, secret)
        try:
            manifest = _unpack(sealed, into)
        except (tarfile.TarError, EOFError, gzip.BadGzipFile, zlib.error) as error:
            # Authenticated yet unreadable: sealed with the right key by something else.
            raise BackupUnreadable(
                f"the backup decrypts but cannot be unpacked ({error})"
            ) from None
        while sealed.read(COPY_BUFFER):
            pass
        if not sealed.finished:
            raise BackupTampered("the backup is cut short: its last chunk is missing")
    return manifest


def _unpack(sealed: DecryptingReader, into: Path) -> Manifest:
    compressed = gzip.GzipFile(mode="rb", fileobj=sealed)
    manifest: Manifest | None = None
    seen: list[str] = []
    with tarfile.open(fileobj=compressed, mode="r|") as tar:
        for member in tar:
            expected = _next_member(seen, manifest)
            if member.name not in expected or not member.isfile():
                raise BackupUnreadable(f"unexpected entry {member.name!r} in the backup")
            source = tar.extractfile(member)
            assert source is not None
            if member.name == MANIFEST:
                manifest = Manifest.from_json(source.read())
            else:
                with private_file(into / member.name) as target:
                    shutil.copyfileobj(source, target, COPY_BUFFER)
            seen.append(member.name)
    # Drain the gzip stream: its trailer (CRC and length) is checked at its end.
    while compressed.read(COPY_BUFFER):
        pass
    if manifest is None or seen != [MANIFEST, CHECKPOINTS, manifest.dump_name]:
        raise BackupUnreadable("the backup is incomplete: " + (", ".join(seen) or "empty"))
    return manifest


def _next_member(seen: list[str], manifest: Manifest | None) -> set[str]:
    if not seen:
        return {MANIFEST}
    if len(seen) == 1:
        return {CHECKPOINTS}
    if len(seen) == 2 and manifest is not None:
        return {manifest.dump_name}
    return set()
