"""Checkpoints of the chain head, written outside the database (SEC-26).

Without them, deleting the newest rows would leave a shorter chain that still verifies. A
checkpoint is one JSON line ``{seq, hash, at, mac}`` appended to a file in
``ALLIANCE_AUDIT_CHECKPOINT_DIR``; ship that folder off the box (backup, syslog, WORM storage).

A checkpoint is written after the commit of every ``AUDIT_CHECKPOINT_EVERY``-th event. If the
folder cannot take it (disk full, unmounted), the action that was audited is saved all the
same: the failure is logged and the checkpoint is owed, not lost. The chain head is in the
database and each event is hash-linked to the ones before it, so one checkpoint of a newer
head anchors every older event: the process that failed tries again at its next audited
commit (at most every ``RETRY_EVERY_SECONDS``), and ``checkpoint_retry`` (a periodic job of
the worker) writes the head at once, as ``alliance audit checkpoint`` does. ``checkpoint_status``
says, from the file and the database, to whatever process asks, whether a checkpoint is owed
and since when.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from alliance.audit.chain import checkpoint_mac
from alliance.audit.models import AuditEvent
from alliance.core.aftercommit import error_name

CHECKPOINT_FILE = "audit-checkpoints.jsonl"
# While a checkpoint is owed, an audited commit tries again at most this often (per process).
RETRY_EVERY_SECONDS = 30.0
# The newest checkpoint is near the end of the file: read this much of its tail first.
TAIL_BYTES = 64 * 1024

logger = logging.getLogger("alliance.audit.checkpoints")


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    mac: str

    def is_authentic(self, key: str) -> bool:
        return checkpoint_mac(key, self.seq, self.hash, self.at) == self.mac


def checkpoint_path() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR) / CHECKPOINT_FILE


def checkpoint_write(*, seq: int, head: str) -> Checkpoint:
    at = timezone.now().isoformat(timespec="seconds")
    point = Checkpoint(seq, head, at, checkpoint_mac(settings.AUDIT_KEY, seq, head, at))
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(point.__dict__, sort_keys=True) + "\n").encode()
    # O_APPEND: concurrent writers add whole lines; fsync so a crash keeps the anchor.
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o640)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            # A write cut short (a full disk) left part of a line: end it, or this one would
            # be glued to it and lost too. The torn part is skipped by the readers.
            line = b"\n" + line
        while line:  # a full disk may take part of a line before refusing the rest
            line = line[os.write(fd, line) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    return point


def _parse(lines: list[str]) -> list[Checkpoint]:
    """The checkpoints of ``lines``. A line that is not one (cut short by a full disk or a
    crash) is skipped: it anchors nothing, as a checkpoint never written anchors nothing."""
    points = []
    for line in lines:
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            points.append(Checkpoint(int(data["seq"]), data["hash"], data["at"], data["mac"]))
        except (ValueError, TypeError, KeyError):
            continue
    return points


def checkpoints_read() -> list[Checkpoint]:
    path = checkpoint_path()
    if not path.exists():
        return []
    return _parse(path.read_text().splitlines())


def _newest_authentic() -> Checkpoint | None:
    """The authentic checkpoint of the highest event, reading the file's tail first."""
    path = checkpoint_path()
    if not path.exists():
        return None
    with path.open("rb") as file:
        size = file.seek(0, os.SEEK_END)
        file.seek(max(0, size - TAIL_BYTES))
        lines = file.read().decode().splitlines()
    if size > TAIL_BYTES:
        lines = lines[1:]  # the first line of the tail may be cut
    key = settings.AUDIT_KEY
    points = [p for p in _parse(lines) if p.is_authentic(key)]
    if not points and size > TAIL_BYTES:
        points = [p for p in checkpoints_read() if p.is_authentic(key)]
    return max(points, key=lambda p: p.seq, default=None)


# ---------------------------------------------------------------- after the commit


@dataclass
class _Owed:
    """This process failed to write a checkpoint, and has not written one since."""

    failures: int
    error: str
    tried_at: float  # time.monotonic() of the last try


_owed: _Owed | None = None
_owed_lock = threading.Lock()


def checkpoint_due(seq: int) -> bool:
    """Whether the commit of event ``seq`` should write a checkpoint: every
    ``AUDIT_CHECKPOINT_EVERY`` events, and while this process owes one, at most every
    ``RETRY_EVERY_SECONDS``."""
    if seq % settings.AUDIT_CHECKPOINT_EVERY == 0:
        return True
    with _owed_lock:
        if _owed is None or time.monotonic() - _owed.tried_at < RETRY_EVERY_SECONDS:
            return False
        _owed.tried_at = time.monotonic()
        return True


def checkpoint_attempt(*, seq: int, head: str) -> bool:
    """Write the checkpoint of event ``seq`` (after its transaction has committed); say whether
    it was written.

    Never raises: the audited action is saved. A failure is logged (the event's number and the
    error's name: nothing of the record, SEC-28) and remembered, to be tried again.
    """
    global _owed
    try:
        checkpoint_write(seq=seq, head=head)
    except Exception as error:  # after the commit: report and retry, never raise
        with _owed_lock:
            first = _owed is None
            if _owed is None:
                _owed = _Owed(0, "", time.monotonic())
            _owed.failures += 1
            _owed.error = error_name(error)
            _owed.tried_at = time.monotonic()
        if first:
            logger.error(
                "audit checkpoint at event #%s not written (%s): the action is saved; the "
                "chain head will be checkpointed when the folder takes it again",
                seq,
                error_name(error),
            )
        else:
            logger.warning(
                "audit checkpoint at event #%s still not written (%s)", seq, error_name(error)
            )
        return False
    with _owed_lock:
        owed, _owed = _owed, None
    if owed is not None:
        logger.warning(
            "audit checkpoint written at event #%s after %s failed attempt(s): nothing owed",
            seq,
            owed.failures,
        )
    return True


@dataclass(frozen=True)
class CheckpointStatus:
    """Whether the audit chain has the checkpoints it should (for ``/healthz``).

    ``owed_since`` is when the first missing checkpoint fell due (the time of the event it was
    for), or None when none is missing; ``pending_events`` counts the events after the newest
    checkpoint. Both come from the folder and the database, so any process can answer. ``error``
    says why: the checkpoint file cannot be read, or the last failed write this process saw
    ("OSError ENOSPC"; a web worker's failure is not in another process's memory).
    """

    head_seq: int
    checkpoint_seq: int
    pending_events: int
    owed_since: datetime | None
    readable: bool
    error: str

    @property
    def ok(self) -> bool:
        return self.readable and self.owed_since is None

    def as_dict(self) -> dict[str, Any]:
        found = asdict(self)
        found["owed_since"] = self.owed_since.isoformat() if self.owed_since else None
        found["ok"] = self.ok
        return found


def _chain_head() -> tuple[int, str] | None:
    return AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()


def checkpoint_status() -> CheckpointStatus:
    """What checkpoint is owed, and since when: the newest authentic checkpoint in the folder
    against the chain head in the database."""
    head = _chain_head()
    head_seq = head[0] if head else 0
    readable, error = True, ""
    try:
        newest = _newest_authentic()
    except (OSError, UnicodeError) as failure:  # owed until the file proves otherwise
        newest, readable = None, False
        error = f"checkpoint file unreadable ({error_name(failure)})"
    with _owed_lock:
        if _owed is not None and not error:
            error = f"checkpoint not written ({_owed.error})"
    checkpoint_seq = newest.seq if newest else 0
    every = settings.AUDIT_CHECKPOINT_EVERY
    owed_since = None
    if head_seq // every > checkpoint_seq // every:
        due_seq = (checkpoint_seq // every + 1) * every
        owed_since = (
            AuditEvent.objects.filter(seq__gte=due_seq)
            .order_by("seq")
            .values_list("occurred_at", flat=True)
            .first()
        ) or timezone.now()
    return CheckpointStatus(
        head_seq=head_seq,
        checkpoint_seq=checkpoint_seq,
        pending_events=head_seq - checkpoint_seq,
        owed_since=owed_since,
        readable=readable,
        error=error,
    )


def checkpoint_retry() -> CheckpointStatus:
    """Write the chain head now if a checkpoint is owed (for the worker's periodic jobs, or an
    operator once the disk has room again); never raises for a folder that still refuses it.
    """
    status = checkpoint_status()
    head = _chain_head()
    if status.ok or head is None:
        return status
    checkpoint_attempt(seq=head[0], head=head[1])
    return checkpoint_status()
