"""Checkpoints of the chain head, written outside the database (SEC-26).

Without them, deleting the newest rows would leave a shorter chain that still verifies. A
checkpoint is one JSON line ``{seq, hash, at, mac}`` appended to a file in
``ALLIANCE_AUDIT_CHECKPOINT_DIR``; ship that folder off the box (backup, syslog, WORM storage).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from alliance.audit.chain import checkpoint_mac

CHECKPOINT_FILE = "audit-checkpoints.jsonl"


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
    line = json.dumps(point.__dict__, sort_keys=True) + "\n"
    # O_APPEND: concurrent writers add whole lines; fsync so a crash keeps the anchor.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return point


def checkpoints_read() -> list[Checkpoint]:
    path = checkpoint_path()
    if not path.exists():
        return []
    points = []
    for line in path.read_text().splitlines():
        if line.strip():
            data = json.loads(line)
            points.append(Checkpoint(int(data["seq"]), data["hash"], data["at"], data["mac"]))
    return points
